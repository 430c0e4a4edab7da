"""Shared fixtures: keep torch on one thread so tests behave on 2-core CI machines."""
import os

os.environ.setdefault('OMP_NUM_THREADS', '1')
os.environ.setdefault('MPLBACKEND', 'Agg')

import pytest  # noqa: E402

#: the MLflow variables a developer's shell may hold; tests never log into their runs
_MLFLOW_ENV = ('MLFLOW_TRACKING_URI', 'MLFLOW_RUN_ID', 'VLMHOI_MLFLOW_TAGS',
               'MLFLOW_EXPERIMENT_NAME', 'MLFLOW_EXPERIMENT_ID')


@pytest.fixture(scope='session', autouse=True)
def _private_mlflow_store(tmp_path_factory):
    """Every run a test starts (tools/train.py logs to MLflow, vlmhoi/tracking) goes to a
    SQLite store of this session, never to the user's store or server."""
    saved = {k: os.environ.pop(k, None) for k in _MLFLOW_ENV}
    uri = 'sqlite:///' + str(tmp_path_factory.mktemp('mlflow') / 'mlruns.db')
    os.environ['MLFLOW_TRACKING_URI'] = uri
    yield uri
    for key, value in saved.items():
        os.environ.pop(key, None)
        if value is not None:
            os.environ[key] = value
