"""The full HOIDetector on a fake batch: loss + backward, predict, tensor mode, configs."""
from pathlib import Path

import pytest
import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.structures import InstanceData

from vlmhoi.models import HOIDecoder, HOIDetector

CONFIGS = Path(__file__).resolve().parents[2] / 'mm_configs' / '_base_' / 'models'


def _detector(tiny, **kw) -> HOIDetector:
    torch.manual_seed(0)
    model = MODELS.build(tiny.detector_cfg(**kw))
    model.init_weights()
    return model


def test_builds_mmdet_parts_and_hoi_decoder(tiny):
    model = _detector(tiny)
    assert isinstance(model, HOIDetector) and isinstance(model.decoder, HOIDecoder)
    assert type(model.backbone).__name__ == 'ResNet'
    assert type(model.neck).__name__ == 'ChannelMapper'
    assert type(model.encoder).__name__ == 'DetrTransformerEncoder'
    assert model.decoder.num_queries == tiny.NUM_QUERIES
    assert not hasattr(model, 'query_embedding')


def test_loss_and_backward_reach_every_parameter(tiny):
    model = _detector(tiny).train()
    inputs, samples = tiny.fake_batch()
    data = model.data_preprocessor(dict(inputs=list(inputs * 255), data_samples=samples),
                                   training=True)
    losses = model(**data, mode='loss')
    assert 'loss_verb_cls' in losses and 'd0.loss_verb_cls' in losses
    assert all(torch.isfinite(v) for v in losses.values())
    total, log_vars = model.parse_losses(losses)
    # the no-gradient diagnostics are logged but not part of the loss (mmengine sums only
    # keys that contain 'loss')
    assert {'obj_class_error', 'obj_cardinality_error'} <= set(log_vars)
    assert torch.allclose(total, sum(v for k, v in losses.items() if 'loss' in k))
    assert not torch.allclose(total, sum(losses.values()))
    total.backward()
    no_grad = {n for n, p in model.named_parameters()
               if p.requires_grad and (p.grad is None or not p.grad.any())}
    # only the degenerate first decoder self-attention (zero content, see decoder tests)
    assert no_grad and all(n.startswith('decoder.layers.') and '.0.' in n for n in no_grad)
    assert len(no_grad) == 9


def test_predict_fills_pred_instances_and_pred_hoi(tiny):
    model = _detector(tiny).eval()
    inputs, samples = tiny.fake_batch()
    with torch.no_grad():
        out = model.predict(inputs, samples)
    q = tiny.NUM_QUERIES
    for ds in out:
        inst, hoi = ds.pred_instances, ds.pred_hoi
        assert inst.bboxes.shape == (2 * q, 4) and inst.labels.shape == (2 * q, )
        oh, ow = ds.ori_shape
        assert (inst.bboxes[:, 0::2] <= ow + 1e-3).all()
        assert (inst.bboxes[:, 1::2] <= oh + 1e-3).all()
        assert 0 < len(hoi) <= 100
        assert (hoi.sub_ids < q).all() and (hoi.obj_ids >= q).all()
        assert set(hoi.keys()) == {'sub_ids', 'obj_ids', 'verb_labels', 'scores'}


def test_tensor_mode_returns_raw_head_outputs(tiny):
    model = _detector(tiny, num_dec_layers=3).eval()
    inputs, samples = tiny.fake_batch()
    with torch.no_grad():
        out = model(inputs, samples, mode='tensor')
    assert out['verb_logits'].shape == (3, 2, tiny.NUM_QUERIES, tiny.NUM_VERBS)


def test_embed_dims_mismatch_is_reported(tiny):
    cfg = tiny.detector_cfg()
    cfg['positional_encoding'] = dict(num_feats=tiny.EMBED // 4, normalize=True)
    with pytest.raises(ValueError, match='num_feats'):
        MODELS.build(cfg)


def test_tiny_config_builds_and_trains_one_step():
    cfg = Config.fromfile(str(CONFIGS / 'muren_tiny.py'))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    assert model.decoder.num_queries == cfg.num_queries
    assert model.bbox_head.obj_cls.out_features == cfg.num_objects + 1
    assert model.embed_dims == cfg.embed_dims
    ds = DetDataSample(metainfo=dict(img_shape=(64, 64), batch_input_shape=(64, 64)))
    ds.gt_hoi = InstanceData(sub_bboxes=torch.tensor([[4.0, 4.0, 30.0, 60.0]]),
                             obj_bboxes=torch.tensor([[20.0, 30.0, 50.0, 50.0]]),
                             obj_labels=torch.tensor([3]),
                             verb_labels=torch.eye(cfg.num_verbs)[[5]])
    losses = model.loss(torch.rand(1, 3, 64, 64), [ds])
    total = sum(losses.values())
    total.backward()
    assert torch.isfinite(total)


def test_vcoco_config_overrides_and_head():
    cfg = Config.fromfile(str(CONFIGS / 'muren_r50_vcoco.py'))
    m = cfg.model
    assert (m.num_queries, m.backbone.frozen_stages, m.decoder.share_fusion) == (100, 4, True)
    assert m.backbone.depth == 50 and m.decoder.num_layers == 6  # inherited
    head_cfg = dict(m.bbox_head, train_cfg=m.train_cfg, test_cfg=m.test_cfg)
    head = MODELS.build(head_cfg)
    assert head.obj_cls.out_features == 80 + 2  # 80 objects, "no object", background
    assert head.postprocessor.correct_mat.shape == (29, 81)
