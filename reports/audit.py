"""Audit of published numbers: rules applied to every stored row and claim, each giving
:class:`reports.model.Finding` objects with the arithmetic shown.

Rounding: a number printed with ``d`` decimals stands for any value within
``h = 0.5 * 10**-d`` of it. Each rule turns every printed number into that interval,
computes the interval of the expression it checks, and flags only a gap between intervals
(an inconsistency that no rounding can explain). For HICO-DET,
``Full = (n_rare * Rare + n_non_rare * Non-Rare) / n``, so the mean of the printed Rare and
Non-Rare is off by at most ``(n_rare * h_R + n_non_rare * h_N) / n`` and Full by ``h_F``:
with two decimals everywhere, ``|diff| <= 0.005 + 0.005 = 0.01``.
"""
from __future__ import annotations

import math

from reports.model import Finding
from reports.published import Claim, Published, PublishedTable, Row

GRADIENT_COMMAND = 'python tools/check_itm_gradient.py'
_EPS = 1e-9   # float noise in the interval comparisons


def half_unit(decimals: int) -> float:
    """Half a unit of the last printed decimal: the rounding error bound of a printed value."""
    return 0.5 * 10.0 ** -decimals


def audit(published: Published) -> list[Finding]:
    """Every rule on every row and claim: class counts, tables that could not be audited,
    HICO-DET weighted means, text claims."""
    findings = [class_count_finding(published)]
    findings += [Finding('not_transcribed', f'{paper} {table}', False, f'not audited: {why}',
                         published.papers[paper].citation(table))
                 for paper, table, why in published.missing]
    for paper in published.papers.values():
        for table in paper.tables.values():
            if table.status == 'transcribed':
                findings += weighted_mean_findings(published, table)
    findings += [claim_finding(published, c) for c in published.claims]
    return findings


def class_count_finding(published: Published) -> Finding:
    """The rare + non-rare counts of the schema must cover HICO-DET's valid verb-object pairs."""
    from vlmhoi.vocab import hico_vocab  # a light data module: json + numpy, no torch

    schema = published.schema
    n_pairs = len(hico_vocab().valid_pairs)
    total = schema.rare_categories + schema.non_rare_categories
    return Finding(
        'hico_class_counts', 'HICO-DET rare / non-rare class counts', total == n_pairs,
        f'{schema.rare_categories} rare + {schema.non_rare_categories} non-rare = {total} '
        f'vs {n_pairs} valid verb-object pairs in vlmhoi.vocab.hico_vocab()',
        str(schema.path))


def weighted_mean_findings(published: Published, table: PublishedTable) -> list[Finding]:
    """Full vs the class-weighted mean of Rare and Non-Rare, for every row and setting."""
    schema = published.schema
    n_r, n_n = schema.rare_categories, schema.non_rare_categories
    n = n_r + n_n
    out = []
    for label, (full, rare, non_rare) in schema.weighted_means.items():
        if not {full, rare, non_rare} <= set(table.columns):
            continue
        for row in table.rows:
            subject = f'{table.paper} {table.key} {row.id} ({label})'
            f, r, nr = (row.values[c] for c in (full, rare, non_rare))
            if f is None or r is None or nr is None:
                out.append(Finding('hico_weighted_mean', subject, True,
                                   'not checkable: a blank among Full / Rare / Non-Rare',
                                   row.citation))
                continue
            h = half_unit(row.decimals)
            mean = (n_r * r + n_n * nr) / n
            diff = abs(mean - f)
            bound = h + (n_r * h + n_n * h) / n
            ok = diff <= bound + _EPS
            d = row.decimals
            out.append(Finding(
                'hico_weighted_mean', subject, ok,
                f'({n_r} x {r:.{d}f} + {n_n} x {nr:.{d}f}) / {n} = {mean:.4f} vs printed '
                f'Full {f:.{d}f}: |diff| {diff:.4f} {"<=" if ok else ">"} {bound:.4f} '
                f'(±{h:g} on Full + ±{h:g} on the weighted mean of Rare and Non-Rare)',
                row.citation))
    return out


def _cell(published: Published, claim: Claim, i: int) -> tuple[float, int, Row]:
    ref = claim.cells[i]
    row = published.papers[claim.paper].tables[ref.table].row(ref.row)
    return row.values[ref.column], row.decimals, row


def claim_finding(published: Published, claim: Claim) -> Finding:
    """A quoted value, difference or ratio vs the table cells it refers to."""
    cells = [_cell(published, claim, i) for i in range(len(claim.cells))]
    names = [f'{r.table} {r.row} {r.column}' for r in claim.cells]
    (a, da, _), hq = cells[0], half_unit(claim.decimals)
    ha = half_unit(da)
    if claim.kind == 'value':
        exact, lo, hi = a, a - ha, a + ha
        expr = f'{names[0]} = {a:.{da}f}'
    else:
        b, db, _ = cells[1]
        hb = half_unit(db)
        if claim.kind == 'difference':
            exact, lo, hi = a - b, a - b - ha - hb, a - b + ha + hb
            expr = f'{names[0]} - {names[1]} = {a:.{da}f} - {b:.{db}f} = {exact:.4f}'
        else:
            if b - hb <= 0 < b + hb or b == 0:
                return Finding('text_claim', f'{claim.paper} claim {claim.id}', False,
                               f'ratio over {names[1]} = {b}: the divisor can be 0',
                               claim.citation)
            corners = [(a + s * ha) / (b + t * hb) for s in (-1, 1) for t in (-1, 1)]
            exact, lo, hi = a / b, min(corners), max(corners)
            expr = f'{names[0]} / {names[1]} = {a:.{da}f} / {b:.{db}f} = {exact:.4f}'
    q = claim.number
    ok = lo - _EPS <= q + hq and q - hq <= hi + _EPS
    gap = 0.0 if ok else min(abs(q - hi), abs(q - lo)) - hq
    return Finding(
        'text_claim', f'{claim.paper} claim {claim.id} ({claim.kind})', ok,
        f'{expr}, with rounding in [{lo:.4f}, {hi:.4f}]; quoted "{claim.quoted}" = '
        f'{q:.{claim.decimals}f} ± {hq:g}: '
        + ('consistent' if ok else f'outside by {gap:.4f}'),
        f'{claim.citation}: "{claim.sentence}"')


def gradient_check_finding(max_abs_grad: float | None, n_params: int | None,
                           source: str) -> Finding:
    """The published code's ITM term (DESIGN.md section 7) with the logged gradient check:
    the largest |d loss_itm / d theta| over the detector's parameters. Zero means no
    gradient reaches the detector, a finding against the published method (``ok`` False);
    ``None`` means the check has not been run, and says which command runs it."""
    subject = 'published code: SetCriterion.loss_itm (VLM-HOI/cvpr models/hoi.py)'
    if max_abs_grad is None or n_params is None:
        return Finding('published_itm_gradient', subject, False,
                       f'not run: `{GRADIENT_COMMAND}` logs the check', source)
    if math.isnan(max_abs_grad) or max_abs_grad < 0 or n_params <= 0:
        raise ValueError(f'gradient check from {source}: max |grad| {max_abs_grad} and '
                         f'{n_params} parameters are not a valid result')
    if max_abs_grad == 0:
        text = (f'max |d loss_itm / d theta| over {n_params:,} detector parameters = 0: '
                'no gradient reaches the detector, the term is a constant in training')
        return Finding('published_itm_gradient', subject, False, text, source)
    return Finding('published_itm_gradient', subject, True,
                   f'max |d loss_itm / d theta| over {n_params:,} detector parameters = '
                   f'{max_abs_grad:.3e} > 0: gradient reaches the detector', source)
