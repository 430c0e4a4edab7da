"""The audit of published numbers: it flags crafted inconsistencies, stays quiet on
consistent crafted data, and runs every rule over the real stored rows."""
from __future__ import annotations

import pytest

from reports.audit import (
    GRADIENT_COMMAND,
    audit,
    gradient_check_finding,
    half_unit,
)
from reports.published import DATA_DIR, load_published
from tests.reports import crafted


def _audit(tmp_path, data):
    crafted.write(tmp_path, data)
    return audit(load_published(tmp_path))


def _by_subject(findings):
    return {f.subject: f for f in findings}


def test_consistent_crafted_data_give_no_alarm(tmp_path):
    findings = _audit(tmp_path, crafted.consistent_paper())
    assert len(findings) == 1 + 4 + 3     # class counts, 2 rows x 2 settings, 3 claims
    assert all(f.ok for f in findings), [f for f in findings if not f.ok]
    base = _by_subject(findings)['crafted_2024 table1 base (Default)']
    assert base.arithmetic.startswith(
        '(138 x 25.33 + 462 x 34.12) / 600 = 32.0983 vs printed Full 32.10: '
        '|diff| 0.0017 <= 0.0100')


def test_a_full_off_by_0_3_is_flagged_with_its_arithmetic(tmp_path):
    data = crafted.consistent_paper()
    table = data['tables']['table1']
    table['rows'][0]['values']['default_full'] = 32.40
    table.update(crafted.table(table['rows'], crafted.HICO_COLUMNS, crafted.HEADERS))
    findings = _by_subject(_audit(tmp_path, data))
    bad = findings['crafted_2024 table1 base (Default)']
    assert not bad.ok
    assert '= 32.0983 vs printed Full 32.40: |diff| 0.3017 > 0.0100' in bad.arithmetic
    assert findings['crafted_2024 table1 base (Known-Object)'].ok
    assert findings['crafted_2024 table1 ours (Default)'].ok


@pytest.mark.parametrize('full, ok', [(32.09, True), (32.11, False), (32.08, False)])
def test_the_rounding_bound_is_two_half_units(tmp_path, full, ok):
    """32.0983: 32.09 is 0.0083 away (within 0.01), 32.11 is 0.0117 and 32.08 0.0183."""
    data = crafted.consistent_paper()
    table = data['tables']['table1']
    table['rows'][0]['values']['default_full'] = full
    table.update(crafted.table(table['rows'], crafted.HICO_COLUMNS, crafted.HEADERS))
    assert _by_subject(_audit(tmp_path, data))['crafted_2024 table1 base (Default)'].ok is ok
    assert half_unit(2) == pytest.approx(0.005)


def test_a_claim_with_a_wrong_difference_is_flagged(tmp_path):
    data = crafted.consistent_paper()
    data['claims'][0]['sentence'] = 'Ours reaches 33.05 mAP, +1.25 over Base.'
    data['claims'][0]['quoted'] = '+1.25'
    data['claims'][1]['sentence'] = data['claims'][0]['sentence']
    findings = _by_subject(_audit(tmp_path, data))
    bad = findings['crafted_2024 claim gain (difference)']
    assert not bad.ok
    assert 'table1 ours default_full - table1 base default_full = 33.05 - 32.10' in bad.arithmetic
    assert 'quoted "+1.25"' in bad.arithmetic and 'outside by 0.2850' in bad.arithmetic
    assert 'Section 4.2, p. 8' in bad.source
    assert findings['crafted_2024 claim full (value)'].ok


@pytest.mark.parametrize('quoted, ok', [('2.37x', True), ('2.4x', True), ('2.45x', False)])
def test_a_ratio_claim_is_checked_with_the_rounding_of_every_number(tmp_path, quoted, ok):
    """142.2 / 60.0 lies in [142.15 / 60.05, 142.25 / 59.95] = [2.3672, 2.3728]."""
    data = crafted.consistent_paper()
    data['claims'][2]['sentence'] = f'Training takes {quoted} as long per epoch.'
    data['claims'][2]['quoted'] = quoted
    finding = _by_subject(_audit(tmp_path, data))['crafted_2024 claim cost (ratio)']
    assert finding.ok is ok, finding.arithmetic
    assert '[2.3672, 2.3728]' in finding.arithmetic


def test_a_wrong_value_claim_is_flagged(tmp_path):
    data = crafted.consistent_paper()
    data['claims'][1]['sentence'] = 'Ours reaches 33.5 mAP.'
    data['claims'][1]['quoted'] = '33.5'
    finding = _by_subject(_audit(tmp_path, data))['crafted_2024 claim full (value)']
    assert not finding.ok


def test_the_gradient_check_finding():
    not_run = gradient_check_finding(None, None, 'no run')
    assert not not_run.ok and GRADIENT_COMMAND in not_run.arithmetic
    assert not_run.arithmetic.startswith('not run')
    zero = gradient_check_finding(0.0, 41_600_000, 'MLflow run abc')
    assert not zero.ok and '41,600,000' in zero.arithmetic and '= 0' in zero.arithmetic
    assert zero.source == 'MLflow run abc'
    some = gradient_check_finding(3.2e-5, 10, 'MLflow run def')
    assert some.ok and '3.200e-05' in some.arithmetic
    with pytest.raises(ValueError, match='not a valid result'):
        gradient_check_finding(-1.0, 10, 'x')


def test_the_rules_run_over_every_real_row():
    """Findings on the real data are results, not test failures; this checks that every
    HICO-DET row is audited in both settings and every missing table is reported."""
    published = load_published(DATA_DIR)
    findings = audit(published)
    means = [f for f in findings if f.rule == 'hico_weighted_mean']
    assert len(means) == 2 * len(published.tables['table1'].rows)
    assert all('/ 600 =' in f.arithmetic and f.source for f in means)
    assert sum(f.rule == 'not_transcribed' for f in findings) == len(published.missing)
    counts = [f for f in findings if f.rule == 'hico_class_counts']
    assert len(counts) == 1 and counts[0].ok
    for f in findings:
        print('ok ' if f.ok else 'BAD', f.rule, f.subject, '|', f.arithmetic)
