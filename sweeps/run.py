"""Run (or resume) a sweep study.

    python sweeps/run.py sweeps/table3_margin.py [--storage URL] [--workers N]
        [--seeds 0 1 2] [--config CONFIG] [--synth [--world DIR]]
        [--launcher none|torchrun --nproc N] [--param NAME=V1,V2] [--cfg-options k=v ...]

Each trial maps its parameters onto ``--cfg-options`` of the config and runs
``tools/train.py`` as a subprocess (work dir ``<study dir>/trial_NNNN``, an MLflow child
run of the study's run); the objective is the study's metric of the last epoch. The
study lives in ``--storage`` (default: ``<study dir>/optuna.db``, SQLite); re-running
the same command resumes it, and more workers (here with ``--workers N``, or the same
command on other machines with a shared ``--storage postgresql://...``) share its trials.
"""
from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import warnings
from pathlib import Path

import optuna

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from vlmhoi.sweeps import storage as st  # noqa: E402
from vlmhoi.sweeps.spec import StudyError, load_spec  # noqa: E402
from vlmhoi.sweeps.study import SweepOptions, prepare  # noqa: E402
from vlmhoi.sweeps.summary import print_summary, unfinished_points  # noqa: E402
from vlmhoi.sweeps.worker import work  # noqa: E402

DEFAULT_WORLD = 'data/synth'
# heartbeat, RetryHeartbeatStaleTrialCallback: experimental in Optuna, used on purpose
warnings.filterwarnings('ignore', category=optuna.exceptions.ExperimentalWarning)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('study', help='a study file (sweeps/table3_margin.py) or its name')
    p.add_argument('--storage', help='Optuna storage URL (default: SQLite in the study dir)')
    p.add_argument('--study-name', help='default: the study file\'s name')
    p.add_argument('--study-dir', type=Path, help='default: work_dirs/sweeps/<study name>')
    p.add_argument('--workers', type=int, default=1, help='worker processes on this machine')
    p.add_argument('--seeds', type=int, nargs='+', default=[0])
    p.add_argument('--config', help="default: the study's config")
    p.add_argument('--synth', action='store_true',
                   help='train on the synthetic world --world (generated if missing)')
    p.add_argument('--world', default=DEFAULT_WORLD, help='synthetic world folder (--synth)')
    p.add_argument('--launcher', choices=['none', 'torchrun'], default='none')
    p.add_argument('--nproc', type=int, default=1, help='processes per trial (torchrun)')
    p.add_argument('--param', action='append', default=[], metavar='NAME=V1,V2',
                   help='limit a grid parameter to these choices (e.g. teacher=blip,clip)')
    p.add_argument('--cfg-options', nargs='+', default=[], metavar='KEY=VALUE',
                   help='overrides of every trial (mmengine syntax)')
    p.add_argument('--tracking-uri', help='MLflow (default: $MLFLOW_TRACKING_URI, else '
                   'SQLite in the study dir)')
    p.add_argument('--experiment', help='MLflow experiment (default: sweep-<study name>)')
    p.add_argument('--heartbeat', type=int, default=st.HEARTBEAT_INTERVAL_S, help='seconds')
    p.add_argument('--grace', type=int, default=st.GRACE_PERIOD_S,
                   help='seconds without heartbeat before a running trial is retried')
    p.add_argument('--max-retry', type=int, default=st.MAX_RETRY)
    p.add_argument('--poll', type=float, default=2.0, help='seconds between metric reads')
    p.add_argument('--worker-index', type=int, default=None, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def options(args: argparse.Namespace) -> SweepOptions:
    cfg_options = list(args.cfg_options)
    if args.synth:
        from vlmhoi.synth import generate_world, world_cfg_options
        world = Path(args.world)
        if not (world / 'stats.json').is_file():
            print(f'[sweep] generating the synthetic world {world}', flush=True)
            generate_world(world)
        cfg_options = [*world_cfg_options(world.resolve()), *cfg_options]
    return SweepOptions(seeds=args.seeds, config=args.config, cfg_options=cfg_options,
                        study_name=args.study_name, study_dir=args.study_dir,
                        storage=args.storage, tracking_uri=args.tracking_uri,
                        experiment=args.experiment, launcher=args.launcher, nproc=args.nproc,
                        heartbeat=args.heartbeat, grace=args.grace, max_retry=args.max_retry,
                        poll_interval=args.poll)


def parse_param_limits(items: list[str]) -> dict[str, list[str]]:
    out = {}
    for item in items:
        name, sep, values = item.partition('=')
        if not sep or not values:
            raise StudyError(f'--param {item!r}: expected NAME=V1,V2')
        out[name] = values.split(',')
    return out


def spawn_workers(n: int, argv: list[str]) -> int:
    """Start ``n`` worker processes of this command; 1 if any of them failed or died."""
    procs = [subprocess.Popen([sys.executable, __file__, *argv, '--worker-index', str(i)])
             for i in range(n)]
    worst = 0
    for i, proc in enumerate(procs):
        rc = proc.wait()
        if rc != 0:
            how = f'was killed by signal {-rc}' if rc < 0 else f'exited with status {rc}'
            print(f'[sweep] worker {i} (pid {proc.pid}) {how}', flush=True)
            worst = 1
    return worst


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format=f'%(asctime)s [sweep worker '
                        f'{args.worker_index or 0}] %(message)s', datefmt='%H:%M:%S')
    try:
        spec = load_spec(args.study).restricted(parse_param_limits(args.param))
        ctx = prepare(spec, options(args))
    except StudyError as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    if args.worker_index is None:
        retried = st.retry_failed(ctx.load(), args.max_retry)
        print(f'[sweep] study {ctx.study_name} in {st.redact(ctx.storage_url)}; MLflow '
              f'{st.redact(ctx.tracker.uri)} parent run {ctx.parent_run}'
              + (f'; retrying failed trials {retried}' if retried else ''), flush=True)
        if args.workers > 1:
            rc = spawn_workers(args.workers, argv)
        else:
            work(ctx)
            rc = 0
        study = ctx.load()
        print_summary(study, ctx.spec)
        left = unfinished_points(study, ctx.spec, ctx.seeds)
        complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
        ctx.tracker.mark_study(ctx.parent_run, finished=not left,
                               best=study.best_value if complete else None)
        if left:
            print(f'[sweep] {len(left)} grid point(s) without a finished trial: {left}')
            rc = rc or 1
        return rc
    work(ctx, args.worker_index)
    return 0


if __name__ == '__main__':
    sys.exit(main())
