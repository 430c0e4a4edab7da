"""Cost accounting for ``benchmark/cost.py`` (paper Table 5): parameter counts as Table 5
splits them, robust timing summaries, per-epoch projections, ratios against the baseline,
and the schema of the JSON the benchmark writes (the report generator reads it from MLflow).
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence

from torch import nn

# Keys of one variant's record in cost.json (and its MLflow metrics).
RECORD_KEYS = ('variant', 'config', 'score_source', 'params', 'train_step_s', 'data_s',
               'minutes_per_epoch', 'images_per_epoch', 'batch_size', 'infer_s_per_frame',
               'peak_rss_mb', 'cuda_peak_mb', 'device')
PARAM_KEYS = ('total', 'learnable', 'teacher', 'decoder')
RATIO_KEYS = ('train_step_s', 'minutes_per_epoch', 'infer_s_per_frame', 'peak_rss_mb')
MB = 2 ** 20


def count(params: Iterable[nn.Parameter], learnable_only: bool = False) -> int:
    """Number of elements, each tensor once (shared parameters are not counted twice)."""
    seen, n = set(), 0
    for p in params:
        if id(p) in seen or (learnable_only and not p.requires_grad):
            continue
        seen.add(id(p))
        n += p.numel()
    return n


def parameter_counts(detector: nn.Module, teachers: Sequence[nn.Module] = ()) -> dict:
    """``total`` (detector + teachers), ``learnable`` (what the optimizer trains),
    ``teacher`` (frozen teachers' models) and ``decoder`` (the HOI decoder alone)."""
    teacher_params = [p for t in teachers for p in getattr(t, 'model', t).parameters()]
    decoder = getattr(detector, 'decoder', None)
    return dict(total=count(list(detector.parameters()) + teacher_params),
                learnable=count(detector.parameters(), learnable_only=True),
                teacher=count(teacher_params),
                decoder=count(decoder.parameters()) if decoder is not None else 0)


def timing(samples: Sequence[float]) -> dict:
    """Median, first / third quartile and count of timing samples (seconds)."""
    if not samples:
        raise ValueError('timing: no samples (run at least one repeat)')
    ordered = sorted(samples)
    if len(ordered) == 1:
        q1 = q3 = ordered[0]
    else:
        q1, _, q3 = statistics.quantiles(ordered, n=4, method='inclusive')
    return dict(median=statistics.median(ordered), q1=q1, q3=q3, n=len(ordered))


def minutes_per_epoch(step_s: float, data_s: float, images: int, batch_size: int,
                      world_size: int = 1) -> float:
    """Projected minutes of one epoch: iterations x (step + data loading) / 60."""
    if images < 1 or batch_size < 1 or world_size < 1:
        raise ValueError(f'minutes_per_epoch: images {images}, batch {batch_size} and world '
                         f'size {world_size} must be >= 1')
    iters = math.ceil(images / (batch_size * world_size))
    return iters * (step_s + data_s) / 60.0


def _value(record: dict, key: str) -> float | None:
    value = record.get(key)
    return value['median'] if isinstance(value, dict) else value


def ratios(records: Sequence[dict], baseline: str) -> dict[str, dict[str, float | None]]:
    """Per variant, each of ``RATIO_KEYS`` divided by the baseline variant's value."""
    base = next((r for r in records if r['variant'] == baseline), None)
    if base is None:
        raise KeyError(f'ratios: no variant named {baseline!r} among '
                       f'{[r["variant"] for r in records]}')
    out = {}
    for r in records:
        row = {}
        for key in RATIO_KEYS:
            num, den = _value(r, key), _value(base, key)
            row[key] = None if num is None or not den else num / den
        out[r['variant']] = row
    return out


def check_record(record: dict, source: str = 'cost record') -> None:
    """Raise ``ValueError`` naming the missing or malformed keys of one variant's record."""
    missing = [k for k in RECORD_KEYS if k not in record]
    if missing:
        raise ValueError(f'{source}: missing keys {missing}')
    missing = [k for k in PARAM_KEYS if k not in record['params']]
    if missing:
        raise ValueError(f'{source}: params lacks {missing}')
    for key in ('train_step_s', 'data_s', 'infer_s_per_frame'):
        if not isinstance(record[key], dict) or not {'median', 'q1', 'q3', 'n'} <= set(
                record[key]):
            raise ValueError(f'{source}: {key} must hold median / q1 / q3 / n')
