"""Pieces shared by the HICO-DET protocols: flattened pairs, matching, the result object."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vlmhoi.evaluation.category_ap import CategoryStats
from vlmhoi.evaluation.hico_gt import HICOGroundTruth, hoi_index_table
from vlmhoi.evaluation.hoi_json import FlatHOI
from vlmhoi.evaluation.matching import IoUFn, best_pair_match, first_pick_true_positives
from vlmhoi.hoi_format_errors import AnnotationFormatError


@dataclass
class HICOEvalResult:
    """Summary metrics (percent), the same means as fractions, per-category rows, PR curves."""

    mode: str
    metrics: dict[str, Any]
    raw: dict[str, float]
    categories: list[dict[str, Any]]
    curves: dict[str, list[tuple[np.ndarray, np.ndarray]]] = field(repr=False)


class Pairs:
    """Global box indices and labels of every HOI of a flattened set."""

    def __init__(self, flat: FlatHOI) -> None:
        self.flat = flat
        self.img = flat.hoi_img
        self.sub = flat.box_offsets[self.img] + flat.hoi_sub
        self.obj = flat.box_offsets[self.img] + flat.hoi_obj
        self.sub_label = flat.box_labels[self.sub]
        self.obj_label = flat.box_labels[self.obj]


def true_positives(det: Pairs, order: np.ndarray, cat: np.ndarray, gt: Pairs,
                   gt_cat: np.ndarray, n_cat: int, iou: IoUFn) -> np.ndarray:
    """TP flag of the detections ``order`` (processing order) of categories ``cat``."""
    picks = best_pair_match(det.img[order] * n_cat + cat, det.flat.boxes, det.sub[order],
                            det.obj[order], gt.img * n_cat + gt_cat, gt.flat.boxes, gt.sub,
                            gt.obj, iou)
    return first_pick_true_positives(picks)


def ko_mask(gt: Pairs, det: Pairs, order: np.ndarray, n_obj: int) -> np.ndarray:
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


def build_result(mode: str, gt: HICOGroundTruth, keys: list, npos: np.ndarray,
                 n_train: list[int], rare: np.ndarray, non_rare: np.ndarray,
                 stats: dict[str, CategoryStats], extra: dict[str, Any]) -> HICOEvalResult:
    """Means, per-category rows (``keys``: (subject, object, verb) labels) and curves."""
    metrics, raw = _summarise(mode, stats, rare, non_rare, extra)
    rows = _rows(keys, gt, npos, n_train, rare, non_rare, stats)
    return HICOEvalResult(mode, metrics, raw, rows, {k: st.curves for k, st in stats.items()})


def gt_hoi_categories(gt: HICOGroundTruth, truth: Pairs) -> np.ndarray:
    """0-based official HOI index of every test HOI; a verb/object pair that is none of
    the 600 HICO-DET HOIs is an error naming the image and the entry."""
    cat = hoi_index_table(gt.vocab)[gt.test.hoi_verb, truth.obj_label]
    if (cat < 0).any():
        i = int(np.argmax(cat < 0))
        img = int(truth.img[i])
        raise AnnotationFormatError(gt.source, 'verb/object pair is not a HICO-DET HOI', img,
                                    gt.file_names[img],
                                    f'hoi_annotation[{i - gt.test.hoi_offsets[img]}]')
    return cat
