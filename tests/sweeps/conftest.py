"""Study files, commands and a real PostgreSQL server for the sweep tests.

The study-logic tests run ``sweeps/run.py`` for real, with the trial's training replaced
by ``quadratic_train.py`` (a subprocess with tools/train.py's command line that logs a
known metric per epoch into the trial's MLflow run and scalars.json) and a config file of
the keys it reads.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import optuna
import pytest

ROOT = Path(__file__).resolve().parents[2]
QUADRATIC = Path(__file__).with_name('quadratic_train.py')
CONFIG_TEXT = "optim_wrapper = dict(optimizer=dict(lr=1e-3))\ntrain_cfg = dict(max_epochs=3)\n"
PG_USER = 'postgres'   # initdb refuses root: as root the server runs as this system user


def write_study(tmp_path: Path, name: str = 'quad', lrs=(1e-4, 1e-3), **spec) -> Path:
    """A study file over ``lr`` (and a config with that key) for ``quadratic_train.py``."""
    config = tmp_path / 'quad_cfg.py'
    config.write_text(CONFIG_TEXT)
    extra = ''.join(f', {k}={v!r}' for k, v in spec.items())
    path = tmp_path / f'{name}.py'
    path.write_text(
        'from vlmhoi.sweeps import Param, StudySpec\n'
        f'STUDY = StudySpec(name={name!r}, table="test_table", '
        f'params=(Param("lr", key="optim_wrapper.optimizer.lr", choices={tuple(lrs)!r}),), '
        f'metric="hico/mAP_full", config={str(config)!r}, '
        f'train_script={str(QUADRATIC)!r}{extra})\n')
    return path


def sweep_cmd(study: Path, tmp_path: Path, *args: str, epoch_s: float = 0.3,
              epochs: int = 3, options: tuple[str, ...] = ()) -> list[str]:
    return [sys.executable, 'sweeps/run.py', str(study), '--study-dir', str(tmp_path / 'study'),
            '--tracking-uri', f'sqlite:///{tmp_path / "study" / "mlflow.db"}',
            '--heartbeat', '1', '--grace', '3', '--poll', '0.3', *args, '--cfg-options',
            f'train_cfg.max_epochs={epochs}', f'sweep_test.epoch_s={epoch_s}', *options]


def sweep_env() -> dict[str, str]:
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONUNBUFFERED='1',
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')]))
    env.pop('MLFLOW_TRACKING_URI', None)
    return env


def run_sweep(cmd: list[str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env=sweep_env(), capture_output=True, text=True,
                          timeout=timeout)


def load(tmp_path: Path, name: str = 'quad', storage: str | None = None) -> optuna.Study:
    url = storage or f'sqlite:///{tmp_path / "study" / "optuna.db"}'
    return optuna.load_study(study_name=name, storage=url)


def mlflow_client(tmp_path: Path):
    from mlflow.tracking import MlflowClient
    return MlflowClient(f'sqlite:///{tmp_path / "study" / "mlflow.db"}')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def pg_bin() -> Path | None:
    found = shutil.which('initdb')
    if found:
        return Path(found).resolve().parent
    dirs = sorted(glob.glob('/usr/lib/postgresql/*/bin/initdb'))
    return Path(dirs[-1]).parent if dirs else None


@pytest.fixture
def postgres_url():
    """A PostgreSQL server on a free loopback port (data dir and socket in a temp dir),
    stopped at the end; yields the URL of a fresh database."""
    bindir = pg_bin()
    if bindir is None:
        pytest.skip('no PostgreSQL binaries (initdb): apt-get install postgresql')
    pytest.importorskip('psycopg', reason='psycopg missing: pip install "psycopg[binary]"')
    prefix: list[str] = []
    base = Path(tempfile.mkdtemp(prefix='vlmhoi-pg-'))
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam(PG_USER)
        except KeyError:
            shutil.rmtree(base)
            pytest.skip(f'running as root and no {PG_USER!r} user to run initdb as '
                        '(apt-get install postgresql creates it)')
        os.chown(base, user.pw_uid, user.pw_gid)
        prefix = ['runuser', '-u', PG_USER, '--']
    data, port = base / 'data', free_port()
    env = dict(os.environ, LC_ALL='C')

    def pg(tool: str, *args: str, check: bool = True) -> None:
        subprocess.run([*prefix, str(bindir / tool), *args], check=check, capture_output=True,
                       env=env, cwd=base)

    pg('initdb', '-D', str(data), '-U', 'sweeper', '--auth=trust', '-E', 'UTF8')
    pg('pg_ctl', '-D', str(data), '-l', str(base / 'log'), '-w',
       '-o', f'-p {port} -k {base} -c listen_addresses=127.0.0.1', 'start')
    try:
        pg('createdb', '-h', '127.0.0.1', '-p', str(port), '-U', 'sweeper', 'sweeps')
        yield f'postgresql://sweeper:secret-pw@127.0.0.1:{port}/sweeps'
    finally:
        pg('pg_ctl', '-D', str(data), '-m', 'fast', '-w', 'stop', check=False)
        shutil.rmtree(base, ignore_errors=True)


def kill_worker_during_trial(proc: subprocess.Popen, study_fn, timeout: float = 120) -> int:
    """SIGKILL ``proc`` once one of its trials is running; the trial's number."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            for t in study_fn().get_trials(deepcopy=False):
                if (t.state == optuna.trial.TrialState.RUNNING
                        and t.user_attrs.get('pid') == proc.pid
                        and t.intermediate_values):
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=30)
                    return t.number
        except (KeyError, ValueError):   # study not created yet
            pass
        if proc.poll() is not None:
            raise AssertionError(f'worker exited ({proc.returncode}) before a trial ran:\n'
                                 + proc.stdout.read()[-3000:])
        time.sleep(0.2)
    raise AssertionError('no trial of the worker started running in time')
