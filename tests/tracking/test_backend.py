"""The backend on a real SQLite store: a reopened run skips the steps it already has,
changed params keep their first value, the val timings do not collide, a disabled backend
logs nothing."""
from __future__ import annotations

import json

import pytest
from mlflow.tracking import MlflowClient
from mmengine.config import Config
from mmengine.visualization import Visualizer

from vlmhoi.tracking import HOIMLflowVisBackend, tracked_run


def _backend(uri: str, **cfg) -> HOIMLflowVisBackend:
    backend = HOIMLflowVisBackend(experiment='unit')
    backend.add_config(Config(dict(mlflow=dict(tracking_uri=uri), **cfg)))
    return backend


def test_reopened_run_has_unique_increasing_steps(tmp_path):
    uri = f'sqlite:///{tmp_path}/m.db'
    first = _backend(uri, train_cfg=dict(max_epochs=1))
    run_id = first.start({'lr': '0.1'}, {'run_type': 'train'})
    for step in (1, 2, 3):  # killed after iteration 3, its checkpoint is at iteration 2
        first.add_scalars({'loss': 10.0 - step, 'time': 0.5}, step=step)
    first.phase = 'val'
    first.add_scalars({'hico/mAP_full': 1.0, 'time': 0.1, 'hico/mode': 'reference'}, step=1)
    first.end('KILLED')

    second = _backend(uri, train_cfg=dict(max_epochs=2))
    second.resume_run_id = run_id
    assert second.start({'lr': '0.1'}, {'run_type': 'train'}) == run_id
    for step in (3, 4):
        second.add_scalars({'loss': 5.0 - step}, step=step)
    second.close()

    client = MlflowClient(uri)
    run = client.get_run(run_id)
    steps = [m.step for m in client.get_metric_history(run_id, 'loss')]
    assert steps == [1, 2, 3, 4]
    assert [m.value for m in client.get_metric_history(run_id, 'loss')][2] == 7.0  # first kept
    assert [m.step for m in client.get_metric_history(run_id, 'val/time')] == [1]
    assert [m.step for m in client.get_metric_history(run_id, 'time')] == [1, 2, 3]
    assert 'hico/mode' not in run.data.metrics
    assert run.info.status == 'FINISHED'
    assert run.data.params['cfg.train_cfg.max_epochs'] == '1'
    assert json.loads(run.data.tags['resume.changed_params']) == \
        {'cfg.train_cfg.max_epochs': ['1', '2']}
    assert run.data.tags['launch.count'] == '2'
    assert run.data.tags['resume.skipped_metric_points'] == '1'
    assert len(client.search_runs([run.info.experiment_id])) == 1


def test_disabled_backend_logs_nothing(tmp_path):
    backend = HOIMLflowVisBackend()
    backend.add_config(Config(dict(mlflow=dict(enabled=False,
                                               tracking_uri=f'sqlite:///{tmp_path}/m.db'))))
    assert backend.start({}, {}) is None and not backend.active
    backend.add_scalars({'loss': 1.0}, step=1)
    backend.close()
    assert not (tmp_path / 'm.db').exists()


def test_unknown_setting_is_named():
    with pytest.raises(ValueError, match=r"unknown settings \['trackin_uri'\]"):
        HOIMLflowVisBackend().add_config(Config(dict(mlflow=dict(trackin_uri='x'))))


def test_embedded_default_needs_no_set_up(tmp_path, monkeypatch):
    monkeypatch.setenv('VLMHOI_CACHE', str(tmp_path / 'cache'))
    monkeypatch.delenv('MLFLOW_TRACKING_URI')
    backend = HOIMLflowVisBackend()
    backend.add_config(Config(dict(lr=0.1)))
    run_id = backend.start({}, {})
    backend.add_scalars({'loss': 1.0}, step=1)
    backend.close()
    store = tmp_path / 'cache' / 'mlflow'
    client = MlflowClient(f"sqlite:///{(store / 'mlruns.db').resolve()}")
    run = client.get_run(run_id)
    assert run.info.status == 'FINISHED' and run.data.params['cfg.lr'] == '0.1'
    assert client.get_experiment(run.info.experiment_id).name == 'vlmhoi'
    assert run.info.artifact_uri.startswith((store / 'artifacts' / 'vlmhoi').resolve().as_uri())
    assert (store / 'artifacts' / 'vlmhoi' / run_id / 'artifacts' / 'config.py').is_file()


class _RunnerWithVisualizer:
    """What ``tracked_run`` reads of a Runner: its visualizer."""

    def __init__(self, visualizer: Visualizer) -> None:
        self.visualizer = visualizer


def test_a_run_that_raises_is_marked_failed(tmp_path):
    uri = f'sqlite:///{tmp_path}/m.db'
    vis = Visualizer(name='tracked_run_test', save_dir=str(tmp_path / 'vis'),
                     vis_backends=[dict(type='HOIMLflowVisBackend')])
    vis.add_config(Config(dict(mlflow=dict(tracking_uri=uri))))
    backend = vis.get_backend('HOIMLflowVisBackend')
    run_id = backend.start({}, {})
    with pytest.raises(RuntimeError, match='loss diverged'), \
            tracked_run(_RunnerWithVisualizer(vis)):
        raise RuntimeError('loss diverged')
    assert MlflowClient(uri).get_run(run_id).info.status == 'FAILED'
