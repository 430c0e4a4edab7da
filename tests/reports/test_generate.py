"""reports/generate.py on a small MLflow store built here: test and training runs with the
summary params and tags the tracking hook logs, sweep trials with the sweep runner's tags,
a cost benchmark and tool runs through the suite's own writers. Table cells are checked
against the inputs, a missing run is a "not run" cell with its command, and embedded-world
rows never appear in the dataset tables."""
from __future__ import annotations

import csv
import json
import statistics

import matplotlib
import mlflow
import pytest

from reports.generate import main
from tests.reports import crafted
from vlmhoi.tracking.benchmark_runs import log_benchmark
from vlmhoi.tracking.tool_runs import log_tool_run

matplotlib.use('Agg')

HICO = {'default_full': 'hico/mAP_full', 'default_rare': 'hico/mAP_rare',
        'default_non_rare': 'hico/mAP_non_rare', 'ko_full': 'hico/mAP_full_ko',
        'ko_rare': 'hico/mAP_rare_ko', 'ko_non_rare': 'hico/mAP_non_rare_ko'}


def _params(method: str, world: str, seed: int, **kw) -> dict:
    itm = method == 'VLM-HOI'
    return dict(method=method, world=world, seed=seed, dataset='HICODetDataset',
                teacher='BlipItmTeacher' if itm else 'none',
                prompt_form='full' if itm else 'none', alpha='1.0' if itm else 'none',
                score_mode='itm_logodds' if itm else 'none',
                **{'cfg.model.backbone.type': 'ResNet', 'cfg.model.backbone.depth': '50'},
                **kw)


def _evaluated(client, exp: str, method: str, world: str, seed: int, full: float,
               scale: str | None = None) -> tuple[str, str]:
    """A training run with a per-epoch mAP history and the test run of its checkpoint."""
    tags = {'vlmhoi.scale': scale} if scale else {}
    train = client.create_run(exp, tags={'run_type': 'train', **tags}).info.run_id
    for epoch in (1, 2):
        client.log_metric(train, 'hico/mAP_full', full * epoch / 2, step=epoch)
    for k, v in _params(method, world, seed).items():
        client.log_param(train, k, v)
    client.set_terminated(train)
    test = client.create_run(exp, tags={'run_type': 'test', 'source_run_id': train,
                                        **tags}).info.run_id
    # tools/test.py logs a seed of its own; the row names the training run's
    for k, v in _params(method, world, 1000 + seed).items():
        client.log_param(test, k, v)
    for i, metric in enumerate(HICO.values()):
        client.log_metric(test, metric, full - i, step=2)
    client.set_terminated(test)
    return train, test


def _trial(client, exp: str, alpha: float, seed: int, full: float) -> str:
    rid = client.create_run(exp, tags={
        'vlmhoi.role': 'trial', 'vlmhoi.table': 'table3', 'vlmhoi.trial_state': 'COMPLETE',
        'vlmhoi.seed': str(seed), 'vlmhoi.param.alpha': str(alpha), 'run_type': 'train',
        'vlmhoi.scale': 'demo'}).info.run_id
    client.log_param(rid, 'sweep.alpha', alpha)
    for k, v in _params('VLM-HOI', 'synthetic', seed).items():
        client.log_param(rid, k, v)
    for metric in ('hico/mAP_full', 'hico/mAP_rare', 'hico/mAP_non_rare'):
        client.log_metric(rid, metric, full, step=1)
    client.set_terminated(rid)
    return rid


def _cost(tmp_path, uri: str) -> str:
    def record(variant: str, source, step: float) -> dict:
        return dict(variant=variant, config=f'mm_configs/{variant}.py', score_source=source,
                    device='cpu (test)',
                    params=dict(total=2e6, learnable=1.5e6, teacher=0.5e6 if source else 0,
                                decoder=1e6),
                    train_step_s=dict(median=step), data_s=dict(median=0.01),
                    infer_s_per_frame=dict(median=0.05), minutes_per_epoch=step * 10)
    records = [record('muren', None, 0.4), record('vlmhoi[cache]', 'cache', 0.42)]
    ratios = {'muren': {'train_step_s': 1.0}, 'vlmhoi[cache]': {'train_step_s': 1.05}}
    result = dict(records=records, baseline='muren', ratios=ratios)
    path = tmp_path / 'cost.json'
    path.write_text(json.dumps(result))
    return log_benchmark('cost', result, path, table='table5', tracking_uri=uri)


@pytest.fixture(scope='module')
def report(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp('report')
    uri = f'sqlite:///{tmp_path}/mlruns.db'
    client = mlflow.MlflowClient(uri)
    exp = client.create_experiment('runs')
    ids = {}
    ids['muren_synth'] = [_evaluated(client, exp, 'MUREN', 'synthetic', s, 10.0 + s, 'demo')
                          for s in (0, 1, 2)]
    ids['vlmhoi_synth'] = [_evaluated(client, exp, 'VLM-HOI', 'synthetic', 0, 14.0, 'demo')]
    ids['base_real'] = [_evaluated(client, exp, 'Base', 'real', 0, 33.00)]
    ids['trials'] = {(a, s): _trial(client, exp, a, s, 5.0 + a + s / 10)
                     for a in (0.0, 1.0) for s in (0, 1)}
    unfinished = client.create_run(exp, tags={'run_type': 'test'}).info.run_id
    client.log_metric(unfinished, 'hico/mAP_full', 99.0)
    ids['benchmark'] = _cost(tmp_path, uri)
    png = tmp_path / 'fig1.png'
    import matplotlib.pyplot as plt
    plt.figure(figsize=(2, 2)).savefig(png)
    log_tool_run('explain', {'vlmhoi.figure': 'fig1'}, [png], tracking_uri=uri)
    for name in ('old_a_hist', 'a_hist', 'b_hist'):     # Fig. 5: one run per teacher
        hist = tmp_path / f'{name}.png'
        plt.figure(figsize=(2, 2)).savefig(hist)
        log_tool_run('teacher-scores-test', {'vlmhoi.figure': 'fig5'}, [hist],
                     params=dict(teachers=name[-6]), tracking_uri=uri)
    ids['check'] = log_tool_run('check', {'vlmhoi.check': 'itm_gradient'}, metrics=dict(
        reference_max_abs_grad_diff=0.0, reference_params_checked=444.0), tracking_uri=uri)
    published = tmp_path / 'published'
    published.mkdir()
    crafted.write(published, crafted.consistent_paper())
    out = tmp_path / 'out'
    result = main(['--out', str(out), '--tracking-uri', uri, '--published', str(published)])
    tables = {}
    for path in (out / 'csv').glob('*.csv'):
        with open(path, newline='') as f:
            tables[path.stem] = list(csv.reader(f))
    return dict(out=out, result=result, ids=ids, tables=tables, unfinished=unfinished,
                md=(out / 'tables.md').read_text())


def _row(table: list[list[str]], first: str) -> dict[str, str]:
    header = table[0]
    return next(dict(zip(header, r)) for r in table[1:] if r[0] == first)


def test_embedded_rows_are_means_over_seeds_with_their_runs(report) -> None:
    emb = report['tables']['table1_embedded']
    muren = _row(emb, 'MUREN')
    values = [10.0, 11.0, 12.0]
    assert muren['Embedded Default Full'] == \
        f'{statistics.fmean(values):.2f} ± {statistics.stdev(values):.2f}'
    assert muren['Embedded KO Non-Rare'].startswith(f'{statistics.fmean(values) - 5:.2f} ± ')
    assert muren['Seeds'] == '0, 1, 2' and muren['Scale'] == 'demo'
    sources = report['tables']['table1_embedded_sources']
    full = next(r for r in sources if r[1] == 'Embedded Default Full' and r[0] == '0')
    for _, test in report['ids']['muren_synth']:
        assert test in full[5]
    assert report['unfinished'] not in report['md']


def test_dataset_table_keeps_worlds_apart_and_shows_the_difference(report) -> None:
    main_table = report['tables']['table1']
    methods = [r[0] for r in main_table[1:]]
    assert 'Base' in methods and 'Base (this suite)' in methods
    assert not any(m.startswith('VLM-HOI (Blip') for m in methods)  # embedded only
    diff = _row(main_table, 'difference to Base (ResNet-50)')
    assert diff['Default Full'] == '+0.90'          # 33.00 measured - 32.10 published
    flat = ' '.join(' '.join(r) for r in main_table)
    assert '10.00' not in flat and '11.00 ±' not in flat   # no embedded number here
    muren = _row(main_table, 'MUREN (this suite)')
    assert muren['Default Full'] == 'not run'
    assert 'mm_configs/muren_r50_hico.py' in report['md']


def test_ablation_table_from_trials(report) -> None:
    t3 = report['tables']['table3']
    one = _row(t3, '1.0')
    col = next(c for c in t3[0] if c.startswith('Default Full: measured'))
    assert one[col] == f'{statistics.fmean([6.0, 6.1]):.2f} ± {statistics.stdev([6.0, 6.1]):.2f}'
    assert 'demo scale' in col and 'synthetic world' in col
    assert one['Seeds'] == '0, 1'
    t4 = report['tables']['table4']
    assert all(c == 'not run' for c in t4[1][4:7])


def test_cost_table_and_findings(report) -> None:
    t5 = report['tables']['table5']
    cache = _row(t5, 'vlmhoi[cache] (this suite)')
    assert cache['Params (M, learnable)'] == '1.500'
    assert cache['Train step / baseline'] == '1.050' and cache['Machine'] == 'cpu (test)'
    assert _row(t5, 'Ours')['Train min / epoch'] == '142.2'
    assert report['ids']['benchmark'] in report['md']
    assert report['ids']['check'] in report['md']
    assert 'flagged' in report['md']


def test_outputs_exist(report) -> None:
    out = report['out']
    assert (out / 'report.html').stat().st_size > 10_000
    assert '\\toprule' in (out / 'tables.tex').read_text()
    keys = {p.name for p in (out / 'figures').rglob('*.png')}
    assert {'learning_curves.png', 'table3_ablation.png', 'fig1.png'} <= keys
    assert {'a_hist.png', 'b_hist.png'} <= keys and 'old_a_hist.png' not in keys


def test_generated_page_loads_in_chromium(report, tmp_path) -> None:
    """The generator's own page: every table and figure there, every image loads, no
    console error (headless Chromium, reports/browser.py)."""
    import os
    import shutil

    from reports.browser import find_chromium, screenshot
    if find_chromium() is None:
        pytest.skip('no Chromium binary (apt-get install chromium, or set VLMHOI_CHROMIUM)')
    check = screenshot(report['out'] / 'report.html', tmp_path / 'report.png')
    assert check['ok'], check
    assert not check['broken_images'] and not check['console_errors'] and not check['exceptions']
    assert len(check['images']) == len(report['result']['figures'])
    assert len(check['tables']) >= len([k for k in report['tables'] if not k.endswith('sources')])
    if os.environ.get('VLMHOI_SCREENSHOT_DIR'):
        shutil.copy(tmp_path / 'report.png', os.environ['VLMHOI_SCREENSHOT_DIR'])
