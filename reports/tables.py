"""The paper's Tables 1-5: published rows (data files) next to the rows this suite measured
(MLflow runs), every cell traceable, a missing run an explicit "not run" cell.

Embedded-world rows never share a column with HICO-DET / V-COCO numbers: each of Tables 1
and 2 has a second table (``table1_embedded``, ``table2_embedded``) for the synthetic
world; the ablations (Tables 3, 4) and the cost table (5) put the measured numbers in
columns of their own, headed with the world and machine they come from.
"""
from __future__ import annotations

from reports.measured import METRIC_OF, Group, difference, group_runs
from reports.model import Cell, Table
from reports.runs import RunStore

#: short headers of the published column keys (reports/published/_schema.yaml)
HEADER = {
    'default_full': 'Default Full', 'default_rare': 'Default Rare',
    'default_non_rare': 'Default Non-Rare', 'ko_full': 'KO Full', 'ko_rare': 'KO Rare',
    'ko_non_rare': 'KO Non-Rare', 'role_s1': 'AP_role S1', 'role_s2': 'AP_role S2',
    'params_m': 'Params (M, learnable)', 'train_min_per_epoch': 'Train min / epoch',
    'infer_s_per_frame': 'Inference s / frame',
}
WORLD_LABEL = {'real': 'dataset', 'synthetic': 'embedded synthetic world'}
#: the commands that produce a missing measured row (README / docs)
COMMANDS = {
    'table1': 'python tools/train.py mm_configs/{cfg}_r50_hico.py && python tools/test.py '
              'mm_configs/{cfg}_r50_hico.py work_dirs/{cfg}_r50_hico/epoch_N.pth',
    'table2': 'python tools/train.py mm_configs/{cfg}_r50_vcoco.py && python tools/test.py '
              'mm_configs/{cfg}_r50_vcoco.py work_dirs/{cfg}_r50_vcoco/epoch_N.pth',
    'embedded': 'tox -e demo (or tools/train.py + tools/test.py with mm_configs/'
                '{cfg}_tiny_synth_hico.py)',
    'table3': 'python sweeps/run.py sweeps/table3_margin.py --synth --seeds 0 1 2',
    'table4': 'python sweeps/run.py sweeps/table4_prompt.py --synth --seeds 0 1 2',
    'table5': 'python benchmark/cost.py mm_configs/muren_tiny_synth_hico.py '
              'mm_configs/vlmhoi_tiny_synth_hico.py',
}
METHOD_CONFIG = {'MUREN': 'muren', 'VLM-HOI': 'vlmhoi'}
METHODS = tuple(METHOD_CONFIG)


def published_table(pub, key: str):
    return (pub.tables if pub is not None else {}).get(key)


def table_title(pub, key: str) -> str:
    """The table's title in the published-data schema (``reports/published/_schema.yaml``)."""
    spec = pub.schema.tables.get(key) if pub is not None else None
    return spec.title if spec is not None else key


def untranscribed_notes(pub, key: str) -> list[str]:
    """A note per paper whose table ``key`` is stored as not transcribed, with the reason."""
    notes = []
    for paper in (pub.papers.values() if pub is not None else ()):
        table = paper.tables.get(key)
        if table is not None and table.status != 'transcribed':
            notes.append(f'{paper.source.short()}, {table.citation}: not transcribed '
                         f'({table.reason}); its published rows are missing here')
    return notes


def published_cells(row, columns: list[str]) -> list[Cell]:
    return [Cell('published', row.values.get(c), source=row.citation, decimals=row.decimals)
            if row.values.get(c) is not None else Cell.text('') for c in columns]


def table_columns(pub, key: str, default: list[str]) -> list[str]:
    table = published_table(pub, key)
    return list(table.columns) if table is not None and table.columns else default


def results_table(pub, store: RunStore | None, key: str, dataset_metric: str,
                  defaulttable_columns: list[str]) -> list[Table]:
    """Table 1 (HICO-DET) or 2 (V-COCO): published rows, measured dataset rows with their
    difference to the published row of the same method, and the embedded-world table."""
    columns = table_columns(pub, key, defaulttable_columns)
    published = published_table(pub, key)
    title = table_title(pub, key)
    main = Table(key, title, ['Method', 'Backbone', 'Source', *[HEADER[c] for c in columns]])
    for note in untranscribed_notes(pub, key):
        main.notes.append(note)
    for row in (published.rows if published is not None else ()):
        main.add_row([Cell.text(row.method), Cell.text(row.backbone), Cell.text('published'),
                      *published_cells(row, columns)])
    runs = store.test_runs(dataset_metric) if store is not None else []
    groups = {w: [g for g in group_runs(runs) if g.setting['world'] == w]
              for w in WORLD_LABEL}
    for group in groups['real']:
        cells = [group.cell(METRIC_OF[c]) for c in columns]
        main.add_row([Cell.text(f'{group.label()} (this suite)'), Cell.text(group.backbone()),
                      Cell.text(_scale_text(group)), *cells])
        ref = _same_method(published, group)
        if ref is not None:
            pub_cells = published_cells(ref, columns)
            main.add_row([Cell.text(f'difference to {ref.method} ({ref.backbone})'),
                          Cell.text(''), Cell.text('measured - published'),
                          *[difference(m, p, ref.citation) for m, p in zip(cells, pub_cells)]])
    for method in _missing(groups['real']):
        command = COMMANDS[key].format(cfg=METHOD_CONFIG[method])
        main.add_row([Cell.text(f'{method} (this suite)'), Cell.text('ResNet-50'),
                      Cell.text('measured'), *[Cell.not_run(command) for _ in columns]])
    return [main, embedded_table(key, title, columns, groups['synthetic'])]


def _missing(groups: list[Group]) -> list[str]:
    """The suite's methods (baseline, VLM-HOI) that no group measured."""
    return [m for m in METHODS if not any(g.setting['method'] == m for g in groups)]


def _scale_text(group: Group) -> str:
    seeds = f"{len(group.seeds)} seed{'s' if len(group.seeds) > 1 else ''}"
    return f'measured, {group.scale} scale, {seeds}'


def _same_method(published, group: Group):
    if published is None:
        return None
    return next((r for r in published.rows if r.method == group.setting['method']
                 and r.backbone == group.backbone()), None)


def embedded_table(key: str, title: str, columns: list[str], groups: list[Group]) -> Table:
    """The measured rows of the synthetic world: never next to a dataset number."""
    table = Table(f'{key}_embedded', f'{title}: embedded synthetic world (not comparable '
                  'with the dataset numbers)',
                  ['Method', 'Scale', 'Seeds', *[f'Embedded {HEADER[c]}' for c in columns]])
    table.notes.append('Measured on the synthetic world of vlmhoi.synth (tools/make_synth.py),'
                       ' evaluated with the HICO-DET / V-COCO protocol on its test split.')
    for group in groups:
        table.add_row([Cell.text(group.label()), Cell.text(group.scale),
                       Cell.text(', '.join(group.seeds)),
                       *[group.cell(METRIC_OF[c]) for c in columns]])
    for method in _missing(groups):
        command = COMMANDS['embedded'].format(cfg=METHOD_CONFIG[method])
        table.add_row([Cell.text(method), Cell.text(''), Cell.text(''),
                       *[Cell.not_run(command) for _ in columns]])
    return table
