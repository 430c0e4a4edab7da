"""Pairwise triplet NMS of CDN / MUREN (``triplet_nms_filter`` + ``pairwise_nms``).

Within each group (a triplet category), in ``scores.argsort()[::-1]`` order, a candidate
suppresses the later ones with ``IoU_sub ** alpha * IoU_obj ** beta > thr``. The reference
computes in numpy on the float32 boxes of the model, with the ``+1`` pixel convention
(``iou='pixel'``: areas ``(x2 - x1 + 1) * (y2 - y1 + 1)``, intersection ``max(0, w + 1)``);
``iou='continuous'`` is the area convention of mmdet's ``bbox_overlaps``. Kept indices come
back in the reference's order: groups in order of first appearance, each in processing
order.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

IOU_CONVENTIONS = ('pixel', 'continuous')


def _overlap(box: np.ndarray, others: np.ndarray, plus: float) -> np.ndarray:
    """IoU of one box (4,) with ``others`` (N, 4), written as ``pairwise_nms`` does."""
    xx1 = np.maximum(box[0], others[:, 0])
    yy1 = np.maximum(box[1], others[:, 1])
    xx2 = np.minimum(box[2], others[:, 2])
    yy2 = np.minimum(box[3], others[:, 3])
    inter = np.maximum(0.0, xx2 - xx1 + plus) * np.maximum(0.0, yy2 - yy1 + plus)
    area = (box[2] - box[0] + plus) * (box[3] - box[1] + plus)
    areas = (others[:, 2] - others[:, 0] + plus) * (others[:, 3] - others[:, 1] + plus)
    return inter / (area + areas - inter)


def _group_nms(subs: np.ndarray, objs: np.ndarray, scores: np.ndarray, thr: float,
               alpha: float, beta: float, plus: float) -> list[int]:
    order = scores.argsort()[::-1]
    keep = []
    while order.size > 0:
        i = order[0]
        keep.append(int(i))
        rest = order[1:]
        with np.errstate(divide='ignore', invalid='ignore'):
            ovr = (np.power(_overlap(subs[i], subs[rest], plus), alpha)
                   * np.power(_overlap(objs[i], objs[rest], plus), beta))
        order = rest[np.where(ovr <= thr)[0]]
    return keep


def triplet_nms(sub_boxes: Tensor, obj_boxes: Tensor, scores: Tensor, groups: Tensor,
                thr: float, alpha: float, beta: float, iou: str = 'pixel') -> Tensor:
    """Kept indices (reference order, see the module doc) of the candidates."""
    if iou not in IOU_CONVENTIONS:
        raise ValueError(f'iou must be one of {IOU_CONVENTIONS}, got {iou!r}')
    plus = 1.0 if iou == 'pixel' else 0.0
    subs = sub_boxes.detach().cpu().float().numpy()
    objs = obj_boxes.detach().cpu().float().numpy()
    sc = scores.detach().cpu().float().numpy()
    grp = groups.detach().cpu().numpy()
    _, first = np.unique(grp, return_index=True)
    keep: list[int] = []
    for g in grp[np.sort(first)]:
        members = np.flatnonzero(grp == g)
        kept = _group_nms(subs[members], objs[members], sc[members], thr, alpha, beta, plus)
        keep.extend(members[kept].tolist())
    return torch.tensor(keep, dtype=torch.long, device=scores.device)
