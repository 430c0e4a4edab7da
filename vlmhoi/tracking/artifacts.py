"""Files a run uploads: metrics JSON, per-category AP CSV and PR-curve PNGs (written by
``vlmhoi.evaluation.report``, as ``tools/eval_hoi.py`` does), and the learning curve read
back from the run's metric history."""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

#: per-iteration losses drawn on the learning curve when the run has them
CURVE_LOSSES = ('loss', 'loss_itm', 'loss_itm_pos', 'loss_itm_neg')
#: per-epoch metrics drawn on the learning curve when the run has them
CURVE_METRICS = ('hico/mAP_full', 'hico/mAP_rare', 'hico/mAP_non_rare',
                 'vcoco/AP_role_S1', 'vcoco/AP_role_S2')


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, 'item') and getattr(value, 'ndim', 1) == 0:
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None  # strict JSON: NaN (no category of a split) becomes null
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def write_metrics_json(metrics: dict, path: Path, **extra: Any) -> Path:
    """``{"metrics": {...}, **extra}`` as strict JSON (NaN -> null)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_jsonable({'metrics': metrics, **extra}), indent=2,
                               allow_nan=False))
    return path


def write_reports(evaluator_metrics: list, out_dir: Path, pr_curves: int) -> list[Path]:
    """For each metric holding a ``last_result`` (``HICODetMetric``, ``VCOCOMetric``): the
    per-category CSV ``<prefix>_categories.csv`` and, if ``pr_curves`` > 0, PR-curve PNGs
    of the ``pr_curves`` categories with the most test instances in ``<prefix>_pr/``."""
    from vlmhoi.evaluation.report import plot_pr_curves, write_category_csv

    paths = []
    for metric in evaluator_metrics:
        result = getattr(metric, 'last_result', None)
        if result is None:
            continue
        prefix = getattr(metric, 'prefix', None) or type(metric).__name__
        paths.append(write_category_csv(result, out_dir / f'{prefix}_categories.csv'))
        if pr_curves > 0:
            rows = result.categories
            order = sorted(range(len(rows)), key=lambda i: (-rows[i].get('n_test', 0), i))
            chosen = [i for i in order if rows[i].get('n_test', 0) > 0][:pr_curves]
            paths.extend(plot_pr_curves(result, chosen, out_dir / f'{prefix}_pr'))
    return paths


def plot_learning_curve(client: Any, run_id: str, path: Path) -> Path | None:
    """Losses against iterations and validation metrics against epochs, from the run's
    metric history (the whole run, resumed launches included); None without losses."""
    from matplotlib.figure import Figure

    keys = set(client.get_run(run_id).data.metrics)
    losses = [k for k in CURVE_LOSSES if k in keys]
    metrics = [k for k in CURVE_METRICS if k in keys]
    if not losses:
        return None
    fig = Figure(figsize=(10, 3.8))
    ax_loss, ax_metric = fig.subplots(1, 2)
    for key in losses:
        hist = sorted(client.get_metric_history(run_id, key), key=lambda m: m.step)
        ax_loss.plot([m.step for m in hist], [m.value for m in hist], label=key)
    ax_loss.set(xlabel='iteration', ylabel='loss', title='training losses')
    ax_loss.legend(fontsize=8)
    for key in metrics:
        hist = sorted(client.get_metric_history(run_id, key), key=lambda m: m.step)
        ax_metric.plot([m.step for m in hist], [m.value for m in hist], marker='o', label=key)
    ax_metric.set(xlabel='epoch', ylabel='metric (%)', title='validation')
    if metrics:
        ax_metric.legend(fontsize=8)
    for ax in (ax_loss, ax_metric):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    return path
