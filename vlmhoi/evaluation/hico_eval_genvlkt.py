"""``mode='genvlkt'``: GEN-VLKT's ``datasets/hico_eval_triplet.py``, rule for rule.

Where it departs from the QPIC / CDN / MUREN evaluator (``mode='reference'``):

* **categories are the 600 HOIs** (verb, object class), in order of first appearance in
  the test ground truth; the **subject class is ignored** (its predicted boxes carry no
  class, its IoU has no class test). Exchange-format triplets whose (verb, object) pair
  is no HICO-DET HOI cannot exist in GEN-VLKT's output and are dropped (counted in
  ``num_dropped_not_hoi``); there is no validity-matrix product;
* **tied scores within an image**: its top-k keeps the ``max_per_image`` highest score
  *values* and maps each back with ``np.where(scores == value)[0][0]``, so every tied
  value becomes copies of the first triplet (in the image's list order) with that
  score; the copies are evaluated as separate detections (one true positive at most);
* **images without ground-truth boxes** count their detections (of test categories) as
  false positives;
* images without predicted boxes are skipped (they have no detections either).

Everything else is as in reference mode: float32 ``+1`` IoU with the strict overlap test,
best ``min(IoU)`` ground truth, ``np.argsort(-score)`` ranking, 11-point AP over
``np.arange``, rare split by :mod:`vlmhoi.rare_split` on the training count of
(person, object, verb). GEN-VLKT has no Known-Object evaluator; the ``*_ko`` keys apply
MUREN's Known-Object rule (reference mode) to these detections.
"""
from __future__ import annotations

import numpy as np

from vlmhoi.evaluation.category_ap import category_stats
from vlmhoi.evaluation.hico_common import (
    HICOEvalResult,
    Pairs,
    build_result,
    gt_hoi_categories,
    ko_mask,
    true_positives,
)
from vlmhoi.evaluation.hico_gt import HICOGroundTruth, hoi_index_table, triplet_key
from vlmhoi.evaluation.hoi_json import FlatHOI
from vlmhoi.evaluation.iou import iou_reference
from vlmhoi.evaluation.matching import rank_within_groups
from vlmhoi.rare_split import rare_split


def first_of_equal_scores(img: np.ndarray, score: np.ndarray) -> np.ndarray:
    """For every item, the first item (lowest index) of its image with the same score."""
    idx = np.arange(len(score))
    order = np.lexsort((idx, score, img))
    new_group = np.ones(len(order), dtype=bool)
    new_group[1:] = (img[order][1:] != img[order][:-1]) | (score[order][1:] != score[order][:-1])
    heads = order[new_group]
    out = np.empty(len(score), dtype=np.int64)
    out[order] = heads[np.cumsum(new_group) - 1]
    return out


def evaluate_genvlkt(gt: HICOGroundTruth, flat: FlatHOI,
                     max_per_image: int | None = 100) -> HICOEvalResult:
    """GEN-VLKT's triplet evaluation of flattened exchange-format predictions."""
    det, truth = Pairs(flat), Pairs(gt.test)
    hoi = hoi_index_table(gt.vocab)[flat.hoi_verb, det.obj_label]
    is_hoi = hoi >= 0
    # the image's list without the non-HOI triplets, then GEN-VLKT's value top-k
    kept = np.flatnonzero(is_hoi)
    offsets = np.searchsorted(kept, flat.hoi_offsets)
    top = kept[rank_within_groups(det.img[kept], offsets, flat.hoi_score[kept],
                                  max_per_image)]
    order = kept[first_of_equal_scores(det.img[kept], flat.hoi_score[kept])][
        np.searchsorted(kept, top)]
    gt_hoi = gt_hoi_categories(gt, truth)
    uniq, first, counts = np.unique(gt_hoi, return_index=True, return_counts=True)
    appear = np.argsort(first, kind='stable')
    n_hoi = len(gt.vocab.valid_pairs)
    table = np.full(n_hoi, -1, dtype=np.int64)
    table[uniq[appear]] = np.arange(len(uniq))
    cat = table[hoi[order]]
    order, cat = order[cat >= 0], cat[cat >= 0]   # HOIs absent from the test GT: skipped
    tp = true_positives(det, order, cat, truth, table[gt_hoi], len(uniq), iou_reference)
    ko = ko_mask(truth, det, order, gt.vocab.num_objects)
    npos = counts[appear]
    stats = category_stats(cat, flat.hoi_score[order], tp, ko, npos, official=False)
    pairs = [gt.vocab.valid_pairs[int(h)] for h in uniq[appear]]
    train = gt.train_triplet_counts()
    n_train = [train.get(int(triplet_key(np.int64(0), np.int64(o), np.int64(v), gt.vocab)), 0)
               for v, o in pairs]
    rare, non_rare = rare_split(n_train, zero='unsplit')
    extra = {'num_images': flat.num_images, 'num_detections': len(order),
             'num_detections_ko': int(ko.sum()), 'num_dropped_not_hoi': int(np.sum(~is_hoi))}
    keys = [(0, o, v) for v, o in pairs]
    return build_result('genvlkt', gt, keys, npos, n_train, rare, non_rare, stats, extra)
