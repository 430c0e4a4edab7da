"""VLM-HOI benchmark suite: OpenMMLab components registered into mmdet's scope.

Importing ``vlmhoi`` (or a light sub-package such as ``vlmhoi.evaluation`` or
``vlmhoi.vocab``) loads neither torch nor mmdet: the evaluators and ``tools/eval_hoi.py``
start in well under a second. The components register when the sub-modules of
:data:`REGISTRATION_MODULES` are imported; configs list them in ``custom_imports``
(``mm_configs/_base_/default_runtime.py``), code calls :func:`register_all_modules`.
Sub-packages are also reachable as attributes (``vlmhoi.models``), imported on first use.
"""
from __future__ import annotations

import importlib
from types import ModuleType

__version__ = '0.1.0'

#: the modules whose import registers every component (datasets, transforms, models,
#: metrics, runner pieces) in mmdet's / mmengine's registries
REGISTRATION_MODULES = ('vlmhoi.datasets', 'vlmhoi.engine', 'vlmhoi.evaluation.metrics',
                        'vlmhoi.models', 'vlmhoi.tracking')

_SUBPACKAGES = frozenset(('datasets', 'engine', 'evaluation', 'models', 'synth', 'tracking',
                          'vocab'))


def register_all_modules() -> None:
    """Import :data:`REGISTRATION_MODULES` (what ``custom_imports`` of the configs does)."""
    for name in REGISTRATION_MODULES:
        importlib.import_module(name)


def __getattr__(name: str) -> ModuleType:
    if name in _SUBPACKAGES:
        return importlib.import_module(f'{__name__}.{name}')
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
