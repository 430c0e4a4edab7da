"""The demo's stage machinery (vlmhoi/demo_stages.py, vlmhoi/demo_runner.py) on stages of
tiny real commands, and tools/demo.py's stage list and profile. No training."""
from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from vlmhoi.demo_runner import Runner, RunOptions
from vlmhoi.demo_stages import (
    Command,
    Stage,
    StageError,
    config_files,
    eta_seconds,
    stage_key,
    tree_digest,
)
from vlmhoi.teachers.cache_status import cache_status, parse_cache_status

ROOT = Path(__file__).resolve().parents[2]

# a command that appends its name to runs.txt and writes its output file
WRITE = ('import sys, pathlib; pathlib.Path("runs.txt").open("a").write(sys.argv[1] + "\\n");'
         'p = pathlib.Path(sys.argv[2]); p.parent.mkdir(parents=True, exist_ok=True);'
         'p.write_text(pathlib.Path(sys.argv[3]).read_text() if len(sys.argv) > 3 else "x")')


def writer(name: str, out: str, source: str | None = None) -> Command:
    return Command((sys.executable, '-c', WRITE, name, out, *([source] if source else [])))


# fails while broken.txt exists (a fault outside the stage's inputs: same key)
BREAK = 'import os, sys; os.path.exists("broken.txt") and (print("b broke"), sys.exit(3))'


def pipeline() -> list[Stage]:
    """a: copies input.txt to a/out.txt; b (after a): writes b/out.txt (fails while
    broken.txt exists)."""
    b_cmd = writer('b', 'b/out.txt')
    return [Stage('a', 'stage a', ((writer('a', 'a/out.txt', 'input.txt'),),),
                  inputs=('input.txt',), outputs=('a/out.txt',)),
            Stage('b', 'stage b', ((Command((sys.executable, '-c', BREAK)),), (b_cmd,)),
                  deps=('a',), outputs=('b/out.txt',), fresh=('b',))]


EXPECTED = {'a': 10.0, 'b': 20.0}


def run(tmp: Path, stages: list[Stage], **opts) -> float:
    runner = Runner(stages, EXPECTED, tmp, tmp / 'stages.json', tmp / 'logs',
                    RunOptions(heartbeat_s=3600, **opts))
    return runner.run()


def runs(tmp: Path) -> list[str]:
    path = tmp / 'runs.txt'
    return path.read_text().split() if path.exists() else []


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    (tmp_path / 'input.txt').write_text('one')
    return tmp_path


def test_key_changes_with_an_input_file_and_not_otherwise(tmp):
    stage = pipeline()[0]
    key = stage_key(stage, {}, tmp)
    assert stage_key(stage, {}, tmp) == key
    (tmp / 'unrelated.txt').write_text('ignored')
    assert stage_key(stage, {}, tmp) == key
    (tmp / 'input.txt').write_text('two')
    assert stage_key(stage, {}, tmp) != key
    (tmp / 'input.txt').write_text('one')
    assert stage_key(stage, {}, tmp) == key              # content, not modification time
    assert stage_key(pipeline()[1], {'a': 'd1'}, tmp) != stage_key(pipeline()[1], {'a': 'd2'},
                                                                   tmp)


def test_bytecode_written_by_a_run_does_not_change_a_folder_key(tmp):
    pkg = tmp / 'pkg'
    pkg.mkdir()
    (pkg / 'mod.py').write_text('x = 1\n')
    key = tree_digest(['pkg'], tmp)
    (pkg / '__pycache__').mkdir()
    (pkg / '__pycache__' / 'mod.cpython-311.pyc').write_bytes(b'compiled')
    (pkg / 'stray.pyc').write_bytes(b'compiled')
    assert tree_digest(['pkg'], tmp) == key
    (pkg / 'mod.py').write_text('x = 2\n')
    assert tree_digest(['pkg'], tmp) != key


def test_config_key_follows_the_base_chain(tmp):
    (tmp / 'cfg' / '_base_').mkdir(parents=True)
    (tmp / 'cfg' / '_base_' / 'm.py').write_text('x = 1\n')
    (tmp / 'cfg' / 'other.py').write_text('y = 1\n')
    (tmp / 'cfg' / 'top.py').write_text("_base_ = ['./_base_/m.py']\nz = 2\n")
    assert config_files('cfg/top.py', tmp) == ['cfg/_base_/m.py', 'cfg/top.py']
    stage = Stage('t', 't', configs=('cfg/top.py',))
    key = stage_key(stage, {}, tmp)
    (tmp / 'cfg' / 'other.py').write_text('y = 2\n')
    assert stage_key(stage, {}, tmp) == key
    (tmp / 'cfg' / '_base_' / 'm.py').write_text('x = 2\n')
    assert stage_key(stage, {}, tmp) != key


def test_finished_stages_are_skipped_and_redone_when_inputs_change(tmp, capsys):
    run(tmp, pipeline())
    assert runs(tmp) == ['a', 'b']
    state = json.loads((tmp / 'stages.json').read_text())['stages']
    assert state['a']['status'] == state['b']['status'] == 'done'
    run(tmp, pipeline())
    assert runs(tmp) == ['a', 'b']                        # nothing redone
    assert capsys.readouterr().out.count('up to date, skipped') == 2
    (tmp / 'b' / 'out.txt').unlink()                      # an output gone: b is redone
    run(tmp, pipeline())
    assert runs(tmp) == ['a', 'b', 'b']
    (tmp / 'input.txt').write_text('two')                 # a's input: a, then b (new digest)
    run(tmp, pipeline())
    assert runs(tmp) == ['a', 'b', 'b', 'a', 'b']
    run(tmp, pipeline(), force=['b'])
    assert runs(tmp) == ['a', 'b', 'b', 'a', 'b', 'b']


def test_same_upstream_output_keeps_the_downstream_stage(tmp):
    run(tmp, pipeline())
    run(tmp, pipeline(), force=['a'])                    # a redone, same content
    assert runs(tmp) == ['a', 'b', 'a']


def test_a_failed_stage_stops_the_run_and_is_redone_next_time(tmp):
    (tmp / 'broken.txt').write_text('')
    with pytest.raises(StageError) as err:
        run(tmp, pipeline())
    msg = str(err.value)
    assert 'stage b' in msg and 'exited with status 3' in msg and 'b broke' in msg
    assert str(tmp / 'logs' / '02_b.log') in msg and BREAK[:20] in msg
    state = json.loads((tmp / 'stages.json').read_text())['stages']
    assert state['a']['status'] == 'done' and state['b']['status'] == 'failed'
    assert runs(tmp) == ['a']                             # b's second step never ran
    (tmp / 'b').mkdir()
    (tmp / 'b' / 'partial.txt').write_text('kept: same key, a resumable stage')
    (tmp / 'broken.txt').unlink()
    run(tmp, pipeline())                                  # fixed: a skipped, b done
    assert runs(tmp) == ['a', 'b']
    assert (tmp / 'b' / 'partial.txt').exists()


def test_fresh_folders_are_wiped_under_a_new_key_only_inside_the_root(tmp):
    run(tmp, pipeline())
    (tmp / 'b' / 'stale.txt').write_text('from the old key')
    (tmp / 'input.txt').write_text('two')
    run(tmp, pipeline())
    assert not (tmp / 'b' / 'stale.txt').exists()
    outside = Stage('c', 'c', fresh=(str(tmp.parent / 'elsewhere'),))
    with pytest.raises(StageError, match='refusing to wipe'):
        Runner([outside], {'c': 1.0}, tmp, tmp / 's.json', tmp / 'logs',
               RunOptions()).run()


def test_only_and_from(tmp):
    with pytest.raises(StageError, match="needs 'a'"):
        run(tmp, pipeline(), only='b')
    with pytest.raises(StageError, match="no stage 'z'"):
        run(tmp, pipeline(), start='z')
    run(tmp, pipeline(), only='a')
    assert runs(tmp) == ['a']
    run(tmp, pipeline(), start='b')
    assert runs(tmp) == ['a', 'b']


def test_eta_scales_the_remaining_expectation():
    expected = {'a': 100.0, 'b': 200.0, 'c': 300.0}
    assert eta_seconds(expected, {}, ['a', 'b', 'c']) == 600.0
    assert eta_seconds(expected, {'a': 200.0}, ['b', 'c']) == 1000.0   # twice as slow
    assert eta_seconds(expected, {'a': 50.0, 'b': 100.0}, ['c']) == 150.0
    assert eta_seconds(expected, {'a': 0.0}, ['b'], prior_s=100.0) == 100.0  # damped
    assert eta_seconds(expected, {'a': 200.0}, []) == 0.0


def test_cache_status_line_round_trips():
    text = '\n'.join(['scored 4 images', cache_status('/c/ab: x', 2, 4),
                      cache_status('/c/cd', 4, 4)])
    assert parse_cache_status(text) == [('/c/ab: x', 2, 4), ('/c/cd', 4, 4)]


def _tool(name: str):
    """``tools.<name>`` (the tools folder is not a package on sys.path)."""
    sys.path.insert(0, str(ROOT))
    try:
        return importlib.import_module(f'tools.{name}')
    finally:
        sys.path.remove(str(ROOT))


def _demo_stages(tmp_path: Path, *argv: str):
    """tools/demo.py's module, profile and stage list for ``argv``."""
    demo = _tool('demo')
    args = demo.parse_args(['--work-dir', str(tmp_path), *argv])
    prof = demo.load_profile(ROOT / demo.PROFILE, args)
    return demo, prof, demo.build_stages(prof, args)


def test_demo_profile_covers_every_stage_and_lists(tmp_path):
    demo, prof, stages = _demo_stages(tmp_path)
    assert [s.name for s in stages] == list(prof['expected_s'])
    for stage in stages:                  # every declared input exists
        for path in stage.inputs:
            assert (ROOT / path).exists(), (stage.name, path)
    assert yaml.safe_load((ROOT / demo.PROFILE).read_text())['tags']['vlmhoi.scale'] == 'demo'
    res = subprocess.run([sys.executable, 'tools/demo.py', '--list', '--work-dir',
                          str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert ' 1. world' in res.stdout and 'demo scale' in res.stdout
    assert len([ln for ln in res.stdout.splitlines() if ln[:3].strip().rstrip('.').isdigit()]
               ) == len(stages)


def test_tracking_uri_reaches_every_stage_that_logs(tmp_path):
    def commands(argv):
        stages = _demo_stages(tmp_path, *argv)[2]
        return {s.name: [c for step in s.steps if isinstance(step, tuple) for c in step]
                for s in stages}

    default = commands([])
    assert not any('MLFLOW_TRACKING_URI' in c.env for cs in default.values() for c in cs)
    uri = f'sqlite:///{tmp_path}/other.db'
    given = commands(['--tracking-uri', uri])
    for name in ('pretrain', 'train', 'studies', 'benchmarks', 'figures', 'itm_gradient'):
        assert all(c.env['MLFLOW_TRACKING_URI'] == uri for c in given[name]), name
        assert all(json.loads(c.env['VLMHOI_MLFLOW_TAGS'])['vlmhoi.scale'] == 'demo'
                   for c in given[name]), name
    assert given['report'][0].argv[-2:] == ('--tracking-uri', uri)
    assert not any('MLFLOW_TRACKING_URI' in c.env for c in given['teachers'])


def test_hoi_runs_start_from_the_demo_pretraining(tmp_path):
    """The main runs and the study trials load the profile's pre-training, which the
    pretrain stage builds before them (a changed pre-training redoes them)."""
    _, prof, stage_list = _demo_stages(tmp_path)
    stages = {s.name: s for s in stage_list}
    config = prof['pretrain']['config']
    assert (ROOT / config).is_file()
    (build,) = [c for step in stages['pretrain'].steps for c in step]
    assert build.argv[1:] == ('tools/pretrain_detector.py', config)
    assert stages['pretrain'].outputs[0].endswith('detector.pth')
    option = f'model.init_cfg.pretrain_config={config}'
    for name in ('train', 'studies'):
        assert 'pretrain' in stages[name].deps, name
        runs = [c for step in stages[name].steps if isinstance(step, tuple) for c in step
                if 'tools/train.py' in c.argv or 'sweeps/run.py' in c.argv]
        assert runs and all(option in c.argv for c in runs), name


def test_epochs_0_makes_the_world_only_and_a_rerun_skips_it(tmp_path):
    argv = [sys.executable, 'tools/demo.py', '--epochs', '0', '--work-dir', str(tmp_path / 'w'),
            '--out', str(tmp_path / 'world'), '--train', '4', '--test', '4', '--size', '96']
    first = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stdout + first.stderr
    assert '[demo 1/10] synthetic world ... done in' in first.stdout
    assert (tmp_path / 'world' / 'annotations' / 'test_hico.json').is_file()
    assert 'teachers' not in json.loads((tmp_path / 'w' / 'stages.json').read_text())['stages']
    again = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert '[demo 1/10] synthetic world ... up to date, skipped' in again.stdout


def test_curves_and_results_read_the_runs_files(tmp_path):
    demo_results = _tool('demo_results')
    for name, base in (('baseline', 1.0), ('vlmhoi', 2.0)):
        logs = tmp_path / name / '20260101_000000' / 'vis_data'
        logs.mkdir(parents=True)
        rows = [{'loss': 1.0, 'step': 1}] + [
            {'hico/mAP_full': base * e, 'hico/mAP_rare': 0.0, 'hico/mAP_non_rare': base * e + 1,
             'step': e} for e in (1, 2)]
        (logs / 'scalars.json').write_text('\n'.join(json.dumps(r) for r in rows))
        test = tmp_path / name / 'test' / '20260101_000001'
        test.mkdir(parents=True)
        (test / '20260101_000001.json').write_text(json.dumps(
            {'hico/mAP_full': base * 3, 'hico/mAP_rare': 0.5, 'hico/mAP_non_rare': base * 4}))
    assert [r['hico/mAP_full'] for r in demo_results.epoch_metrics(tmp_path / 'vlmhoi')] == [
        2.0, 4.0]
    png = demo_results.write_curves(tmp_path, ['baseline', 'vlmhoi'])
    assert png == tmp_path / demo_results.CURVE and png.read_bytes()[:4] == b'\x89PNG'
    lines = demo_results.run_results(tmp_path, ['baseline', 'vlmhoi', 'missing'])
    assert 'Full 3.00, Rare 0.50, Non-Rare 4.00' in lines[0]
    assert 'Full 6.00, Rare 0.50, Non-Rare 8.00' in lines[1]
    assert 'missing: no test metrics' in lines[2] and str(png.resolve()) in lines[3]
    assert demo_results.html_report(tmp_path) is None
    (tmp_path / 'report').mkdir()
    (tmp_path / 'report' / 'index.html').write_text('<html></html>')
    assert demo_results.html_report(tmp_path) == tmp_path / 'report' / 'index.html'


@pytest.mark.parametrize('argv, epochs, drop', [([], 3, 2), (['--epochs', '5'], 5, 4)])
def test_main_runs_drop_the_lr_inside_their_epochs(tmp_path, argv, epochs, drop):
    """The demo trains fewer epochs than the config's schedule: its runs carry their own
    MultiStepLR drop (before the last epoch), applied to the scheduler the config has."""
    import argparse

    from mmengine.config import Config, DictAction
    parser = argparse.ArgumentParser()      # the --cfg-options of tools/train.py
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    _, prof, stage_list = _demo_stages(tmp_path, *argv)
    (train,) = [s for s in stage_list if s.name == 'train']
    runs = [c for step in train.steps if isinstance(step, tuple) for c in step
            if 'tools/train.py' in c.argv]
    assert len(runs) == 2
    for run in runs:
        cfg = Config.fromfile(ROOT / run.argv[2])
        options = parser.parse_args(run.argv[run.argv.index('--cfg-options'):]).cfg_options
        cfg.merge_from_dict(options)
        assert cfg.train_cfg.max_epochs == epochs
        scheduler = cfg.param_scheduler[1]
        assert scheduler.type == 'MultiStepLR' and scheduler.end == epochs
        assert scheduler.milestones == [drop] and prof['main']['lr_drop_epoch'] == drop
