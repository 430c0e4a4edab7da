"""The VLM-HOI configs are their baselines plus the ITM loss (paper Eq. 6), with the paper's
teacher and settings, and the same learnable parameters (Table 5: "28M learnable")."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from mmdet.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

import vlmhoi.models  # noqa: F401
from vlmhoi.engine.itm_teacher_link import itm_losses

CONFIGS = Path(__file__).resolve().parents[2] / 'mm_configs'
PAIRS = [('vlmhoi_r50_hico.py', 'muren_r50_hico.py'),
         ('vlmhoi_r50_vcoco.py', 'muren_r50_vcoco.py'),
         ('vlmhoi_tiny_synth_hico.py', 'muren_tiny_synth_hico.py')]
init_default_scope('mmdet')


def _cfg(name: str) -> Config:
    return Config.fromfile(str(CONFIGS / name))


@pytest.mark.parametrize('vlm, base', PAIRS)
def test_vlmhoi_is_the_baseline_plus_the_itm_loss(vlm: str, base: str) -> None:
    v, b = _cfg(vlm), _cfg(base)
    (loss,) = itm_losses(v)
    assert not itm_losses(b)
    assert (loss.alpha, loss.loss_weight, loss.score_source) == (1.0, 1.0, 'cache')
    assert 'teacher' not in loss and 'prompt_form' not in loss      # one definition: top level
    assert v.teacher_cache.prompt_form == 'full'
    assert v.teacher.type == 'BlipItmTeacher' and v.teacher.score == 'itm_logodds'
    model = copy.deepcopy(v.model)
    model.bbox_head.pop('extra_losses')
    assert model == b.model
    assert v.train_dataloader == b.train_dataloader and v.optim_wrapper == b.optim_wrapper


@pytest.mark.parametrize('vlm', ['vlmhoi_r50_hico.py', 'vlmhoi_r50_vcoco.py'])
def test_paper_teacher(vlm: str) -> None:
    t = _cfg(vlm).teacher
    assert t.model_path == 'Salesforce/blip-itm-base-coco'
    assert (t.dtype, t.device) == ('float16', 'cuda')


@pytest.mark.parametrize('vlm, base', [PAIRS[0], PAIRS[2]])
def test_learnable_parameters_equal_the_baseline(vlm: str, base: str) -> None:
    def learnable(name: str) -> int:
        cfg = _cfg(name)
        cfg.model.init_cfg = None
        model = MODELS.build(cfg.model)
        return sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert learnable(vlm) == learnable(base)
