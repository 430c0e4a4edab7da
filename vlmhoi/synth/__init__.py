"""The embedded synthetic HOI world: a deterministic generator of HICO-DET / V-COCO data.

Pure numpy + Pillow (no torch / OpenMMLab imports). ``generate_world(out, seed, n_train,
n_test, size)`` renders scenes of stick-figure people interacting with objects, where the
verb is a visible configuration, and writes HICO-DET- and V-COCO-format annotations (see
``generate.py`` and the module docstrings of ``hico_writer`` / ``vcoco_writer``).
"""
from .generate import generate_world
from .splits import carve_validation, world_cfg_options, world_overrides
from .stats import WorldStats

__all__ = ['WorldStats', 'carve_validation', 'generate_world', 'world_cfg_options',
           'world_overrides']
