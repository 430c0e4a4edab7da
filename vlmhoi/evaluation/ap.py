"""Average precision from a ranked list of true/false positives.

Two interpolations are used by the HOI protocols:

* 11-point (VOC2007 style): mean over thresholds ``t`` of ``max(prec[rec >= t])``. Both
  the official HICO-DET MATLAB code (``VOCevaldet_bboxpair.m``: ``for t = 0:0.1:1``) and the
  Python evaluator of QPIC / CDN / GEN-VLKT / MUREN (``np.arange(0., 1.1, 0.1)``) use it, but
  their thresholds differ in the last bits: ``np.arange`` gives ``0.6000000000000001`` and
  ``0.7000000000000001``, MATLAB's colon operator gives the doubles nearest 0.6 and 0.7 (it
  fills the second half of ``a:d:b`` as ``b - k*d``). A recall of exactly 0.6 or 0.7
  therefore counts in MATLAB and not in the Python evaluator; both are reproduced.
* all-point (VOC2010+ style), the ``voc_ap`` of V-COCO's ``vsrl_eval.py``.
"""
from __future__ import annotations

import numpy as np

#: thresholds of the reference Python evaluator (``np.arange(0., 1.1, 0.1)``)
REFERENCE_THRESHOLDS: np.ndarray = np.arange(0., 1.1, 0.1)


def _matlab_colon(a: float, d: float, b: float) -> np.ndarray:
    n = int(round((b - a) / d))
    v = np.empty(n + 1)
    for k in range(n // 2 + 1):
        v[k] = a + k * d
        v[n - k] = b - k * d
    if n % 2 == 0:
        v[n // 2] = (a + b) / 2
    return v


#: thresholds of the official MATLAB code (``0:0.1:1``)
OFFICIAL_THRESHOLDS: np.ndarray = _matlab_colon(0.0, 0.1, 1.0)


def eleven_point_ap(rec: np.ndarray, prec: np.ndarray,
                    thresholds: np.ndarray = REFERENCE_THRESHOLDS) -> float:
    """11-point interpolated AP; ``rec`` must be non-decreasing (a cumulative recall).

    Sums ``p / 11`` in threshold order so the result is bit-identical to the loops it mirrors.
    """
    n = len(rec)
    if n == 0:
        return 0.0
    suffix_max = np.maximum.accumulate(prec[::-1])[::-1]
    first = np.searchsorted(rec, thresholds, side='left')
    ap = 0.
    for i in first.tolist():
        p = suffix_max[i] if i < n else 0
        ap = ap + p / 11.
    return float(ap)


def voc_allpoint_ap(rec: np.ndarray, prec: np.ndarray) -> float:
    """Area under the precision envelope (``voc_ap`` of ``vsrl_eval.py``)."""
    mrec = np.concatenate(([0.], rec, [1.]))
    mpre = np.concatenate(([0.], prec, [0.]))
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    i = np.where(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1]))
