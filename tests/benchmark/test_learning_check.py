"""benchmark/learning_check.py: the value of a run within the budget, mean and spread over
seeds, the JSON summary and the plot (no training here)."""
from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope='module')
def lc():
    spec = importlib.util.spec_from_file_location('learning_check',
                                                  ROOT / 'benchmark/learning_check.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _curve(seed: int, maps: list[float], minutes: list[float]) -> pd.DataFrame:
    return pd.DataFrame({'epoch': range(1, len(maps) + 1), 'iters': range(1, len(maps) + 1),
                         'train_min': minutes, 'hico/mAP_full': maps,
                         'hico/mAP_rare': [m / 2 for m in maps],
                         'hico/mAP_non_rare': [m * 2 for m in maps],
                         'seed': seed, 'wall_min_incl_eval': minutes[-1] + 1.0})


def test_value_is_the_last_evaluation_within_the_budget(lc):
    df = _curve(0, [1.0, 5.0, 9.0], [4.0, 8.0, 12.0])
    assert lc.within_budget(df, 10.0).epoch == 2
    assert lc.within_budget(df, 3.0).epoch == 1, 'nothing within: the first evaluation'


def test_summary_has_mean_and_spread_over_seeds(lc, tmp_path):
    df = pd.concat([_curve(0, [2.0, 6.0], [4.0, 8.0]), _curve(1, [2.0, 8.0], [4.0, 9.0]),
                    _curve(2, [2.0, 10.0, 30.0], [4.0, 9.5, 11.0])])
    args = argparse.Namespace(config='c.py', world='w', eval_split='test', cfg_options=None,
                              budget_min=10.0, jobs=2, target=30.0, work_dir=str(tmp_path))
    summary = lc.summarize(df, {'full': 0.1, 'rare': 0.0, 'non_rare': 0.2}, args)
    assert [s['map_full'] for s in summary['seeds']] == [6.0, 8.0, 10.0]
    assert summary['mean_std']['map_full'] == {'mean': 8.0, 'std': 2.0}
    assert summary['mean_std']['map_rare']['mean'] == 4.0
    assert summary['reached'] is False and summary['random']['full'] == 0.1
    saved = json.loads((tmp_path / 'learning_check.json').read_text())
    assert saved['seeds'][2]['epochs'] == 2
    assert (tmp_path / 'learning_curve.png').stat().st_size > 1000
