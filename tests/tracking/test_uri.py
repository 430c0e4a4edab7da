"""Tracking URI precedence (config > $MLFLOW_TRACKING_URI > embedded SQLite) and the env
contract's tags."""
from __future__ import annotations

import socket
import time

import pytest

from vlmhoi.tracking import uri as U


def test_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv('VLMHOI_CACHE', str(tmp_path / 'cache'))
    monkeypatch.delenv(U.TRACKING_URI_ENV, raising=False)
    uri, source = U.resolve_tracking_uri(None)
    assert source == 'default'
    assert uri == 'sqlite:///' + str((tmp_path / 'cache' / 'mlflow' / 'mlruns.db').resolve())
    assert (tmp_path / 'cache' / 'mlflow').is_dir()  # no set-up needed
    monkeypatch.setenv(U.TRACKING_URI_ENV, 'http://127.0.0.1:5999')
    assert U.resolve_tracking_uri(None) == ('http://127.0.0.1:5999', 'env')
    assert U.resolve_tracking_uri('http://tracking:5000') == ('http://tracking:5000', 'config')


def test_artifacts_next_to_a_sqlite_store(tmp_path):
    uri = f'sqlite:///{tmp_path}/runs/m.db'
    assert U.experiment_artifact_location(uri, 'table3 margin') == \
        (tmp_path / 'runs' / 'artifacts' / 'table3_margin').as_uri()
    assert U.experiment_artifact_location('http://h:5000', 'x') is None
    assert U.experiment_artifact_location(uri, 'x', 's3://bucket/x') == 's3://bucket/x'


def test_every_experiment_is_made_one_way(tmp_path):
    """Training runs, sweep studies, benchmarks and tool runs all create their experiment
    through ensure_experiment: artifacts next to the SQLite store, an existing one found."""
    import mlflow

    from vlmhoi.sweeps.tracking import StudyTracker
    uri = f'sqlite:///{tmp_path}/runs/m.db'
    client = mlflow.MlflowClient(uri)
    exp_id = U.ensure_experiment(client, uri, 'tools')
    assert U.ensure_experiment(client, uri, 'tools') == exp_id
    assert client.get_experiment(exp_id).artifact_location == \
        (tmp_path / 'runs' / 'artifacts' / 'tools').as_uri()
    study = StudyTracker(uri, 'sweep-table3_margin')
    assert client.get_experiment(study.experiment_id).artifact_location == \
        (tmp_path / 'runs' / 'artifacts' / 'sweep-table3_margin').as_uri()


def test_env_tags(monkeypatch):
    monkeypatch.setenv(U.TAGS_ENV, '{"study": "table3_margin", "trial": 4}')
    assert U.env_tags() == {'study': 'table3_margin', 'trial': '4'}
    monkeypatch.setenv(U.TAGS_ENV, '["a"]')
    with pytest.raises(ValueError, match='JSON object'):
        U.env_tags()
    monkeypatch.setenv(U.TAGS_ENV, '{bad')
    with pytest.raises(ValueError, match='not valid JSON'):
        U.env_tags()


def test_an_unreachable_server_is_one_clear_error_at_once():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=rf'server http://u:\*\*\*@127.0.0.1:{port} is unre'):
        U.check_reachable(f'http://u:secret@127.0.0.1:{port}')
    assert time.monotonic() - start < U.REACH_TIMEOUT_S
    U.check_reachable('sqlite:///nowhere/m.db')  # not a server: nothing to check
