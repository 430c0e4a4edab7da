"""Where MLflow runs go (a light module: no torch, no mmengine; the report generator reads
it too): the tracking URI, the artifact location, and the environment contract.

Tracking URI, first match wins:

1. ``mlflow.tracking_uri`` of the config (also ``--cfg-options mlflow.tracking_uri=URL``);
2. ``$MLFLOW_TRACKING_URI`` (MLflow's own variable: points a run at a server without
   editing the config);
3. the embedded default, a SQLite file that needs no set-up:
   ``<user cache>/mlflow/mlruns.db`` (``<user cache>`` is ``$VLMHOI_CACHE``, else
   ``$XDG_CACHE_HOME/vlmhoi``, else ``~/.cache/vlmhoi``; ``vlmhoi.cache_dir``). MLflow 3.x
   refuses ``file:`` stores, hence SQLite.

Artifacts of an experiment on a SQLite store go to ``<folder of the .db>/artifacts/<experiment>``
unless ``mlflow.artifact_location`` says otherwise; a server (``http://``) decides itself
(``mlflow server --artifacts-destination``).

Environment contract (what the sweep runner sets before it launches ``tools/train.py``):

* ``MLFLOW_RUN_ID``: log into this existing run instead of creating one (it wins over the
  run id stored in a resumed checkpoint);
* ``VLMHOI_MLFLOW_TAGS``: a JSON object of extra tags for the run.
"""
from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from pathlib import Path

from vlmhoi.cache_dir import user_cache_dir

TRACKING_URI_ENV = 'MLFLOW_TRACKING_URI'
RUN_ID_ENV = 'MLFLOW_RUN_ID'
TAGS_ENV = 'VLMHOI_MLFLOW_TAGS'
#: the embedded store: ``user_cache_dir(*DEFAULT_STORE)``
DEFAULT_STORE = ('mlflow', 'mlruns.db')
ARTIFACTS_DIR = 'artifacts'
_SQLITE = 'sqlite:///'
#: how long a tracking server may take to answer the first request
REACH_TIMEOUT_S = 10


def default_tracking_uri() -> str:
    """``sqlite:///<user cache>/mlflow/mlruns.db`` (the folder is not created here)."""
    return _SQLITE + str(user_cache_dir(*DEFAULT_STORE).resolve())


def resolve_tracking_uri(configured: str | None = None) -> tuple[str, str]:
    """``(uri, source)``: ``source`` is ``'config'``, ``'env'`` or ``'default'``.

    The folder of a SQLite store is created, so the embedded default needs no set-up.
    """
    if configured:
        uri, source = str(configured), 'config'
    elif os.environ.get(TRACKING_URI_ENV):
        uri, source = os.environ[TRACKING_URI_ENV], 'env'
    else:
        uri, source = default_tracking_uri(), 'default'
    db = sqlite_path(uri)
    if db is not None:
        db.parent.mkdir(parents=True, exist_ok=True)
    return uri, source


def sqlite_path(uri: str) -> Path | None:
    """The database file of a ``sqlite:///`` URI (absolute), else None."""
    if not uri.startswith(_SQLITE):
        return None
    return Path(uri[len(_SQLITE):]).resolve()


def experiment_artifact_location(uri: str, experiment: str,
                                 configured: str | None = None) -> str | None:
    """Where a new experiment keeps its artifacts (None: the tracking server decides)."""
    if configured:
        return str(configured)
    db = sqlite_path(uri)
    if db is None:
        return None
    slug = re.sub(r'[^A-Za-z0-9_.-]+', '_', experiment).strip('_') or 'experiment'
    return (db.parent / ARTIFACTS_DIR / slug).as_uri()


def ensure_experiment(client, uri: str, name: str, configured: str | None = None) -> str:
    """The id of experiment ``name`` on ``client`` (an ``MlflowClient`` of ``uri``), created
    with :func:`experiment_artifact_location` when missing; one made by another process
    meanwhile is found, not an error (workers of a sweep start together)."""
    from mlflow.exceptions import MlflowException
    found = client.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    try:
        return client.create_experiment(
            name, artifact_location=experiment_artifact_location(uri, name, configured))
    except MlflowException:
        found = client.get_experiment_by_name(name)
        if found is None:
            raise
        return found.experiment_id


def env_tags() -> dict[str, str]:
    """The tags of ``$VLMHOI_MLFLOW_TAGS`` (a JSON object); a clear error otherwise."""
    raw = os.environ.get(TAGS_ENV)
    if not raw:
        return {}
    try:
        tags = json.loads(raw)
    except json.JSONDecodeError as err:
        raise ValueError(f'${TAGS_ENV} is not valid JSON ({err}): {raw[:200]!r}') from None
    if not isinstance(tags, dict):
        raise ValueError(f'${TAGS_ENV} must be a JSON object of tags, got '
                         f'{type(tags).__name__}: {raw[:200]!r}')
    return {str(k): str(v) for k, v in tags.items()}


def check_reachable(uri: str, timeout: float = REACH_TIMEOUT_S) -> None:
    """For an ``http(s)://`` tracking URI: one request to ``/health``; a server that
    cannot be reached gives one clear error at once (MLflow's client would retry for
    minutes). Any HTTP answer, an error status included, counts as reachable."""
    from vlmhoi.redaction import redact

    if not uri.startswith(('http://', 'https://')):
        return
    try:
        with urllib.request.urlopen(uri.rstrip('/') + '/health', timeout=timeout):
            pass
    except urllib.error.HTTPError:
        return
    except (OSError, ValueError) as err:
        raise RuntimeError(f'MLflow tracking server {redact(uri)} is unreachable ({err}); '
                           f'start it (mlflow server ...) or point ${TRACKING_URI_ENV} / '
                           f'mlflow.tracking_uri elsewhere') from None
