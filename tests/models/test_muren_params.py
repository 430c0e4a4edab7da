"""Parameter count of the paper model (mm_configs/_base_/models/muren_r50.py).

The VLM-HOI paper (Table 5) reports 41M parameters for DETR and 28M for the decoder:
the three MUREN decoder branches of 6 DETR decoder layers each are exactly
3 x 6 x 1,578,752 = 28,417,536 parameters at hidden 256 / FFN 2048.
"""
from pathlib import Path

import torch
from mmdet.registry import MODELS
from mmengine.config import Config

CONFIG = Path(__file__).resolve().parents[2] / 'mm_configs/_base_/models/muren_r50.py'


def _count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _detr_layer_params(c: int, f: int, num_attn: int, num_norms: int) -> int:
    attn = 4 * c * c + 4 * c  # in_proj (3C x C + 3C) + out_proj (C x C + C)
    ffn = c * f + f + f * c + c
    return num_attn * attn + ffn + num_norms * 2 * c


def test_paper_model_parameter_count():
    cfg = Config.fromfile(str(CONFIG))
    model = MODELS.build(cfg.model)
    c, f = cfg.embed_dims, cfg.ffn_dims
    dec = model.decoder
    parts = {
        'backbone (ResNet-50)': _count(model.backbone),
        'neck (input projection)': _count(model.neck),
        'encoder': _count(model.encoder),
        'decoder branches (3 x DETR decoder)': _count(dec.layers),
        'queries + post norms': _count(dec.query_embeddings) + _count(dec.post_norms),
        'relational context (MURE)': _count(dec.relational_context),
        'attentive fusion': _count(dec.fusions),
        'head': _count(model.bbox_head),
    }
    total = _count(model)
    print('\nmuren_r50 parameters:')
    for name, n in parts.items():
        print(f'  {name:40s} {n:>12,d}')
    print(f'  {"total":40s} {total:>12,d}')
    assert sum(parts.values()) == total
    assert parts['backbone (ResNet-50)'] == 23_508_032  # torchvision ResNet-50 without fc
    assert parts['neck (input projection)'] == 2048 * c + c
    assert parts['encoder'] == cfg.num_enc_layers * _detr_layer_params(c, f, 1, 2)
    assert parts['decoder branches (3 x DETR decoder)'] == \
        3 * cfg.num_dec_layers * _detr_layer_params(c, f, 2, 3) == 28_417_536
    assert parts['queries + post norms'] == 3 * (cfg.num_queries * c + 2 * c)
