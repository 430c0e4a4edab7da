"""env_cfg.flush_denormal: on by default, applied by HOIRunner before the model is built
so that torch's worker threads flush too, switchable off."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import torch
from mmengine.config import Config

from vlmhoi.engine import apply_flush_denormal, denormals_flushed

ROOT = Path(__file__).resolve().parents[2]
SYNTH_CONFIG = 'mm_configs/muren_tiny_synth_hico.py'

# Builds the Runner of the synthetic config in a fresh process with two intra-op threads
# (no train / test parts needed) and prints the flush state the runner found.
_PROBE = """
import json, sys
from mmengine.config import Config
from mmengine.registry import RUNNERS
cfg = Config.fromfile(sys.argv[1])
for key in ('train_dataloader', 'val_dataloader', 'test_dataloader', 'train_cfg', 'val_cfg',
            'test_cfg', 'optim_wrapper', 'param_scheduler', 'val_evaluator', 'test_evaluator'):
    cfg.pop(key, None)
cfg.work_dir = sys.argv[2]
if sys.argv[3] != 'default':
    cfg.env_cfg.flush_denormal = sys.argv[3] == 'on'
runner = RUNNERS.build(cfg)
from vlmhoi.engine import flush_state
print(json.dumps(dict(runner=type(runner).__name__, state=flush_state())))
"""


def _probe(tmp_path: Path, setting: str) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS='2')
    out = subprocess.run([sys.executable, '-c', _PROBE, SYNTH_CONFIG, str(tmp_path), setting],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_probe_sees_the_torch_setting():
    try:
        assert apply_flush_denormal(False)['main'] is False
        assert not denormals_flushed()
        assert apply_flush_denormal(True)['main'] is True
        assert (torch.tensor([1e-40]) * 1.0).item() == 0.0
    finally:
        torch.set_flush_denormal(False)


def test_every_config_selects_the_runner_with_flushing_on():
    for path in (SYNTH_CONFIG, 'mm_configs/muren_r50_hico.py', 'mm_configs/muren_r50_vcoco.py',
                 'mm_configs/muren_tiny_synth_vcoco.py'):
        cfg = Config.fromfile(path)
        assert cfg.runner_type == 'HOIRunner', path
        assert cfg.env_cfg.flush_denormal is True, path


def test_runner_flushes_in_every_thread_by_default(tmp_path):
    result = _probe(tmp_path, 'default')
    assert result['runner'] == 'HOIRunner'
    assert result['state'] == dict(main=True, all_threads=True, threads=2)


def test_runner_keeps_gradual_underflow_when_switched_off(tmp_path):
    result = _probe(tmp_path, 'off')
    assert result['state']['main'] is False and result['state']['all_threads'] is False
