"""HICO-DET mAP (Full / Rare / Non-Rare, Default and Known-Object), three protocols.

Each mode equals one evaluator, quirks included:

``mode='reference'`` = ``datasets/hico_eval.py`` of QPIC, CDN and MUREN (one code, checked
number for number against CDN's and MUREN's) and, for the ``*_ko`` keys, MUREN's
``hico_eval_ko.py``. Not GEN-VLKT's ``hico_eval_triplet.py``, which differs (``'genvlkt'``).

* scores are multiplied by the verb-object validity matrix (``corre_hico.npy``), sorted
  (stable) and cut to the top ``max_per_image`` (100) triplets per image;
* categories are (subject class, object class, verb) triplets that occur in the test
  ground truth, in order of first appearance; predictions of other triplets are skipped;
* images without ground-truth boxes are skipped entirely (a quirk of the reference: its
  branch for them builds a list key that never equals its tuple keys);
* a detection matches when subject and object IoU are both >= 0.5 (``+1`` areas, zero
  unless the boxes overlap strictly, computed in **float32** as the reference's float32
  boxes make it) with equal classes and verb, picking the ground truth with the largest
  ``min(IoU)``; each ground truth counts once (see ``matching``);
* AP is 11-point interpolated over ``np.arange(0., 1.1, 0.1)``, detections ranked with
  ``np.argsort(-score)``; rare split by :mod:`vlmhoi.rare_split` (fewer than 10 training
  instances; triplets absent from training count in Full only, as the reference);
* Known-Object keeps, per image, the detections whose object class occurs in that image's
  ground-truth HOIs.

``mode='genvlkt'`` = GEN-VLKT's ``datasets/hico_eval_triplet.py``
(:mod:`vlmhoi.evaluation.hico_eval_genvlkt`).

``mode='official'`` = the MATLAB protocol of Chao et al. (``eval_one.m``,
``VOCevaldet_bboxpair.m``): the 600 HOI categories, all averaged (AP 0 without test
instances); detections of pairs that are no HOI are dropped; the subject class is not
looked at; images without annotations count their detections as false positives; overlap
``+1`` convention with a positive ``+1`` intersection, float64; all detections kept; stable
ranking; 11-point AP over MATLAB's ``0:0.1:1``; rare = fewer than 10 training instances
of the HOI (zero included: two parts of 600); Known-Object keeps detections in images that
contain a ground-truth HOI with the category's object. MATLAB's ``+1`` shift of zero-based
detections is not applied: predictions and the json ground truth share one convention.
"""
from __future__ import annotations

from typing import Any

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
from vlmhoi.evaluation.hico_gt import HICOGroundTruth, decode_triplet_key, hoi_index_table
from vlmhoi.evaluation.hoi_json import FlatHOI
from vlmhoi.evaluation.iou import iou_official_hico, iou_reference
from vlmhoi.evaluation.matching import rank_within_groups
from vlmhoi.evaluation.pred_format import read_predictions
from vlmhoi.hoi_format_errors import PredictionFormatError
from vlmhoi.rare_split import rare_split

MODES = ('reference', 'official', 'genvlkt')

__all__ = ['MODES', 'HICOEvalResult', 'evaluate_hico']


def evaluate_hico(gt: HICOGroundTruth, predictions: Any, *, mode: str = 'reference',
                  correct_mat: np.ndarray | None = None, max_per_image: int | None = 100,
                  source: str = 'predictions') -> HICOEvalResult:
    """Evaluate exchange-format ``predictions`` (a list with one entry per test image in
    ground-truth order, or an already flattened :class:`FlatHOI`)."""
    if mode not in MODES:
        raise ValueError(f'mode must be one of {MODES}, got {mode!r}')
    if isinstance(predictions, FlatHOI):
        flat = predictions
        if flat.file_names != gt.file_names:
            raise PredictionFormatError(source, 'images differ from the ground truth')
    else:
        flat = read_predictions(predictions, gt.file_names, gt.vocab, source)
    if mode == 'reference':
        mat = gt.vocab.correct_mat() if correct_mat is None else np.asarray(correct_mat)
        if mat.shape != (gt.vocab.num_verbs, gt.vocab.num_objects):
            raise ValueError(f'correct_mat must have shape ({gt.vocab.num_verbs}, '
                             f'{gt.vocab.num_objects}), got {mat.shape}')
        return _reference(gt, flat, mat, max_per_image)
    if mode == 'genvlkt':
        from vlmhoi.evaluation.hico_eval_genvlkt import evaluate_genvlkt
        return evaluate_genvlkt(gt, flat, max_per_image)
    return _official(gt, flat)


def _reference(gt: HICOGroundTruth, flat: FlatHOI, mat: np.ndarray,
               max_per_image: int | None) -> HICOEvalResult:
    det, truth = Pairs(flat), Pairs(gt.test)
    score = flat.hoi_score * mat[flat.hoi_verb, det.obj_label]
    order = rank_within_groups(det.img, flat.hoi_offsets, score, max_per_image)
    has_boxes = np.diff(gt.test.box_offsets) > 0
    order = order[has_boxes[det.img[order]]]
    gt_key = gt.hoi_keys(gt.test)
    uniq, first, counts = np.unique(gt_key, return_index=True, return_counts=True)
    appear = np.argsort(first, kind='stable')   # categories in order of first appearance
    n_obj, n_verb = gt.vocab.num_objects, gt.vocab.num_verbs
    table = np.full(n_obj * n_obj * n_verb, -1, dtype=np.int64)
    table[uniq[appear]] = np.arange(len(uniq))
    cat = table[gt.hoi_keys(flat)[order]]
    order, cat = order[cat >= 0], cat[cat >= 0]   # triplets absent from the test GT: skipped
    tp = true_positives(det, order, cat, truth, table[gt_key], len(uniq), iou_reference)
    ko = ko_mask(truth, det, order, n_obj)
    npos = counts[appear]
    stats = category_stats(cat, score[order], tp, ko, npos, official=False)
    train = gt.train_triplet_counts()
    n_train = [train.get(int(k), 0) for k in uniq[appear]]
    rare, non_rare = rare_split(n_train, zero='unsplit')
    extra = {'num_images': flat.num_images, 'num_detections': len(order),
             'num_detections_ko': int(ko.sum())}
    keys = [decode_triplet_key(int(k), gt.vocab) for k in uniq[appear]]
    return build_result('reference', gt, keys, npos, n_train, rare, non_rare, stats, extra)


def _official(gt: HICOGroundTruth, flat: FlatHOI) -> HICOEvalResult:
    det, truth = Pairs(flat), Pairs(gt.test)
    table = hoi_index_table(gt.vocab)
    hoi = table[flat.hoi_verb, det.obj_label]
    order = rank_within_groups(det.img, flat.hoi_offsets, flat.hoi_score)
    order = order[hoi[order] >= 0]   # pairs that are no HICO-DET HOI cannot be submitted
    gt_cat = gt_hoi_categories(gt, truth)
    n_cat = len(gt.vocab.valid_pairs)
    cat = hoi[order]
    tp = true_positives(det, order, cat, truth, gt_cat, n_cat, iou_official_hico)
    ko = ko_mask(truth, det, order, gt.vocab.num_objects)
    npos = np.bincount(gt_cat, minlength=n_cat)
    stats = category_stats(cat, flat.hoi_score[order], tp, ko, npos, official=True)
    n_train = gt.train_hoi_counts()
    rare, non_rare = rare_split(n_train, zero='rare')
    extra = {'num_images': flat.num_images, 'num_detections': len(order),
             'num_detections_ko': int(ko.sum()),
             'num_dropped_not_hoi': int(np.sum(hoi < 0)),
             'num_categories_without_test_gt': int(np.sum(npos == 0))}
    keys = [(0, o, v) for v, o in gt.vocab.valid_pairs]
    return build_result('official', gt, keys, npos, n_train.tolist(), rare, non_rare, stats,
                        extra)
