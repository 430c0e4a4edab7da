"""``tools/make_synth.py`` as a subprocess and argument checking."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from vlmhoi.synth import generate_world

from .conftest import MAKE_SYNTH, ROOT, TINY


def _run(*args: str, hash_seed: str = '123') -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, OMP_NUM_THREADS='1')
    return subprocess.run([sys.executable, str(MAKE_SYNTH), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_cli_writes_the_same_world_as_the_library(tmp_path, tiny_world):
    out = tmp_path / 'world'
    proc = _run('--out', str(out), '--seed', '0', '--train', str(TINY['n_train']), '--test',
                str(TINY['n_test']), '--size', str(TINY['size']), '--no-progress')
    assert proc.returncode == 0, proc.stderr
    assert 'categories' in proc.stdout and 'head' in proc.stdout and 'rare' in proc.stdout
    assert (out / 'contact_sheet.png').is_file()
    stats = json.loads((out / 'stats.json').read_text())
    assert stats['images'] == {'train': TINY['n_train'], 'test': TINY['n_test']}
    # another process with another hash seed writes byte-identical files
    mine = {p.relative_to(out): p.read_bytes() for p in out.rglob('*') if p.is_file()}
    ref = {p.relative_to(tiny_world): p.read_bytes() for p in tiny_world.rglob('*')
           if p.is_file()}
    assert mine.keys() == ref.keys()
    assert [str(k) for k in mine if mine[k] != ref[k]] == []


def test_cli_rejects_a_too_small_image(tmp_path):
    out = tmp_path / 'world'
    proc = _run('--out', str(out), '--size', '16')
    assert proc.returncode != 0
    assert 'size' in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize('kwargs, message', [
    (dict(seed=-1), 'seed'), (dict(n_train=0), 'train'), (dict(size=32), 'size')])
def test_generate_world_rejects_bad_arguments(tmp_path, kwargs, message):
    args = dict(seed=0, n_train=2, n_test=1, size=96, progress=False) | kwargs
    with pytest.raises(ValueError, match=message):
        generate_world(tmp_path / 'w', **args)
    assert not (tmp_path / 'w').exists()


def test_regenerating_smaller_world_removes_stale_images(tmp_path):
    out = tmp_path / 'w'
    generate_world(out, seed=0, n_train=5, n_test=2, size=64, progress=False)
    generate_world(out, seed=0, n_train=3, n_test=2, size=64, progress=False)
    assert len(list((out / 'images/train2015').glob('*.jpg'))) == 3


def test_generator_needs_neither_torch_nor_openmmlab(tmp_path):
    """The generator runs with numpy + Pillow only (vlmhoi's own __init__ is bypassed)."""
    code = f"""
import sys, types
pkg = types.ModuleType('vlmhoi'); pkg.__path__ = [{str(ROOT / 'vlmhoi')!r}]
sys.modules['vlmhoi'] = pkg
from vlmhoi.synth import generate_world
generate_world({str(tmp_path / 'w')!r}, seed=0, n_train=2, n_test=1, size=64, progress=False)
heavy = sorted(m for m in sys.modules if m.split('.')[0] in
               ('torch', 'mmengine', 'mmdet', 'mmcv', 'matplotlib', 'transformers'))
print('HEAVY', heavy)
"""
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stderr
    assert 'HEAVY []' in proc.stdout
