"""Splits of a generated world beyond train / test, and config overrides that select them.

``carve_validation`` takes a validation split out of the training annotations (disjoint
images, the rest stays training), so hyper-parameters are chosen without looking at the
test split. ``world_overrides`` is the one place that knows which config keys point a
``*_synth_hico.py`` config at a world and its splits (``tools/demo.py``,
``benchmark/learning_check.py``).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

TRAINVAL_FILE = 'annotations/trainval_hico.json'
TEST_FILE = 'annotations/test_hico.json'
TRAIN_PART_FILE = 'annotations/train_part_hico.json'   # trainval minus the validation split
VAL_PART_FILE = 'annotations/val_part_hico.json'
VAL_SEED = 1234                                      # fixed: the validation split never moves


def carve_validation(world: str | Path, n_val: int, seed: int = VAL_SEED) -> tuple[Path, Path]:
    """Write ``train_part_hico.json`` / ``val_part_hico.json`` (disjoint image lists).

    The validation images are a seeded random subset of ``trainval_hico.json``; both
    files keep the QPIC layout, the images stay in ``images/train2015``.
    Returns (train part, validation part) paths.
    """
    world = Path(world)
    source = world / TRAINVAL_FILE
    entries = json.loads(source.read_text())
    if not 0 < n_val < len(entries):
        raise ValueError(f'{source}: cannot carve {n_val} validation images out of '
                         f'{len(entries)} training images')
    picked = set(np.random.default_rng(seed).choice(len(entries), n_val, replace=False).tolist())
    train = [e for i, e in enumerate(entries) if i not in picked]
    val = [e for i, e in enumerate(entries) if i in picked]
    out = world / TRAIN_PART_FILE, world / VAL_PART_FILE
    for path, part in zip(out, (train, val)):
        path.write_text(json.dumps(part))
    return out


def world_overrides(world: str | Path, train_ann: str = TRAINVAL_FILE,
                    train_img: str = 'images/train2015/', eval_ann: str = TEST_FILE,
                    eval_img: str = 'images/test2015/') -> dict:
    """Config overrides (``Config.merge_from_dict``) that train on and evaluate a world.

    Annotation and image paths are relative to ``world``; the evaluator reads the rare
    split from the training annotations actually used.
    """
    root = f'{Path(world).as_posix().rstrip("/")}/'
    out = {'train_dataloader.dataset.data_root': root,
           'train_dataloader.dataset.ann_file': train_ann,
           'train_dataloader.dataset.data_prefix.img': train_img}
    for split in ('val', 'test'):
        out.update({f'{split}_dataloader.dataset.data_root': root,
                    f'{split}_dataloader.dataset.ann_file': eval_ann,
                    f'{split}_dataloader.dataset.train_ann_file': train_ann,
                    f'{split}_dataloader.dataset.data_prefix.img': eval_img,
                    f'{split}_evaluator.ann_file': root + eval_ann,
                    f'{split}_evaluator.train_ann_file': root + train_ann})
    return out


def world_cfg_options(world: str | Path, **splits: str) -> list[str]:
    """``world_overrides`` as ``--cfg-options key=value`` strings for the tools."""
    return [f'{k}={v}' for k, v in world_overrides(world, **splits).items()]
