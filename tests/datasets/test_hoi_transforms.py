"""Pair-consistent augmentation and packing."""
from __future__ import annotations

import numpy as np
import torch
from mmdet.registry import TRANSFORMS
from mmdet.structures.bbox import HorizontalBoxes

import vlmhoi.datasets  # noqa: F401  registers the transforms


def results(boxes, labels, pairs, verbs, width=100, height=80):
    return dict(img=np.zeros((height, width, 3), np.uint8), img_shape=(height, width),
                ori_shape=(height, width), img_path='x.jpg', img_id=0, file_name='x.jpg',
                gt_bboxes=HorizontalBoxes(np.array(boxes, np.float32)),
                gt_bboxes_labels=np.array(labels, np.int64),
                gt_ignore_flags=np.zeros(len(labels), bool),
                gt_hoi_pairs=np.array(pairs, np.int64).reshape(-1, 2),
                gt_hoi_verbs=np.array(verbs, np.float32), num_verbs=3, num_objects=80)


def test_load_hoi_annotations_builds_pairs_and_multi_hot():
    load = TRANSFORMS.build(dict(type='LoadHOIAnnotations'))
    out = load(dict(instances=[dict(bbox=[0, 0, 5, 5], bbox_label=0, ignore_flag=0),
                               dict(bbox=[1, 1, 4, 4], bbox_label=7, ignore_flag=0)],
                    hois=[dict(subject=0, object=1, verbs=[0, 2]),
                          dict(subject=0, object=-1, verbs=[1])], num_verbs=3))
    assert out['gt_hoi_pairs'].tolist() == [[0, 1], [0, -1]]
    assert out['gt_hoi_verbs'].tolist() == [[1, 0, 1], [0, 1, 0]]
    assert out['gt_bboxes_labels'].tolist() == [0, 7]



def test_keep_hoi_pairs_reindexes_after_a_crop():
    # boxes: 0 person left, 1 object far right (cropped away), 2 person right, 3 object
    boxes = [[0, 0, 20, 40], [85, 60, 100, 80], [30, 0, 50, 40], [20, 10, 40, 30]]
    res = results(boxes, [0, 5, 0, 9], [[0, 1], [2, 3], [0, 3], [2, -1]],
                  np.eye(4, 3)[[0, 1, 2, 0]])
    crop = TRANSFORMS.build(dict(type='KeepHOIPairs', transforms=[
        dict(type='RandomCrop', crop_size=(60, 60), crop_type='absolute',
             allow_negative_crop=True)]))
    np.random.seed(0)
    # force the crop window to the top-left corner
    crop.transforms.transforms[0]._rand_offset = lambda margin: (0, 0)
    out = crop(res)
    assert out['gt_bboxes_labels'].tolist() == [0, 0, 9]          # box 1 is gone
    assert out['gt_hoi_pairs'].tolist() == [[1, 2], [0, 2], [1, -1]]
    assert out['gt_hoi_verbs'].tolist() == np.eye(4, 3)[[1, 2, 0]].tolist()


def test_flip_keeps_pairs_and_moves_boxes():
    res = results([[0, 0, 20, 40], [60, 10, 90, 30]], [0, 5], [[0, 1]], [[1, 0, 0]])
    flip = TRANSFORMS.build(dict(type='RandomFlip', prob=1.0))
    out = flip(res)
    assert out['gt_hoi_pairs'].tolist() == [[0, 1]]
    assert out['gt_bboxes'].tensor.tolist() == [[80, 0, 100, 40], [10, 10, 40, 30]]


def test_pack_hoi_inputs_pairs_follow_boxes_and_no_object_rows():
    res = results([[0, 0, 20, 40], [60, 10, 90, 30]], [0, 5], [[0, 1], [0, -1]],
                  [[1, 0, 0], [0, 0, 1]])
    res['scale_factor'] = (1.0, 1.0)
    res['flip'], res['flip_direction'] = False, None
    packed = TRANSFORMS.build(dict(type='PackHOIInputs'))(res)
    sample = packed['data_samples']
    hoi = sample.gt_hoi
    assert torch.equal(hoi.sub_bboxes, torch.tensor([[0., 0, 20, 40], [0, 0, 20, 40]]))
    assert torch.equal(hoi.obj_bboxes, torch.tensor([[60., 10, 90, 30], [0, 0, 0, 0]]))
    assert hoi.obj_labels.tolist() == [5, 80]
    assert hoi.obj_ids.tolist() == [1, -1] and hoi.sub_ids.tolist() == [0, 0]
    assert hoi.verb_labels.tolist() == [[1, 0, 0], [0, 0, 1]]
    assert sample.gt_instances.labels.tolist() == [0, 5]
    assert sample.metainfo['file_name'] == 'x.jpg'
    assert packed['inputs'].shape == (3, 80, 100)
