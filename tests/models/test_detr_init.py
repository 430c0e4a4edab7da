"""COCO-DETR initialisation: mmdet and facebookresearch DETR checkpoints mapped into the
HOI detector through the registered ``DetrPretrained`` initialiser."""
import argparse
import re

import pytest
import torch
from mmdet.registry import MODELS, WEIGHT_INITIALIZERS

from vlmhoi.models import load_detr_pretrained, read_detr_state_dict
from vlmhoi.vocab import coco_objects

BRANCHES = ('human', 'object', 'interaction')
DETR_QUERIES = 10


def _detr_cfg(tiny, num_classes=None) -> dict:
    hoi = tiny.detector_cfg()
    return dict(
        type='DETR', num_queries=DETR_QUERIES, data_preprocessor=hoi['data_preprocessor'],
        backbone=hoi['backbone'], neck=hoi['neck'], encoder=hoi['encoder'],
        decoder=dict(num_layers=2, layer_cfg=tiny.decoder_layer_cfg(), return_intermediate=True),
        positional_encoding=hoi['positional_encoding'],
        bbox_head=dict(
            type='DETRHead', num_classes=num_classes or tiny.NUM_OBJECTS, embed_dims=tiny.EMBED,
            **{k: v for k, v in tiny.detr_losses_and_matcher().items() if k != 'train_cfg'}),
        train_cfg=tiny.detr_losses_and_matcher()['train_cfg'],
        test_cfg=dict(max_per_img=100))


def _randomised(state: dict) -> dict:
    """Every float tensor random (initial LayerNorms / biases are all alike, so a mapping
    that swapped two of them would go unnoticed)."""
    return {k: torch.randn_like(v) if v.is_floating_point() else v for k, v in state.items()}


@pytest.fixture
def detr_checkpoint(tiny, tmp_path):
    torch.manual_seed(123)
    detr = MODELS.build(_detr_cfg(tiny))
    detr.init_weights()
    state = _randomised(detr.state_dict())
    path = tmp_path / 'detr_coco.pth'
    torch.save({'state_dict': state, 'meta': {'note': 'random DETR'}}, path)
    return str(path), state


def _hoi(tiny, **kw):
    torch.manual_seed(0)
    head_keys = ('no_object_class', 'num_objects')
    cfg = tiny.detector_cfg(**{k: v for k, v in kw.items() if k in head_keys})
    cfg.update({k: v for k, v in kw.items() if k not in head_keys})
    return MODELS.build(cfg)


def test_mapped_tensors_equal_the_detr_ones(tiny, detr_checkpoint):
    path, src = detr_checkpoint
    model = _hoi(tiny, init_cfg=dict(type='DetrPretrained', checkpoint=path))
    model.init_weights()  # DETR weights are applied after xavier / children init
    dst = model.state_dict()
    for k, v in src.items():
        if k.startswith(('backbone.', 'neck.', 'encoder.')):
            assert torch.equal(dst[k], v), k
    for b in BRANCHES:
        for k, v in src.items():
            if k.startswith('decoder.layers.'):
                layer, rest = k.split('.', 3)[2:]
                assert torch.equal(dst[f'decoder.layers.{b}.{layer}.{rest}'], v), (b, k)
        assert torch.equal(dst[f'decoder.post_norms.{b}.weight'], src['decoder.post_norm.weight'])
        assert torch.equal(dst[f'decoder.query_embeddings.{b}.weight'],
                           src['query_embedding.weight'][:tiny.NUM_QUERIES])
    for mlp in ('sub_bbox_mlp', 'obj_bbox_mlp'):
        assert torch.equal(dst[f'bbox_head.{mlp}.layers.0.weight'],
                           src['bbox_head.reg_ffn.layers.0.0.weight'])
        assert torch.equal(dst[f'bbox_head.{mlp}.layers.1.bias'],
                           src['bbox_head.reg_ffn.layers.1.bias'])
        assert torch.equal(dst[f'bbox_head.{mlp}.layers.2.weight'], src['bbox_head.fc_reg.weight'])
    assert torch.equal(dst['bbox_head.obj_cls.weight'], src['bbox_head.fc_cls.weight'])

    report = model.detr_load_report
    assert report.unexpected == [] and report.mismatched == []
    missing_groups = {'.'.join(k.split('.')[:2]) for k in report.missing}
    assert missing_groups == {'decoder.relational_context', 'decoder.fusions', 'bbox_head.verb_cls'}
    assert len(report.loaded) + len(report.missing) == len(dst)


def test_no_object_row_keeps_its_init(tiny, detr_checkpoint):
    path, src = detr_checkpoint
    model = _hoi(tiny, init_cfg=dict(type='DetrPretrained', checkpoint=path),
                 no_object_class=True)
    own = model.bbox_head.obj_cls.weight.detach().clone()
    model.init_weights()
    w = model.bbox_head.obj_cls.weight
    k = tiny.NUM_OBJECTS
    assert torch.equal(w[:k], src['bbox_head.fc_cls.weight'][:k])
    assert torch.equal(w[k + 1], src['bbox_head.fc_cls.weight'][k])  # background stays last
    assert torch.equal(w[k], own[k])  # the new "no object" row keeps its own init


def test_map_head_false_and_report_lists(tiny, detr_checkpoint):
    path, src = detr_checkpoint
    model = _hoi(tiny)
    report = load_detr_pretrained(model, path, map_head=False)
    assert 'bbox_head.fc_cls.weight' in report.unexpected
    assert 'bbox_head.obj_cls.weight' in report.missing
    assert not torch.equal(model.bbox_head.obj_cls.weight[:tiny.NUM_OBJECTS],
                           src['bbox_head.fc_cls.weight'][:tiny.NUM_OBJECTS])
    assert 'loaded' in report.summary()


def test_too_few_detr_queries_is_a_mismatch(tiny, detr_checkpoint):
    path, _ = detr_checkpoint
    model = _hoi(tiny, num_queries=DETR_QUERIES + 2)
    report = load_detr_pretrained(model, path)
    assert any('query_embeddings' in m for m in report.mismatched)
    assert 'decoder.query_embeddings.human.weight' in report.missing


def test_foreign_layouts_are_refused(tmp_path):
    other = tmp_path / 'resnet.pth'
    torch.save({'state_dict': {'conv1.weight': torch.zeros(2)}}, other)
    with pytest.raises(ValueError, match='resnet.pth: neither an mmdet DETR'):
        read_detr_state_dict(str(other))
    fb = tmp_path / 'detr_fb.pth'
    torch.save({'model': {'transformer.encoder.layers.0.linear1.weight': torch.zeros(2)}}, fb)
    with pytest.raises(ValueError, match="layout='mmdet'.*'facebook'"):
        read_detr_state_dict(str(fb), layout='mmdet')
    with pytest.raises(ValueError, match='layout must be one of'):
        WEIGHT_INITIALIZERS.build(dict(type='DetrPretrained', checkpoint=str(fb), layout='x'))


# facebookresearch/detr names (models/detr.py, transformer.py, backbone.py) of the mmdet
# DETR modules, written out independently of vlmhoi.models.detr_layouts
_FB_LAYER_PARTS = {'self_attn.attn': 'self_attn', 'cross_attn.attn': 'multihead_attn',
                   'ffn.layers.0.0': 'linear1', 'ffn.layers.1': 'linear2',
                   'norms.0': 'norm1', 'norms.1': 'norm2', 'norms.2': 'norm3'}
_FB_FIXED = {'neck.convs.0.conv': 'input_proj', 'query_embedding': 'query_embed',
             'decoder.post_norm': 'transformer.decoder.norm',
             'bbox_head.reg_ffn.layers.0.0': 'bbox_embed.layers.0',
             'bbox_head.reg_ffn.layers.1': 'bbox_embed.layers.1',
             'bbox_head.fc_reg': 'bbox_embed.layers.2', 'bbox_head.fc_cls': 'class_embed'}


def _facebook_name(key: str) -> str | None:
    if key.endswith('num_batches_tracked'):
        return None  # FrozenBatchNorm2d has no such buffer
    if key.startswith('backbone.'):
        return 'backbone.0.body.' + key.removeprefix('backbone.')
    if m := re.match(r'^(encoder|decoder)\.layers\.(\d+)\.(.+)$', key):
        part, layer, rest = m.groups()
        module = next(mm for mm in _FB_LAYER_PARTS if rest.startswith(mm + '.'))
        fb_rest = _FB_LAYER_PARTS[module] + rest.removeprefix(module)
        return f'transformer.{part}.layers.{layer}.{fb_rest}'
    module, param = key.rsplit('.', 1)
    return f'{_FB_FIXED[module]}.{param}'


def _facebook_state(mmdet_state: dict) -> dict:
    """The same weights as a facebookresearch DETR-R50 ``model`` dict: COCO-id classifier
    rows (92 = ids 0..90 + "no object"), the rows of unused ids random."""
    ids = list(coco_objects()[0])
    out = {}
    for key, value in mmdet_state.items():
        name = _facebook_name(key)
        if name is None:
            continue
        if name.startswith('class_embed.'):
            rows = torch.randn(92, *value.shape[1:])
            rows[ids] = value[:-1]
            rows[91] = value[-1]
            value = rows
        out[name] = value.clone()
    return out


def test_facebook_and_mmdet_layouts_give_the_same_model(tiny, tmp_path):
    """The same random DETR saved in both layouts loads into identical HOI detectors."""
    torch.manual_seed(7)
    detr = MODELS.build(_detr_cfg(tiny, num_classes=80))
    detr.init_weights()
    state = _randomised(detr.state_dict())
    mm_path, fb_path = tmp_path / 'detr_mmdet.pth', tmp_path / 'detr-r50-fb.pth'
    torch.save({'state_dict': state}, mm_path)
    fb_state = _facebook_state(state)
    assert 'transformer.decoder.layers.1.multihead_attn.in_proj_weight' in fb_state
    assert 'backbone.0.body.layer4.1.bn2.running_var' in fb_state
    torch.save({'model': fb_state, 'args': argparse.Namespace(num_queries=DETR_QUERIES),
                'epoch': 499}, fb_path)

    models = {}
    for name, path, layout in (('mmdet', mm_path, 'auto'), ('facebook', fb_path, 'auto'),
                               ('facebook_explicit', fb_path, 'facebook')):
        model = _hoi(tiny, num_objects=80, init_cfg=dict(
            type='DetrPretrained', checkpoint=str(path), layout=layout))
        model.init_weights()
        models[name] = model
    mm, fb = models['mmdet'].state_dict(), models['facebook'].state_dict()
    loaded = models['mmdet'].detr_load_report.loaded
    fb_loaded = models['facebook'].detr_load_report.loaded
    # everything but BN's num_batches_tracked (absent in FrozenBatchNorm2d) is loaded
    assert set(loaded) - set(fb_loaded) == {k for k in loaded if 'num_batches_tracked' in k}
    assert models['facebook'].detr_load_report.unexpected == []
    for key in fb_loaded:
        assert torch.equal(mm[key], fb[key]), key
        assert torch.equal(models['facebook_explicit'].state_dict()[key], fb[key]), key
    # spot checks against the facebookresearch tensors themselves
    for b in BRANCHES:
        assert torch.equal(fb[f'decoder.layers.{b}.1.cross_attn.attn.in_proj_weight'],
                           fb_state['transformer.decoder.layers.1.multihead_attn.in_proj_weight'])
        assert torch.equal(fb[f'decoder.layers.{b}.0.norms.2.bias'],
                           fb_state['transformer.decoder.layers.0.norm3.bias'])
    assert torch.equal(fb['encoder.layers.0.self_attn.attn.out_proj.weight'],
                       fb_state['transformer.encoder.layers.0.self_attn.out_proj.weight'])
    assert torch.equal(fb['neck.convs.0.conv.weight'], fb_state['input_proj.weight'])
    assert torch.equal(fb['bbox_head.obj_bbox_mlp.layers.2.bias'],
                       fb_state['bbox_embed.layers.2.bias'])
    person, toothbrush = coco_objects()[0][0], coco_objects()[0][79]
    assert torch.equal(fb['bbox_head.obj_cls.weight'][0], fb_state['class_embed.weight'][person])
    assert torch.equal(fb['bbox_head.obj_cls.weight'][79],
                       fb_state['class_embed.weight'][toothbrush])
    assert torch.equal(fb['bbox_head.obj_cls.bias'][80], fb_state['class_embed.bias'][91])


def test_registered_weight_initializer(tiny, detr_checkpoint):
    path, src = detr_checkpoint
    model = _hoi(tiny)
    init = WEIGHT_INITIALIZERS.build(dict(type='DetrPretrained', checkpoint=path))
    init(model)
    assert torch.equal(model.encoder.layers[0].ffn.layers[1].weight,
                       src['encoder.layers.0.ffn.layers.1.weight'])
    assert init.report is not None and init.report.unexpected == []
