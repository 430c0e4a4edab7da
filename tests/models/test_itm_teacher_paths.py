"""ITMDistillLoss with a real (tiny, random) teacher: online scores, the published code's
term has exactly zero gradient, and the teacher stays out of the detector's parameters."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from PIL import Image

from tests.models.conftest import ride_horse_sample
from tests.teachers.tiny_models import save_tiny_blip

K, V = 80, 117


@pytest.fixture(scope='module')
def blip_dir(tmp_path_factory):
    return save_tiny_blip(tmp_path_factory.mktemp('blip'))


def _sample(tmp_path) -> DetDataSample:
    path = tmp_path / 'img.jpg'
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8)).save(path)
    return ride_horse_sample(str(path))


def _detector(tiny, itm: dict | None):
    extra = [dict(type='ITMDistillLoss', **itm)] if itm else []
    torch.manual_seed(0)
    return MODELS.build(tiny.detector_cfg(num_objects=K, num_verbs=V, extra_losses=extra))


def _grads(model, losses, keys):
    params = [p for p in model.parameters() if p.requires_grad]
    total = sum(losses[k] for k in keys)
    return torch.autograd.grad(total, params, allow_unused=True, retain_graph=True)


def test_reference_code_term_has_zero_gradient(tiny, tmp_path, blip_dir) -> None:
    teacher = dict(type='BlipItmTeacher', model_path=str(blip_dir))
    model = _detector(tiny, dict(mode='reference_code', teacher=teacher))
    losses = model.loss(torch.rand(1, 3, 64, 64), [_sample(tmp_path)])
    assert 'loss_itm' in losses and not losses['loss_itm'].requires_grad
    hoi_keys = [k for k in losses if k.startswith(('loss_', 'd0.loss_'))
                and not k.startswith('loss_itm')]
    with_itm = _grads(model, losses, hoi_keys + ['loss_itm'])
    without = _grads(model, losses, hoi_keys)
    diffs = [(a - b).abs().max().item() for a, b in zip(with_itm, without)
             if a is not None and b is not None]
    print(f'reference_code: max |grad difference| over {len(diffs)} parameters: {max(diffs)}')
    assert len(diffs) > 10 and max(diffs) == 0.0


def test_online_relaxed_loss_has_gradient(tiny, tmp_path, blip_dir) -> None:
    teacher = dict(type='BlipItmTeacher', model_path=str(blip_dir))
    model = _detector(tiny, dict(score_source='online', teacher=teacher))
    losses = model.loss(torch.rand(1, 3, 64, 64), [_sample(tmp_path)])
    grads = _grads(model, losses, ['loss_itm'])
    named = dict(zip([n for n, p in model.named_parameters() if p.requires_grad], grads))
    assert named['bbox_head.verb_cls.weight'].abs().sum() > 0
    assert named['bbox_head.obj_cls.weight'].abs().sum() > 0


def test_teacher_is_not_a_detector_parameter(tiny, tmp_path, blip_dir) -> None:
    baseline = _detector(tiny, None)
    teacher = dict(type='BlipItmTeacher', model_path=str(blip_dir))
    model = _detector(tiny, dict(score_source='online', teacher=teacher))
    model.loss(torch.rand(1, 3, 64, 64), [_sample(tmp_path)])       # builds the teacher
    loss = model.bbox_head.extra_losses[0]
    assert loss._teacher is not None
    assert set(model.state_dict()) == set(baseline.state_dict())
    assert sum(p.numel() for p in model.parameters()) == \
        sum(p.numel() for p in baseline.parameters())
    teacher_params = {id(p) for p in loss.teacher.model.parameters()}
    assert not teacher_params & {id(p) for p in model.parameters()}
