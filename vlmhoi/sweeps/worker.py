"""A sweep worker: the trial objective (params -> overrides -> training subprocess ->
metric) and the loop that runs trials until the study has none left.

The loop asks Optuna for a trial (``study.optimize(n_trials=1)``: stale trials failed and
retried, WAITING retries first, heartbeat while the trial runs) only while the study
has work nobody has taken: a WAITING (retried) trial, an untaken grid point, or TPE
trials short of ``n_trials``. While other workers' trials run it waits, so that a trial
whose worker died is retried here once its heartbeat is stale. GridSampler would hand a
grid point that is still running to a second worker once every point is taken; the
loop never asks then, and a trial that lost the race for its grid point is marked
``duplicate_of`` and pruned before any training.
"""
from __future__ import annotations

import logging
import math
import os
import socket
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import optuna
from optuna.storages import RetryHeartbeatStaleTrialCallback, fail_stale_trials
from optuna.trial import TrialState

from .cfg_check import format_cfg_option
from .launch import log_tail, run_watched, train_command
from .metrics import final_value, read_history
from .spec import SEED_PARAM, StudySpec
from .tracking import StudyTracker

logger = logging.getLogger('vlmhoi.sweeps')
PREPARE_LOG = 'prepare.log'
TAKEN = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING, TrialState.WAITING)


class TrainingFailed(RuntimeError):
    """The trial's training exited non-zero or gave no value: the trial FAILs."""


@dataclass
class SweepContext:
    """What every worker of one study shares."""
    spec: StudySpec
    study_name: str
    storage: Any
    storage_url: str
    config: str
    seeds: list[int]
    base_options: list[str]
    study_dir: Path
    tracker: StudyTracker
    parent_run: str
    launcher: str = 'none'
    nproc: int = 1
    poll_interval: float = 2.0
    sampler_seed: int = 0
    extra_env: dict[str, str] = field(default_factory=dict)

    def sampler(self, worker_index: int) -> optuna.samplers.BaseSampler:
        if self.spec.sampler == 'grid':
            # the grid order must be the same in every worker: grid ids index into it
            return optuna.samplers.GridSampler(self.spec.grid(self.seeds), seed=self.sampler_seed)
        return optuna.samplers.TPESampler(seed=self.sampler_seed + worker_index)

    def pruner(self) -> optuna.pruners.BasePruner:
        if not self.spec.pruning:
            return optuna.pruners.NopPruner()
        return optuna.pruners.MedianPruner(n_startup_trials=self.spec.prune_startup_trials,
                                           n_warmup_steps=self.spec.prune_warmup_epochs)

    def load(self, worker_index: int = 0) -> optuna.Study:
        return optuna.load_study(study_name=self.study_name, storage=self.storage,
                                 sampler=self.sampler(worker_index), pruner=self.pruner())


def next_action(study: optuna.Study, ctx: SweepContext) -> str:
    """'run' (work nobody has taken), 'wait' (only others' running trials) or 'done'."""
    trials = study.get_trials(deepcopy=False)
    if any(t.state == TrialState.WAITING for t in trials):
        return 'run'
    if ctx.spec.sampler == 'grid':
        taken = {t.system_attrs.get('grid_id') for t in trials}
        if len(taken - {None}) < len(ctx.spec.grid_points(ctx.seeds)):
            return 'run'
    elif sum(t.state in TAKEN for t in trials) < ctx.spec.n_trials:
        return 'run'
    return 'wait' if any(t.state == TrialState.RUNNING for t in trials) else 'done'


def duplicate_of(study: optuna.Study, number: int) -> int | None:
    """The trial that owns this trial's grid point when this one lost a race for it."""
    trials = study.get_trials(deepcopy=False)
    grid_id = trials[number].system_attrs.get('grid_id')
    for t in trials:
        if (t.number != number and t.system_attrs.get('grid_id') == grid_id
                and t.user_attrs.get('duplicate_of') is None
                and (t.state in (TrialState.COMPLETE, TrialState.PRUNED)
                     or (t.state in TAKEN and t.number < number))):
            return t.number
    return None


class Objective:
    """One trial: parameters -> config overrides -> ``tools/train.py`` -> metric."""

    def __init__(self, ctx: SweepContext) -> None:
        self.ctx = ctx

    def __call__(self, trial: optuna.Trial) -> float:
        ctx, spec = self.ctx, self.ctx.spec
        values = {p.name: p.suggest(trial) for p in spec.params}
        seed = (trial.suggest_categorical(SEED_PARAM, ctx.seeds) if spec.sampler == 'grid'
                else ctx.seeds[0])
        frozen = trial.study.get_trials(deepcopy=False)[trial.number]
        retry_of = RetryHeartbeatStaleTrialCallback.retried_trial_number(frozen)
        if spec.sampler == 'grid':
            owner = duplicate_of(trial.study, trial.number)
            if owner is not None:
                trial.set_user_attr('duplicate_of', owner)
                logger.warning('trial %d: grid point taken by trial %d, not run',
                               trial.number, owner)
                raise optuna.TrialPruned(f'duplicate of trial {owner}')
        work_dir = ctx.study_dir / f'trial_{trial.number:04d}'
        tags = ctx.tracker.trial_tags(ctx.study_name, ctx.parent_run, trial.number, seed,
                                      spec.table, values, retry_of)
        run_id = ctx.tracker.start_trial(tags, {**values, SEED_PARAM: seed})
        for key, val in (('seed', seed), ('mlflow_run_id', run_id), ('work_dir', str(work_dir)),
                         ('host', socket.gethostname()), ('pid', os.getpid())):
            trial.set_user_attr(key, val)
        overrides = [*ctx.base_options, *(format_cfg_option(k, v) for k, v in
                                          spec.cfg_overrides(values, seed).items())]
        cmd = train_command(spec.train_script, ctx.config, work_dir, overrides,
                            ctx.launcher, ctx.nproc)
        env = {**os.environ, **ctx.extra_env, **ctx.tracker.trial_env(run_id, tags)}
        start = time.monotonic()
        retried = f' (retry of trial {retry_of})' if retry_of is not None else ''
        logger.info('trial %d start%s: %s seed=%d -> %s', trial.number, retried, values, seed,
                    work_dir)
        state, value, source = 'FAIL', None, None
        try:
            if spec.prepare_script:
                self._prepare(trial, overrides, work_dir, env)
            value, source = self._train(trial, cmd, work_dir, env, run_id)
            state = 'COMPLETE'
            return value
        except optuna.TrialPruned:
            state = 'PRUNED'
            raise
        finally:
            ctx.tracker.end_trial(run_id, state, value, source)
            logger.info('trial %d end: %s value=%s (%s) in %.1f s', trial.number, state,
                        value, source or 'no value', time.monotonic() - start)

    def _prepare(self, trial: optuna.Trial, overrides: list[str], work_dir: Path,
                 env: dict[str, str]) -> None:
        """Run the study's ``prepare_script`` (output in ``prepare.log``)."""
        script = self.ctx.spec.prepare_script
        cmd = [sys.executable, script, self.ctx.config, '--no-progress', '--cfg-options',
               *overrides]
        work_dir.mkdir(parents=True, exist_ok=True)
        log_file = work_dir / PREPARE_LOG
        with open(log_file, 'ab') as log:
            rc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, env=env).returncode
        if rc != 0:
            tail = log_file.read_text(errors='replace')[-2000:]
            raise TrainingFailed(f'trial {trial.number}: {script} exited with status {rc}; '
                                 f'{log_file} ends with:\n{tail}')

    def _train(self, trial: optuna.Trial, cmd: list[str], work_dir: Path,
               env: dict[str, str], run_id: str) -> tuple[float, str]:
        spec, client = self.ctx.spec, self.ctx.tracker.client
        reported: set[int] = set()
        state: dict[str, Any] = {'history': {}, 'source': None}

        def poll() -> bool:
            hist, source = read_history(client, run_id, work_dir, spec.metric)
            state.update(history=hist, source=source)
            prune = False
            for epoch in sorted(set(hist) - reported):
                reported.add(epoch)
                if math.isfinite(hist[epoch]):
                    trial.report(hist[epoch], step=epoch)
                    prune = prune or (spec.pruning and trial.should_prune())
            return prune

        rc = run_watched(cmd, work_dir, env, poll, self.ctx.poll_interval)
        trial.set_user_attr('metric_source', state['source'])
        if rc is None:
            raise optuna.TrialPruned(f'pruned at epoch {max(reported)}')
        if rc != 0:
            raise TrainingFailed(f'trial {trial.number}: training exited with status {rc}; '
                                 f'{work_dir / "train.log"} ends with:\n{log_tail(work_dir)}')
        value = final_value(state['history'])
        if value is None:
            raise TrainingFailed(f'trial {trial.number}: no finite value of {spec.metric!r} '
                                 f'in MLflow run {run_id} or {work_dir}/*/vis_data/scalars.json'
                                 f' (history: {state["history"]})')
        return value, state['source']


def work(ctx: SweepContext, worker_index: int = 0) -> None:
    """Run trials of the study until none is left to take."""
    study = ctx.load(worker_index)
    objective = Objective(ctx)
    while True:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', optuna.exceptions.ExperimentalWarning)
            fail_stale_trials(study)
        action = next_action(study, ctx)
        if action == 'done':
            return
        if action == 'wait':
            time.sleep(ctx.poll_interval)
            continue
        study.optimize(objective, n_trials=1, catch=(TrainingFailed,), gc_after_trial=False,
                       show_progress_bar=False)
