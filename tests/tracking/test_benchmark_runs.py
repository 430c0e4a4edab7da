"""Benchmark results become a parent MLflow run with one tagged child per variant."""
import json

import mlflow

from vlmhoi.tracking.benchmark_runs import EXPERIMENT, log_benchmark, variant_metrics


def _record(name: str, source, step: float) -> dict:
    t = dict(median=step, q1=step, q3=step, n=3)
    return dict(variant=name, config=f'{name}.py', score_source=source,
                params=dict(total=10, learnable=8, teacher=2 if source else 0, decoder=3),
                train_step_s=t, data_s=dict(t, median=0.1), infer_s_per_frame=dict(t, median=0.2),
                minutes_per_epoch=step * 5, images_per_epoch=100, batch_size=4,
                peak_rss_mb=500.0, cuda_peak_mb=None, device='cpu (x86_64)')


def test_log_benchmark(tmp_path) -> None:
    uri = f'sqlite:///{tmp_path}/mlruns.db'
    result = dict(records=[_record('base', None, 1.0), _record('vlm[cache]', 'cache', 1.05)],
                  baseline='base', ratios={'base': dict(train_step_s=1.0),
                                           'vlm[cache]': dict(train_step_s=1.05)})
    out = tmp_path / 'cost.json'
    out.write_text(json.dumps(result))
    pid = log_benchmark('cost', result, out, table='table5', tracking_uri=uri)
    client = mlflow.MlflowClient(uri)
    exp = client.get_experiment_by_name(EXPERIMENT)
    runs = client.search_runs([exp.experiment_id], "tags.`vlmhoi.table` = 'table5'")
    children = {r.data.tags['vlmhoi.variant']: r for r in runs
                if r.data.tags.get('mlflow.parentRunId') == pid}
    assert set(children) == {'base', 'vlm[cache]'}
    cache = children['vlm[cache]'].data
    assert cache.tags['vlmhoi.score_source'] == 'cache' and cache.tags['vlmhoi.baseline'] == 'false'
    assert cache.metrics['ratio_train_step_s'] == 1.05 and cache.metrics['params_teacher'] == 2
    assert 'cuda_peak_mb' not in cache.metrics
    assert [a.path for a in client.list_artifacts(pid)] == ['cost.json']


def test_variant_metrics_names_are_valid_mlflow_keys() -> None:
    metrics = variant_metrics(_record('a', None, 1.0), dict(train_step_s=1.0, peak_rss_mb=None))
    assert all(k.replace('_', '').isalnum() for k in metrics)
    assert 'ratio_peak_rss_mb' not in metrics


def test_env_tags_go_on_every_benchmark_run(tmp_path, monkeypatch) -> None:
    """$VLMHOI_MLFLOW_TAGS (the demo's scale tag) labels the parent and every child."""
    monkeypatch.setenv('VLMHOI_MLFLOW_TAGS', json.dumps({'vlmhoi.scale': 'demo'}))
    uri = f'sqlite:///{tmp_path}/mlruns.db'
    result = dict(records=[_record('base', None, 1.0)], baseline='base',
                  ratios={'base': dict(train_step_s=1.0)})
    out = tmp_path / 'cost.json'
    out.write_text(json.dumps(result))
    log_benchmark('cost', result, out, table='table5', tracking_uri=uri)
    client = mlflow.MlflowClient(uri)
    exp = client.get_experiment_by_name(EXPERIMENT)
    runs = client.search_runs([exp.experiment_id])
    assert len(runs) == 2
    assert all(r.data.tags.get('vlmhoi.scale') == 'demo' for r in runs)
