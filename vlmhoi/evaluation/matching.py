"""Greedy score-ordered matching of detected pairs to ground-truth pairs, vectorised.

Every protocol here (HICO-DET reference and official, V-COCO) matches the same way: in
descending score order, a detection picks the ground truth with the largest overlap among
*all* candidates (already matched ones included; ties go to the earliest ground truth), and
is a true positive only if that ground truth was not picked before. Because the pick does
not depend on what was matched earlier, a detection is a true positive exactly when it is
the first, in processing order, to pick its ground truth -- which needs no Python loop.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

IoUFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
_DENSE_LIMIT = 1 << 26


def rank_within_groups(group: np.ndarray, offsets: np.ndarray, score: np.ndarray,
                       top_k: int | None = None) -> np.ndarray:
    """Indices ordered by group, then by descending score with ties in input order (a stable
    sort), keeping the first ``top_k`` of each group. Items of group ``i`` must occupy
    ``offsets[i]:offsets[i + 1]``."""
    counts = np.diff(offsets)
    n, width = len(counts), int(counts.max()) if len(counts) else 0
    if len(score) == 0:
        return np.zeros(0, dtype=np.int64)
    if n * width > 4 * len(score) + 4096:  # very uneven groups: two global sorts instead
        order = np.lexsort((-score, group))
        if top_k is not None:
            order = order[np.arange(len(order)) - offsets[group[order]] < top_k]
        return order
    padded = np.full((n, width), np.inf)
    padded[group, np.arange(len(score)) - offsets[group]] = -score
    cols = np.argsort(padded, axis=1, kind='stable')
    if top_k is not None:
        cols = cols[:, :top_k]
    return (offsets[:-1, None] + cols)[cols < counts[:, None]]


def join_by_key(pred_key: np.ndarray, gt_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (pred, gt) index pairs with equal non-negative keys; gt indices ascend."""
    empty = np.zeros(0, dtype=np.int64)
    if len(gt_key) == 0 or len(pred_key) == 0:
        return empty, empty
    cand = np.arange(len(pred_key))
    top = int(max(pred_key.max(), gt_key.max())) + 1
    if top <= _DENSE_LIMIT:
        present = np.zeros(top, dtype=bool)
        present[gt_key] = True
        cand = np.flatnonzero(present[pred_key])
    order = np.argsort(gt_key, kind='stable')
    sorted_keys = gt_key[order]
    lo = np.searchsorted(sorted_keys, pred_key[cand], side='left')
    hi = np.searchsorted(sorted_keys, pred_key[cand], side='right')
    count = hi - lo
    pred_idx = np.repeat(cand, count)
    start = np.repeat(lo - (np.cumsum(count) - count), count)
    return pred_idx, order[start + np.arange(int(count.sum()))]


def best_pair_match(pred_key: np.ndarray, pred_boxes: np.ndarray, pred_sub: np.ndarray,
                    pred_obj: np.ndarray, gt_key: np.ndarray, gt_boxes: np.ndarray,
                    gt_sub: np.ndarray, gt_obj: np.ndarray, iou: IoUFn,
                    threshold: float = 0.5) -> np.ndarray:
    """Index of the ground truth each detection picks, or -1.

    ``*_sub`` / ``*_obj`` index rows of ``*_boxes``. Candidates share the key (image and
    category); the pick maximises ``min(IoU(subject), IoU(object))`` and must reach
    ``threshold`` on both boxes.
    """
    best = np.full(len(pred_key), -1, dtype=np.int64)
    p, g = join_by_key(pred_key, gt_key)
    if len(p) == 0:
        return best
    ov = np.minimum(iou(pred_boxes[pred_sub[p]], gt_boxes[gt_sub[g]]),
                    iou(pred_boxes[pred_obj[p]], gt_boxes[gt_obj[g]]))
    ok = ov >= threshold
    p, g, ov = p[ok], g[ok], ov[ok]
    if len(p) == 0:
        return best
    # pairs are grouped by p (ascending), g ascending within a group: take the first maximum
    start = np.flatnonzero(np.concatenate(([True], p[1:] != p[:-1])))
    seg_max = np.maximum.reduceat(ov, start)
    is_max = ov == np.repeat(seg_max, np.diff(np.append(start, len(p))))
    cand = np.flatnonzero(is_max)
    first = np.concatenate(([True], p[cand[1:]] != p[cand[:-1]]))
    best[p[cand[first]]] = g[cand[first]]
    return best


def first_pick_true_positives(picks: np.ndarray) -> np.ndarray:
    """``picks`` in processing order (-1 = nothing picked); True where a pick is the first
    of its ground truth."""
    tp = np.zeros(len(picks), dtype=bool)
    matched = np.flatnonzero(picks >= 0)
    _, first = np.unique(picks[matched], return_index=True)
    tp[matched[first]] = True
    return tp
