"""COCO-DETR initialisation: mmdet's own DETR checkpoint mapped into the HOI detector."""
import pytest
import torch
from mmdet.registry import MODELS, WEIGHT_INITIALIZERS

from vlmhoi.models import load_detr_pretrained, read_detr_state_dict

BRANCHES = ('human', 'object', 'interaction')
DETR_QUERIES = 10


def _detr_cfg(tiny) -> dict:
    hoi = tiny.detector_cfg()
    return dict(
        type='DETR', num_queries=DETR_QUERIES, data_preprocessor=hoi['data_preprocessor'],
        backbone=hoi['backbone'], neck=hoi['neck'], encoder=hoi['encoder'],
        decoder=dict(num_layers=2, layer_cfg=tiny.decoder_layer_cfg(), return_intermediate=True),
        positional_encoding=hoi['positional_encoding'],
        bbox_head=dict(
            type='DETRHead', num_classes=tiny.NUM_OBJECTS, embed_dims=tiny.EMBED,
            loss_cls=dict(type='CrossEntropyLoss', bg_cls_weight=0.1, use_sigmoid=False,
                          loss_weight=1.0, class_weight=1.0),
            loss_bbox=dict(type='L1Loss', loss_weight=5.0),
            loss_iou=dict(type='GIoULoss', loss_weight=2.0)),
        train_cfg=dict(assigner=dict(type='HungarianAssigner', match_costs=[
            dict(type='ClassificationCost', weight=1.0),
            dict(type='BBoxL1Cost', weight=5.0, box_format='xywh'),
            dict(type='IoUCost', iou_mode='giou', weight=2.0)])),
        test_cfg=dict(max_per_img=100))


@pytest.fixture
def detr_checkpoint(tiny, tmp_path):
    torch.manual_seed(123)
    detr = MODELS.build(_detr_cfg(tiny))
    detr.init_weights()
    state = detr.state_dict()
    path = tmp_path / 'detr_coco.pth'
    torch.save({'state_dict': state, 'meta': {'note': 'random DETR'}}, path)
    return str(path), state


def _hoi(tiny, **kw):
    torch.manual_seed(0)
    cfg = tiny.detector_cfg(**{k: v for k, v in kw.items() if k == 'no_object_class'})
    cfg.update({k: v for k, v in kw.items() if k != 'no_object_class'})
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


def test_model_argument_and_no_object_row(tiny, detr_checkpoint):
    path, src = detr_checkpoint
    model = _hoi(tiny, detr_checkpoint=path, no_object_class=True)
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
    fb = tmp_path / 'detr_fb.pth'
    torch.save({'model': {'transformer.encoder.layers.0.linear1.weight': torch.zeros(2)}}, fb)
    with pytest.raises(ValueError, match='facebookresearch'):
        read_detr_state_dict(str(fb))
    other = tmp_path / 'resnet.pth'
    torch.save({'state_dict': {'conv1.weight': torch.zeros(2)}}, other)
    with pytest.raises(ValueError, match='not an mmdet DETR'):
        read_detr_state_dict(str(other))


def test_registered_weight_initializer(tiny, detr_checkpoint):
    path, src = detr_checkpoint
    model = _hoi(tiny)
    init = WEIGHT_INITIALIZERS.build(dict(type='DetrPretrained', checkpoint=path))
    init(model)
    assert torch.equal(model.encoder.layers[0].ffn.layers[1].weight,
                       src['encoder.layers.0.ffn.layers.1.weight'])
    assert init.report is not None and init.report.unexpected == []
