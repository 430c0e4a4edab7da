"""Runs of the suite's tools (not training): figures' inputs and checks the report shows.

``tools/explain.py`` (Fig. 1), ``tools/teacher_scores.py`` (Fig. 5) and
``tools/check_itm_gradient.py`` (the published ITM term's gradient) log one run each into
experiment :data:`EXPERIMENT`, tagged ``vlmhoi.figure`` or ``vlmhoi.check`` (the report
generator finds them by these tags), with the provenance tags of training runs, their
numbers as metrics and their output files as artifacts, and the tags of
``$VLMHOI_MLFLOW_TAGS`` (the demo's ``vlmhoi.scale``). The tracking URI is resolved as
for training runs (:mod:`vlmhoi.tracking.uri`).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from .params import MAX_PARAM_LENGTH, clip, provenance_tags
from .redact import redact
from .uri import ensure_experiment, env_tags, resolve_tracking_uri

EXPERIMENT = 'vlmhoi-tools'
TAG_FIGURE = 'vlmhoi.figure'
TAG_CHECK = 'vlmhoi.check'


def log_tool_run(run_name: str, tags: Mapping[str, str], files: Iterable[Path] = (),
                 params: Mapping[str, object] | None = None,
                 metrics: Mapping[str, float] | None = None,
                 tracking_uri: str | None = None) -> str:
    """One finished run with ``tags`` (plus provenance), ``params``, ``metrics`` and
    ``files`` as artifacts; returns its id and prints where it went."""
    import mlflow
    uri, _ = resolve_tracking_uri(tracking_uri)
    client = mlflow.MlflowClient(uri)
    exp_id = ensure_experiment(client, uri, EXPERIMENT)
    run = client.create_run(exp_id, run_name=run_name,
                            tags={**env_tags(), **provenance_tags(),
                                  **{k: str(v) for k, v in tags.items()}})
    rid = run.info.run_id
    for key, value in (params or {}).items():
        client.log_param(rid, key, clip(value, MAX_PARAM_LENGTH))
    for key, value in (metrics or {}).items():
        client.log_metric(rid, key, float(value))
    for path in files:
        client.log_artifact(rid, str(path))
    client.set_terminated(rid)
    print(f'{run_name}: logged to MLflow {redact(uri)}, experiment {EXPERIMENT}, run {rid}')
    return rid
