"""Per-epoch values of a metric of one training run, read back for the objective.

Source 1 (preferred): the trial's MLflow run, where tools/train.py logs epoch metrics with
``step = epoch`` (``MlflowClient.get_metric_history``). Source 2 (fallback, a training
script that does not log to MLflow): mmengine's ``<work_dir>/<timestamp>/vis_data/
scalars.json``, one JSON object per line, whose validation entries carry ``step = epoch``.
``read_history`` returns which source gave the values.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

SOURCE_MLFLOW = 'mlflow'
SOURCE_SCALARS = 'scalars.json'


def mlflow_history(client, run_id: str, key: str) -> dict[int, float]:
    """{epoch: value} of ``key`` in MLflow run ``run_id`` (the last value of a step wins)."""
    ordered = sorted(client.get_metric_history(run_id, key), key=lambda m: m.timestamp)
    return {int(m.step): float(m.value) for m in ordered}


def scalars_history(work_dir: Path, key: str) -> dict[int, float]:
    """{epoch: value} of ``key`` in the newest ``vis_data/scalars.json`` of ``work_dir``."""
    files = sorted(Path(work_dir).glob('*/vis_data/scalars.json'))
    if not files:
        return {}
    out: dict[int, float] = {}
    for line in files[-1].read_text().splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:       # a line still being written
            continue
        if key in entry and 'step' in entry:
            out[int(entry['step'])] = float(entry[key])
    return out


def read_history(client, run_id: str | None, work_dir: Path,
                 key: str) -> tuple[dict[int, float], str | None]:
    """({epoch: value}, source) from MLflow if the run has ``key``, else scalars.json."""
    if client is not None and run_id is not None:
        hist = mlflow_history(client, run_id, key)
        if hist:
            return hist, SOURCE_MLFLOW
    hist = scalars_history(work_dir, key)
    return hist, (SOURCE_SCALARS if hist else None)


def final_value(history: dict[int, float]) -> float | None:
    """The last epoch's value; None when there is none or it is not finite."""
    if not history:
        return None
    value = history[max(history)]
    return value if math.isfinite(value) else None
