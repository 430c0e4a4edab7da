"""A tiny synthetic world and the command-line overrides that point the synthetic config
at it, shared by the end-to-end tests of tools/train.py and tools/test.py; and one
8-image overfit run (benchmark/overfit_check.py, run as a program) for the tests that
need a model that has learned something."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vlmhoi.synth import generate_world, world_cfg_options

ROOT = Path(__file__).resolve().parents[2]
CONFIG = 'mm_configs/muren_tiny_synth_hico.py'


@pytest.fixture(scope='session')
def tiny_world(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp('world')
    generate_world(out, seed=1, n_train=4, n_test=4, size=96, progress=False)
    return out


def world_options(world: Path, epochs: int = 1) -> list[str]:
    """--cfg-options for a fast run on ``world``: 2 iterations of batch 2 per epoch, from
    scratch (the synthetic configs start from the cached detection pre-training, which a
    fresh machine does not have; tests/pretraining builds a tiny one for real)."""
    return [
        *world_cfg_options(world), 'model.init_cfg=None',
        'train_dataloader.batch_size=2', 'val_dataloader.batch_size=2',
        'test_dataloader.batch_size=2',
        f'train_cfg.max_epochs={epochs}', 'train_cfg.val_interval=1',
        'default_hooks.logger.interval=1', 'default_hooks.checkpoint.interval=1',
    ]


def run_tool(args: list[str], timeout: int = 600, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONUNBUFFERED='1')
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout, **kw)


OVERFIT_ITERS = 200  # benchmark/overfit_check.py --iters; see tests/tools/test_overfit.py


@pytest.fixture(scope='session')
def overfit_run(tmp_path_factory) -> dict:
    """``overfit_check.json`` of an 8-image overfit run (train = evaluation images)."""
    work = tmp_path_factory.mktemp('overfit')
    res = run_tool(['benchmark/overfit_check.py', '--iters', str(OVERFIT_ITERS),
                    '--work-dir', str(work), '--min-map', '0'], timeout=900)
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]
    return json.loads((work / 'overfit_check.json').read_text())
