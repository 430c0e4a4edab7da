"""Run one trial's training as a subprocess, watch it, stop it cleanly when pruned.

The command is ``python <train script> CONFIG --work-dir DIR --cfg-options ...`` with
launcher ``none``, or the same script under ``python -m torch.distributed.run
--nproc-per-node N ... --launcher pytorch`` with launcher ``torchrun``. The process runs
in its own session (so a prune kills the whole group, torchrun's workers included) and,
on Linux, gets SIGKILL when the worker that started it dies (``PR_SET_PDEATHSIG``), so a
killed worker leaves no training running behind its retried trial.
"""
from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

LAUNCHERS = ('none', 'torchrun')
PR_SET_PDEATHSIG = 1
STOP_TIMEOUT_S = 20            # SIGTERM, then SIGKILL after this long
LOG_FILE = 'train.log'


def _die_with_parent() -> None:
    try:
        ctypes.CDLL('libc.so.6', use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:            # not Linux: the child outlives a SIGKILLed worker
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def train_command(script: str, config: str, work_dir: Path, cfg_options: list[str],
                  launcher: str = 'none', nproc: int = 1) -> list[str]:
    """The training command of one trial."""
    args = [script, config, '--work-dir', str(work_dir)]
    if launcher == 'torchrun':
        return [sys.executable, '-m', 'torch.distributed.run', f'--nproc-per-node={nproc}',
                '--master-addr=127.0.0.1', f'--master-port={free_port()}', *args,
                '--launcher', 'pytorch', '--cfg-options', *cfg_options]
    if launcher != 'none':
        raise ValueError(f'launcher must be one of {LAUNCHERS}, got {launcher!r}')
    return [sys.executable, *args, '--cfg-options', *cfg_options]


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM the process group, SIGKILL it if still alive after STOP_TIMEOUT_S."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
            return
        except subprocess.TimeoutExpired:
            continue


def run_watched(cmd: list[str], work_dir: Path, env: dict[str, str],
                poll: Callable[[], bool], poll_interval: float) -> int | None:
    """Run ``cmd`` (output to ``work_dir/train.log``); every ``poll_interval`` seconds
    call ``poll()``, and stop the run when it returns True. Returns the exit status, or
    None when ``poll`` stopped it."""
    work_dir.mkdir(parents=True, exist_ok=True)
    with open(work_dir / LOG_FILE, 'ab') as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True, preexec_fn=_die_with_parent)
        try:
            while True:
                try:
                    rc = proc.wait(timeout=poll_interval)
                    poll()                   # the values of the last epoch
                    return rc
                except subprocess.TimeoutExpired:
                    pass
                if poll():
                    stop(proc)
                    return None
        except BaseException:            # the worker is interrupted: take the run with it
            stop(proc)
            raise


def log_tail(work_dir: Path, chars: int = 2000) -> str:
    path = work_dir / LOG_FILE
    return path.read_text(errors='replace')[-chars:] if path.is_file() else ''
