"""A tiny synthetic world goes through both real loaders and the detector's batching."""
from __future__ import annotations

import pytest
import torch
from mmdet.registry import DATASETS, MODELS
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope
from torch.utils.data import DataLoader

import vlmhoi
from vlmhoi.synth import generate_world

vlmhoi.register_all_modules()

SIZE = 96


@pytest.fixture(scope='module')
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp('synth')
    generate_world(out, seed=0, n_train=8, n_test=4, size=SIZE)
    return out


def _dataset_cfg(base: str, root, split: str) -> dict:
    cfg = Config.fromfile(f'mm_configs/_base_/datasets/{base}.py')
    loader = cfg.train_dataloader if split == 'train' else cfg.test_dataloader
    ds = loader.dataset.to_dict()
    ds['data_root'] = str(root) + '/'
    return ds


@pytest.mark.parametrize('base,num_verbs', [('synth_hico', 117), ('synth_vcoco', 29)])
def test_world_loads_and_collates(world, base, num_verbs):
    DefaultScope.get_instance(f'test-{base}', scope_name='mmdet')
    train = DATASETS.build(_dataset_cfg(base, world, 'train'))
    test = DATASETS.build(_dataset_cfg(base, world, 'test'))
    assert len(train) == 8 and len(test) == 4
    assert sum(len(train.get_data_info(i)['hois']) for i in range(len(train))) > 0

    loader = DataLoader(train, batch_size=4, collate_fn=pseudo_collate)
    batch = next(iter(loader))
    preprocessor = MODELS.build(dict(type='DetDataPreprocessor', bgr_to_rgb=True,
                                     mean=[123.675, 116.28, 103.53],
                                     std=[58.395, 57.12, 57.375]))
    data = preprocessor(batch, training=True)
    inputs, samples = data['inputs'], data['data_samples']
    assert inputs.shape[0] == 4 and inputs.dtype == torch.float32
    for sample in samples:
        hoi = sample.gt_hoi
        assert hoi.verb_labels.shape[1] == num_verbs
        assert (hoi.verb_labels.sum(1) >= 1).all()
        # pair boxes are the boxes their indices point at, after augmentation
        boxes = sample.gt_instances.bboxes
        assert torch.equal(hoi.sub_bboxes, boxes[hoi.sub_ids])
        with_obj = hoi.obj_ids >= 0
        assert torch.equal(hoi.obj_bboxes[with_obj], boxes[hoi.obj_ids[with_obj]])
        assert (sample.gt_instances.labels[hoi.sub_ids] == 0).all()  # subjects are people
        h, w = sample.metainfo['img_shape']
        assert (boxes[:, 2] <= w + 1e-3).all() and (boxes[:, 3] <= h + 1e-3).all()

    sample = test[0]['data_samples']
    assert sample.metainfo['ori_shape'] == (SIZE, SIZE)
    assert sample.metainfo['file_name'].endswith('.jpg')
