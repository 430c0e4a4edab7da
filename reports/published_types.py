"""The plain records of published reference numbers (see reports/published.py): a paper's
source, its tables and rows, the claims of its text, and all papers together."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reports.published_schema import Schema


@dataclass(frozen=True)
class Source:
    title: str
    authors: tuple[str, ...]
    venue: str
    arxiv_id: str | None
    arxiv_version: int | None
    url: str
    document: str

    def short(self) -> str:
        if not self.arxiv_id:
            return self.title
        version = f'v{self.arxiv_version}' if self.arxiv_version else ''
        return f'{self.title} (arXiv:{self.arxiv_id}{version})'


@dataclass(frozen=True)
class Row:
    id: str
    method: str
    backbone: str
    printed: str
    values: dict[str, float | None]
    decimals: int
    extra: dict[str, float | str] = field(default_factory=dict)
    note: str = ''
    paper: str = ''
    citation: str = ''


@dataclass(frozen=True)
class PublishedTable:
    key: str
    paper: str
    title: str
    citation: str
    status: str
    columns: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    decimals: int = 2
    printed_columns: dict[str, str | None] = field(default_factory=dict)
    transcription: str = ''
    reason: str = ''

    def row(self, row_id: str) -> Row:
        for row in self.rows:
            if row.id == row_id:
                return row
        raise KeyError(f'{self.paper} {self.key}: no row {row_id!r}')


@dataclass(frozen=True)
class CellRef:
    table: str
    row: str
    column: str


@dataclass(frozen=True)
class Claim:
    """A number the paper's text quotes: ``value`` (a cell), ``difference`` (cells[0] -
    cells[1]) or ``ratio`` (cells[0] / cells[1]); ``quoted`` is the text as printed."""
    id: str
    paper: str
    sentence: str
    where: str
    kind: str
    cells: tuple[CellRef, ...]
    quoted: str
    number: float
    decimals: int
    citation: str = ''


@dataclass(frozen=True)
class Paper:
    key: str
    path: Path
    source: Source
    tables: dict[str, PublishedTable]
    claims: tuple[Claim, ...]
    notes: tuple[str, ...]

    def citation(self, table_key: str) -> str:
        return f'{self.source.short()}, {self.tables[table_key].citation} [{self.source.document}]'


@dataclass
class Published:
    """All papers of a directory (or one file). ``tables[key]`` merges the transcribed rows
    of every paper for that table; each row carries its own ``citation``."""
    schema: Schema
    papers: dict[str, Paper]

    @property
    def tables(self) -> dict[str, PublishedTable]:
        merged: dict[str, PublishedTable] = {}
        for key, spec in self.schema.tables.items():
            parts = [p.tables[key] for p in self.papers.values()
                     if key in p.tables and p.tables[key].status == 'transcribed']
            if not parts:
                continue
            used = {c for t in parts for c in t.columns}
            merged[key] = PublishedTable(
                key=key, paper='', title=spec.title, citation=self.citation(key),
                status='transcribed', columns=tuple(c for c in spec.columns if c in used),
                rows=tuple(r for t in parts for r in t.rows))
        return merged

    @property
    def claims(self) -> list[Claim]:
        return [c for p in self.papers.values() for c in p.claims]

    @property
    def missing(self) -> list[tuple[str, str, str]]:
        """(paper, table, reason) for every table a paper lists as not transcribed."""
        return [(p.key, t.key, t.reason) for p in self.papers.values()
                for t in p.tables.values() if t.status != 'transcribed']

    def citation(self, table_key: str) -> str:
        return '; '.join(p.citation(table_key) for p in self.papers.values()
                         if table_key in p.tables
                         and p.tables[table_key].status == 'transcribed')
