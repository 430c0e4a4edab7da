"""Crafted published-data files for the tests: a consistent paper whose numbers the test
controls, written next to a copy of the real schema."""
from __future__ import annotations

import copy
import shutil
from pathlib import Path

import yaml

from reports.published import DATA_DIR

HICO_COLUMNS = ['default_full', 'default_rare', 'default_non_rare',
                'ko_full', 'ko_rare', 'ko_non_rare']
HEADERS = ['Full', 'Rare', 'Non-Rare', 'KO Full', 'KO Rare', 'KO Non-Rare']


def _transcribe(rows: list[dict], columns: list[str], headers: list[str],
                decimals: int) -> str:
    lines = ['| Method | ' + ' | '.join(headers) + ' |', '|---' * (len(headers) + 1) + '|']
    for row in rows:
        cells = ['-' if row['values'][c] is None else f'{row["values"][c]:.{decimals}f}'
                 for c in columns]
        lines.append(f'| {row["printed"]} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


def table(rows: list[dict], columns: list[str], headers: list[str], decimals: int = 2,
          title: str = 'crafted') -> dict:
    return {'status': 'transcribed', 'title': title, 'citation': 'Table 9, p. 7',
            'decimals': decimals, 'columns': columns,
            'printed_columns': dict(zip(headers, columns)), 'rows': rows,
            'transcription': _transcribe(rows, columns, headers, decimals)}


def hico_row(rid: str, method: str, full: float, rare: float, non_rare: float,
             ko: tuple[float, float, float] = (34.16, 28.00, 36.00)) -> dict:
    return {'id': rid, 'printed': f'{method} (R50)', 'method': method,
            'backbone': 'ResNet-50',
            'values': dict(zip(HICO_COLUMNS, (full, rare, non_rare, *ko)))}


def consistent_paper() -> dict:
    """(138 x 25.33 + 462 x 34.12) / 600 = 32.0983 -> 32.10; KO (138 x 28 + 462 x 36) / 600
    = 34.16; 33.05 - 32.10 = 0.95; 142.2 / 60.0 = 2.37."""
    rows = [hico_row('base', 'Base', 32.10, 25.33, 34.12),
            hico_row('ours', 'Ours', 33.05, 26.77, 34.93,
                     (35.01, 30.12, 36.47))]
    cost = [{'id': 'base', 'printed': 'Base', 'method': 'Base', 'backbone': 'ResNet-50',
             'values': {'params_m': 41.6, 'train_min_per_epoch': 60.0,
                        'infer_s_per_frame': None}},
            {'id': 'ours', 'printed': 'Ours', 'method': 'Ours', 'backbone': 'ResNet-50',
             'values': {'params_m': 41.6, 'train_min_per_epoch': 142.2,
                        'infer_s_per_frame': None}}]
    return {
        'source': {'title': 'A crafted paper', 'authors': ['A. Author'], 'venue': 'Test 2024',
                   'arxiv_id': '0000.00000', 'arxiv_version': 2, 'url': 'https://example.org',
                   'document': 'crafted by tests/reports/crafted.py'},
        'tables': {
            'table1': table(rows, HICO_COLUMNS, HEADERS, title='HICO-DET'),
            'table5': table(cost, ['params_m', 'train_min_per_epoch', 'infer_s_per_frame'],
                            ['Params (M)', 'Train (min/epoch)', 'Infer (s/frame)'],
                            decimals=1, title='Cost')},
        'claims': [
            {'id': 'gain', 'sentence': 'Ours reaches 33.05 mAP, +0.95 over Base.',
             'where': 'Section 4.2, p. 8', 'kind': 'difference', 'quoted': '+0.95',
             'cells': [{'table': 'table1', 'row': 'ours', 'column': 'default_full'},
                       {'table': 'table1', 'row': 'base', 'column': 'default_full'}]},
            {'id': 'full', 'sentence': 'Ours reaches 33.05 mAP, +0.95 over Base.',
             'where': 'Section 4.2, p. 8', 'kind': 'value', 'quoted': '33.05',
             'cells': [{'table': 'table1', 'row': 'ours', 'column': 'default_full'}]},
            {'id': 'cost', 'sentence': 'Training takes 2.37x as long per epoch.',
             'where': 'Section 4.4', 'kind': 'ratio', 'quoted': '2.37x',
             'cells': [{'table': 'table5', 'row': 'ours', 'column': 'train_min_per_epoch'},
                       {'table': 'table5', 'row': 'base', 'column': 'train_min_per_epoch'}]},
        ],
        'notes': ['crafted']}


def write(tmp_path: Path, data: dict, name: str = 'crafted_2024.yaml') -> Path:
    """Write one paper file and the real schema into ``tmp_path``; return the file."""
    shutil.copy(DATA_DIR / '_schema.yaml', tmp_path / '_schema.yaml')
    path = tmp_path / name
    path.write_text(yaml.safe_dump(copy.deepcopy(data), sort_keys=False), encoding='utf-8')
    return path
