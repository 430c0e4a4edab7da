"""Ground-truth HOI pairs of a data sample in the model's box convention."""
from __future__ import annotations

import torch
from mmdet.structures import DetDataSample
from mmdet.structures.bbox import bbox_xyxy_to_cxcywh
from mmengine.structures import InstanceData
from torch import Tensor


def _as_tensor(boxes) -> Tensor:
    """Plain (N, 4) tensor from a tensor or an mmdet ``BaseBoxes``."""
    return boxes.tensor if hasattr(boxes, 'tensor') else torch.as_tensor(boxes)


def hoi_targets(data_sample: DetDataSample, num_objects: int) -> InstanceData:
    """Convert ``data_sample.gt_hoi`` into normalised training targets.

    ``gt_hoi`` holds ``sub_bboxes`` / ``obj_bboxes`` as x1y1x2y2 in input-image pixels,
    ``obj_labels`` (P,), ``verb_labels`` (P, V) multi-hot. Boxes become cxcywh normalised
    by ``metainfo['img_shape']`` (what the head predicts). Pairs whose object label is
    ``num_objects`` (V-COCO "no object") get ``obj_exists=False`` and an all-zero object
    box, whatever box the pipeline left there.

    Returns:
        InstanceData with ``sub_bboxes``, ``obj_bboxes`` (P, 4), ``obj_labels`` (P,) long,
        ``verb_labels`` (P, V) float, ``obj_exists`` (P,) bool and ``labels`` (= obj labels).
    """
    if 'gt_hoi' not in data_sample:
        raise KeyError(f"data sample {data_sample.metainfo.get('img_path', '?')} has no "
                       "'gt_hoi'; the training pipeline must end with PackHOIInputs")
    gt = data_sample.gt_hoi
    img_h, img_w = data_sample.metainfo['img_shape'][:2]
    sub = _as_tensor(gt.sub_bboxes).float()
    obj = _as_tensor(gt.obj_bboxes).float()
    factor = sub.new_tensor([img_w, img_h, img_w, img_h])
    labels = gt.obj_labels.long().to(sub.device)
    if (labels < 0).any() or (labels > num_objects).any():
        raise ValueError(f'gt_hoi.obj_labels of {data_sample.metainfo.get("img_path", "?")} '
                         f'must be in [0, {num_objects}], got {labels.tolist()}')
    exists = labels < num_objects
    obj_n = bbox_xyxy_to_cxcywh(obj / factor) * exists.unsqueeze(-1).to(obj.dtype)
    return InstanceData(
        sub_bboxes=bbox_xyxy_to_cxcywh(sub / factor), obj_bboxes=obj_n,
        obj_labels=labels, verb_labels=gt.verb_labels.float().to(sub.device),
        obj_exists=exists, labels=labels)
