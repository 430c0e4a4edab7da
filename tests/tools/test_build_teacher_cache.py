"""tools/build_teacher_cache.py as a program: resume after a SIGKILL, two shards = one run."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from tests.teachers.cache_world import (
    BATCH,
    CONFIG,
    N_TRAIN,
    cache_cfg,
    cache_options,
    make_teacher,
    make_world,
)
from vlmhoi.teachers.cache_builder import HANG_ENV, HANG_MESSAGE, fill_cache, open_configured_cache
from vlmhoi.teachers.cache_status import parse_cache_status
from vlmhoi.teachers.score_cache import ScoreCache

from .conftest import ROOT, run_tool

TOOL = 'tools/build_teacher_cache.py'
KILL_AFTER = 4            # images done before the killed run hangs mid-batch
WAIT_S = 300


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """(world, teacher dir, reference scores of a clean in-process build)."""
    os.environ.setdefault('HF_HUB_OFFLINE', '1')
    world = make_world(tmp_path_factory.mktemp('tool_world'))
    teacher = make_teacher(tmp_path_factory.mktemp('tool_teacher'))
    target = open_configured_cache(cache_cfg(world, teacher),
                                   root=tmp_path_factory.mktemp('clean'))
    fill_cache(target.scorer, target.cache, target.image_paths, batch_size=BATCH,
               progress=False)
    return world, teacher, np.array(target.cache.scores), target.cache.key


def tool_args(world, teacher, root, *extra) -> list[str]:
    return [TOOL, CONFIG, '--out', str(root), '--no-progress', *extra, '--cfg-options',
            *cache_options(world, teacher)]


def popen(args: list[str], log, **env) -> subprocess.Popen:
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONUNBUFFERED='1', HF_HUB_OFFLINE='1', **env)
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, text=True)


def only_cache(root):
    (folder,) = [p for p in root.iterdir() if not p.name.startswith('.')]
    return folder


def test_resume_after_sigkill_scores_only_the_rest(setup, tmp_path):
    world, teacher, reference, key = setup
    root, log_path = tmp_path / 'root', tmp_path / 'killed.log'
    with open(log_path, 'w') as log:
        proc = popen(tool_args(world, teacher, root), log, **{HANG_ENV: str(KILL_AFTER)})
        deadline = time.monotonic() + WAIT_S
        while HANG_MESSAGE not in log_path.read_text():
            assert proc.poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, 'the tool never reached the test hook'
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)          # rows of the batch written, not marked
        proc.wait()
    folder = only_cache(root)
    partial = ScoreCache._open(folder, key, writable=False)
    assert int(partial.done_mask().sum()) == KILL_AFTER
    rerun = run_tool(tool_args(world, teacher, root))
    out = rerun.stdout + rerun.stderr
    assert rerun.returncode == 0, out[-3000:]
    remaining = N_TRAIN - KILL_AFTER
    assert f'{KILL_AFTER} images already done, scoring {remaining}' in out
    assert re.search(rf'scored {remaining} images in', out)
    final = ScoreCache.open_complete(None, key, path=folder)
    np.testing.assert_allclose(final.scores, reference, rtol=0, atol=1e-6)


def test_two_shards_in_parallel_equal_one_process(setup, tmp_path):
    world, teacher, reference, key = setup
    root = tmp_path / 'root'
    logs = [tmp_path / f'shard{i}.log' for i in range(2)]
    procs = []
    for i, path in enumerate(logs):
        with open(path, 'w') as log:
            procs.append(popen(tool_args(world, teacher, root, '--shard', f'{i}/2'), log))
    for proc, path in zip(procs, logs):
        assert proc.wait(timeout=WAIT_S) == 0, path.read_text()[-3000:]
        assert f'owns {N_TRAIN // 2} images; 0 images already done' in path.read_text()
    folder = only_cache(root)
    assert sorted(p.name for p in (folder / 'done').iterdir()) == [
        'shard-0-of-2.npy', 'shard-1-of-2.npy']
    final = ScoreCache.open_complete(root, key)
    assert final.path == folder
    # the status lines tools/demo.py reads the cache folder from (one says complete)
    status = [parse_cache_status(p.read_text()) for p in logs]
    assert all(len(s) == 1 and s[0][0] == str(folder) for s in status)
    assert max(s[0][1] for s in status) == N_TRAIN and {s[0][2] for s in status} == {N_TRAIN}
    np.testing.assert_allclose(final.scores, reference, rtol=0, atol=1e-6)


def test_bad_shard_is_refused(setup, tmp_path):
    world, teacher, _, _ = setup
    res = run_tool(tool_args(world, teacher, tmp_path, '--shard', '2/2'))
    assert res.returncode != 0 and 'need 0 <= I < N' in res.stderr
    assert not any(tmp_path.iterdir())
