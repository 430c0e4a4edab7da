"""Fixtures of the tracking tests: the tiny world of tests/tools, a tool runner with a
chosen environment, and a real ``mlflow server`` on 127.0.0.1."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ..tools.conftest import CONFIG, ROOT, tiny_world, world_options  # noqa: F401

SERVER_START_TIMEOUT_S = 180


def run_tool(args: list[str], env: dict[str, str], timeout: int = 600
             ) -> subprocess.CompletedProcess:
    """Run ``python <args>`` in the project root with ``env`` on top of os.environ."""
    full = dict(os.environ, OMP_NUM_THREADS='1', PYTHONUNBUFFERED='1', **env)
    full = {k: v for k, v in full.items() if v is not None}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=full, capture_output=True,
                          text=True, timeout=timeout)


def mlflow_executable() -> str | None:
    beside = Path(sys.executable).with_name('mlflow')
    return str(beside) if beside.is_file() else shutil.which('mlflow')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture
def mlflow_server(tmp_path):
    """``(url, artifacts_dir)`` of an ``mlflow server`` with a SQLite backend store and
    proxied artifacts in ``tmp_path``; stopped at the end."""
    exe = mlflow_executable()
    if exe is None:
        pytest.skip('the mlflow executable is not installed (pip install mlflow)')
    port, artifacts = _free_port(), tmp_path / 'server_artifacts'
    log = (tmp_path / 'server.log').open('w')
    proc = subprocess.Popen(
        [exe, 'server', '--host', '127.0.0.1', '--port', str(port), '--workers', '1',
         '--backend-store-uri', f'sqlite:///{tmp_path}/server.db',
         '--artifacts-destination', str(artifacts)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f'http://127.0.0.1:{port}'
    try:
        deadline = time.time() + SERVER_START_TIMEOUT_S
        while True:
            assert proc.poll() is None, (tmp_path / 'server.log').read_text()[-3000:]
            try:
                with urllib.request.urlopen(url + '/health', timeout=2) as res:
                    if res.status == 200:
                        break
            except OSError:
                pass
            assert time.time() < deadline, 'mlflow server did not come up'
            time.sleep(0.5)
        yield url, artifacts
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
