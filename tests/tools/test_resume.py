"""A training run killed after an epoch resumes with its counters and optimizer state."""
from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time

import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from tools.train import build_cfg, parse_args

from .conftest import CONFIG, ROOT, world_options


class CaptureResumeState(Hook):
    """Records the loop counters and optimizer state right after resuming."""

    def before_train(self, runner) -> None:
        self.epoch, self.iter = runner.epoch, runner.iter
        self.optim_state = copy.deepcopy(runner.optim_wrapper.optimizer.state_dict())
        self.trained_iters = 0

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        self.trained_iters += 1


def test_killed_training_resumes_where_it_stopped(tiny_world, tmp_path):
    work = tmp_path / 'work'
    env = dict(os.environ, OMP_NUM_THREADS='1')
    proc = subprocess.Popen(
        [sys.executable, 'tools/train.py', CONFIG, '--work-dir', str(work), '--cfg-options',
         *world_options(tiny_world, epochs=200), 'train_cfg.val_interval=1000'],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        deadline = time.time() + 300
        while not (work / 'epoch_1.pth').exists() and proc.poll() is None:
            assert time.time() < deadline, 'no checkpoint after 300 s'
            time.sleep(0.2)
        time.sleep(1.0)  # let it get into a later epoch before the kill
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL  # killed, not finished

    last = (work / 'last_checkpoint').read_text().strip()
    saved = torch.load(last, map_location='cpu', weights_only=False)
    saved_epoch, saved_iter = saved['meta']['epoch'], saved['meta']['iter']
    assert saved_epoch >= 1 and saved_iter == 2 * saved_epoch  # 2 iterations per epoch

    # the resumed run is built by tools/train.py's own parser: `--resume` without a path
    args = parse_args([str(ROOT / CONFIG), '--resume', '--work-dir', str(work),
                       '--cfg-options', *world_options(tiny_world, epochs=saved_epoch + 1),
                       'train_cfg.val_interval=1000'])
    cfg = build_cfg(args)
    assert cfg.resume is True and cfg.load_from is None  # auto: latest in the work dir
    hook = CaptureResumeState()
    runner = Runner.from_cfg(cfg)
    runner.register_hook(hook)
    runner.train()

    assert (hook.epoch, hook.iter) == (saved_epoch, saved_iter)
    saved_state = saved['optimizer']['state']
    assert saved_state and hook.optim_state['state'].keys() == saved_state.keys()
    for key, value in saved_state.items():
        assert torch.equal(hook.optim_state['state'][key]['exp_avg'], value['exp_avg'])
        assert float(hook.optim_state['state'][key]['step']) == saved_iter
    assert hook.trained_iters == 2 and runner.iter == saved_iter + 2  # one more epoch
    assert (work / f'epoch_{saved_epoch + 1}.pth').exists()
