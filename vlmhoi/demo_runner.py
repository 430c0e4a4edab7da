"""Run :mod:`vlmhoi.demo_stages` stages in order: select, skip, run, log, report progress.

One progress line per stage (``[demo 3/11] teacher cache ... done in 118 s (elapsed 6:02,
about 21 min left)``), a heartbeat with the running command's last log line, and on failure
the stage's name, command, log path and last log lines; the state file is written after
every stage, so an interrupted or failed run resumes at the stage that did not finish.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .demo_stages import (
    TAIL_LINES,
    Action,
    Command,
    Stage,
    StageError,
    State,
    about,
    clock,
    eta_seconds,
    stage_key,
    tree_digest,
)

POLL_S = 0.5
HEARTBEAT_WIDTH = 120   # characters of log lines in a heartbeat line
COMMAND_WIDTH = 240     # characters of a command line shown (the log has all of it)


@dataclass
class RunOptions:
    """What the command line chose: the stages to consider and to force."""
    only: str | None = None
    start: str | None = None
    force: Sequence[str] = ()
    heartbeat_s: float = 30.0
    eta_prior_s: float = 0.0
    verbose: bool = False
    base_env: Mapping[str, str] = field(default_factory=dict)


def select(stages: Sequence[Stage], opts: RunOptions) -> list[Stage]:
    """The stages this run considers (``--only`` / ``--from``); unknown names are errors."""
    names = [s.name for s in stages]
    for name in [opts.only, opts.start, *opts.force]:
        if name is not None and name != 'all' and name not in names:
            raise StageError(f'no stage {name!r}; stages: {", ".join(names)}')
    if opts.only:
        return [s for s in stages if s.name == opts.only]
    if opts.start:
        return list(stages[names.index(opts.start):])
    return list(stages)


def tail(path: Path, lines: int = TAIL_LINES) -> str:
    """The last ``lines`` lines of a log (progress-bar carriage returns as line ends)."""
    if not path.is_file():
        return ''
    text = path.read_bytes()[-64 * 1024:].decode('utf-8', 'replace').replace('\r', '\n')
    return '\n'.join([ln for ln in text.split('\n') if ln.strip()][-lines:])


class Runner:
    """Runs ``stages`` (in order) under ``root`` with the state in ``state_path``."""

    def __init__(self, stages: Sequence[Stage], expected: Mapping[str, float], root: Path,
                 state_path: Path, log_dir: Path, opts: RunOptions, label: str = 'demo') -> None:
        missing = [s.name for s in stages if s.name not in expected]
        if missing:
            raise StageError(f'no expected seconds for stages {missing}')
        self.stages, self.expected, self.root = list(stages), expected, root
        self.state, self.log_dir, self.opts, self.label = State(state_path), log_dir, opts, label
        self.start = time.monotonic()
        self.finished: dict[str, float] = {}

    # -- planning ---------------------------------------------------------------------------
    def key(self, stage: Stage) -> str:
        return stage_key(stage, self.state.digests(), self.root)

    def forced(self, stage: Stage) -> bool:
        return stage.name in self.opts.force or 'all' in self.opts.force

    def plan(self, chosen: Sequence[Stage]) -> list[str]:
        """Names of the chosen stages that will run (stale, forced, or after one that will)."""
        running: set[str] = set()
        for stage in chosen:
            if (self.forced(stage) or any(d in running for d in stage.deps)
                    or not self.state.up_to_date(stage.name, self.key(stage), self.root)):
                running.add(stage.name)
        return [s.name for s in chosen if s.name in running]

    def status_lines(self) -> list[str]:
        """``--list``: every stage, what it needs, whether it is up to date."""
        out = []
        for i, stage in enumerate(self.stages, 1):
            rec = self.state.stages.get(stage.name)
            if self.state.up_to_date(stage.name, self.key(stage), self.root):
                status = f'up to date ({rec["seconds"]:.0f} s on {rec["finished"]})'
            elif rec:
                status = f'to run ({rec["status"]} before, key {rec["key"]})'
            else:
                status = 'to run (never run)'
            deps = f'; after {", ".join(stage.deps)}' if stage.deps else ''
            out.append(f'{i:>2}. {stage.name:<14} {stage.title} (~{self.expected[stage.name]:.0f}'
                       f' s{deps}): {status}')
        return out

    # -- running ------------------------------------------------------------------------------
    def run(self) -> float:
        """Run the selected stages; returns the wall seconds. Raises StageError on failure."""
        chosen = select(self.stages, self.opts)
        index = {s.name: i for i, s in enumerate(self.stages, 1)}
        for stage in chosen:
            for dep in stage.deps:
                if dep not in {s.name for s in chosen} and self.state.stages.get(dep, {}).get(
                        'status') != 'done':
                    raise StageError(f'stage {stage.name!r} needs {dep!r}, which has not '
                                     f'finished; run it first (--from {dep})')
        todo = self.plan(chosen)
        for stage in chosen:
            head = f'[{self.label} {index[stage.name]}/{len(self.stages)}] {stage.title}'
            key = self.key(stage)
            if not self.forced(stage) and self.state.up_to_date(stage.name, key, self.root):
                rec = self.state.stages[stage.name]
                print(f'{head} ... up to date, skipped (done {rec["finished"]} in '
                      f'{rec["seconds"]:.0f} s; key {key})', flush=True)
            else:
                self.run_stage(stage, key, head, todo)
            if stage.report:
                stage.report()
        return time.monotonic() - self.start

    def run_stage(self, stage: Stage, key: str, head: str, todo: list[str]) -> None:
        rec = self.state.stages.get(stage.name)
        log_base = self.log_dir / f'{self.stages.index(stage) + 1:02d}_{stage.name}'
        print(f'{head} ... running (expected ~{self.expected[stage.name]:.0f} s)', flush=True)
        if rec is None or rec['key'] != key or self.forced(stage):
            for path in stage.fresh:
                self.wipe(self.root / path)
        self.state.stages[stage.name] = {'key': key, 'status': 'running', 'outputs': [],
                                         'started': time.strftime('%Y-%m-%d %H:%M:%S')}
        self.state.save()
        began = time.monotonic()
        logs: list[Path] = []
        try:
            for step in stage.steps:
                if isinstance(step, Action):
                    step.fn()
                else:
                    logs += self.run_step(stage, step, log_base, head, began)
            outputs = list(stage.outputs)
            if stage.found_outputs:
                outputs += stage.found_outputs('\n'.join(p.read_text(errors='replace')
                                                         for p in logs))
            missing = [p for p in outputs if not (self.root / p).exists()]
            if missing:
                raise StageError(f'{head}: finished without writing {missing}')
        except (StageError, KeyboardInterrupt) as err:
            self.state.stages[stage.name]['status'] = 'failed'
            self.state.save()
            if isinstance(err, KeyboardInterrupt):
                raise StageError(f'{head}: interrupted; the next run resumes here') from None
            raise
        seconds = time.monotonic() - began
        self.finished[stage.name] = seconds
        self.state.stages[stage.name].update(
            status='done', outputs=outputs, digest=tree_digest(outputs, self.root),
            seconds=round(seconds, 1), finished=time.strftime('%Y-%m-%d %H:%M:%S'),
            logs=[str(p) for p in logs])
        self.state.save()
        left = todo[todo.index(stage.name) + 1:] if stage.name in todo else []
        eta = eta_seconds(self.expected, self.finished, left, self.opts.eta_prior_s)
        print(f'{head} ... done in {seconds:.0f} s (elapsed {clock(time.monotonic() - self.start)}'
              f', {about(eta)})', flush=True)

    def wipe(self, path: Path) -> None:
        """Remove a ``fresh`` folder of a stage: only ever inside ``root``."""
        if not path.resolve().is_relative_to(self.root.resolve()) or path.resolve() == \
                self.root.resolve():
            raise StageError(f'refusing to wipe {path}: not inside {self.root}')
        if path.exists():
            print(f'    (inputs changed: removing {path})', flush=True)
            shutil.rmtree(path) if path.is_dir() else path.unlink()

    def run_step(self, stage: Stage, step: tuple[Command, ...], log_base: Path, head: str,
                 began: float) -> list[Path]:
        """Start the step's commands side by side, each with its log; wait for all."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        procs = []
        for cmd in step:
            argv = cmd.resolved()
            log = Path(f'{log_base}{"." + cmd.label if cmd.label else ""}.log')
            line = subprocess.list2cmdline(argv)
            shown = line if len(line) <= COMMAND_WIDTH else (
                line[:COMMAND_WIDTH] + ' ... (whole command: first line of the log)')
            print(f'    $ {shown}\n      log: {log}', flush=True)
            env = {**os.environ, 'PYTHONUNBUFFERED': '1', **self.opts.base_env, **cmd.env}
            proc = subprocess.Popen(argv, cwd=self.root, env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, start_new_session=True)
            copier = threading.Thread(target=self._copy, args=(proc, argv, log), daemon=True)
            copier.start()
            procs.append((proc, argv, log, copier))
        failed: list = []
        try:
            last_beat = time.monotonic()
            while any(p.poll() is None for p, *_ in procs):
                failed = [x for x in procs if x[0].poll() not in (None, 0)]
                if failed:        # the others are stopped: the stage failed anyway
                    break
                time.sleep(POLL_S)
                if time.monotonic() - last_beat >= self.opts.heartbeat_s:
                    last_beat = time.monotonic()
                    live = [(c, log) for (p, _, log, _), c in zip(procs, step)
                            if p.poll() is None]
                    width = HEARTBEAT_WIDTH // max(1, len(live))
                    line = ' | '.join((f'{c.label}: ' if len(step) > 1 else '')
                                      + (tail(log, 1)[:width] or '(no output yet)')
                                      for c, log in live)
                    print(f'{head} ... {clock(last_beat - began)} so far: {line}', flush=True)
        finally:
            for proc, *_ in procs:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGTERM)
            for proc, _, _, copier in procs:
                proc.wait()
                copier.join()
        failed = failed or [x for x in procs if x[0].returncode != 0]
        for proc, argv, log, _ in failed[:1]:
            others = [str(lg) for p, _, lg, _ in procs if p is not proc and p.returncode != 0]
            stopped = f'\n  stopped with it: {", ".join(others)}' if others else ''
            lines = tail(log).replace('\n', '\n    | ').join(['    | ', ''])
            raise StageError(f'{head}: FAILED after {clock(time.monotonic() - began)}: '
                             f'{subprocess.list2cmdline(argv)} exited with status '
                             f'{proc.returncode}\n  log: {log}\n  last lines:\n{lines}{stopped}')
        return [log for _, _, log, _ in procs]

    def _copy(self, proc: subprocess.Popen, argv: list[str], log: Path) -> None:
        with open(log, 'wb') as f:
            f.write(f'$ {subprocess.list2cmdline(argv)}\n'.encode())
            for chunk in iter(lambda: proc.stdout.read1(4096), b''):
                f.write(chunk)
                f.flush()
                if self.opts.verbose:
                    sys.stdout.buffer.write(chunk)
                    sys.stdout.flush()
