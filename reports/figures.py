"""The report's figures (PNG): drawn here from logged metrics, or the PNGs the tools logged.

* learning curves: test-split mAP per epoch of the training runs behind the evaluated
  rows (their metric history);
* the alpha and prompt ablations: measured mean with the seed spread as error bars, the
  paper's values beside them when transcribed;
* Fig. 1 (teacher scores of detected triplets, ITM vs CLIP-style teacher) and Fig. 5
  (score distributions over a split): the newest ``tools/explain.py`` and
  ``tools/teacher_scores.py`` runs (tag ``vlmhoi.figure``);
* PR curves of chosen categories: the PNGs the newest test run logged.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

from reports.measured import group_runs  # noqa: E402
from reports.model import Figure  # noqa: E402
from reports.runs import TAG_FIGURE, RunStore  # noqa: E402

CURVE_METRIC = 'hico/mAP_full'
DPI = 120


def learning_curves(store: RunStore, out: Path) -> Figure | None:
    """One line per training run whose checkpoint a test run evaluated."""
    tests = store.test_runs(CURVE_METRIC)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ids = []
    for group in group_runs(tests):
        for test in group.runs:
            train = store.source_training_run(test)
            if train is None:
                continue
            points = store.history(train.run_id, CURVE_METRIC)
            if points:
                ax.plot(*zip(*points), marker='o', label=f'{group.label()} '
                        f'({group.setting["world"]}, seed {train.param("seed")})')
                ids.append(train.run_id)
    if not ids:
        plt.close(fig)
        return None
    ax.set_xlabel('epoch')
    ax.set_ylabel('Default Full mAP (%), test split')
    ax.legend(fontsize=7)
    fig.tight_layout()
    path = out / 'learning_curves.png'
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return Figure('learning_curves', str(path), 'Learning curves of the compared runs: '
                  'test-split Default Full mAP after every epoch',
                  f'metric history of MLflow runs {", ".join(ids)}')


def ablation_plot(table, key: str, out: Path) -> Figure | None:
    """Bars with error bars from an ablation table's cells (paper's and measured Full)."""
    paper_col = next((i for i, c in enumerate(table.columns) if c.startswith('Paper ')), None)
    meas_col = next((i for i, c in enumerate(table.columns) if 'measured' in c), None)
    rows = [r for r in table.rows if meas_col is not None and r[meas_col].is_number()]
    if not rows:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
    labels = [r[0].format() for r in rows]
    meas = [r[meas_col] for r in rows]
    axes[1].bar(labels, [c.value for c in meas], yerr=[c.spread or 0 for c in meas],
                capsize=4, color='tab:blue')
    axes[1].set_title(table.columns[meas_col], fontsize=7)
    paper = [r[paper_col] for r in rows] if paper_col is not None else []
    if paper and any(c.is_number() for c in paper):
        axes[0].bar(labels, [c.value if c.is_number() else 0 for c in paper], color='grey')
        axes[0].set_title(table.columns[paper_col], fontsize=7)
    else:
        axes[0].text(0.5, 0.5, 'paper values not transcribed', ha='center', va='center')
        axes[0].set_axis_off()
    for ax in axes:
        ax.set_xlabel(table.columns[0])
    axes[1].set_ylabel('mAP (%)')
    fig.tight_layout()
    path = out / f'{key}_ablation.png'
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    runs = sorted({r for c in meas for r in c.runs})
    return Figure(f'{key}_ablation', str(path), f'{table.title}: mean over seeds, error bars '
                  'one standard deviation', f'MLflow runs {", ".join(runs)}')


def tool_figures(store: RunStore, figure: str, caption: str, out: Path) -> list[Figure]:
    """The PNGs of the newest tool runs tagged ``vlmhoi.figure=<figure>`` (one per
    teacher set: ``RunStore.tool_runs``)."""
    found = []
    for run in store.tool_runs(TAG_FIGURE, figure):
        for path in (p for p in store.artifacts(run.run_id) if p.endswith('.png')):
            local = store.download(run.run_id, path, out / figure)
            found.append(Figure(f'{figure}_{len(found)}', str(local),
                                f'{caption} ({Path(path).name})',
                                f'artifact {path} of MLflow run {run.run_id} ({run.name})'))
    return found


def pr_curves(store: RunStore, out: Path, limit: int) -> list[Figure]:
    """Up to ``limit`` PR-curve PNGs of the newest test run that logged some."""
    for run in reversed(store.test_runs(CURVE_METRIC)):
        paths = sorted(p for p in store.artifacts(run.run_id, 'reports')
                       if '_pr/' in p and p.endswith('.png'))[:limit]
        if paths:
            return [Figure(f'pr_{i}', str(store.download(run.run_id, p, out / 'pr')),
                           f'Precision-recall curve {Path(p).stem} '
                           f"({run.param('method')}, {run.param('world')} world)",
                           f'artifact {p} of MLflow run {run.run_id}')
                    for i, p in enumerate(paths)]
    return []

