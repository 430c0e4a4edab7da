"""tools/train.py and tools/test.py end to end on a tiny synthetic world."""
from __future__ import annotations

import json
import re

import pytest
import torch

from .conftest import CONFIG, run_tool, world_options


def test_two_iteration_training_from_the_cli_then_test_and_offline_eval(tiny_world, tmp_path):
    work = tmp_path / 'work'
    train = run_tool(['tools/train.py', CONFIG, '--work-dir', str(work), '--cfg-options',
                      *world_options(tiny_world)])
    assert train.returncode == 0, train.stderr[-3000:]
    log = train.stdout + train.stderr
    assert re.search(r'Epoch\(train\)\s+\[1\]\[\s*2/2\]', log)
    assert 'hico/mAP_full' in log  # validation ran through HICODetMetric
    ckpt = torch.load(work / 'epoch_1.pth', map_location='cpu', weights_only=False)
    assert ckpt['meta']['iter'] == 2 and ckpt['meta']['epoch'] == 1

    preds = tmp_path / 'preds.json'
    test = run_tool(['tools/test.py', CONFIG, str(work / 'epoch_1.pth'), '--work-dir',
                     str(work), '--dump-predictions', str(preds), '--cfg-options',
                     *world_options(tiny_world)])
    assert test.returncode == 0, test.stderr[-3000:]
    entries = json.loads(preds.read_text())
    gt = json.loads((tiny_world / 'annotations/test_hico.json').read_text())
    assert [e['file_name'] for e in entries] == [g['file_name'] for g in gt]
    assert all(0 < len(e['hoi_prediction']) <= 100 for e in entries)

    offline = run_tool(['tools/eval_hoi.py', '--dataset', 'hico',
                        '--gt', str(tiny_world / 'annotations/test_hico.json'),
                        '--train-gt', str(tiny_world / 'annotations/trainval_hico.json'),
                        '--pred', str(preds)])
    assert offline.returncode == 0, offline.stderr[-3000:]
    metrics = json.loads(offline.stdout)
    online = [line for line in (test.stdout + test.stderr).splitlines()
              if 'hico/mAP_full:' in line][-1]
    online_map = float(online.split('hico/mAP_full:')[1].split()[0])
    assert abs(metrics['mAP_full'] - online_map) < 1e-4  # same numbers both ways


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU-only behaviour')
def test_amp_without_accelerator_is_refused_clearly(tmp_path):
    res = run_tool(['tools/train.py', CONFIG, '--amp', '--work-dir', str(tmp_path)])
    assert res.returncode != 0
    assert '--amp needs a CUDA' in res.stderr
