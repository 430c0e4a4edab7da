"""What a report table is made of: cells that each say where their number came from.

A :class:`Cell` is one of

* ``published``: a number printed in a paper (``source`` is the citation, e.g.
  ``'VLM-HOI (arXiv:2411.18038), Table 1'``);
* ``measured``: a number this suite measured (``runs``: the MLflow run ids it aggregates,
  ``spread``: the standard deviation over seeds when more than one run);
* ``difference``: measured minus published for the same method and column (``source``
  names both);
* ``not_run``: nothing logged yet (``command``: what produces it);
* ``text``: a label (method, dataset, ...), no number.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

KINDS = ('published', 'measured', 'difference', 'not_run', 'text')
NOT_RUN = 'not run'


@dataclass(frozen=True)
class Cell:
    kind: str
    value: float | str | None = None
    spread: float | None = None
    source: str = ''
    runs: tuple[str, ...] = ()
    command: str = ''
    decimals: int = 2

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f'cell kind {self.kind!r} is not one of {KINDS}')

    @classmethod
    def text(cls, value: str) -> Cell:
        return cls('text', value)

    @classmethod
    def not_run(cls, command: str) -> Cell:
        return cls('not_run', None, command=command)

    def is_number(self) -> bool:
        return isinstance(self.value, (int, float)) and not isinstance(self.value, bool)

    def format(self) -> str:
        """The cell as plain text: ``12.34``, ``12.34 ± 0.56``, ``+1.20``, ``not run``."""
        if self.kind == 'not_run':
            return NOT_RUN
        if not self.is_number():
            return '' if self.value is None else str(self.value)
        if math.isnan(self.value):
            return 'n/a'
        sign = '+' if self.kind == 'difference' else ''
        text = f'{self.value:{sign}.{self.decimals}f}'
        if self.spread is not None:
            text += f' ± {self.spread:.{self.decimals}f}'
        return text

    def provenance(self) -> str:
        """Where the number came from, one line."""
        if self.kind == 'published':
            return self.source
        if self.kind == 'measured':
            runs = f"MLflow run(s) {', '.join(self.runs)}"
            return f'{self.source}; {runs}' if self.source else runs
        if self.kind == 'difference':
            return self.source
        if self.kind == 'not_run':
            return f'not run: {self.command}'
        return ''


@dataclass
class Table:
    """``key`` (``table1`` ...), a caption, column headers, rows of cells, and notes
    (lines printed under the table: sources, commands for missing runs, labels)."""
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add_row(self, cells: list[Cell]) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f'{self.key}: a row of {len(cells)} cells for '
                             f'{len(self.columns)} columns')
        self.rows.append(cells)
        for cell in cells:
            if cell.kind == 'not_run' and cell.command:
                line = f'"not run" cells: run `{cell.command}`'
                if line not in self.notes:
                    self.notes.append(line)


@dataclass(frozen=True)
class Figure:
    """A PNG the report shows: its file, a caption, and where its data came from."""
    key: str
    path: str
    caption: str
    source: str


@dataclass(frozen=True)
class Finding:
    """One audit result: the rule, the subject (table / row / claim), ``ok`` or not, and
    the arithmetic that shows it."""
    rule: str
    subject: str
    ok: bool
    arithmetic: str
    source: str = ''
