"""Tiny model configs and fake HOI batches for the model tests (CPU, seconds)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

import vlmhoi.models  # noqa: F401  (registers the modules)

torch.set_num_threads(1)
init_default_scope('mmdet')

EMBED, HEADS, FFN = 32, 2, 64
NUM_OBJECTS, NUM_VERBS, NUM_QUERIES = 5, 4, 6


def attn_cfg() -> dict:
    return dict(embed_dims=EMBED, num_heads=HEADS, dropout=0.0, batch_first=True)


def ffn_cfg() -> dict:
    return dict(embed_dims=EMBED, feedforward_channels=FFN, num_fcs=2, ffn_drop=0.0,
                act_cfg=dict(type='ReLU', inplace=True))


def decoder_layer_cfg() -> dict:
    return dict(self_attn_cfg=attn_cfg(), cross_attn_cfg=attn_cfg(), ffn_cfg=ffn_cfg())


def relation_cfg() -> dict:
    return dict(num_heads=HEADS, feedforward_channels=FFN, dropout=0.0)


def head_cfg(**kw) -> dict:
    cfg = dict(type='HOIHead', num_objects=NUM_OBJECTS, num_verbs=NUM_VERBS,
               embed_dims=EMBED, test_cfg=dict(max_per_img=100))
    cfg.update(kw)
    return cfg


def detector_cfg(num_dec_layers: int = 2, **head_kw) -> dict:
    """A tiny HOIDetector: ResNet-18 with 8 base channels, 32-d transformer."""
    return dict(
        type='HOIDetector',
        num_queries=NUM_QUERIES,
        data_preprocessor=dict(type='DetDataPreprocessor', mean=[0.0] * 3, std=[255.0] * 3,
                               bgr_to_rgb=False, pad_size_divisor=1),
        backbone=dict(type='ResNet', depth=18, base_channels=8, num_stages=4,
                      out_indices=(3, ), frozen_stages=-1,
                      norm_cfg=dict(type='BN', requires_grad=True), norm_eval=False,
                      style='pytorch', zero_init_residual=False),  # all convs get gradient
        neck=dict(type='ChannelMapper', in_channels=[64], kernel_size=1, out_channels=EMBED,
                  act_cfg=None, norm_cfg=None, num_outs=1),
        encoder=dict(num_layers=1, layer_cfg=dict(self_attn_cfg=attn_cfg(),
                                                  ffn_cfg=ffn_cfg())),
        decoder=dict(num_layers=num_dec_layers, layer_cfg=decoder_layer_cfg(),
                     relation_cfg=relation_cfg()),
        positional_encoding=dict(num_feats=EMBED // 2, normalize=True),
        bbox_head=head_cfg(**head_kw),
        train_cfg=dict(assigner=dict(type='HOIHungarianAssigner', match_costs=[
            dict(type='HOIObjClassCost', weight=1.0),
            dict(type='HOIVerbClassCost', weight=1.0),
            dict(type='HOIBoxL1Cost', weight=2.5),
            dict(type='HOIGIoUCost', weight=1.0)])),
        test_cfg=dict(max_per_img=100))


def detr_losses_and_matcher() -> dict:
    """DETR's losses and Hungarian matcher (mmdet's detr_r50 config), as head / detector
    kwargs: ``loss_cls``, ``loss_bbox``, ``loss_iou`` and ``train_cfg``."""
    return dict(
        loss_cls=dict(type='CrossEntropyLoss', bg_cls_weight=0.1, use_sigmoid=False,
                      loss_weight=1.0, class_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=5.0),
        loss_iou=dict(type='GIoULoss', loss_weight=2.0),
        train_cfg=dict(assigner=dict(type='HungarianAssigner', match_costs=[
            dict(type='ClassificationCost', weight=1.0),
            dict(type='BBoxL1Cost', weight=5.0, box_format='xywh'),
            dict(type='IoUCost', iou_mode='giou', weight=2.0)])))


def make_sample(img_shape: tuple[int, int], batch_shape: tuple[int, int], num_pairs: int,
                scale_factor: tuple[float, float] = (1.0, 1.0), no_object: int = 0,
                seed: int = 0) -> DetDataSample:
    """A DetDataSample with random valid ``gt_hoi`` pairs (boxes in input pixels)."""
    g = torch.Generator().manual_seed(seed)
    h, w = img_shape

    def boxes(n: int) -> torch.Tensor:
        xy = torch.rand(n, 2, generator=g) * torch.tensor([w * 0.6, h * 0.6])
        wh = (torch.rand(n, 2, generator=g) * 0.3 + 0.1) * torch.tensor([w, h])
        return torch.cat([xy, xy + wh], dim=1)

    obj_labels = torch.randint(0, NUM_OBJECTS, (num_pairs,), generator=g)
    obj_boxes = boxes(num_pairs)
    if no_object:
        obj_labels[:no_object] = NUM_OBJECTS
        obj_boxes[:no_object] = 0
    verbs = (torch.rand(num_pairs, NUM_VERBS, generator=g) > 0.6).float()
    verbs[torch.arange(num_pairs), torch.randint(0, NUM_VERBS, (num_pairs,), generator=g)] = 1
    ori = (round(h / scale_factor[1]), round(w / scale_factor[0]))
    ds = DetDataSample(metainfo=dict(
        img_shape=img_shape, batch_input_shape=batch_shape, pad_shape=batch_shape,
        ori_shape=ori, scale_factor=scale_factor, img_path=f'fake_{seed}.jpg'))
    ds.gt_hoi = InstanceData(
        sub_bboxes=boxes(num_pairs), obj_bboxes=obj_boxes, obj_labels=obj_labels,
        verb_labels=verbs, sub_ids=torch.arange(num_pairs),
        obj_ids=torch.arange(num_pairs) + num_pairs)
    return ds


def ride_horse_sample(img_path: str, num_verbs: int = 117) -> DetDataSample:
    """One 64 x 64 HICO-DET sample (real vocabulary) with one 'ride horse' pair."""
    from vlmhoi.vocab import hico_vocab
    vocab = hico_vocab()
    ds = DetDataSample(metainfo=dict(img_shape=(64, 64), batch_input_shape=(64, 64),
                                     pad_shape=(64, 64), ori_shape=(64, 64),
                                     scale_factor=(1.0, 1.0), img_path=img_path))
    verbs = torch.zeros(1, num_verbs)
    verbs[0, vocab.verb_names.index('ride')] = 1
    ds.gt_hoi = InstanceData(sub_bboxes=torch.tensor([[4., 4., 30., 60.]]),
                             obj_bboxes=torch.tensor([[20., 30., 60., 62.]]),
                             obj_labels=torch.tensor([vocab.object_names.index('horse')]),
                             verb_labels=verbs, sub_ids=torch.tensor([0]),
                             obj_ids=torch.tensor([1]))
    return ds


def fake_batch(no_object: int = 0) -> tuple[torch.Tensor, list[DetDataSample]]:
    """Inputs (2, 3, 64, 64) and two data samples; the second image is padded."""
    torch.manual_seed(0)
    inputs = torch.rand(2, 3, 64, 64)
    samples = [make_sample((64, 64), (64, 64), 3, (0.5, 0.5), no_object, seed=1),
               make_sample((48, 56), (64, 64), 2, (2.0, 2.0), no_object, seed=2)]
    inputs[1, :, 48:, :] = 0
    inputs[1, :, :, 56:] = 0
    return inputs, samples


@pytest.fixture
def tiny() -> SimpleNamespace:
    """Sizes, config factories and fake data of the tiny test model."""
    return SimpleNamespace(
        EMBED=EMBED, HEADS=HEADS, FFN=FFN, NUM_OBJECTS=NUM_OBJECTS, NUM_VERBS=NUM_VERBS,
        NUM_QUERIES=NUM_QUERIES, detector_cfg=detector_cfg, head_cfg=head_cfg,
        decoder_layer_cfg=decoder_layer_cfg, relation_cfg=relation_cfg,
        detr_losses_and_matcher=detr_losses_and_matcher, make_sample=make_sample,
        fake_batch=fake_batch)
