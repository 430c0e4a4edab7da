"""tools/train.py stops at the first non-finite loss, names the terms, writes no checkpoint."""
from __future__ import annotations

from .conftest import CONFIG, run_tool, world_options


def test_nan_loss_stops_training_with_the_loss_dict(tiny_world, tmp_path):
    work = tmp_path / 'work'
    res = run_tool(['tools/train.py', CONFIG, '--work-dir', str(work), '--cfg-options',
                    *world_options(tiny_world), 'model.bbox_head.loss_iou.loss_weight=nan'])
    log = res.stdout + res.stderr
    assert res.returncode != 0
    assert 'FloatingPointError: loss is not finite at iteration 1' in log
    assert 'loss_sub_iou: nan' in log and 'loss_obj_cls: ' in log  # the whole dict
    assert 'obj_class_error: ' in log  # log-only diagnostics are shown too
    assert not list(work.glob('*.pth'))
