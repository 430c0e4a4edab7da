"""torchrun with two gloo processes trains the synthetic config on CPU; only rank 0 logs
to MLflow."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys

import pytest
import torch
from mlflow.tracking import MlflowClient

from .conftest import CONFIG, ROOT, world_options


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(torch.cuda.is_available(), reason='checks the CPU (gloo) path')
def test_torchrun_two_processes_gloo(tiny_world, tmp_path):
    work = tmp_path / 'work'
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONUNBUFFERED='1')
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
           '--master_addr=127.0.0.1', f'--master_port={free_port()}', 'tools/train.py', CONFIG,
           '--launcher', 'pytorch', '--work-dir', str(work), '--cfg-options',
           *world_options(tiny_world), 'train_dataloader.batch_size=1']
    res = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    log = res.stdout + res.stderr
    assert res.returncode == 0, log[-4000:]
    assert 'Distributed training: True' in log
    # 4 images, batch 1 per process, 2 processes: 2 iterations per epoch
    assert re.search(r'Epoch\(train\)\s+\[1\]\[\s*2/2\]', log)
    ckpt = torch.load(work / 'epoch_1.pth', map_location='cpu', weights_only=False)
    assert ckpt['meta']['iter'] == 2
    assert not any(k.startswith('module.') for k in ckpt['state_dict'])

    # one MLflow run (rank 1 opens none), world size 2, each iteration logged once
    info = json.loads((work / 'mlflow_run.json').read_text())
    client = MlflowClient(info['tracking_uri'])
    experiments = [e.experiment_id for e in client.search_experiments()]
    runs = client.search_runs(experiments, f"tags.work_dir = '{work}'")
    assert [r.info.run_id for r in runs] == [info['run_id']]
    assert runs[0].data.params['world_size'] == '2' and runs[0].info.status == 'FINISHED'
    assert [m.step for m in client.get_metric_history(info['run_id'], 'loss')] == [1, 2]
