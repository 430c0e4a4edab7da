"""The training settings of the paper and MUREN-exact configs, the HICO-DET colour
jitter (against PIL, what torchvision's ColorJitter runs on the reference's PIL images)
and the warm-up written with mmengine's epoch-to-iteration conversion."""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import torch
from mmdet.registry import TRANSFORMS
from mmengine.config import Config
from mmengine.optim.scheduler import LinearLR
from mmengine.registry import init_default_scope
from PIL import Image, ImageEnhance

import vlmhoi  # noqa: F401  (registers the transforms)

CONFIGS = Path(__file__).resolve().parents[2] / 'mm_configs'
init_default_scope('mmdet')


def _cfg(name: str) -> Config:
    return Config.fromfile(str(CONFIGS / name))


def _loss_weights(cfg: Config) -> tuple[float, ...]:
    head = cfg.model.bbox_head
    return tuple(head[k].loss_weight for k in ('loss_bbox', 'loss_iou', 'loss_obj_cls',
                                                'loss_verb_cls'))


@pytest.mark.parametrize('name', ['muren_r50_hico.py', 'vlmhoi_r50_hico.py',
                                  'muren_r50_vcoco.py'])
def test_paper_configs_use_eq5_weights_and_detr_init(name):
    cfg = _cfg(name)
    assert _loss_weights(cfg) == (2.5, 1.0, 1.0, 1.0)  # VLM-HOI Eq. 5
    assert cfg.model.init_cfg.type == 'DetrPretrained'


def test_muren_exact_differs_only_in_the_verb_weight_and_detr_layout():
    exact, paper = _cfg('muren_exact_r50_hico.py'), _cfg('muren_r50_hico.py')
    assert _loss_weights(exact) == (2.5, 1.0, 1.0, 2.0)  # MUREN main.py defaults
    assert exact.model.train_cfg == paper.model.train_cfg  # same matcher costs
    assert exact.model.init_cfg.layout == 'facebook'
    exact.model.bbox_head.loss_verb_cls.loss_weight = 1.0
    exact.model.init_cfg = paper.model.init_cfg
    assert exact.model == paper.model


def test_hico_train_pipeline_has_the_reference_color_jitter_after_the_flip():
    steps = _cfg('muren_r50_hico.py').train_dataloader.dataset.pipeline
    types = [s['type'] for s in steps]
    assert types[:4] == ['LoadImageFromFile', 'LoadHOIAnnotations', 'RandomFlip',
                         'RandomChoice']
    jitter = steps[3]['transforms']
    orders = {tuple(t['type'] for t in order) for order in jitter}
    assert orders == set(itertools.permutations(('Brightness', 'Contrast', 'Color')))
    assert all((t['min_mag'], t['max_mag'], t['prob']) == (0.6, 1.4, 1.0)
               for order in jitter for t in order)
    assert types[4] == 'RandomChoice' and 'RandomChoiceResize' in str(steps[4])
    # the synthetic world's pipeline is unchanged
    synth = _cfg('muren_tiny_synth_hico.py').train_dataloader.dataset.pipeline
    assert 'Brightness' not in str(synth)
    assert TRANSFORMS.build(steps[3]) is not None


def _pil_rgb(img_bgr: np.ndarray) -> Image.Image:
    return Image.fromarray(img_bgr[..., ::-1].copy())


@pytest.mark.parametrize('mmdet_type,pil_enhance', [
    ('Brightness', ImageEnhance.Brightness), ('Contrast', ImageEnhance.Contrast),
    ('Color', ImageEnhance.Color)])
@pytest.mark.parametrize('factor', [0.6, 0.8, 1.3])
def test_jitter_transforms_match_torchvision_on_pil(mmdet_type, pil_enhance, factor):
    """torchvision's ColorJitter on a PIL image is PIL's ImageEnhance with the factor;
    mmdet's transforms give the same image up to 1 grey level (truncation vs rounding)."""
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)  # BGR, as mmcv loads
    t = TRANSFORMS.build(dict(type=mmdet_type, prob=1.0, min_mag=factor, max_mag=factor))
    ours = t(dict(img=img.copy()))['img']
    ref = np.asarray(pil_enhance(_pil_rgb(img)).enhance(factor))[..., ::-1]
    diff = np.abs(ours.astype(int) - ref.astype(int))
    assert ours.dtype == np.uint8 and diff.max() <= 1, (mmdet_type, factor, diff.max())
    assert (diff > 0).mean() < 0.6  # mostly identical, not just close


def test_jitter_factors_are_the_reference_range_in_steps_of_0_1():
    """The documented difference: mmdet's level_to_mag rounds the sampled factor to one
    decimal, so the factors are 0.6, 0.7, ..., 1.4 (torchvision: continuous uniform)."""
    t = TRANSFORMS.build(dict(type='Brightness', prob=1.0, min_mag=0.6, max_mag=1.4))
    img = np.full((4, 4, 3), 100, np.uint8)
    np.random.seed(0)
    levels = {int(t(dict(img=img.copy()))['img'][0, 0, 0]) for _ in range(400)}
    assert levels == set(range(60, 141, 10))


def test_epoch_warmup_converted_to_iterations_equals_the_old_iteration_warmup():
    cfg = _cfg('muren_tiny_synth_hico.py')
    warm = cfg.param_scheduler[0]
    assert warm.type == 'LinearLR' and warm.by_epoch and warm.convert_to_iter_based

    def lrs(make) -> list[float]:
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=5e-4)
        sched, out = make(opt), []
        for _ in range(300):
            out.append(opt.param_groups[0]['lr'])
            opt.step()
            sched.step()
        return out

    iters_per_epoch = 250  # the default 1000-image world at batch 4
    new = lrs(lambda o: LinearLR.build_iter_from_epoch(
        o, start_factor=warm.start_factor, begin=warm.begin, end=warm.end,
        epoch_length=iters_per_epoch))
    old = lrs(lambda o: LinearLR(o, start_factor=0.01, by_epoch=False, begin=0, end=250))
    assert np.allclose(new, old, rtol=0, atol=1e-12)
    assert new[0] == pytest.approx(5e-6) and new[-1] == pytest.approx(5e-4)
