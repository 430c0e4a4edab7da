"""The report as one self-contained HTML page: tables, figures and the audit.

Everything is inside the file (figures as base64 ``data:`` URIs, the stylesheet inline, no
script, a Content-Security-Policy that forbids loading anything else), so the page can be
mailed, archived or opened offline and shows the same thing. Every number carries its
provenance twice: as the cell's tooltip and as a numbered source note under its table.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

import jinja2

from reports.model import Cell, Figure, Finding, Table

TEMPLATES = Path(__file__).resolve().parent / 'templates'
TEMPLATE = 'report.html.j2'
#: image types a figure may have: file suffix -> (MIME type, leading bytes of the format)
IMAGE_TYPES = {
    '.png': ('image/png', (b'\x89PNG\r\n\x1a\n',)),
    '.jpg': ('image/jpeg', (b'\xff\xd8\xff',)),
    '.jpeg': ('image/jpeg', (b'\xff\xd8\xff',)),
}
#: the legend of cell kinds, in the order the page explains them
KIND_LEGEND = (
    ('published', 'published in a paper (citation in the source notes)'),
    ('measured', 'measured by this suite (MLflow run ids in the source notes)'),
    ('difference', 'measured minus published'),
    ('not_run', 'not run yet (the notes say which command produces it)'),
)


@dataclass(frozen=True)
class _CellView:
    text: str
    kind: str
    provenance: str
    note: int | None  # number of the table's source note, None for plain labels
    numeric: bool


@dataclass(frozen=True)
class _TableView:
    key: str
    title: str
    columns: list[str]
    rows: list[list[_CellView]]
    notes: list[str]
    sources: list[str]  # source notes, numbered from 1


@dataclass(frozen=True)
class _FigureView:
    key: str
    caption: str
    source: str
    data_uri: str


def _table_view(table: Table) -> _TableView:
    """Number the distinct provenances of a table's cells; each cell points at its note."""
    sources: list[str] = []
    rows = []
    for index, row in enumerate(table.rows):
        if len(row) != len(table.columns):
            raise ValueError(f'table {table.key!r}: row {index} has {len(row)} cells for '
                             f'{len(table.columns)} columns')
        cells = []
        for cell in row:
            if not isinstance(cell, Cell):
                raise TypeError(f'table {table.key!r}: row {index} holds {cell!r}, not a Cell')
            provenance = cell.provenance()
            note = None
            if provenance:
                if provenance not in sources:
                    sources.append(provenance)
                note = sources.index(provenance) + 1
            cells.append(_CellView(cell.format(), cell.kind, provenance, note,
                                   cell.is_number() or cell.kind == 'not_run'))
        rows.append(cells)
    return _TableView(table.key, table.title, list(table.columns), rows, list(table.notes),
                      sources)


def _figure_view(figure: Figure) -> _FigureView:
    """Read a figure's image and embed it; a missing or unreadable file is an error."""
    path = Path(figure.path)
    if not path.is_file():
        raise FileNotFoundError(f'figure {figure.key!r}: image file {path} does not exist')
    kind = IMAGE_TYPES.get(path.suffix.lower())
    if kind is None:
        raise ValueError(f'figure {figure.key!r}: {path} is not one of the image types '
                         f'{sorted(IMAGE_TYPES)}')
    mime, magics = kind
    data = path.read_bytes()
    if not data.startswith(magics):
        raise ValueError(f'figure {figure.key!r}: {path} is not a {mime} file '
                         f'({len(data)} bytes, starts with {data[:8]!r})')
    uri = f'data:{mime};base64,{base64.b64encode(data).decode("ascii")}'
    return _FigureView(figure.key, figure.caption, figure.source, uri)


def _unique_keys(kind: str, keys: list[str]) -> None:
    seen = set()
    for key in keys:
        if key in seen:
            raise ValueError(f'two {kind} have the key {key!r}; keys are the page\'s anchors')
        seen.add(key)


def render_html(title: str, tables: list[Table], figures: list[Figure],
                findings: list[Finding], meta: dict[str, str]) -> str:
    """The page as a string (see :func:`write_html`)."""
    _unique_keys('tables', [t.key for t in tables])
    _unique_keys('figures', [f.key for f in figures])
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    flagged = [f for f in findings if not f.ok]
    return env.get_template(TEMPLATE).render(
        title=title, meta=meta, legend=KIND_LEGEND,
        tables=[_table_view(t) for t in tables],
        figures=[_figure_view(f) for f in figures],
        findings=findings, flagged=len(flagged))


def write_html(out_path: str | Path, title: str, tables: list[Table], figures: list[Figure],
               findings: list[Finding], meta: dict[str, str]) -> Path:
    """Write the report page to ``out_path`` and return its path.

    ``meta`` (generated at, tracking URI, git commit, machine, ...) is shown in the header
    in the given order, as given: the caller redacts secrets. A figure whose file is
    missing raises :class:`FileNotFoundError` naming the figure; nothing is left out
    silently.
    """
    page = render_html(title, tables, figures, findings, meta)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding='utf-8')
    return out
