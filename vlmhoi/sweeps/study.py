"""Open (create or resume) a study, after every check that can fail without writing.

Order: study file -> config and parameter keys -> tracking server -> storage -> study.
A study keeps what defines it (config, grid, metric, base overrides) in its user attrs;
resuming with a different definition is an error instead of a silently mixed study.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import optuna

from vlmhoi.tracking.uri import resolve_tracking_uri

from . import storage as st
from .cfg_check import check_study_config, parse_cfg_options
from .spec import StudyError, StudySpec
from .tracking import StudyTracker
from .worker import SweepContext

ATTR_DEFINITION = 'sweep_definition'
DEFAULT_ROOT = Path('work_dirs') / 'sweeps'


@dataclass
class SweepOptions:
    """The command-line choices of ``sweeps/run.py`` that shape a study."""
    seeds: list[int]
    config: str | None = None
    cfg_options: list[str] = field(default_factory=list)
    study_name: str | None = None
    study_dir: Path | None = None
    storage: str | None = None
    tracking_uri: str | None = None
    experiment: str | None = None
    launcher: str = 'none'
    nproc: int = 1
    heartbeat: int = st.HEARTBEAT_INTERVAL_S
    grace: int = st.GRACE_PERIOD_S
    max_retry: int = st.MAX_RETRY
    poll_interval: float = 2.0
    sampler_seed: int = 0


def definition(spec: StudySpec, config: str, opts: SweepOptions) -> dict:
    out = {'spec': spec.name, 'config': config, 'metric': spec.metric,
           'direction': spec.direction, 'sampler': spec.sampler,
           'base_options': list(opts.cfg_options), 'train_script': spec.train_script}
    if spec.sampler == 'grid':
        out['grid'] = spec.grid(opts.seeds)
    else:
        out['seeds'] = list(opts.seeds)
        out['n_trials'] = spec.n_trials
    return out


def check_points(spec: StudySpec, seeds: list[int]) -> list[dict]:
    if spec.sampler == 'grid':
        return spec.grid_points(seeds)
    ends = {}
    for p in spec.params:
        ends[p.name] = p.choices[0] if p.choices is not None else p.low
    return [{**ends, 'seed': seeds[0]}]


def prepare(spec: StudySpec, opts: SweepOptions, *, create: bool = True) -> SweepContext:
    """Check everything, then create or load the study and its MLflow parent run."""
    if not opts.seeds:
        raise StudyError('--seeds: give at least one seed')
    if len(set(opts.seeds)) != len(opts.seeds):
        raise StudyError(f'--seeds: repeated seeds {opts.seeds}')
    if spec.sampler == 'tpe' and len(opts.seeds) != 1:
        raise StudyError(f'{spec.source}: a TPE study runs one seed per trial; pass one '
                         f'--seeds value (got {opts.seeds})')
    config = opts.config or spec.config
    base = parse_cfg_options(opts.cfg_options)
    check_study_config(spec, config, base, check_points(spec, opts.seeds))
    name = opts.study_name or spec.name
    study_dir = (opts.study_dir or DEFAULT_ROOT / name).resolve()
    # the same store as every training run (vlmhoi.tracking.uri), so that reports find
    # the trials next to the runs they compare with
    tracking_uri, _ = resolve_tracking_uri(opts.tracking_uri)
    st.check_tracking(tracking_uri)
    url = opts.storage or st.default_storage_url(study_dir)
    holder: dict = {}

    def mark_failed_run(study: optuna.Study, trial) -> None:
        run_id = trial.user_attrs.get('mlflow_run_id')
        if run_id and 'tracker' in holder:
            holder['tracker'].end_trial(run_id, 'FAIL', None, None)

    storage = st.open_storage(url, opts.heartbeat, opts.grace, opts.max_retry,
                              create=create, on_retry=mark_failed_run)
    wanted = definition(spec, config, opts)
    existing = {s.study_name: s for s in optuna.study.get_all_study_summaries(storage)}
    if name in existing:
        have = existing[name].user_attrs.get(ATTR_DEFINITION)
        if have is not None and have != wanted:
            diff = sorted(k for k in set(have) | set(wanted) if have.get(k) != wanted.get(k))
            raise StudyError(f'study {name!r} in {st.redact(url)} was created with other '
                             f'settings ({", ".join(diff)} differ: stored '
                             f'{ {k: have.get(k) for k in diff} }, asked '
                             f'{ {k: wanted.get(k) for k in diff} }); resume it with the same '
                             'command, or pass --study-name for a new study')
    elif not create:
        raise StudyError(f'no study {name!r} in {st.redact(url)} '
                         f'(studies there: {sorted(existing) or "none"})')
    tracker = StudyTracker(tracking_uri, opts.experiment or f'sweep-{name}')
    holder['tracker'] = tracker
    study_dir.mkdir(parents=True, exist_ok=True)
    try:   # the process that creates the study makes its parent run; others wait for it
        study = optuna.create_study(storage=storage, study_name=name,
                                    direction=spec.direction)
        study.set_user_attr(ATTR_DEFINITION, wanted)
        parent = tracker.parent_run(study, spec.table, url)
    except optuna.exceptions.DuplicatedStudyError:
        study = optuna.load_study(study_name=name, storage=storage)
        parent = tracker.wait_parent_run(study, spec.table, url)
    return SweepContext(spec=spec, study_name=name, storage=storage, storage_url=url,
                        config=config, seeds=list(opts.seeds),
                        base_options=list(opts.cfg_options), study_dir=study_dir,
                        tracker=tracker, parent_run=parent, launcher=opts.launcher,
                        nproc=opts.nproc, poll_interval=opts.poll_interval,
                        sampler_seed=opts.sampler_seed)
