"""The schema of the published-data files (reports/published/_schema.yaml): the column keys
of Tables 1-5, the row fields that name a setting, and the HICO-DET rare / non-rare class
counts the audit weighs Full with."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from reports.published_errors import PublishedDataError

EXTRA_KINDS = ('number', 'text')


@dataclass(frozen=True)
class TableSpec:
    key: str
    title: str
    columns: dict[str, str]          # key -> what it measures
    extra: dict[str, str]            # row field -> 'number' | 'text'


@dataclass(frozen=True)
class Schema:
    path: Path
    tables: dict[str, TableSpec]
    rare_categories: int
    non_rare_categories: int
    weighted_means: dict[str, tuple[str, str, str]]   # label -> (full, rare, non_rare)


def load_schema(path: str | Path) -> Schema:
    path = Path(path)

    def fail(entry: str, what: str) -> None:
        raise PublishedDataError(f'{path}: {entry}: {what}')

    if not path.is_file():
        fail('file', 'the schema file is missing')
    data = yaml.safe_load(path.read_text(encoding='utf-8'))
    if not isinstance(data, dict) or set(data) != {'tables', 'hico_det'}:
        fail('top level', 'must hold exactly "tables" and "hico_det"')
    tables = {}
    for key, spec in data['tables'].items():
        if not isinstance(spec, dict) or set(spec) != {'title', 'columns', 'extra'}:
            fail(f'tables.{key}', 'must hold exactly title, columns, extra')
        for name, kind in (spec['extra'] or {}).items():
            if kind not in EXTRA_KINDS:
                fail(f'tables.{key}.extra.{name}', f'must be one of {EXTRA_KINDS}')
        tables[key] = TableSpec(key, spec['title'], dict(spec['columns']),
                                dict(spec['extra'] or {}))
    hico = data['hico_det']
    for name in ('rare_categories', 'non_rare_categories'):
        value = hico.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            fail(f'hico_det.{name}', f'must be a positive integer, got {value!r}')
    means = {}
    for label, triple in (hico.get('weighted_means') or {}).items():
        if not isinstance(triple, list) or len(triple) != 3:
            fail(f'hico_det.weighted_means.{label}', 'must be [full, rare, non_rare]')
        means[label] = tuple(triple)
    return Schema(path, tables, hico['rare_categories'], hico['non_rare_categories'], means)
