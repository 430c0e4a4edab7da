"""Match costs of the HOI Hungarian matcher (QPIC / CDN / MUREN ``HungarianMatcherHOI``).

Every cost is an mmdet ``BaseMatchCost`` returning a (num_queries, num_pairs) matrix times
its weight; ``HOIHungarianAssigner`` sums them. Fields read:

* ``pred_instances``: ``obj_logits`` (Q, K+1), ``verb_logits`` (Q, V), ``sub_bboxes`` and
  ``obj_bboxes`` (Q, 4) normalised cxcywh (the sigmoid outputs of the head).
* ``gt_instances``: ``obj_labels`` (P,), ``verb_labels`` (P, V) multi-hot, ``sub_bboxes`` and
  ``obj_bboxes`` (P, 4) normalised cxcywh, optional ``obj_exists`` (P,) bool (pairs with an
  object; defaults to "object box is not all zero", the reference test).

Box costs combine the human and the object term with ``max`` (MUREN/CDN/QPIC) or ``sum``.
For pairs without an object (V-COCO) the object L1 term is zeroed and the object GIoU term
gets the human GIoU term added, exactly as in the reference matcher.
"""
from __future__ import annotations

import torch
from mmdet.models.task_modules.assigners.match_cost import BaseMatchCost
from mmdet.registry import TASK_UTILS
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy, bbox_overlaps
from mmengine.structures import InstanceData
from torch import Tensor


def obj_exists(gt_instances: InstanceData) -> Tensor:
    """(P,) bool: which GT pairs have an object box."""
    if 'obj_exists' in gt_instances:
        return gt_instances.obj_exists.bool()
    return (gt_instances.obj_bboxes != 0).any(dim=-1)


def _combine(sub_cost: Tensor, obj_cost: Tensor, mode: str) -> Tensor:
    if mode == 'max':
        return torch.maximum(sub_cost, obj_cost)
    return sub_cost + obj_cost


class _PairBoxCost(BaseMatchCost):
    """Shared constructor of the human/object box costs."""

    def __init__(self, combine: str = 'max', weight: float = 1.0) -> None:
        super().__init__(weight=weight)
        if combine not in ('max', 'sum'):
            raise ValueError(f"combine must be 'max' or 'sum', got {combine!r}")
        self.combine = combine


@TASK_UTILS.register_module()
class HOIObjClassCost(BaseMatchCost):
    """``-softmax(obj_logits)[:, gt_obj_label]``."""

    def __call__(self, pred_instances: InstanceData, gt_instances: InstanceData,
                 img_meta: dict | None = None, **kwargs) -> Tensor:
        prob = pred_instances.obj_logits.softmax(-1)
        return -prob[:, gt_instances.obj_labels.long()] * self.weight


@TASK_UTILS.register_module()
class HOIVerbClassCost(BaseMatchCost):
    """QPIC verb cost: minus the mean of the average probability on the GT verbs and the
    average (1 - probability) on the other verbs."""

    def __call__(self, pred_instances: InstanceData, gt_instances: InstanceData,
                 img_meta: dict | None = None, **kwargs) -> Tensor:
        prob = pred_instances.verb_logits.sigmoid()
        tgt = gt_instances.verb_labels.to(prob.dtype).t()  # (V, P)
        pos = prob.matmul(tgt) / (tgt.sum(dim=0, keepdim=True) + 1e-4)
        neg = (1 - prob).matmul(1 - tgt) / ((1 - tgt).sum(dim=0, keepdim=True) + 1e-4)
        return -(pos + neg) / 2 * self.weight


@TASK_UTILS.register_module()
class HOIBoxL1Cost(_PairBoxCost):
    """L1 distance of normalised cxcywh boxes, human and object term combined."""

    def __call__(self, pred_instances: InstanceData, gt_instances: InstanceData,
                 img_meta: dict | None = None, **kwargs) -> Tensor:
        sub = torch.cdist(pred_instances.sub_bboxes, gt_instances.sub_bboxes, p=1)
        obj = torch.cdist(pred_instances.obj_bboxes, gt_instances.obj_bboxes, p=1)
        obj = obj * obj_exists(gt_instances).to(obj.dtype).unsqueeze(0)
        return _combine(sub, obj, self.combine) * self.weight


@TASK_UTILS.register_module()
class HOIGIoUCost(_PairBoxCost):
    """Negative GIoU of human and object boxes, combined."""

    def __call__(self, pred_instances: InstanceData, gt_instances: InstanceData,
                 img_meta: dict | None = None, **kwargs) -> Tensor:
        def neg_giou(pred: Tensor, gt: Tensor) -> Tensor:
            return -bbox_overlaps(bbox_cxcywh_to_xyxy(pred), bbox_cxcywh_to_xyxy(gt),
                                  mode='giou')

        sub = neg_giou(pred_instances.sub_bboxes, gt_instances.sub_bboxes)
        obj = neg_giou(pred_instances.obj_bboxes, gt_instances.obj_bboxes)
        no_obj = (~obj_exists(gt_instances)).to(obj.dtype).unsqueeze(0)
        obj = obj + sub * no_obj
        return _combine(sub, obj, self.combine) * self.weight
