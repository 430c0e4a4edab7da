"""Install the pinned stack into the running interpreter's environment.

Order matters, which is why this is a script rather than plain requirements:
torch first (mmcv's build imports it), a setuptools that still ships
``pkg_resources``, then mmcv 2.1.0 compiled from source with its ops
(``--no-build-isolation`` so the build sees the installed torch), then the
project itself with its extras. The compiled mmcv wheel is cached per torch
build, so a second install on the same machine skips the
~11 minute compile.

GPU users: install the CUDA torch build of your choice first; a torch that is
already importable is kept (set ``VLMHOI_TORCH`` to force another spec).
"""
from __future__ import annotations

import argparse
import glob
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TORCH_SPEC = os.environ.get('VLMHOI_TORCH', 'torch==2.13.0')
MMCV_SPEC = 'mmcv==2.1.0'
SETUPTOOLS_SPEC = 'setuptools==80.9.0'  # still ships pkg_resources, which mmcv's setup.py imports


def pip(*args: str, env: dict | None = None) -> None:
    cmd = [sys.executable, '-m', 'pip', *args]
    print('+', ' '.join(cmd), flush=True)
    subprocess.run(cmd, check=True, env=env)


def torch_tag() -> str:
    """Identify the installed torch build so cached mmcv wheels never mix builds."""
    out = subprocess.run(
        [sys.executable, '-c',
         'import torch,sys; print(torch.__version__, torch.version.cuda or "cpu",'
         ' f"py{sys.version_info[0]}{sys.version_info[1]}")'],
        check=True, capture_output=True, text=True).stdout.split()
    return '-'.join(x.replace('+', '_') for x in out)


def default_cache() -> Path:
    base = os.environ.get('XDG_CACHE_HOME', str(Path.home() / '.cache'))
    return Path(os.environ.get('VLMHOI_WHEEL_CACHE', Path(base) / 'vlmhoi' / 'wheels'))


def mmcv_has_ops() -> bool:
    code = 'import mmcv.ops, mmcv; assert mmcv.__version__ == "2.1.0"'
    return subprocess.run([sys.executable, '-c', code], capture_output=True).returncode == 0


def install_mmcv(cache: Path) -> None:
    if mmcv_has_ops():
        print('mmcv 2.1.0 with ops already installed', flush=True)
        return
    wheel_dir = cache / torch_tag()
    wheels = sorted(glob.glob(str(wheel_dir / 'mmcv-2.1.0-*.whl')))
    if not wheels:
        print(f'building mmcv 2.1.0 with ops from source into {wheel_dir} '
              '(about 11 minutes on 2 cores, once per machine and torch build)', flush=True)
        env = dict(os.environ, MMCV_WITH_OPS='1', MAX_JOBS=str(os.cpu_count() or 1))
        start = time.time()
        pip('wheel', MMCV_SPEC, '--no-deps', '--no-build-isolation', '--no-binary', 'mmcv',
            '-w', str(wheel_dir), env=env)
        print(f'mmcv build took {time.time() - start:.0f} s', flush=True)
        wheels = sorted(glob.glob(str(wheel_dir / 'mmcv-2.1.0-*.whl')))
    else:
        print(f'reusing cached mmcv wheel {wheels[-1]}', flush=True)
    pip('install', wheels[-1])
    if not mmcv_has_ops():
        raise SystemExit('mmcv installed but `import mmcv.ops` fails: remove '
                         f'{wheel_dir} and re-run to rebuild')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--extras', default='dev', help='extras of the vlmhoi package to install')
    parser.add_argument('--cache', type=Path, default=default_cache(), help='mmcv wheel cache')
    args = parser.parse_args()
    start = time.time()
    pip('install', '-q', SETUPTOOLS_SPEC, 'wheel')
    if 'VLMHOI_TORCH' in os.environ or importlib.util.find_spec('torch') is None:
        pip('install', '-q', *TORCH_SPEC.split())
    install_mmcv(args.cache)
    target = f'{ROOT}[{args.extras}]' if args.extras else str(ROOT)
    pip('install', '-q', '-e', target)
    print(f'environment ready in {time.time() - start:.0f} s', flush=True)


if __name__ == '__main__':
    main()
