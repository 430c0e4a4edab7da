"""The rare / non-rare split of HOI categories, one rule for the whole suite.

HICO-DET calls a category *rare* when it has fewer than :data:`RARE_THRESHOLD` (10)
training instances. Categories with **zero** training instances follow the reference
Python evaluator of QPIC / CDN / GEN-VLKT / MUREN by default (``zero='unsplit'``): they are
neither rare nor non-rare, so they count in Full only (its ``set_rare_hois`` lists only
triplets seen in training, and ``compute_map`` warns "neither in rare triplets nor in
non-rare triplets" and leaves them out of both means). ``zero='rare'`` puts them in Rare,
the count-below-threshold rule of the official MATLAB protocol, whose 600 categories are
split into exactly two parts. Used by the datasets, the evaluators, the synthetic world's
statistics and the benchmarks.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RARE_THRESHOLD = 10
ZERO_RULES = ('unsplit', 'rare')


def rare_split(train_counts: Sequence[int] | np.ndarray, zero: str = 'unsplit',
               threshold: int = RARE_THRESHOLD) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks ``(rare, non_rare)`` over categories with these training counts."""
    if zero not in ZERO_RULES:
        raise ValueError(f'zero must be one of {ZERO_RULES}, got {zero!r}')
    n = np.asarray(train_counts, dtype=np.int64).reshape(-1)
    low = 0 if zero == 'rare' else 1
    return (n >= low) & (n < threshold), n >= threshold


def rare_label(train_count: int, zero: str = 'unsplit',
               threshold: int = RARE_THRESHOLD) -> bool | None:
    """``True`` (rare), ``False`` (non-rare) or ``None`` (in neither part) for one count."""
    rare, non_rare = rare_split([train_count], zero, threshold)
    return True if rare[0] else False if non_rare[0] else None
