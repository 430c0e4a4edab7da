"""The arithmetic of benchmark/cost.py: parameter counts, timings, projections, ratios."""
import pytest
import torch
from torch import nn

from vlmhoi.engine.cost_accounting import (
    check_record,
    count,
    minutes_per_epoch,
    parameter_counts,
    ratios,
    timing,
)


class Detector(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.backbone = nn.Linear(4, 4)            # 20
        self.decoder = nn.Linear(4, 2)             # 10
        self.frozen = nn.Linear(2, 1)              # 3, not learnable
        self.frozen.requires_grad_(False)
        self.tied = self.decoder                   # shared: counted once


class Teacher(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        object.__setattr__(self, 'model', nn.Linear(10, 10))   # 110, outside the tree


def test_parameter_counts() -> None:
    counts = parameter_counts(Detector(), [Teacher()])
    assert counts == dict(total=20 + 10 + 3 + 110, learnable=30, teacher=110, decoder=10)
    assert count([nn.Parameter(torch.zeros(3))] * 2) == 3


def test_timing_and_projection() -> None:
    t = timing([3.0, 1.0, 2.0, 100.0])
    assert t['median'] == 2.5 and t['n'] == 4 and t['q1'] <= t['median'] <= t['q3']
    assert timing([1.5]) == dict(median=1.5, q1=1.5, q3=1.5, n=1)
    with pytest.raises(ValueError, match='no samples'):
        timing([])
    # 1001 images, batch 4 -> 251 iterations of 0.5 s + 0.1 s
    assert minutes_per_epoch(0.5, 0.1, 1001, 4) == pytest.approx(251 * 0.6 / 60)
    assert minutes_per_epoch(0.5, 0.1, 1001, 4, world_size=2) == pytest.approx(126 * 0.6 / 60)
    with pytest.raises(ValueError):
        minutes_per_epoch(0.5, 0.1, 0, 4)


def _record(name: str, step: float, infer: float, source=None) -> dict:
    t = lambda v: dict(median=v, q1=v, q3=v, n=1)  # noqa: E731
    return dict(variant=name, config='c.py', score_source=source,
                params=dict(total=1, learnable=1, teacher=0, decoder=1), train_step_s=t(step),
                data_s=t(0.0), minutes_per_epoch=step * 10, images_per_epoch=10, batch_size=1,
                infer_s_per_frame=t(infer), peak_rss_mb=100.0, cuda_peak_mb=None, device='cpu')


def test_ratios_against_the_baseline() -> None:
    records = [_record('base', 2.0, 0.5), _record('vlm[cache]', 2.2, 0.5, 'cache'),
               _record('vlm[online]', 5.0, 0.5, 'online')]
    r = ratios(records, 'base')
    assert r['base']['train_step_s'] == 1.0
    assert r['vlm[cache]']['train_step_s'] == pytest.approx(1.1)
    assert r['vlm[online]']['minutes_per_epoch'] == pytest.approx(2.5)
    assert r['vlm[online]']['infer_s_per_frame'] == 1.0
    with pytest.raises(KeyError, match='no variant'):
        ratios(records, 'nope')


def test_record_schema() -> None:
    check_record(_record('base', 1.0, 1.0))
    bad = _record('base', 1.0, 1.0)
    del bad['peak_rss_mb']
    with pytest.raises(ValueError, match='peak_rss_mb'):
        check_record(bad, 'x.json')
    bad = _record('base', 1.0, 1.0)
    bad['train_step_s'] = 1.0
    with pytest.raises(ValueError, match='train_step_s'):
        check_record(bad)
