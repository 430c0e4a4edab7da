"""The trial table of a study (``sweeps/status.py``, the end of ``sweeps/run.py``)."""
from __future__ import annotations

import statistics
from collections import defaultdict

import optuna
from optuna.trial import FrozenTrial, TrialState

from .spec import SEED_PARAM, StudySpec

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)


def _seconds(t: FrozenTrial) -> str:
    if t.datetime_start is None or t.datetime_complete is None:
        return '-'
    return f'{(t.datetime_complete - t.datetime_start).total_seconds():.1f}'


def _note(t: FrozenTrial) -> str:
    notes = []
    if t.system_attrs.get('failed_trial') is not None:
        notes.append(f'retry of {t.system_attrs["failed_trial"]}')
    if t.user_attrs.get('duplicate_of') is not None:
        notes.append(f'duplicate of {t.user_attrs["duplicate_of"]}, not run')
    if t.user_attrs.get('metric_source'):
        notes.append(f'from {t.user_attrs["metric_source"]}')
    return '; '.join(notes)


def trial_rows(study: optuna.Study) -> list[list[str]]:
    rows = []
    for t in study.get_trials(deepcopy=False):
        params = ' '.join(f'{k}={v}' for k, v in t.params.items())
        value = '-' if t.value is None else f'{t.value:.4f}'
        rows.append([str(t.number), t.state.name, params, value, _seconds(t),
                     t.user_attrs.get('mlflow_run_id', '-'), _note(t)])
    return rows


def format_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ['  '.join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [header, *rows]]
    lines.insert(1, '  '.join('-' * w for w in widths))
    return '\n'.join(lines)


def point_rows(study: optuna.Study, spec: StudySpec | None) -> list[list[str]]:
    """Mean, spread and count over seeds of each grid point's completed trials."""
    groups: dict[str, list[float]] = defaultdict(list)
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        key = ' '.join(f'{k}={v}' for k, v in t.params.items() if k != SEED_PARAM)
        groups[key].append(t.value)
    out = []
    for key, vals in sorted(groups.items()):
        spread = statistics.stdev(vals) if len(vals) > 1 else float('nan')
        out.append([key or '-', f'{statistics.fmean(vals):.4f}', f'{spread:.4f}',
                    str(len(vals))])
    return out


def summary_text(study: optuna.Study, spec: StudySpec | None = None) -> str:
    header = ['trial', 'state', 'params', 'value', 'seconds', 'mlflow run', 'note']
    parts = [f'study {study.study_name} ({study.direction.name.lower()})',
             format_table(header, trial_rows(study))]
    counts = defaultdict(int)
    for t in study.get_trials(deepcopy=False):
        counts[t.state.name] += 1
    parts.append('states: ' + ', '.join(f'{k} {v}' for k, v in sorted(counts.items())))
    points = point_rows(study, spec)
    if points:
        parts.append(format_table(['grid point', 'mean', 'std', 'seeds'], points))
    try:
        best = study.best_trial
        parts.append(f'best value {best.value:.4f} (trial {best.number}: {best.params})')
    except ValueError:
        parts.append('best value: none yet (no completed trial)')
    return '\n'.join(parts)


def print_summary(study: optuna.Study, spec: StudySpec | None = None) -> None:
    print(summary_text(study, spec), flush=True)


def unfinished_points(study: optuna.Study, spec: StudySpec, seeds: list[int]) -> list[dict]:
    """Grid points with no COMPLETE or PRUNED trial (a TPE study: [])."""
    if spec.sampler != 'grid':
        return []
    done = [t.params for t in study.get_trials(deepcopy=False, states=FINISHED)
            if t.user_attrs.get('duplicate_of') is None]
    return [p for p in spec.grid_points(seeds) if p not in done]
