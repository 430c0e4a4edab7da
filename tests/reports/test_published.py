"""The published-data files: the real ones reproduce their printed tables cell for cell,
and a malformed file fails with an error naming the file, the entry and the fault."""
from __future__ import annotations

import copy

import pytest

from reports.published import (
    DATA_DIR,
    PublishedDataError,
    load_published,
    transcription_mismatches,
)
from reports.published_parse import number_decimals, split_table
from tests.reports import crafted


def _printed_numbers(table) -> int:
    header, body = split_table(table.transcription)
    mapped = [i for i, name in enumerate(header[1:]) if table.printed_columns.get(name)]
    return sum(1 for cells in body for i in mapped if cells[1 + i] not in ('', '-'))


def test_real_data_reproduce_their_transcriptions_cell_for_cell():
    published = load_published(DATA_DIR)
    compared = 0
    for paper in published.papers.values():
        for table in paper.tables.values():
            if table.status != 'transcribed':
                continue
            assert transcription_mismatches(table) == [], (paper.key, table.key)
            stored = sum(v is not None for row in table.rows for v in row.values.values())
            assert _printed_numbers(table) == stored, (paper.key, table.key)
            compared += stored
    assert compared == 8 * 6 + 8 * 2      # 8 HICO-DET rows x 6 columns, 8 V-COCO rows x 2
    assert published.tables['table1'].row('qpic-r50').values['default_rare'] == 21.85
    assert number_decimals('35.10') == (35.1, 2)


def test_the_vlmhoi_tables_are_listed_as_not_transcribed_with_the_reason():
    published = load_published(DATA_DIR)
    missing = {(p, t) for p, t, _ in published.missing}
    assert missing == {('vlmhoi_2024', f'table{i}') for i in range(1, 6)}
    assert published.papers['vlmhoi_2024'].source.arxiv_id == '2411.18038'


def test_a_changed_cell_is_caught_against_the_transcription(tmp_path):
    data = crafted.consistent_paper()
    data['tables']['table1']['rows'][0]['values']['default_rare'] = 25.34
    path = crafted.write(tmp_path, data)
    with pytest.raises(PublishedDataError) as err:
        load_published(path)
    text = str(err.value)
    assert str(path) in text and 'tables.table1.transcription' in text
    assert 'Base (R50) / default_rare: printed 25.33, stored 25.34' in text


def test_crafted_data_load_with_citations(tmp_path):
    path = crafted.write(tmp_path, crafted.consistent_paper())
    published = load_published(tmp_path)
    assert list(published.papers) == ['crafted_2024']
    table = published.tables['table1']
    assert [r.id for r in table.rows] == ['base', 'ours']
    assert table.row('ours').values['default_full'] == 33.05
    assert published.citation('table1') == (
        'A crafted paper (arXiv:0000.00000v2), Table 9, p. 7 [crafted by '
        'tests/reports/crafted.py]')
    assert published.tables['table5'].row('base').values['infer_s_per_frame'] is None
    assert [c.id for c in published.claims] == ['gain', 'full', 'cost']
    assert published.claims[2].number == 2.37 and published.claims[2].decimals == 2
    assert path.exists()


def _t1(data):
    return data['tables']['table1']


def _bad_unknown_column(d):
    _t1(d)['rows'][0]['values']['default_unseen'] = 1.0


def _bad_non_numeric(d):
    _t1(d)['rows'][0]['values']['default_rare'] = '25.33'


def _bad_missing_value(d):
    del _t1(d)['rows'][0]['values']['ko_rare']


def _bad_duplicate_id(d):
    _t1(d)['rows'][1]['id'] = 'base'


def _bad_duplicate_method(d):
    _t1(d)['rows'][1]['method'] = 'Base'


def _bad_claim_row(d):
    d['claims'][0]['cells'][1]['row'] = 'muren'


def _bad_claim_column(d):
    d['claims'][1]['cells'][0]['column'] = 'ko_unseen'


def _bad_claim_quote(d):
    d['claims'][0]['quoted'] = '+0.96'


def _bad_claim_kind(d):
    d['claims'][0]['kind'] = 'percent'


def _bad_table_key(d):
    d['tables']['table7'] = copy.deepcopy(_t1(d))


def _bad_top_level(d):
    d['tabels'] = {}


def _bad_table_column(d):
    _t1(d)['columns'][0] = 'full'


@pytest.mark.parametrize('spoil, entry, what', [
    (_bad_unknown_column, 'tables.table1.rows[0].values', "unknown column 'default_unseen'"),
    (_bad_non_numeric, 'tables.table1.rows[0].values.default_rare', 'must be a number'),
    (_bad_missing_value, 'tables.table1.rows[0].values', "no value for column 'ko_rare'"),
    (_bad_duplicate_id, 'tables.table1.rows[1]', "duplicate row id 'base'"),
    (_bad_duplicate_method, 'tables.table1.rows[1]', 'duplicate row: Base / ResNet-50'),
    (_bad_claim_row, 'claims[0] (gain).cells[1]', "table1 has no row 'muren'"),
    (_bad_claim_column, 'claims[1] (full).cells[0]', "table1 has no column 'ko_unseen'"),
    (_bad_claim_quote, 'claims[0] (gain).quoted', 'does not occur in the sentence'),
    (_bad_claim_kind, 'claims[0] (gain).kind', 'must be one of'),
    (_bad_table_key, 'tables.table7', 'unknown table'),
    (_bad_top_level, 'top level', "unknown field(s) ['tabels']"),
    (_bad_table_column, 'tables.table1.columns', "unknown column 'full'"),
])
def test_a_bad_file_names_the_file_the_entry_and_the_fault(tmp_path, spoil, entry, what):
    data = crafted.consistent_paper()
    spoil(data)
    path = crafted.write(tmp_path, data)
    with pytest.raises(PublishedDataError) as err:
        load_published(tmp_path)
    text = str(err.value)
    assert text.startswith(f'{path}: {entry}: '), text
    assert what in text, text


def test_a_directory_without_papers_is_an_error(tmp_path):
    with pytest.raises(PublishedDataError, match='no published-data files'):
        load_published(tmp_path)
