"""Published reference numbers: load and validate the data files under reports/published/.

One YAML file per paper (``yaml.safe_load``): its ``source``, its tables (rows of values
keyed by the metric columns of ``_schema.yaml``, with the table as printed in
``transcription``) and the numbers its text quotes (``claims``). Everything is checked on
load, and a bad file raises :class:`PublishedDataError` naming the file, the entry and what
is wrong: nothing is silently dropped. The stored rows must reproduce their transcription
cell for cell (:func:`transcription_mismatches`). Format: reports/published/README.md.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import yaml

from reports.published_errors import PublishedDataError
from reports.published_parse import number_decimals, parse_quoted, transcription_mismatches
from reports.published_schema import Schema, TableSpec, load_schema
from reports.published_types import (
    CellRef,
    Claim,
    Paper,
    Published,
    PublishedTable,
    Row,
    Source,
)

__all__ = ['DATA_DIR', 'CellRef', 'Claim', 'Paper', 'Published', 'PublishedDataError',
           'PublishedTable', 'Row', 'Source', 'load_paper', 'load_published',
           'number_decimals', 'transcription_mismatches']

DATA_DIR = Path(__file__).resolve().parent / 'published'
STATUSES = ('transcribed', 'not_transcribed')
KINDS = ('value', 'difference', 'ratio')
_SOURCE_KEYS = ('title', 'authors', 'venue', 'arxiv_id', 'arxiv_version', 'url', 'document')


def load_published(path: str | Path = DATA_DIR, schema: Schema | None = None) -> Published:
    """Load one paper file, or every ``*.yaml`` of a directory (``_*.yaml`` excluded)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.glob('*.yaml') if not p.name.startswith('_'))
        if not files:
            raise PublishedDataError(f'{path}: no published-data files (*.yaml)')
        schema = schema or load_schema(path / '_schema.yaml')
    elif path.is_file():
        files = [path]
        schema = schema or load_schema(path.parent / '_schema.yaml')
    else:
        raise PublishedDataError(f'{path}: no such file or directory')
    papers = {}
    for file in files:
        paper = load_paper(file, schema)
        papers[paper.key] = paper
    return Published(schema=schema, papers=papers)


def load_paper(path: str | Path, schema: Schema) -> Paper:
    path = Path(path)
    fail = _Fail(path)
    try:
        data = yaml.safe_load(path.read_text(encoding='utf-8'))
    except yaml.YAMLError as exc:
        raise PublishedDataError(f'{path}: not valid YAML: {exc}') from exc
    if not isinstance(data, dict):
        fail('top level', 'must be a mapping with source, tables, claims')
    _keys(fail, 'top level', data, required=('source', 'tables'),
          optional=('claims', 'notes'))
    source = _source(fail, data['source'])
    key = path.stem
    paper = Paper(key, path, source, {}, (), tuple(str(n) for n in data.get('notes') or ()))
    if not isinstance(data['tables'], dict) or not data['tables']:
        fail('tables', 'must be a non-empty mapping of table keys')
    for tkey, tdata in data['tables'].items():
        paper.tables[tkey] = _table(fail, schema, paper, tkey, tdata)
    claims = data.get('claims') or []
    if not isinstance(claims, list):
        fail('claims', 'must be a list')
    seen: set[str] = set()
    out = []
    for i, cdata in enumerate(claims):
        claim = _claim(fail, paper, i, cdata)
        if claim.id in seen:
            fail(f'claims[{i}]', f'duplicate claim id {claim.id!r}')
        seen.add(claim.id)
        out.append(claim)
    return Paper(key, path, source, paper.tables, tuple(out), paper.notes)


class _Fail:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self, entry: str, what: str) -> None:
        raise PublishedDataError(f'{self.path}: {entry}: {what}')


def _keys(fail: _Fail, entry: str, data: object, required: Iterable[str],
          optional: Iterable[str] = ()) -> None:
    if not isinstance(data, dict):
        fail(entry, 'must be a mapping')
    required = tuple(required)
    for k in required:
        if k not in data:
            fail(entry, f'missing {k!r}')
    unknown = sorted(set(data) - set(required) - set(optional))
    if unknown:
        fail(entry, f'unknown field(s) {unknown}; allowed: {sorted({*required, *optional})}')


def _text(fail: _Fail, entry: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        fail(entry, f'must be a non-empty string, got {value!r}')
    return value


def _source(fail: _Fail, data: object) -> Source:
    _keys(fail, 'source', data, required=_SOURCE_KEYS)
    authors = data['authors']
    if not isinstance(authors, list) or not authors:
        fail('source.authors', 'must be a non-empty list')
    version = data['arxiv_version']
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        fail('source.arxiv_version', f'must be an integer or null, got {version!r}')
    arxiv = data['arxiv_id']
    if arxiv is not None and not isinstance(arxiv, str):
        fail('source.arxiv_id', f'must be a quoted string or null, got {arxiv!r}')
    return Source(_text(fail, 'source.title', data['title']),
                  tuple(_text(fail, 'source.authors', a) for a in authors),
                  _text(fail, 'source.venue', data['venue']), arxiv, version,
                  _text(fail, 'source.url', data['url']),
                  _text(fail, 'source.document', data['document']))


def _table(fail: _Fail, schema: Schema, paper: Paper, key: str, data: object) -> PublishedTable:
    entry = f'tables.{key}'
    if key not in schema.tables:
        fail(entry, f'unknown table; known: {sorted(schema.tables)}')
    spec = schema.tables[key]
    if not isinstance(data, dict) or data.get('status') not in STATUSES:
        fail(entry, f'status must be one of {STATUSES}')
    if data['status'] == 'not_transcribed':
        _keys(fail, entry, data, required=('status', 'title', 'citation', 'reason'))
        return PublishedTable(key, paper.key, _text(fail, f'{entry}.title', data['title']),
                              _text(fail, f'{entry}.citation', data['citation']),
                              'not_transcribed', reason=_text(fail, f'{entry}.reason',
                                                              data['reason']))
    _keys(fail, entry, data, required=('status', 'title', 'citation', 'decimals', 'columns',
                                       'printed_columns', 'rows', 'transcription'))
    columns = data['columns']
    if not isinstance(columns, list) or not columns or len(set(columns)) != len(columns):
        fail(f'{entry}.columns', 'must be a non-empty list without repeats')
    for col in columns:
        if col not in spec.columns:
            fail(f'{entry}.columns', f'unknown column {col!r}; known: {list(spec.columns)}')
    decimals = _decimals(fail, f'{entry}.decimals', data['decimals'])
    printed = data['printed_columns']
    if not isinstance(printed, dict):
        fail(f'{entry}.printed_columns', 'must map printed headers to column keys or null')
    for header, col in printed.items():
        if col is not None and col not in columns:
            fail(f'{entry}.printed_columns', f'{header!r} maps to {col!r}, not a column')
    for col in columns:
        if list(printed.values()).count(col) != 1:
            fail(f'{entry}.printed_columns', f'column {col!r} must be printed exactly once')
    table = PublishedTable(key, paper.key, _text(fail, f'{entry}.title', data['title']),
                           _text(fail, f'{entry}.citation', data['citation']), 'transcribed',
                           tuple(columns), (), decimals, dict(printed),
                           _text(fail, f'{entry}.transcription', data['transcription']))
    citation = f'{paper.source.short()}, {table.citation} [{paper.source.document}]'
    rows: list[Row] = []
    if not isinstance(data['rows'], list) or not data['rows']:
        fail(f'{entry}.rows', 'must be a non-empty list')
    for i, rdata in enumerate(data['rows']):
        row = _row(fail, spec, table, f'{entry}.rows[{i}]', rdata, paper.key, citation)
        for other in rows:
            if other.id == row.id:
                fail(f'{entry}.rows[{i}]', f'duplicate row id {row.id!r}')
            if (other.method, other.backbone, other.extra) == (row.method, row.backbone,
                                                                row.extra):
                fail(f'{entry}.rows[{i}]', f'duplicate row: {row.method} / {row.backbone} '
                     f'{row.extra or ""} already given as {other.id!r}')
        rows.append(row)
    table = replace(table, rows=tuple(rows))
    problems = transcription_mismatches(table)
    if problems:
        fail(f'{entry}.transcription', 'does not match the rows: ' + '; '.join(problems))
    return table


def _decimals(fail: _Fail, entry: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        fail(entry, f'must be a non-negative integer, got {value!r}')
    return value


def _row(fail: _Fail, spec: TableSpec, table: PublishedTable, entry: str, data: object, paper: str,
         citation: str) -> Row:
    _keys(fail, entry, data, required=('id', 'printed', 'method', 'backbone', 'values'),
          optional=('note', 'decimals', *spec.extra))
    values = data['values']
    if not isinstance(values, dict):
        fail(f'{entry}.values', 'must be a mapping of column -> number or null')
    for col in values:
        if col not in table.columns:
            fail(f'{entry}.values', f'unknown column {col!r}; table columns: '
                 f'{list(table.columns)}')
    for col in table.columns:
        if col not in values:
            fail(f'{entry}.values', f'no value for column {col!r} (write null for a blank)')
        v = values[col]
        if v is not None and (not isinstance(v, (int, float)) or isinstance(v, bool)):
            fail(f'{entry}.values.{col}', f'must be a number or null, got {v!r}')
    extra = {}
    for name, kind in spec.extra.items():
        if name not in data:
            fail(entry, f'missing {name!r} (a {kind} that names the row\'s setting)')
        v = data[name]
        ok = (isinstance(v, (int, float)) and not isinstance(v, bool)) if kind == 'number' \
            else isinstance(v, str) and v.strip() != ''
        if not ok:
            fail(f'{entry}.{name}', f'must be a {kind}, got {v!r}')
        extra[name] = v
    decimals = table.decimals
    if 'decimals' in data:
        decimals = _decimals(fail, f'{entry}.decimals', data['decimals'])
    return Row(_text(fail, f'{entry}.id', data['id']), _text(fail, f'{entry}.method',
                                                             data['method']),
               _text(fail, f'{entry}.backbone', data['backbone']),
               _text(fail, f'{entry}.printed', data['printed']),
               {c: (None if values[c] is None else float(values[c])) for c in table.columns},
               decimals, extra, str(data.get('note') or ''), paper, citation)


def _claim(fail: _Fail, paper: Paper, i: int, data: object) -> Claim:
    entry = f'claims[{i}]'
    _keys(fail, entry, data, required=('id', 'sentence', 'where', 'kind', 'cells', 'quoted'))
    cid = _text(fail, f'{entry}.id', data['id'])
    entry = f'claims[{i}] ({cid})'
    sentence = _text(fail, f'{entry}.sentence', data['sentence'])
    kind = data['kind']
    if kind not in KINDS:
        fail(f'{entry}.kind', f'must be one of {KINDS}, got {kind!r}')
    quoted = _text(fail, f'{entry}.quoted', data['quoted'])
    if quoted not in sentence:
        fail(f'{entry}.quoted', f'{quoted!r} does not occur in the sentence')
    try:
        number, decimals = parse_quoted(quoted)
    except ValueError as exc:
        fail(f'{entry}.quoted', str(exc))
    cells = data['cells']
    need = 1 if kind == 'value' else 2
    if not isinstance(cells, list) or len(cells) != need:
        fail(f'{entry}.cells', f'a {kind} claim refers to {need} cell(s)')
    refs = []
    for j, cell in enumerate(cells):
        centry = f'{entry}.cells[{j}]'
        _keys(fail, centry, cell, required=('table', 'row', 'column'))
        table = paper.tables.get(cell['table'])
        if table is None or table.status != 'transcribed':
            fail(centry, f'table {cell["table"]!r} is not a transcribed table of this file')
        if cell['row'] not in {r.id for r in table.rows}:
            fail(centry, f'{cell["table"]} has no row {cell["row"]!r}')
        if cell['column'] not in table.columns:
            fail(centry, f'{cell["table"]} has no column {cell["column"]!r}')
        if table.row(cell['row']).values[cell['column']] is None:
            fail(centry, f'{cell["table"]} / {cell["row"]} / {cell["column"]} is blank')
        refs.append(CellRef(cell['table'], cell['row'], cell['column']))
    return Claim(cid, paper.key, sentence, _text(fail, f'{entry}.where', data['where']), kind,
                 tuple(refs), quoted, number, decimals,
                 f'{paper.source.short()}, {data["where"]}')
