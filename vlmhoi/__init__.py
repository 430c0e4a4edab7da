"""VLM-HOI benchmark suite: OpenMMLab components registered into mmdet's scope.

Configs load them with ``custom_imports = dict(imports=['vlmhoi'])``; importing the
package imports every sub-package so their modules register.
"""
from . import datasets, engine, evaluation, models  # noqa: F401

__version__ = '0.1.0'
