"""HICO-DET mAP (Full / Rare / Non-Rare, Default and Known-Object), two protocols.

``mode='reference'`` reproduces the Python evaluator of QPIC / CDN / GEN-VLKT / MUREN
(``datasets/hico_eval.py`` and the known-object ``hico_eval_ko.py``) number for number:

* scores are multiplied by the verb-object validity matrix (``corre_hico.npy``), sorted
  (stable) and cut to the top ``max_per_image`` (100) triplets per image;
* categories are (subject class, object class, verb) triplets that occur in the test
  ground truth, in order of first appearance; predictions of other triplets are skipped;
* images without ground-truth boxes are skipped entirely (a quirk of the reference: its
  branch for them never matches a triplet);
* a detection matches when subject and object IoU are both >= 0.5 (``+1`` areas, zero
  unless the boxes overlap strictly) with equal classes and verb, picking the ground truth
  with the largest ``min(IoU)``; each ground truth counts once (see ``matching``);
* AP is 11-point interpolated over ``np.arange(0., 1.1, 0.1)``, detections ranked with
  ``np.argsort(-score)``; rare = fewer than 10 training instances of the triplet, triplets
  absent from training count in Full only;
* Known-Object keeps, per image, the detections whose object class occurs in that image's
  ground-truth HOIs.

``mode='official'`` follows the MATLAB protocol of Chao et al. (``eval_one.m``,
``VOCevaldet_bboxpair.m``): the 600 HOI categories, all averaged (AP 0 without test
instances); detections of pairs that are no HOI are dropped; the subject class is not
looked at; images without annotations count their detections as false positives; overlap
``+1`` convention with a positive ``+1`` intersection; all detections kept; stable
ranking; 11-point AP over MATLAB's ``0:0.1:1``; rare = fewer than 10 training instances
of the HOI; Known-Object keeps detections in images that contain a ground-truth HOI with
the category's object. MATLAB's ``+1`` shift of zero-based detections is not applied:
predictions and the json ground truth share one pixel convention.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vlmhoi.evaluation.category_ap import CategoryStats, category_stats
from vlmhoi.evaluation.hico_gt import HICOGroundTruth, decode_triplet_key, hoi_index_table
from vlmhoi.evaluation.hoi_json import FlatHOI
from vlmhoi.evaluation.iou import iou_official_hico, iou_reference
from vlmhoi.evaluation.matching import (
    IoUFn,
    best_pair_match,
    first_pick_true_positives,
    rank_within_groups,
)
from vlmhoi.evaluation.pred_format import read_predictions
from vlmhoi.hoi_format_errors import AnnotationFormatError, PredictionFormatError

MODES = ('reference', 'official')


@dataclass
class HICOEvalResult:
    """Summary metrics (percent), the same means as fractions, per-category rows, PR curves."""

    mode: str
    metrics: dict[str, Any]
    raw: dict[str, float]
    categories: list[dict[str, Any]]
    curves: dict[str, list[tuple[np.ndarray, np.ndarray]]] = field(repr=False)


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
    return _official(gt, flat)


class _Pairs:
    """Global box indices and labels of every HOI of a flattened set."""

    def __init__(self, flat: FlatHOI) -> None:
        self.flat = flat
        self.img = flat.hoi_img
        self.sub = flat.box_offsets[self.img] + flat.hoi_sub
        self.obj = flat.box_offsets[self.img] + flat.hoi_obj
        self.sub_label = flat.box_labels[self.sub]
        self.obj_label = flat.box_labels[self.obj]


def _true_positives(det: _Pairs, order: np.ndarray, cat: np.ndarray, gt: _Pairs,
                    gt_cat: np.ndarray, n_cat: int, iou: IoUFn) -> np.ndarray:
    """TP flag of the detections ``order`` (processing order) of categories ``cat``."""
    picks = best_pair_match(det.img[order] * n_cat + cat, det.flat.boxes, det.sub[order],
                            det.obj[order], gt.img * n_cat + gt_cat, gt.flat.boxes, gt.sub,
                            gt.obj, iou)
    return first_pick_true_positives(picks)


def _ko_mask(gt: _Pairs, det: _Pairs, order: np.ndarray, n_obj: int) -> np.ndarray:
    """Detections whose object class occurs among their image's ground-truth HOIs."""
    present = np.zeros(gt.flat.num_images * n_obj + 1, dtype=bool)
    present[gt.img * n_obj + gt.obj_label] = True
    return present[det.img[order] * n_obj + det.obj_label[order]]


def _mean(values: list) -> float:
    return float(np.mean(values)) if len(values) else float('nan')


def _summarise(mode: str, stats: dict[str, CategoryStats], rare: np.ndarray,
               non_rare: np.ndarray, extra: dict[str, Any]) -> tuple[dict, dict]:
    raw: dict[str, float] = {}
    for setting, st in stats.items():
        sfx = '' if setting == 'default' else '_ko'
        raw['mAP_full' + sfx] = _mean(st.ap)
        raw['mAP_rare' + sfx] = _mean([a for a, r in zip(st.ap, rare) if r])
        raw['mAP_non_rare' + sfx] = _mean([a for a, r in zip(st.ap, non_rare) if r])
        raw['mean_max_recall' + sfx] = _mean(st.max_recall)
    metrics: dict[str, Any] = {'mode': mode}
    metrics.update({k: v * 100.0 for k, v in raw.items()})
    metrics.update(num_categories=len(rare), num_rare=int(np.sum(rare)),
                   num_non_rare=int(np.sum(non_rare)), **extra)
    return metrics, raw


def _rows(keys: list[tuple[int, int, int]], gt: HICOGroundTruth, npos: np.ndarray,
          n_train: list[int], rare: np.ndarray, non_rare: np.ndarray,
          stats: dict[str, CategoryStats]) -> list[dict[str, Any]]:
    v, table = gt.vocab, hoi_index_table(gt.vocab)
    rows = []
    for c, (s, o, verb) in enumerate(keys):
        hoi = int(table[verb, o]) + 1 if s == 0 and table[verb, o] >= 0 else None
        row = {'category': c, 'hoi_id': hoi, 'verb_id': v.verb_ids[verb],
               'verb': v.verb_names[verb], 'object_id': v.object_ids[o],
               'object': v.object_names[o], 'subject_id': v.object_ids[s],
               'n_test': int(npos[c]), 'n_train': int(n_train[c]),
               'rare': bool(rare[c]) if rare[c] or non_rare[c] else None}
        for setting, st in stats.items():
            sfx = '' if setting == 'default' else '_ko'
            row.update({'ap' + sfx: float(st.ap[c]), 'max_recall' + sfx: float(st.max_recall[c]),
                        'n_det' + sfx: st.n_det[c], 'n_tp' + sfx: st.n_tp[c]})
        rows.append(row)
    return rows


def _result(mode: str, gt: HICOGroundTruth, keys: list, npos: np.ndarray, n_train: list[int],
            rare: np.ndarray, non_rare: np.ndarray, stats: dict[str, CategoryStats],
            extra: dict[str, Any]) -> HICOEvalResult:
    metrics, raw = _summarise(mode, stats, rare, non_rare, extra)
    rows = _rows(keys, gt, npos, n_train, rare, non_rare, stats)
    return HICOEvalResult(mode, metrics, raw, rows, {k: st.curves for k, st in stats.items()})


def _reference(gt: HICOGroundTruth, flat: FlatHOI, mat: np.ndarray,
               max_per_image: int | None) -> HICOEvalResult:
    det, truth = _Pairs(flat), _Pairs(gt.test)
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
    tp = _true_positives(det, order, cat, truth, table[gt_key], len(uniq), iou_reference)
    ko = _ko_mask(truth, det, order, n_obj)
    npos = counts[appear]
    stats = category_stats(cat, score[order], tp, ko, npos, official=False)
    train = gt.train_triplet_counts()
    n_train = [train.get(int(k), 0) for k in uniq[appear]]
    rare = np.array([0 < n < 10 for n in n_train], dtype=bool)
    non_rare = np.array([n >= 10 for n in n_train], dtype=bool)
    extra = {'num_images': flat.num_images, 'num_detections': len(order),
             'num_detections_ko': int(ko.sum())}
    keys = [decode_triplet_key(int(k), gt.vocab) for k in uniq[appear]]
    return _result('reference', gt, keys, npos, n_train, rare, non_rare, stats, extra)


def _official(gt: HICOGroundTruth, flat: FlatHOI) -> HICOEvalResult:
    det, truth = _Pairs(flat), _Pairs(gt.test)
    table = hoi_index_table(gt.vocab)
    hoi = table[flat.hoi_verb, det.obj_label]
    order = rank_within_groups(det.img, flat.hoi_offsets, flat.hoi_score)
    order = order[hoi[order] >= 0]   # pairs that are no HICO-DET HOI cannot be submitted
    gt_cat = table[gt.test.hoi_verb, truth.obj_label]
    if (gt_cat < 0).any():
        i = int(np.argmax(gt_cat < 0))
        img = int(truth.img[i])
        raise AnnotationFormatError(gt.source, 'verb/object pair is not a HICO-DET HOI', img,
                                    gt.file_names[img],
                                    f'hoi_annotation[{i - gt.test.hoi_offsets[img]}]')
    n_cat = len(gt.vocab.valid_pairs)
    cat = hoi[order]
    tp = _true_positives(det, order, cat, truth, gt_cat, n_cat, iou_official_hico)
    ko = _ko_mask(truth, det, order, gt.vocab.num_objects)
    npos = np.bincount(gt_cat, minlength=n_cat)
    stats = category_stats(cat, flat.hoi_score[order], tp, ko, npos, official=True)
    n_train = gt.train_hoi_counts()
    extra = {'num_images': flat.num_images, 'num_detections': len(order),
             'num_detections_ko': int(ko.sum()),
             'num_dropped_not_hoi': int(np.sum(hoi < 0)),
             'num_categories_without_test_gt': int(np.sum(npos == 0))}
    keys = [(0, o, v) for v, o in gt.vocab.valid_pairs]
    return _result('official', gt, keys, npos, n_train.tolist(), n_train < 10, n_train >= 10,
                   stats, extra)
