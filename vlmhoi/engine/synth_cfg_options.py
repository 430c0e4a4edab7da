"""``--cfg-options`` that point the synthetic-world configs at a generated world.

Shared by ``tools/demo.py`` and the end-to-end tests, so that no test imports an entry
point as a library.
"""
from __future__ import annotations

from pathlib import Path


def world_cfg_options(world: str | Path) -> list[str]:
    """``--cfg-options`` that point a ``*_synth_hico.py`` config at the world in ``world``."""
    root = f'{Path(world).as_posix()}/'
    data = [f'{split}_dataloader.dataset.data_root={root}' for split in ('train', 'val', 'test')]
    return data + [f'{ev}.{key}={root}annotations/{name}'
                   for ev in ('val_evaluator', 'test_evaluator')
                   for key, name in (('ann_file', 'test_hico.json'),
                                     ('train_ann_file', 'trainval_hico.json'))]
