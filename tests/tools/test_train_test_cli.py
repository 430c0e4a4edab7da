"""tools/train.py and tools/test.py end to end on a tiny synthetic world."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch

from .conftest import CONFIG, run_tool, world_options


def test_two_iteration_training_from_the_cli(tiny_world, tmp_path):
    work = tmp_path / 'work'
    train = run_tool(['tools/train.py', CONFIG, '--work-dir', str(work), '--cfg-options',
                      *world_options(tiny_world)])
    assert train.returncode == 0, train.stderr[-3000:]
    log = train.stdout + train.stderr
    assert re.search(r'Epoch\(train\)\s+\[1\]\[\s*2/2\]', log)
    assert 'hico/mAP_full' in log  # validation ran through HICODetMetric
    assert 'obj_class_error' in log and 'obj_cardinality_error' in log  # diagnostics
    ckpt = torch.load(work / 'epoch_1.pth', map_location='cpu', weights_only=False)
    assert ckpt['meta']['iter'] == 2 and ckpt['meta']['epoch'] == 1


def test_online_and_offline_evaluation_agree_on_a_model_that_learned(overfit_run, tmp_path):
    """tools/test.py's metric and tools/eval_hoi.py on its dumped predictions give the same
    numbers, for the 8-image overfit model (a clearly non-zero mAP, so matching, scoring
    and ranking all matter)."""
    world = Path(overfit_run['world'])
    preds = tmp_path / 'preds.json'
    test = run_tool(['tools/test.py', overfit_run['config'], overfit_run['checkpoint'],
                     '--work-dir', str(tmp_path / 'test'), '--dump-predictions', str(preds),
                     '--cfg-options', *overfit_run['cfg_options']])
    assert test.returncode == 0, test.stderr[-3000:]
    gt_file = world / 'annotations/trainval_hico.json'  # evaluated on the training images
    entries = json.loads(preds.read_text())
    gt = json.loads(gt_file.read_text())
    assert [e['file_name'] for e in entries] == [g['file_name'] for g in gt]
    assert all(0 < len(e['hoi_prediction']) <= 100 for e in entries)

    offline = run_tool(['tools/eval_hoi.py', '--dataset', 'hico', '--gt', str(gt_file),
                        '--train-gt', str(gt_file), '--pred', str(preds)])
    assert offline.returncode == 0, offline.stderr[-3000:]
    metrics = json.loads(offline.stdout)
    online = [line for line in (test.stdout + test.stderr).splitlines()
              if 'hico/mAP_full:' in line][-1]
    online_map = float(online.split('hico/mAP_full:')[1].split()[0])
    assert online_map > 30 and abs(online_map - overfit_run['map_full']) < 1e-3
    assert abs(metrics['mAP_full'] - online_map) < 1e-4  # same numbers both ways


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU-only behaviour')
def test_amp_without_accelerator_is_refused_clearly(tmp_path):
    res = run_tool(['tools/train.py', CONFIG, '--amp', '--work-dir', str(tmp_path)])
    assert res.returncode != 0
    assert '--amp needs a CUDA' in res.stderr
