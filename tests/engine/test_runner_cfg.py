"""Shared command-line config handling of tools/train.py and tools/test.py."""
from __future__ import annotations

import pytest
import torch

from vlmhoi.engine import load_runner_cfg

CONFIG = 'mm_configs/_base_/schedules/adamw_100e.py'


def test_work_dir_defaults_to_config_name():
    cfg = load_runner_cfg(CONFIG)
    assert cfg.work_dir.replace('\\', '/') == './work_dirs/adamw_100e'
    assert cfg.launcher == 'none'
    assert 'model_wrapper_cfg' not in cfg


def test_cfg_options_and_work_dir_override(tmp_path):
    cfg = load_runner_cfg(CONFIG, cfg_options={'optim_wrapper.optimizer.lr': 0.5},
                          work_dir=str(tmp_path))
    assert cfg.optim_wrapper.optimizer.lr == 0.5
    assert cfg.work_dir == str(tmp_path)


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU-only behaviour')
def test_distributed_launch_on_cpu_selects_cpu_ddp():
    cfg = load_runner_cfg(CONFIG, launcher='pytorch')
    assert cfg.model_wrapper_cfg.type == 'CPUFriendlyDDP'


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU-only behaviour')
def test_amp_on_cpu_stops_with_a_clear_message():
    from tools.train import build_cfg, parse_args
    with pytest.raises(SystemExit, match='--amp needs a CUDA'):
        build_cfg(parse_args([CONFIG, '--amp']))
