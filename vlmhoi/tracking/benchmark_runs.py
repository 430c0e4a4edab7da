"""Benchmark results as MLflow runs the report generator finds by tag (Table 5).

One parent run per benchmark call (tags ``vlmhoi.benchmark``, ``vlmhoi.table``, provenance)
with the result JSON as an artifact, and one child run per variant (tags
``vlmhoi.variant``, ``vlmhoi.config``, ``vlmhoi.score_source``) holding its numbers as
metrics: ``params_<total|learnable|teacher|decoder>``, the medians ``train_step_s``,
``data_s``, ``infer_s_per_frame``, and ``minutes_per_epoch``, ``peak_rss_mb``,
``cuda_peak_mb`` (GPU only) and ``ratio_<key>`` against the baseline; the tags of
``$VLMHOI_MLFLOW_TAGS`` go on every run. Experiment
``vlmhoi-benchmarks``; the tracking URI as for training runs (``vlmhoi.tracking.uri``).
"""
from __future__ import annotations

from pathlib import Path

from .params import provenance_tags
from .redact import redact
from .uri import ensure_experiment, env_tags, resolve_tracking_uri

EXPERIMENT = 'vlmhoi-benchmarks'
TIMED = ('train_step_s', 'data_s', 'infer_s_per_frame')
PLAIN = ('minutes_per_epoch', 'peak_rss_mb', 'cuda_peak_mb', 'images_per_epoch',
         'batch_size')


def variant_metrics(record: dict, ratio: dict) -> dict[str, float]:
    """The numbers of one variant record (``benchmark/cost.py``) as MLflow metrics."""
    out = {f'params_{k}': float(v) for k, v in record['params'].items()}
    out.update({k: float(record[k]['median']) for k in TIMED})
    out.update({k: float(record[k]) for k in PLAIN if record.get(k) is not None})
    out.update({f'ratio_{k}': float(v) for k, v in ratio.items() if v is not None})
    return out


def log_benchmark(name: str, result: dict, result_file: Path, table: str,
                  tracking_uri: str | None = None) -> str:
    """Log ``result`` (records + ratios) as a parent run with one child per variant;
    returns the parent run id."""
    import mlflow
    uri, _ = resolve_tracking_uri(tracking_uri)
    client = mlflow.MlflowClient(uri)
    exp_id = ensure_experiment(client, uri, EXPERIMENT)
    extra = env_tags()   # $VLMHOI_MLFLOW_TAGS, e.g. the demo's scale tag, on every run
    tags = {**extra, **provenance_tags(), 'vlmhoi.benchmark': name, 'vlmhoi.table': table}
    parent = client.create_run(exp_id, run_name=f'{name}-benchmark', tags=tags)
    pid = parent.info.run_id
    client.log_artifact(pid, str(result_file))
    for record in result['records']:
        child = client.create_run(exp_id, run_name=record['variant'], tags={
            **extra, 'mlflow.parentRunId': pid, 'vlmhoi.benchmark': name, 'vlmhoi.table': table,
            'vlmhoi.variant': record['variant'], 'vlmhoi.config': record['config'],
            'vlmhoi.score_source': str(record['score_source']),
            'vlmhoi.baseline': str(record['variant'] == result['baseline']).lower(),
            'devices': redact(record['device'])})
        cid = child.info.run_id
        for key, value in variant_metrics(record, result['ratios'][record['variant']]).items():
            client.log_metric(cid, key, value)
        client.set_terminated(cid)
    client.set_terminated(pid)
    print(f'{name}: logged to MLflow {redact(uri)}, experiment {EXPERIMENT}, run {pid}')
    return pid
