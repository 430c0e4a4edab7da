"""Per-category AP tables (CSV via pandas) and precision-recall plots (PNG via matplotlib).

Works on :class:`HICOEvalResult` (settings ``default`` / ``ko``) and
:class:`VCOCOEvalResult` (``s1`` / ``s2``). Categories are chosen by tokens: for HICO-DET an
integer is an official HOI id (1..600) and ``verb:object`` a pair of names
(``ride:bicycle``; spaces in names may be written as ``_``); for V-COCO ``action:role``
(``hit:instr``) or an integer row number.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np


def _is_vcoco(result: Any) -> bool:
    return 's1' in result.curves


def category_name(row: dict[str, Any]) -> str:
    """``verb:object`` (HICO-DET) or ``action:role`` (V-COCO)."""
    if 'action' in row:
        return f"{row['action']}:{row['role']}"
    return f"{row['verb']}:{row['object']}"


def _norm(name: str) -> str:
    return name.lower().replace(' ', '_').replace('-', '_')


def category_table(result: Any) -> Any:
    """One row per category, as a ``pandas.DataFrame``."""
    import pandas as pd

    table = pd.DataFrame(result.categories)
    table.insert(0, 'name', [category_name(r) for r in result.categories])
    return table


def write_category_csv(result: Any, path: str | Path) -> Path:
    """Write :func:`category_table` as CSV."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    category_table(result).to_csv(path, index=False)
    return path


def select_categories(result: Any, tokens: list[str]) -> list[int]:
    """Row indices of the categories named by ``tokens`` (see module doc)."""
    rows = result.categories
    chosen = []
    for tok in tokens:
        tok = str(tok).strip()
        if tok.lstrip('-').isdigit():
            n = int(tok)
            hits = ([n] if 0 <= n < len(rows) else []) if _is_vcoco(result) else \
                [i for i, r in enumerate(rows) if r.get('hoi_id') == n]
        else:
            hits = [i for i, r in enumerate(rows) if _norm(category_name(r)) == _norm(tok)]
        if not hits:
            raise ValueError(f'category {tok!r} is not among the evaluated categories')
        chosen.extend(hits)
    return chosen


def plot_pr_curves(result: Any, categories: list[int], out_dir: str | Path) -> list[Path]:
    """One PNG per category with both settings' precision-recall curves."""
    from matplotlib.figure import Figure

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = ('s1', 's2') if _is_vcoco(result) else ('default', 'ko')
    paths = []
    for c in categories:
        row = result.categories[c]
        fig = Figure(figsize=(4.5, 3.6))
        ax = fig.subplots()
        for setting in settings:
            rec, prec = result.curves[setting][c]
            ap = row['ap_' + setting] if _is_vcoco(result) else \
                row['ap' + ('' if setting == 'default' else '_ko')]
            label = f'{setting} (AP {100 * ap:.2f})' if np.isfinite(ap) else setting
            if len(rec):
                ax.step(np.concatenate(([0.], rec)), np.concatenate(([1.], prec)),
                        where='post', label=label)
            else:
                ax.plot([], [], label=label + ' - no detections')
        ax.set(xlim=(0, 1.02), ylim=(0, 1.02), xlabel='recall', ylabel='precision',
               title=category_name(row))
        ax.grid(alpha=0.3)
        ax.legend(loc='upper right', fontsize=8)
        fig.tight_layout()
        slug = re.sub(r'[^A-Za-z0-9]+', '_', category_name(row)).strip('_')
        path = out_dir / f'pr_{c:03d}_{slug}.png'
        fig.savefig(path, dpi=100)
        paths.append(path)
    return paths
