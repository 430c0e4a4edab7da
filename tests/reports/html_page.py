"""A small hand-made report for the HTML tests: two tables with every cell kind (and text
that must be escaped), two PNG figures drawn with matplotlib, two audit findings."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

from reports.model import Cell, Figure, Finding, Table  # noqa: E402

PAPER = 'VLM-HOI (arXiv:2411.18038), Table 1, p. 7'


def sample_tables() -> list[Table]:
    main = Table('table1', 'HICO-DET mAP (Default)', ['Method', 'Full', 'Rare', 'Non-Rare'])
    main.add_row([Cell.text('VLM-HOI (paper)'), Cell('published', 34.5, source=PAPER),
                  Cell('published', 31.3, source=PAPER), Cell('published', 35.46, source=PAPER)])
    main.add_row([Cell.text('VLM-HOI (this suite)'),
                  Cell('measured', 12.3456, spread=0.789, runs=('a1b2c3', 'd4e5f6'),
                       source='embedded world, demo scale'),
                  Cell('measured', 10.0, runs=('a1b2c3',)), Cell.not_run('tox -e demo')])
    main.add_row([Cell.text('difference'),
                  Cell('difference', -22.1544, source=f'measured minus {PAPER}'),
                  Cell('difference', 1.5, source=f'measured minus {PAPER}'),
                  Cell.not_run('tox -e demo')])
    main.notes.append('Embedded-world rows are measured on the synthetic world, not HICO-DET.')
    speed = Table('table5', 'Cost <per frame> & parameters',
                  ['Method', 'Params (M)', 's / frame'])
    speed.add_row([Cell.text('<b>baseline</b>'), Cell('measured', 41.2, runs=('r9',)),
                   Cell('measured', 0.1234, decimals=3, runs=('r9',))])
    return [main, speed]


def sample_figures(folder: Path) -> list[Figure]:
    figures = []
    for key, caption in (('fig1', 'Teacher scores, positive vs negative triplets'),
                         ('curves', 'Learning curves & "quotes"')):
        fig, ax = plt.subplots(figsize=(4, 2.5), dpi=80)
        ax.plot([0, 1, 2, 3], [3, 1, 2, 0] if key == 'fig1' else [0, 2, 1, 3])
        ax.set_title(key)
        path = folder / f'{key}.png'
        fig.savefig(path)
        plt.close(fig)
        figures.append(Figure(key, str(path), caption, f'MLflow run {key}-run'))
    return figures


def sample_findings() -> list[Finding]:
    return [
        Finding('full = class-weighted mean', 'Table 1 / VLM-HOI', True,
                '(138 x 31.30 + 462 x 35.46) / 600 = 34.50; printed 34.50', PAPER),
        Finding('claimed difference', 'Sec. 4.2 "+2.1 over MUREN"', False,
                '34.50 - 32.87 = 1.63, text says 2.1', 'VLM-HOI Sec. 4.2'),
    ]


def sample_meta() -> dict[str, str]:
    return {'generated at': '2025-01-02 03:04:05 UTC',
            'tracking URI': 'postgresql://***@db/mlflow', 'git commit': '0123abcd',
            'machine': 'test machine <2 cores>'}
