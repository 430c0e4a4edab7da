"""One real trial: sweeps/run.py runs tools/train.py on a tiny synthetic world (2
iterations, 1 epoch) with the trial's lr and seed, and reads the metric back."""
from __future__ import annotations

import json
import sys

import pytest
from mmengine.config import Config

from vlmhoi.synth import generate_world

from .conftest import load, mlflow_client, run_sweep

pytestmark = pytest.mark.slow
FAST = ['train_dataloader.batch_size=2', 'val_dataloader.batch_size=2',
        'test_dataloader.batch_size=2', 'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
        'default_hooks.logger.interval=1', 'default_hooks.checkpoint.interval=1',
        'model.init_cfg=None']  # from scratch: no detection pre-training on a fresh machine


def test_lr_grid_trial_trains_the_tiny_world(tmp_path):
    world = tmp_path / 'world'
    generate_world(world, seed=1, n_train=4, n_test=4, size=96, progress=False)
    cmd = [sys.executable, 'sweeps/run.py', 'lr_grid', '--synth', '--world', str(world),
           '--param', 'lr=0.0001', '--seeds', '3', '--study-dir', str(tmp_path / 'study'),
           '--tracking-uri', f'sqlite:///{tmp_path / "study" / "mlflow.db"}',
           '--cfg-options', *FAST]
    res = run_sweep(cmd, timeout=900)
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]
    (trial,) = load(tmp_path, 'lr_grid').get_trials()
    assert trial.state.name == 'COMPLETE' and trial.params == {'lr': 1e-4, 'seed': 3}
    work = tmp_path / 'study' / 'trial_0000'
    # the parameters reached the training run's config
    dumped = Config.fromfile(next(work.glob('*/vis_data/config.py')))
    assert dumped.optim_wrapper.optimizer.lr == 1e-4 and dumped.randomness.seed == 3
    assert dumped.train_dataloader.dataset.data_root.rstrip('/') == str(world)
    # the objective is the last epoch's hico/mAP_full of the run
    source = trial.user_attrs['metric_source']
    assert source in ('mlflow', 'scalars.json')
    lines = next(work.glob('*/vis_data/scalars.json')).read_text().splitlines()
    logged = [json.loads(x)['hico/mAP_full'] for x in lines if 'hico/mAP_full' in x]
    assert logged and trial.value == pytest.approx(logged[-1])
    assert trial.intermediate_values == {1: pytest.approx(logged[-1])}
    run = mlflow_client(tmp_path).get_run(trial.user_attrs['mlflow_run_id'])
    assert run.data.tags['vlmhoi.table'] == 'lr_grid' and run.info.status == 'FINISHED'
