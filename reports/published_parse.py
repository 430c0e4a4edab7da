"""Reading numbers as printed: a table transcription (pipe-delimited lines, as a Markdown
table or a paper's table typed row by row) and the numbers a sentence quotes. Used to
prove that the structured rows of a published-data file reproduce the printed table."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reports.published_types import PublishedTable

BLANKS = ('', '-', '–', '—')
_NUMBER = re.compile(r'[-+−]?\d+(?:\.\d+)?')
_RULE = re.compile(r'^:?-+:?$')


def number_decimals(text: str) -> tuple[float, int]:
    """``'35.10'`` -> ``(35.1, 2)``: the value and how many decimals were printed."""
    text = text.strip().replace('−', '-')
    if not re.fullmatch(r'[-+]?\d+(?:\.\d+)?', text):
        raise ValueError(f'{text!r} is not a number')
    return float(text), len(text.split('.')[1]) if '.' in text else 0


def parse_quoted(quoted: str) -> tuple[float, int]:
    """The one number in a quoted text such as ``'+1.23'``, ``'2.37x'``, ``'0.8 mAP'``."""
    found = _NUMBER.findall(quoted)
    if len(found) != 1:
        raise ValueError(f'{quoted!r} must hold exactly one number, found {found}')
    return number_decimals(found[0])


def split_table(text: str) -> tuple[list[str], list[list[str]]]:
    """Header cells and body rows of a pipe-delimited table; rule lines are skipped."""
    lines = []
    for line in text.splitlines():
        if not line.strip():
            continue
        cells = [c.strip() for c in line.strip().split('|')]
        if line.strip().startswith('|'):
            cells = cells[1:]
        if line.strip().endswith('|') and len(cells) > 0:
            cells = cells[:-1]
        if cells and all(_RULE.match(c) for c in cells):
            continue
        lines.append(cells)
    if not lines:
        raise ValueError('the transcription holds no table')
    return lines[0], lines[1:]


def transcription_mismatches(table: PublishedTable) -> list[str]:
    """Every difference between ``table.rows`` and ``table.transcription``: a printed column
    that is not mapped, a row printed but not stored (or the reverse), a cell whose number,
    blank or printed decimals differ. Empty when the rows reproduce the print cell for cell."""
    try:
        header, body = split_table(table.transcription)
    except ValueError as exc:
        return [str(exc)]
    problems = []
    names = header[1:]
    for name in names:
        if name not in table.printed_columns:
            problems.append(f'printed column {name!r} is not in printed_columns')
    for name in table.printed_columns:
        if name not in names:
            problems.append(f'printed_columns names {name!r}, which is not printed')
    by_label = {r.printed: r for r in table.rows}
    seen = set()
    for cells in body:
        label = cells[0] if cells else ''
        row = by_label.get(label)
        if row is None:
            problems.append(f'printed row {label!r} is not stored')
            continue
        if label in seen:
            problems.append(f'printed row {label!r} appears twice')
        seen.add(label)
        if len(cells) - 1 != len(names):
            problems.append(f'row {label!r}: {len(cells) - 1} cells for {len(names)} columns')
            continue
        for name, text in zip(names, cells[1:]):
            col = table.printed_columns.get(name)
            if col is None:
                continue
            stored = row.values.get(col)
            if text in BLANKS:
                if stored is not None:
                    problems.append(f'{label} / {col}: printed blank, stored {stored}')
                continue
            try:
                value, decimals = number_decimals(text)
            except ValueError:
                problems.append(f'{label} / {col}: printed {text!r} is not a number')
                continue
            if stored is None or stored != value:
                problems.append(f'{label} / {col}: printed {text}, stored {stored}')
            elif decimals != row.decimals:
                problems.append(f'{label} / {col}: printed {text} ({decimals} decimals), '
                                f'row says {row.decimals}')
    for label in by_label:
        if label not in seen:
            problems.append(f'stored row {label!r} is not printed')
    return problems
