"""What tools/demo.py prints and plots from finished stages: learning curves, test mAP,
the report's path. Read from the runs' own files, so a skipped stage prints the same."""
from __future__ import annotations

import json
from pathlib import Path

CURVE = 'learning_curve.png'
KEYS = (('hico/mAP_full', 'Full'), ('hico/mAP_rare', 'Rare'), ('hico/mAP_non_rare', 'Non-Rare'))


def epoch_metrics(work: Path) -> list[dict]:
    """Test-split metrics after every epoch (mmengine's ``vis_data/scalars.json`` of the
    latest training in ``work``)."""
    logs = sorted(work.glob('*/vis_data/scalars.json'))
    rows = [json.loads(line) for line in logs[-1].read_text().splitlines()] if logs else []
    return [r for r in rows if KEYS[0][0] in r]


def write_curves(work: Path, names: list[str]) -> Path | None:
    """One PNG: Full / Rare / Non-Rare test mAP after every epoch of each run in ``names``
    (folders of ``work``); None when no run logged an evaluation."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
    runs = {n: epoch_metrics(work / n) for n in names}
    if not any(runs.values()):
        return None
    fig, axes = plt.subplots(1, len(KEYS), figsize=(11, 3.4), sharey=True)
    for ax, (key, label) in zip(axes, KEYS):
        for name, rows in runs.items():
            ax.plot(range(1, len(rows) + 1), [r[key] for r in rows], marker='o', label=name)
        ax.set_title(f'{label} (test split)')
        ax.set_xlabel('epoch')
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0].set_ylabel('Default mAP (%)')
    axes[0].legend()
    fig.suptitle(f'{work} (demo scale)', fontsize=8)
    fig.tight_layout()
    out = work / CURVE
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def run_results(work: Path, names: list[str]) -> list[str]:
    """Lines: each run's final test mAP (tools/test.py's metrics file), predictions file
    and the learning-curve PNG."""
    out = []
    for name in names:
        metrics = sorted((work / name / 'test').glob('*/*.json'))
        if not metrics:
            out.append(f'[demo] {name}: no test metrics under {work / name / "test"}')
            continue
        res = json.loads(metrics[-1].read_text())
        out.append(f'[demo] {name} test mAP (Default, %, demo scale): '
                   + ', '.join(f'{label} {res[key]:.2f}' for key, label in KEYS)
                   + f' ({metrics[-1]}; predictions {work / name / "predictions.json"})')
    curve = work / CURVE
    if curve.is_file():
        out.append(f'[demo] learning curves (test mAP after every epoch): {curve.resolve()}')
    return out


def html_report(work: Path) -> Path | None:
    """The report's HTML page (the first ``*.html`` the report stage wrote), if any."""
    pages = sorted((work / 'report').glob('*.html')) if (work / 'report').is_dir() else []
    index = [p for p in pages if p.name == 'index.html']
    return (index or pages or [None])[0]
