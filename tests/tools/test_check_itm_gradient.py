"""tools/check_itm_gradient.py on the tiny synthetic config: the published code's ITM term
gives exactly zero gradient, the relaxation reaches the detector, and the run is logged
with the tag the report generator reads."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import mlflow
import pytest

from tests.teachers.tiny_models import save_tiny_blip
from vlmhoi.synth import generate_world

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_check_itm_gradient(tmp_path) -> None:
    world = tmp_path / 'world'
    generate_world(world, seed=0, n_train=4, n_test=2, size=64)
    blip = save_tiny_blip(tmp_path / 'blip')
    uri = f'sqlite:///{tmp_path}/mlruns.db'
    out = tmp_path / 'out'
    res = subprocess.run(
        [sys.executable, 'tools/check_itm_gradient.py', '--world', str(world), '--out', str(out),
         '--tracking-uri', uri, '--cfg-options', f'teacher.model_path={blip}',
         'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
         'train_dataloader.persistent_workers=False'],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    result = json.loads((out / 'itm_gradient.json').read_text())
    ref, rel = result['reference_code'], result['relaxed']
    assert ref['params_checked'] > 100 and ref['max_abs_grad_diff'] == 0.0
    assert rel['grad_norm'] > 0 and rel['params_reached'] > 10
    runs = mlflow.MlflowClient(uri).search_runs(
        [mlflow.MlflowClient(uri).get_experiment_by_name('vlmhoi-tools').experiment_id],
        "tags.`vlmhoi.check` = 'itm_gradient'")
    assert len(runs) == 1
    assert runs[0].data.metrics['reference_max_abs_grad_diff'] == 0.0
    assert runs[0].data.metrics['reference_params_checked'] == ref['params_checked']
