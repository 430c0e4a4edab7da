"""Element-wise IoU of box pairs, in the three pixel conventions the HOI protocols use.

All take ``pred`` and ``gt`` arrays of shape (N, 4) as ``x1, y1, x2, y2`` and return (N,).
Each repeats its source's operation order, so equal inputs give bit-identical IoUs.
"""
from __future__ import annotations

import numpy as np


def iou_reference(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """``compute_IOU`` of the QPIC/CDN/GEN-VLKT/MUREN ``hico_eval.py``, in float32.

    Areas and intersection use the ``+1`` pixel convention, but the overlap is zero unless
    ``max(x1) < min(x2)`` and ``max(y1) < min(y2)`` (strict, without the ``+1``). The
    reference's dataset class holds ground-truth boxes as float32 tensors and the model
    outputs float32 boxes, so every operation of its IoU runs in float32; both inputs are
    cast to float32 here and the result is float32 (exactly representable in float64).
    """
    pred = np.asarray(pred, dtype=np.float32)
    gt = np.asarray(gt, dtype=np.float32)
    area_gt = (gt[:, 2] - gt[:, 0] + 1) * (gt[:, 3] - gt[:, 1] + 1)
    area_pred = (pred[:, 2] - pred[:, 0] + 1) * (pred[:, 3] - pred[:, 1] + 1)
    sum_area = area_gt + area_pred
    top = np.maximum(gt[:, 1], pred[:, 1])
    bottom = np.minimum(gt[:, 3], pred[:, 3])
    left = np.maximum(gt[:, 0], pred[:, 0])
    right = np.minimum(gt[:, 2], pred[:, 2])
    inter = (bottom - top + 1) * (right - left + 1)
    with np.errstate(divide='ignore', invalid='ignore'):
        iou = inter / (sum_area - inter)
    return np.where((top >= bottom) | (left >= right), 0.0, iou)


def iou_official_hico(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Overlap of ``VOCevaldet_bboxpair.m`` (official HICO-DET): ``+1`` convention throughout,
    zero unless the ``+1`` intersection width and height are both positive."""
    iw = np.minimum(pred[:, 2], gt[:, 2]) - np.maximum(pred[:, 0], gt[:, 0]) + 1
    ih = np.minimum(pred[:, 3], gt[:, 3]) - np.maximum(pred[:, 1], gt[:, 1]) + 1
    inter = iw * ih
    ua = ((pred[:, 2] - pred[:, 0] + 1) * (pred[:, 3] - pred[:, 1] + 1)
          + (gt[:, 2] - gt[:, 0] + 1) * (gt[:, 3] - gt[:, 1] + 1) - inter)
    with np.errstate(divide='ignore', invalid='ignore'):
        ov = inter / ua
    return np.where((iw > 0) & (ih > 0), ov, 0.0)


def iou_vsrl(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """``get_overlap`` of V-COCO's ``vsrl_eval.py``; pass float32 arrays to match it exactly
    (its boxes and detections are float32). NaN boxes give NaN."""
    one = pred.dtype.type(1.)
    zero = pred.dtype.type(0.)
    iw = np.maximum(np.minimum(gt[:, 2], pred[:, 2]) - np.maximum(gt[:, 0], pred[:, 0]) + one,
                    zero)
    ih = np.maximum(np.minimum(gt[:, 3], pred[:, 3]) - np.maximum(gt[:, 1], pred[:, 1]) + one,
                    zero)
    inters = iw * ih
    uni = ((pred[:, 2] - pred[:, 0] + one) * (pred[:, 3] - pred[:, 1] + one)
           + (gt[:, 2] - gt[:, 0] + one) * (gt[:, 3] - gt[:, 1] + one) - inters)
    with np.errstate(divide='ignore', invalid='ignore'):
        return inters / uni
