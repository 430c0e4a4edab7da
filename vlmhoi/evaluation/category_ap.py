"""Per-category AP, max recall and PR curve from matched detections, for two settings.

Detections arrive in the order the evaluators append them (image by image, each image in
processing order); each category is then ranked by descending score. The reference
Python evaluator ranks with ``np.argsort(-score)`` (quicksort: tie order is numpy's), the
official MATLAB code with a stable sort; both are reproduced. The Known-Object subset
reuses the default ranking when its scores have no ties (the ranking is then unique) and
ranks itself, like the evaluator does, otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vlmhoi.evaluation.ap import OFFICIAL_THRESHOLDS, REFERENCE_THRESHOLDS, eleven_point_ap


@dataclass
class CategoryStats:
    """One setting's per-category numbers (lists indexed by category)."""

    ap: list[float] = field(default_factory=list)
    max_recall: list[float] = field(default_factory=list)
    n_det: list[int] = field(default_factory=list)
    n_tp: list[int] = field(default_factory=list)
    curves: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list, repr=False)

    def add(self, tp_ranked: np.ndarray | None, npos: int, thresholds: np.ndarray) -> None:
        if tp_ranked is None or len(tp_ranked) == 0 or npos == 0:
            self.ap.append(0)
            self.max_recall.append(0)
            self.n_det.append(0 if tp_ranked is None else len(tp_ranked))
            self.n_tp.append(0)
            self.curves.append((np.zeros(0), np.zeros(0)))
            return
        t = tp_ranked.astype(np.int64)
        tpc, fpc = np.cumsum(t), np.cumsum(1 - t)
        rec = tpc / npos
        prec = tpc / (fpc + tpc)
        self.ap.append(eleven_point_ap(rec, prec, thresholds))
        self.max_recall.append(np.amax(rec))
        self.n_det.append(len(t))
        self.n_tp.append(int(tpc[-1]))
        self.curves.append((rec, prec))


def _ranking(s: np.ndarray, stable: bool) -> np.ndarray:
    return np.argsort(-s, kind='stable') if stable else np.argsort(-s)


def category_stats(cat: np.ndarray, score: np.ndarray, tp: np.ndarray, ko: np.ndarray,
                   npos: np.ndarray, official: bool) -> dict[str, CategoryStats]:
    """Default and Known-Object (``ko`` mask) statistics for categories ``0..len(npos)-1``."""
    thresholds = OFFICIAL_THRESHOLDS if official else REFERENCE_THRESHOLDS
    order = np.argsort(cat, kind='stable')
    bounds = np.searchsorted(cat[order], np.arange(len(npos) + 1))
    out = {'default': CategoryStats(), 'ko': CategoryStats()}
    for c in range(len(npos)):
        sel = order[bounds[c]:bounds[c + 1]]
        if len(sel) == 0:
            out['default'].add(None, int(npos[c]), thresholds)
            out['ko'].add(None, int(npos[c]), thresholds)
            continue
        s, t, k = score[sel], tp[sel], ko[sel]
        idx = _ranking(s, official)
        out['default'].add(t[idx], int(npos[c]), thresholds)
        idx_ko = idx[k[idx]]
        if not official and len(idx_ko) > 1:
            ranked = s[idx_ko]
            if np.any(ranked[1:] == ranked[:-1]):
                sub = np.flatnonzero(k)
                idx_ko = sub[_ranking(s[sub], stable=False)]
        out['ko'].add(t[idx_ko], int(npos[c]), thresholds)
    return out
