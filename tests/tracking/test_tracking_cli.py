"""tools/train.py and tools/test.py log to a real ``mlflow server``: the sweep runner's run
(``$MLFLOW_RUN_ID``) is continued by a resumed training through the run id in the
checkpoint, with unique metric steps; the test run is its own run; no secret is logged or
printed. (The embedded SQLite default: test_backend.py; tests/tools run the tools on a
SQLite store.)"""
from __future__ import annotations

import json

import pytest
import torch
from mlflow.tracking import MlflowClient

from vlmhoi.tracking import META_KEY, RUN_JSON

from .conftest import CONFIG, run_tool, world_options

SECRET = 'pa55w0rd'
DB_URL = f'postgresql://optuna:{SECRET}@db.example/studies'
MASKED = 'postgresql://optuna:***@db.example/studies'

pytestmark = pytest.mark.slow


def artifact_paths(client: MlflowClient, run_id: str, path: str | None = None) -> set[str]:
    out = set()
    for item in client.list_artifacts(run_id, path):
        out |= artifact_paths(client, run_id, item.path) if item.is_dir else {item.path}
    return out


def steps(client: MlflowClient, run_id: str, key: str) -> list[int]:
    return [m.step for m in sorted(client.get_metric_history(run_id, key),
                                   key=lambda m: (m.timestamp, m.step))]


def test_server_run_from_env_then_resume_continues_it(tiny_world, tmp_path, mlflow_server):
    url, artifacts = mlflow_server
    client = MlflowClient(url)
    exp = client.create_experiment('unit_study')
    parent = client.create_run(exp, run_name='study', tags={'study': 'unit'})
    child = client.create_run(exp, run_name='trial_0', tags={
        'mlflow.parentRunId': parent.info.run_id, 'trial': '0'}).info.run_id
    work = tmp_path / 'work'
    env = {'MLFLOW_TRACKING_URI': url, 'MLFLOW_RUN_ID': child,
           'VLMHOI_MLFLOW_TAGS': json.dumps({'seed': '0', 'storage': DB_URL})}
    res = run_tool(['tools/train.py', CONFIG, '--work-dir', str(work), '--cfg-options',
                    *world_options(tiny_world, epochs=1), f'sweep_storage={DB_URL}'], env)
    out = res.stdout + res.stderr
    assert res.returncode == 0, out[-4000:]
    assert SECRET not in out and MASKED in out  # the printed config and command line
    info = json.loads((work / RUN_JSON).read_text())
    assert (info['run_id'], info['tracking_uri']) == (child, url)
    ckpt = torch.load(work / 'epoch_1.pth', map_location='cpu', weights_only=False)
    assert ckpt['meta'][META_KEY] == child
    run = client.get_run(child)
    params, tags = run.data.params, run.data.tags
    assert params['cfg.sweep_storage'] == MASKED and tags['storage'] == MASKED
    assert not [v for v in (*params.values(), *tags.values()) if SECRET in v]
    assert (params['alpha'], params['teacher'], params['score_mode']) == ('none',) * 3
    assert (params['max_epochs'], params['world_size'], params['batch_size']) == ('1', '1', '2')
    assert params['dataset'] == 'HICODetDataset' and params['num_queries'] == '16'
    assert tags['run_type'] == 'train' and tags['launch.count'] == '1'
    assert len(tags['git.commit']) == 40 and tags['version.mmdet'] == '3.3.0'
    arts = artifact_paths(client, child)
    assert {'config.py', 'learning_curve.png', 'metrics/val_epoch_001.json',
            'reports/val_epoch_001/hico_categories.csv'} <= arts
    assert any(a.startswith('reports/val_epoch_001/hico_pr/pr_') for a in arts)  # last epoch
    logs = [a for a in arts if a.startswith('logs/') and a.endswith('.log')]
    for name in ('config.py', *logs):
        text = open(client.download_artifacts(child, name, str(tmp_path / 'dl'))).read()
        assert SECRET not in text and MASKED in text, name

    # resumed without $MLFLOW_RUN_ID: the run id comes from the checkpoint
    res = run_tool(['tools/train.py', CONFIG, '--work-dir', str(work), '--resume',
                    '--cfg-options', *world_options(tiny_world, epochs=2)],
                   {'MLFLOW_TRACKING_URI': url, 'MLFLOW_RUN_ID': None})
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]
    assert f'continuing run {child}' in res.stdout + res.stderr
    run = client.get_run(child)
    assert run.info.status == 'FINISHED'
    assert len(client.search_runs([exp])) == 2  # the parent and its one trial
    tags = run.data.tags
    assert (tags['trial'], tags['seed'], tags['mlflow.parentRunId']) == \
        ('0', '0', parent.info.run_id)
    assert tags['launch.count'] == '2'
    assert json.loads(tags['resume.changed_params'])['cfg.train_cfg.max_epochs'] == ['1', '2']
    assert steps(client, child, 'loss') == [1, 2, 3, 4]
    assert steps(client, child, 'hico/mAP_full') == [1, 2]
    for key in run.data.metrics:
        history = steps(client, child, key)
        assert history == sorted(set(history)), key  # unique, increasing
    arts = artifact_paths(client, child)
    assert {'metrics/val_epoch_001.json', 'metrics/val_epoch_002.json',
            'learning_curve.png'} <= arts
    assert list(artifacts.rglob('learning_curve.png'))  # proxied to the server's folder

    # tools/test.py: a run of its own, linked to the training run
    test_work = tmp_path / 'test_work'
    res = run_tool(['tools/test.py', CONFIG, str(work / 'epoch_2.pth'), '--work-dir',
                    str(test_work), '--cfg-options', *world_options(tiny_world)],
                   {'MLFLOW_TRACKING_URI': url, 'MLFLOW_RUN_ID': None})
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]
    test_id = json.loads((test_work / RUN_JSON).read_text())['run_id']
    assert test_id != child
    test_run = client.get_run(test_id)
    assert test_run.info.status == 'FINISHED'
    assert test_run.data.tags['run_type'] == 'test'
    assert test_run.data.tags['source_run_id'] == child
    assert test_run.data.tags['checkpoint_epoch'] == '2'
    assert steps(client, test_id, 'hico/mAP_full') == [2]  # step = the checkpoint's epoch
    test_arts = artifact_paths(client, test_id)
    assert {'config.py', 'metrics/test.json', 'reports/test/hico_categories.csv'} <= test_arts
    assert any(a.startswith('reports/test/hico_pr/pr_') for a in test_arts)
    saved = json.load(open(client.download_artifacts(test_id, 'metrics/test.json',
                                                     str(tmp_path / 'dl_test'))))
    assert saved['metrics']['hico/mode'] == 'reference'
    assert client.get_metric_history(test_id, 'hico/mAP_full')[0].value == \
        pytest.approx(saved['metrics']['hico/mAP_full'])
