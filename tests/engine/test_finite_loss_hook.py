"""A non-finite loss stops training with every loss term in the message (DETR's engine)."""
from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from mmdet.registry import HOOKS
from mmengine.config import Config

import vlmhoi  # noqa: F401  (registers the hook)


def _runner(iteration: int = 0):
    return SimpleNamespace(iter=iteration, epoch=0, logger=logging.getLogger('test'))


def _outputs(total: float) -> dict:
    return {'loss': torch.tensor(total), 'loss_obj_cls': torch.tensor(0.7),
            'loss_sub_bbox': torch.tensor(total), 'obj_class_error': torch.tensor(50.0)}


def test_finite_loss_passes():
    hook = HOOKS.build(dict(type='StopOnNonFiniteLossHook'))
    hook.after_train_iter(_runner(), 0, outputs=_outputs(1.5))


@pytest.mark.parametrize('bad', [float('nan'), float('inf')])
def test_non_finite_loss_raises_with_the_loss_dict(bad):
    hook = HOOKS.build(dict(type='StopOnNonFiniteLossHook'))
    with pytest.raises(FloatingPointError, match=r'iteration 4 .*loss_obj_cls: 0\.7.*'
                       r'loss_sub_bbox: (nan|inf).*obj_class_error: 50'):
        hook.after_train_iter(_runner(3), 0, outputs=_outputs(bad))


def test_interval_skips_iterations():
    hook = HOOKS.build(dict(type='StopOnNonFiniteLossHook', interval=2))
    hook.after_train_iter(_runner(0), 0, outputs=_outputs(float('nan')))  # iter 1: skipped
    with pytest.raises(FloatingPointError):
        hook.after_train_iter(_runner(1), 0, outputs=_outputs(float('nan')))
    with pytest.raises(ValueError, match='interval'):
        HOOKS.build(dict(type='StopOnNonFiniteLossHook', interval=0))


def test_default_runtime_installs_it():
    cfg = Config.fromfile(str(Path(__file__).resolve().parents[2]
                              / 'mm_configs/_base_/default_runtime.py'))
    assert dict(type='StopOnNonFiniteLossHook', interval=1) in cfg.custom_hooks
