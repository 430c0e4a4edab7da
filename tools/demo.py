"""The main job on the embedded synthetic world (``tox -e demo``): the whole pipeline.

Stages (``--list`` shows them with their state): the synthetic world -> the detection
pre-training at demo scale (the HOI runs start from it) -> the embedded teachers -> the
teacher-score caches -> baseline and VLM-HOI trained and tested -> the alpha and prompt
studies -> the ITM gradient check -> the quick benchmarks -> the figures'
inputs -> the report. Every number of the scale is in the demo profile
(``tools/demo_profile.yaml``, "demo scale"); every run is logged to the embedded MLflow
store (or ``--tracking-uri``) with the profile's tags. A re-run skips the stages whose
inputs did not change (``work_dirs/demo/stages.json``; vlmhoi/demo_stages.py) and resumes
at a failed one. ``--epochs 0`` stops after the world.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reports.browser import find_chromium  # noqa: E402
from tools.demo_results import html_report, run_results, write_curves  # noqa: E402
from vlmhoi.demo_runner import Runner, RunOptions  # noqa: E402
from vlmhoi.demo_stages import Action, Command, Stage, StageError, clock  # noqa: E402

PROFILE = 'tools/demo_profile.yaml'
BASELINE_CONFIG = 'mm_configs/muren_tiny_synth_hico.py'
VLMHOI_CONFIG = 'mm_configs/vlmhoi_tiny_synth_hico.py'
PROFILE_KEYS = ('name', 'tags', 'world', 'pretrain', 'main', 'studies', 'cache',
                'heartbeat_s', 'eta_prior_s', 'expected_s')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--profile', default=PROFILE, help='the demo scale (YAML)')
    p.add_argument('--out', default='data/synth_demo', help='synthetic world folder')
    for name in ('seed', 'train', 'test', 'size'):
        p.add_argument(f'--{name}', type=int, default=None, help=f'world {name} (profile)')
    p.add_argument('--epochs', type=int, default=None,
                   help='epochs of the baseline and VLM-HOI runs (profile); 0 = world only')
    p.add_argument('--config', default=BASELINE_CONFIG, help='the baseline config')
    p.add_argument('--work-dir', default='work_dirs/demo')
    p.add_argument('--tracking-uri', default=None,
                   help='MLflow tracking URI for every stage (default: the embedded store)')
    p.add_argument('--only', metavar='STAGE', help='run this stage only')
    p.add_argument('--from', dest='start', metavar='STAGE', help='start at this stage')
    p.add_argument('--force', nargs='+', default=[], metavar='STAGE',
                   help='redo these stages even if up to date ("all": every stage)')
    p.add_argument('--list', action='store_true', help='list the stages and their state')
    p.add_argument('--verbose', action='store_true', help='also stream every command\'s output')
    return p.parse_args(argv)


def load_profile(path: Path, args: argparse.Namespace) -> dict:
    """The profile with the command line's overrides; a clear error on a bad file."""
    try:
        prof = yaml.safe_load(path.read_text(encoding='utf-8'))
    except (OSError, yaml.YAMLError) as err:
        raise SystemExit(f'demo profile {path}: {err}') from None
    missing = [k for k in PROFILE_KEYS if not isinstance(prof, dict) or k not in prof]
    if missing:
        raise SystemExit(f'demo profile {path}: missing entries {missing}')
    for name in ('seed', 'train', 'test', 'size'):
        if getattr(args, name) is not None:
            prof['world'][name] = getattr(args, name)
    if args.epochs:
        prof['main']['epochs'] = args.epochs
        prof['main']['lr_drop_epoch'] = max(1, args.epochs - 1)  # the drop before the last
    return prof


def print_profile(prof: dict, path: str) -> None:
    w, m, s = prof['world'], prof['main'], prof['studies']
    print(f'[demo] {prof["name"]} ({path}; MLflow tags {json.dumps(prof["tags"])}): world '
          f'{w["train"]} train / {w["test"]} test images, seed {w["seed"]}; baseline and '
          f'VLM-HOI {m["epochs"]} epochs; studies: alpha {s["alpha"]}, prompt {s["prompt"]}, '
          f'seeds {s["seeds"]}, {s["epochs"]} epochs per trial', flush=True)


def build_stages(prof: dict, args: argparse.Namespace) -> list[Stage]:
    """The demo's stages, from the profile and the command line."""
    from vlmhoi.cache_dir import user_cache_dir
    from vlmhoi.pretraining import checkpoint_path
    from vlmhoi.synth import world_cfg_options
    py, world, work = sys.executable, args.out, args.work_dir
    w, m, s, c = prof['world'], prof['main'], prof['studies'], prof['cache']
    # the HOI runs (main and studies) start from the demo-scale detection pre-training
    pre_cfg = prof['pretrain']['config']
    init = f'model.init_cfg.pretrain_config={pre_cfg}'
    pre_ckpt = str(checkpoint_path(ROOT / pre_cfg))
    teachers = user_cache_dir('teachers')
    blip, clip = str(teachers / 'embedded_blip_itm'), str(teachers / 'embedded_clip')
    data = world_cfg_options(world)
    # what logs to MLflow gets the scale tags, and the tracking URI when one is given (in
    # the commands' environment, so a new URI redoes the stages that log)
    uri = {'MLFLOW_TRACKING_URI': args.tracking_uri} if args.tracking_uri else {}
    tracked = {'VLMHOI_MLFLOW_TAGS': json.dumps(prof['tags']), **uri}
    one = {'OMP_NUM_THREADS': str(m['threads']), 'MKL_NUM_THREADS': str(m['threads'])}
    base_cfg, vlm_cfg = args.config, VLMHOI_CONFIG
    runs = {'baseline': base_cfg, 'vlmhoi': vlm_cfg}
    epochs = m['epochs']

    def train(name: str, cfg: str) -> Command:
        return Command((py, 'tools/train.py', cfg, '--work-dir', f'{work}/{name}', '--resume',
                        '--cfg-options', f'train_cfg.max_epochs={epochs}',
                        f'param_scheduler.1.end={epochs}',
                        f'param_scheduler.1.milestones=[{m["lr_drop_epoch"]}]',
                        'train_cfg.val_interval=1', f'randomness.seed={m["seed"]}', init, *data),
                       name,
                       {**one, **tracked, 'VLMHOI_MLFLOW_TAGS': json.dumps(
                           {**prof['tags'], 'vlmhoi.demo_run': name})})

    def test(name: str, cfg: str) -> Command:
        return Command((py, 'tools/test.py', cfg, f'{work}/{name}/epoch_{epochs}.pth',
                        '--work-dir', f'{work}/{name}/test', '--dump-predictions',
                        f'{work}/{name}/predictions.json', '--cfg-options', *data),
                       f'{name}-test', {**one, **tracked, 'VLMHOI_MLFLOW_TAGS': json.dumps(
                           {**prof['tags'], 'vlmhoi.demo_run': name})})

    def cache(form: str, shard: int | None = None) -> Command:
        split = ['--shard', f'{shard}/{c["shards"]}'] if shard is not None else []
        label = f'{form}-{shard}of{c["shards"]}' if split else form
        return Command((py, 'tools/build_teacher_cache.py', vlm_cfg, '--no-progress', *split,
                        '--cfg-options', *data, f'teacher_cache.prompt_form={form}'), label, one)

    def study(file: str, name: str, param: str, values: list) -> Command:
        return Command((py, 'sweeps/run.py', file, '--synth', '--world', world, '--seeds',
                        *map(str, s['seeds']), '--study-dir', f'{work}/sweeps/{name}',
                        '--param', f'{param}={",".join(map(str, values))}', '--cfg-options',
                        f'train_cfg.max_epochs={s["epochs"]}',
                        f'train_cfg.val_interval={s["epochs"]}', init), name,
                       {**tracked, 'OMP_NUM_THREADS': str(s['threads']),
                        'MKL_NUM_THREADS': str(s['threads'])})

    def mlflow_store() -> None:
        """Create (migrate) a new SQLite store once, before commands that log run side by
        side: two processes migrating one new store at once fail (alembic)."""
        import mlflow

        from vlmhoi.tracking.uri import resolve_tracking_uri, sqlite_path
        uri, _ = resolve_tracking_uri(args.tracking_uri)
        if sqlite_path(uri) is not None:
            mlflow.MlflowClient(uri).search_experiments(max_results=1)

    store = Action('MLflow store', mlflow_store)

    def first_test_image() -> str:
        from vlmhoi.synth.splits import TEST_FILE
        entry = json.loads((ROOT / world / TEST_FILE).read_text())[0]
        return str(Path(world) / 'images' / 'test2015' / entry['file_name'])

    scores = f'{work}/teacher_scores'
    return [
        Stage('world', 'synthetic world', ((Command(
            (py, 'tools/make_synth.py', '--out', world, '--no-progress',
             *(f'--{k}={w[k]}' for k in ('seed', 'train', 'test', 'size')))),),),
              inputs=('tools/make_synth.py', 'vlmhoi/synth'), outputs=(world,),
              report=lambda: print(f'[demo] world: {ROOT / world}; contact sheet '
                                   f'{ROOT / world / "contact_sheet.png"}')),
        Stage('pretrain', 'detection pre-training', ((Command(
            (py, 'tools/pretrain_detector.py', pre_cfg), 'pretrain',
            {'OMP_NUM_THREADS': str(prof['pretrain']['threads']),
             'MKL_NUM_THREADS': str(prof['pretrain']['threads']), **tracked}),),),
              inputs=('tools/pretrain_detector.py', 'vlmhoi/pretraining', 'vlmhoi/synth'),
              configs=(pre_cfg,), outputs=(pre_ckpt,),
              report=lambda: print(pretraining_summary(pre_cfg))),
        Stage('teachers', 'embedded teachers', ((Command(
            (py, 'tools/train_teacher.py', '--kind', 'both', '--world', world)),),),
              inputs=('tools/train_teacher.py', 'vlmhoi/teachers/embedded',
                      'vlmhoi/synth/corpus.py'),
              deps=('world',), outputs=(blip, clip)),
        Stage('cache', 'teacher-score caches',
              (tuple(cache('full', i) for i in range(c['shards'])),
               tuple(cache(form) for form in c['extra_forms'])),
              inputs=('tools/build_teacher_cache.py',), configs=(vlm_cfg,),
              deps=('world', 'teachers'), found_outputs=cache_folders),
        Stage('train', 'baseline and VLM-HOI, trained and tested',
              (store, tuple(train(n, cfg) for n, cfg in runs.items()),
               tuple(test(n, cfg) for n, cfg in runs.items()),
               Action('learning curves', lambda: write_curves(ROOT / work, list(runs)))),
              report=lambda: print('\n'.join(run_results(ROOT / work, list(runs)))),
              inputs=('tools/train.py', 'tools/test.py'), configs=(base_cfg, vlm_cfg),
              deps=('world', 'pretrain', 'teachers', 'cache'),
              outputs=tuple(f'{work}/{n}/{f}' for n in runs for f in (
                  f'epoch_{epochs}.pth', 'predictions.json')) + (f'{work}/learning_curve.png',),
              fresh=tuple(f'{work}/{n}' for n in runs)),
        Stage('studies', 'alpha and prompt studies', (store, (
            study('sweeps/table3_margin.py', 'table3_margin', 'alpha', s['alpha']),
            study('sweeps/table4_prompt.py', 'table4_prompt', 'prompt', s['prompt'])),),
              inputs=('sweeps/run.py', 'sweeps/table3_margin.py', 'sweeps/table4_prompt.py',
                      'tools/train.py', 'tools/build_teacher_cache.py'), configs=(vlm_cfg,),
              deps=('world', 'pretrain', 'teachers', 'cache'),
              outputs=tuple(f'{work}/sweeps/{n}/optuna.db'
                            for n in ('table3_margin', 'table4_prompt')),
              fresh=(f'{work}/sweeps',)),
        Stage('itm_gradient', 'ITM gradient check', ((Command(
            (py, 'tools/check_itm_gradient.py', vlm_cfg, '--world', world, '--out',
             f'{work}/itm_gradient'), env={**one, **tracked}),),),
              inputs=('tools/check_itm_gradient.py',), configs=(vlm_cfg,),
              deps=('world', 'teachers'), outputs=(f'{work}/itm_gradient/itm_gradient.json',)),
        Stage('benchmarks', 'quick benchmarks', ((Command(
            (py, 'benchmark/run.py', '--world', world, '--out', f'{work}/benchmarks'),
            env=tracked),),), inputs=('benchmark',), configs=(base_cfg, vlm_cfg),
              deps=('world', 'teachers', 'cache'), outputs=(f'{work}/benchmarks/summary.csv',),
              fresh=(f'{work}/benchmarks',)),
        Stage('figures', 'figure inputs (teacher scores, explanations)', (
            store, (Command((py, 'tools/teacher_scores.py', vlm_cfg, '--split', 'test', '--out',
                      f'{scores}/blip', '--no-progress', '--cfg-options', *data),
                     'blip', {**one, **tracked}),
             Command((py, 'tools/teacher_scores.py', vlm_cfg, '--split', 'test', '--out',
                      f'{scores}/clip', '--no-progress', '--teacher', f'ClipTeacher={clip}',
                      '--cfg-options', *data),
                     'clip', {**one, **tracked})),
            (Command((py, 'tools/explain.py', vlm_cfg, f'{work}/vlmhoi/epoch_{epochs}.pth',
                      first_test_image, '--teacher', f'ClipTeacher={clip}', '--out-dir',
                      f'{work}/explain', '--cfg-options', *data), 'explain', tracked),)),
              inputs=('tools/teacher_scores.py', 'tools/explain.py'), configs=(vlm_cfg,),
              deps=('world', 'teachers', 'train'),
              outputs=(f'{scores}/blip', f'{scores}/clip', f'{work}/explain'),
              fresh=(scores, f'{work}/explain')),
        Stage('report', 'report', ((Command(
            (py, 'reports/generate.py', '--out', f'{work}/report',
             *(['--screenshot'] if find_chromium() else []),
             *(['--tracking-uri', args.tracking_uri] if args.tracking_uri else []))),),),
              inputs=('reports',),
              deps=('train', 'studies', 'itm_gradient', 'benchmarks', 'figures'),
              outputs=(f'{work}/report',), fresh=(f'{work}/report',)),
    ]


def pretraining_summary(config: str) -> str:
    """One line on the cached pre-training: checkpoint, box mAP, build time."""
    from vlmhoi.pretraining import BOX_MAP_KEY, read_manifest
    man = read_manifest(ROOT / config)
    box = man.get('metrics', {}).get(BOX_MAP_KEY)
    box = 'n/a' if box is None else f'{100 * box:.1f}'
    return (f'[demo] detection pre-training ({config}): {man["checkpoint"]}; box mAP {box} on '
            f'its held-out images, {man["train_seconds"]:.0f} s training (manifest.json there)')


def cache_folders(log_text: str) -> list[str]:
    """The cache folders tools/build_teacher_cache.py reported complete."""
    from vlmhoi.teachers.cache_status import parse_cache_status
    return sorted({path for path, done, total in parse_cache_status(log_text)
                   if done == total})


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    prof = load_profile(ROOT / args.profile, args)
    work = Path(args.work_dir)
    stages = build_stages(prof, args)
    if args.epochs == 0:
        args.only = 'world'
    opts = RunOptions(only=args.only, start=args.start, force=args.force,
                      heartbeat_s=float(prof['heartbeat_s']),
                      eta_prior_s=float(prof['eta_prior_s']), verbose=args.verbose)
    try:
        runner = Runner(stages, prof['expected_s'], ROOT, ROOT / work / 'stages.json',
                        ROOT / work / 'logs', opts)
        if args.list:
            print_profile(prof, args.profile)
            print('\n'.join(runner.status_lines()))
            return 0
        print_profile(prof, args.profile)
        wall = runner.run()
    except StageError as err:
        print(f'[demo] {err}', file=sys.stderr, flush=True)
        print('[demo] stopped; the next run resumes at this stage', file=sys.stderr)
        return 1
    print(f'[demo] total wall time {clock(wall)} ({wall:.0f} s)')
    report = html_report(work)
    print(f'[demo] HTML report: {report.resolve()}' if report else
          '[demo] no HTML report (the report stage did not run)')
    if report and (report.parent / 'report.png').is_file():
        print(f"[demo] its screenshot (headless Chromium): {report.parent / 'report.png'}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
