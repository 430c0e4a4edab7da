"""Run a command with the shared stack environment's Python (what tox envs call).

    python tools/stack_env.py ENV_DIR -- CMD [ARGS ...]

tox 4 records each environment's name in its ``env_dir`` and recreates the folder when
another environment name uses it ("env type changed from py311 to demo"), so two tox
environments cannot share one installed stack through ``env_dir``. Instead the tox
environments are thin (no packages of their own) and call this script: it creates the
virtual environment ``ENV_DIR`` once (stdlib ``venv`` with pip), brings it up to date
with ``tools/install_deps.py`` (a no-op check when the stack is installed; the compiled
mmcv wheel is cached per machine), then runs ``CMD`` with that environment's Python:
``python ...`` and ``-m module ...`` as given, any other command as ``-m CMD``
(e.g. ``pytest``). The exit status is the command's.
"""
from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def stack_python(env_dir: Path) -> Path:
    """The interpreter of the virtual environment in ``env_dir`` (POSIX or Windows)."""
    posix, windows = env_dir / 'bin' / 'python', env_dir / 'Scripts' / 'python.exe'
    return windows if windows.exists() and not posix.exists() else posix


def ensure_stack(env_dir: Path) -> Path:
    """Create ``env_dir`` if it has no interpreter, install / check the stack in it."""
    python = stack_python(env_dir)
    if not python.exists():
        print(f'[stack_env] creating the stack environment {env_dir}', flush=True)
        venv.create(env_dir, with_pip=True, clear=env_dir.exists())
        python = stack_python(env_dir)
    subprocess.run([str(python), str(ROOT / 'tools' / 'install_deps.py')], check=True)
    return python


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 3 or argv[1] != '--':
        raise SystemExit(__doc__.split('\n\n')[0].strip())
    python = ensure_stack(Path(argv[0]).resolve())
    cmd = argv[2:]
    if cmd[0] in ('python', 'python3'):
        cmd = cmd[1:]
    elif cmd[0] != '-m' and not cmd[0].endswith('.py'):
        cmd = ['-m', *cmd]
    return subprocess.run([str(python), *cmd]).returncode


if __name__ == '__main__':
    sys.exit(main())
