"""``--cfg-options`` that point the synthetic-world configs at a generated world.

Shared by ``tools/demo.py``, ``benchmark/overfit_check.py`` and the end-to-end tests, so
that no test imports an entry point as a library.
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


def overfit_cfg_options(world: str | Path) -> list[str]:
    """``world_cfg_options`` with validation and test on the *training* split, for
    ``mm_configs/overfit_tiny_synth_hico.py`` (train and evaluate on the same images)."""
    root = f'{Path(world).as_posix()}/'
    options = world_cfg_options(world)
    for split in ('val', 'test'):
        options += [f'{split}_dataloader.dataset.ann_file=annotations/trainval_hico.json',
                    f'{split}_dataloader.dataset.data_prefix.img=images/train2015/',
                    f'{split}_evaluator.ann_file={root}annotations/trainval_hico.json']
    return options

