"""Splits: the carved validation split, file-level disjointness, config overrides."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from vlmhoi.synth import carve_validation, world_cfg_options, world_overrides


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob('*.jpg')}


def test_train_and_test_images_are_disjoint_files(tiny_world):
    train, test = _digests(tiny_world / 'images/train2015'), _digests(tiny_world /
                                                                      'images/test2015')
    assert train and test
    assert not set(train) & set(test)
    assert not set(train.values()) & set(test.values()), 'identical image bytes across splits'


def test_validation_is_carved_out_of_training(tiny_world, tmp_path):
    import shutil
    world = tmp_path / 'w'
    shutil.copytree(tiny_world / 'annotations', world / 'annotations')
    train_file, val_file = carve_validation(world, 4)
    trainval = json.loads((world / 'annotations/trainval_hico.json').read_text())
    train, val = json.loads(train_file.read_text()), json.loads(val_file.read_text())
    names = lambda entries: [e['file_name'] for e in entries]  # noqa: E731
    assert len(val) == 4 and len(train) == len(trainval) - 4
    assert not set(names(train)) & set(names(val))
    assert sorted(names(train) + names(val)) == sorted(names(trainval))
    test = json.loads((world / 'annotations/test_hico.json').read_text())
    assert not set(names(val)) & set(names(test))
    again = carve_validation(world, 4)[1]
    assert names(json.loads(again.read_text())) == names(val), 'validation split must not move'
    with pytest.raises(ValueError, match='trainval_hico.json: cannot carve 99'):
        carve_validation(world, 99)


def test_overrides_point_train_and_evaluation_at_the_world():
    over = world_overrides('some/world', eval_ann='annotations/val_part_hico.json',
                           eval_img='images/train2015/',
                           train_ann='annotations/train_part_hico.json')
    assert over['train_dataloader.dataset.data_root'] == 'some/world/'
    assert over['train_dataloader.dataset.ann_file'] == 'annotations/train_part_hico.json'
    assert over['test_dataloader.dataset.ann_file'] == 'annotations/val_part_hico.json'
    assert over['val_evaluator.ann_file'] == 'some/world/annotations/val_part_hico.json'
    assert over['val_evaluator.train_ann_file'] == 'some/world/annotations/train_part_hico.json'
    assert 'test_evaluator.train_ann_file=some/world/annotations/train_part_hico.json' in \
        world_cfg_options('some/world', train_ann='annotations/train_part_hico.json')
