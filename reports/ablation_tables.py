"""Tables 3 (alpha) and 4 (prompt form) from the sweep studies next to the paper's values,
and Table 5 (cost) from the benchmark runs next to the paper's numbers.

A sweep trial (``sweeps/run.py``) logs its parameter as the param ``sweep.<name>`` and its
table as the tag ``vlmhoi.table``; every value of the study is one row, its cells the mean
and spread over the seeds that finished. The cost benchmark (``benchmark/cost.py``) logs
one child run per variant with ``params_*``, ``minutes_per_epoch``, ``infer_s_per_frame``
and the ``ratio_*`` against the baseline.
"""
from __future__ import annotations

from reports.measured import METRIC_OF, group_runs
from reports.model import Cell, Table
from reports.runs import RunStore
from reports.tables import (
    COMMANDS,
    HEADER,
    published_cells,
    published_table,
    table_columns,
    table_title,
    untranscribed_notes,
)

#: table key -> (the sweep parameter, the published row field naming the setting)
ABLATIONS = {'table3': ('alpha', 'alpha'), 'table4': ('prompt', 'prompt')}
DEFAULT_COLUMNS = ['default_full', 'default_rare', 'default_non_rare']
#: Table 5 columns: published key -> (benchmark metric, its scale to the printed unit)
COST_METRIC = {'params_m': ('params_learnable', 1e-6),
               'train_min_per_epoch': ('minutes_per_epoch', 1.0),
               'infer_s_per_frame': ('infer_s_per_frame', 1.0)}
COST_RATIOS = (('ratio_train_step_s', 'Train step / baseline'),
               ('ratio_infer_s_per_frame', 'Inference / baseline'))
EXTRA_PARAMS = (('params_total', 'Params total (M)'), ('params_teacher', 'Teacher (M)'),
                ('params_decoder', 'Decoder (M)'))


def _same(a: object, b: object) -> bool:
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a).strip().lower() == str(b).strip().lower()


def _ordered(values: list) -> list:
    """Numeric settings ascending (alpha); text settings as listed (prompt forms)."""
    try:
        return sorted(values, key=float)
    except (TypeError, ValueError):
        return values


def ablation_table(pub, store: RunStore | None, key: str) -> Table:
    param, field = ABLATIONS[key]
    columns = table_columns(pub, key, DEFAULT_COLUMNS)
    published = published_table(pub, key)
    trials = store.trials(key, METRIC_OF[columns[0]]) if store is not None else []
    groups = group_runs(trials, keys=(f'sweep.{param}', 'world'))
    scales = sorted({g.scale for g in groups}) or ['-']
    worlds = sorted({g.setting['world'] for g in groups}) or ['synthetic']
    where = f"measured ({', '.join(worlds)} world, {', '.join(scales)} scale)"
    table = Table(key, table_title(pub, key), [param, *[f'Paper {HEADER[c]}' for c in columns],
                               *[f'{HEADER[c]}: {where}' for c in columns], 'Seeds'])
    rows = list(published.rows) if published is not None else []
    values = [r.extra.get(field) for r in rows]
    values += [g.setting[f'sweep.{param}'] for g in groups
               if not any(_same(v, g.setting[f'sweep.{param}']) for v in values)]
    for value in _ordered(values):
        prow = next((r for r in rows if _same(r.extra.get(field), value)), None)
        group = next((g for g in groups if _same(g.setting[f'sweep.{param}'], value)), None)
        paper = published_cells(prow, columns) if prow else [Cell.text('') for _ in columns]
        if group is None:
            measured = [Cell.not_run(COMMANDS[key]) for _ in columns]
            seeds = ''
        else:
            measured = [group.cell(METRIC_OF[c]) for c in columns]
            seeds = ', '.join(group.seeds)
        table.add_row([Cell.text(str(value)), *paper, *measured, Cell.text(seeds)])
    if not values:
        table.add_row([Cell.text('-'), *[Cell.text('') for _ in columns],
                       *[Cell.not_run(COMMANDS[key]) for _ in columns], Cell.text('')])
    table.notes += untranscribed_notes(pub, key)
    return table


def _benchmark_cell(run, parent, metric: str, factor: float = 1.0,
                    decimals: int = 3) -> Cell:
    if metric not in run.metrics:
        return Cell.text('')
    return Cell('measured', run.metrics[metric] * factor, runs=(run.run_id,),
                source=f'{metric} of benchmark run {parent.run_id} '
                f"({run.tags.get('vlmhoi.config', '')})", decimals=decimals)


def _variant_row(run, parent, columns: list[str]) -> list[Cell]:
    """One measured variant of the cost benchmark (a child run) as a Table 5 row."""
    def cell(metric: str, factor: float = 1.0) -> Cell:
        return _benchmark_cell(run, parent, metric, factor)
    return [Cell.text(f"{run.tags.get('vlmhoi.variant', run.name)} (this suite)"),
            Cell.text(f"measured, {run.tags.get('vlmhoi.config', '')}"),
            *[cell(*COST_METRIC[c]) for c in columns if c in COST_METRIC],
            *[cell(m, 1e-6) for m, _ in EXTRA_PARAMS], *[cell(m) for m, _ in COST_RATIOS],
            Cell.text(run.tags.get('devices', ''))]


def cost_table(pub, store: RunStore | None) -> Table:
    columns = table_columns(pub, 'table5', list(COST_METRIC))
    published = published_table(pub, 'table5')
    parent, variants = store.latest_benchmark('table5') if store is not None else (None, [])
    headers = ['Method', 'Source', *[HEADER[c] for c in columns],
               *[h for _, h in EXTRA_PARAMS], *[h for _, h in COST_RATIOS], 'Machine']
    table = Table('table5', table_title(pub, 'table5'), headers)
    table.notes += untranscribed_notes(pub, 'table5')
    if parent is not None:
        table.notes.append(f"Measured by benchmark run {parent.run_id} "
                           f"({parent.tags.get('command', 'benchmark/cost.py')}) on "
                           f"{parent.tags.get('devices', 'unknown devices')}, host "
                           f"{parent.tags.get('host', 'unknown')}")
    blank = len(EXTRA_PARAMS) + len(COST_RATIOS)
    for row in (published.rows if published is not None else ()):
        table.add_row([Cell.text(row.method), Cell.text('published'),
                       *published_cells(row, columns), *[Cell.text('')] * blank,
                       Cell.text(row.extra.get('machine', ''))])
    for run in variants:
        table.add_row(_variant_row(run, parent, columns))
    if not variants:
        table.add_row([Cell.text('baseline / VLM-HOI (this suite)'), Cell.text('measured'),
                       *[Cell.not_run(COMMANDS['table5']) for _ in range(len(headers) - 3)],
                       Cell.text('')])
    return table
