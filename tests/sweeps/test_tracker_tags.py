"""The sweep's own $VLMHOI_MLFLOW_TAGS (e.g. tools/demo.py's scale tag) reach the study's
run and every trial's run, and the trial's training subprocess gets them back."""
from __future__ import annotations

import json

import optuna
from mlflow.tracking import MlflowClient

from vlmhoi.sweeps.tracking import ENV_TAGS, TAG_ROLE, TAG_STUDY, StudyTracker


def test_env_tags_reach_study_and_trial_runs(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_TAGS, json.dumps({'vlmhoi.scale': 'demo', TAG_ROLE: 'ignored'}))
    uri = f'sqlite:///{tmp_path}/mlruns.db'
    tracker = StudyTracker(uri, 'sweep-t')
    study = optuna.create_study(study_name='t')
    parent = tracker.parent_run(study, 'table3', 'sqlite:///x.db')
    tags = tracker.trial_tags('t', parent, 0, 0, 'table3', {'alpha': 1.0}, None)
    assert tags['vlmhoi.scale'] == 'demo' and tags[TAG_ROLE] == 'trial'  # own tags win
    run_id = tracker.start_trial(tags, {'alpha': 1.0})
    client = MlflowClient(uri)
    for rid, role in ((parent, 'study'), (run_id, 'trial')):
        got = client.get_run(rid).data.tags
        assert got['vlmhoi.scale'] == 'demo' and got[TAG_ROLE] == role
        assert got[TAG_STUDY] == 't'
    assert json.loads(tracker.trial_env(run_id, tags)[ENV_TAGS])['vlmhoi.scale'] == 'demo'
