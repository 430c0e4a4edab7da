"""SmcaDETR, the pre-training detector: trains, predicts, and maps into every branch of
the HOI detector's SMCA decoder (spatial prior included) through ``DetrPretrained``."""
import pytest
import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

BRANCHES = ('human', 'object', 'interaction')
PRIOR = dict(init_scale=0.2, max_scale=1.0)


def _smca_detr_cfg(tiny) -> dict:
    hoi = tiny.detector_cfg()
    return dict(
        type='SmcaDETR', num_queries=tiny.NUM_QUERIES + 2,
        data_preprocessor=hoi['data_preprocessor'], backbone=hoi['backbone'],
        neck=hoi['neck'], encoder=hoi['encoder'],
        decoder=dict(num_layers=2, layer_cfg=tiny.decoder_layer_cfg(), spatial_prior=PRIOR,
                     return_intermediate=True),
        positional_encoding=hoi['positional_encoding'],
        bbox_head=dict(
            type='SmcaDETRHead', num_classes=tiny.NUM_OBJECTS, embed_dims=tiny.EMBED,
            **{k: v for k, v in tiny.detr_losses_and_matcher().items() if k != 'train_cfg'}),
        train_cfg=tiny.detr_losses_and_matcher()['train_cfg'],
        test_cfg=dict(max_per_img=5))


def _det_sample(h: int, w: int) -> DetDataSample:
    sample = DetDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w),
                                         batch_input_shape=(h, w), scale_factor=(1.0, 1.0)))
    sample.gt_instances = InstanceData(
        bboxes=torch.tensor([[4.0, 6.0, 30.0, 50.0], [20.0, 10.0, 60.0, 40.0]]),
        labels=torch.tensor([0, 3]))
    return sample


@pytest.fixture
def smca_detr(tiny):
    torch.manual_seed(0)
    model = MODELS.build(_smca_detr_cfg(tiny))
    model.init_weights()
    return model


def test_losses_are_finite_and_reach_the_spatial_prior(smca_detr):
    inputs = torch.rand(2, 3, 64, 64) * 255
    losses = smca_detr.loss(inputs, [_det_sample(64, 64), _det_sample(64, 64)])
    assert {'loss_cls', 'loss_bbox', 'loss_iou', 'd0.loss_cls'} <= set(losses)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(total)
    total.backward()
    prior = smca_detr.decoder.spatial_prior
    assert prior.ref.weight.grad.abs().sum() > 0  # centres are predicted around the ref
    assert prior.scale.weight.grad.abs().sum() > 0  # the widths modulate cross-attention


def test_init_keeps_the_spatial_prior_width(smca_detr):
    prior = smca_detr.decoder.spatial_prior
    assert torch.count_nonzero(prior.scale.weight) == 0  # not overwritten by DETR's xavier
    width = prior.max_scale * torch.sigmoid(prior.scale.bias)
    assert torch.allclose(width, torch.full_like(width, PRIOR['init_scale']))


def test_predict_gives_boxes_near_the_reference(smca_detr):
    smca_detr.eval()
    with torch.no_grad():
        out = smca_detr.predict(torch.rand(1, 3, 64, 64) * 255, [_det_sample(64, 64)])
    pred = out[0].pred_instances
    assert pred.bboxes.shape == (5, 4) and pred.scores.shape == (5, )


def test_weights_map_into_every_hoi_branch_with_the_prior(tiny, smca_detr, tmp_path):
    state = {k: torch.randn_like(v) if v.is_floating_point() else v
             for k, v in smca_detr.state_dict().items()}
    path = tmp_path / 'smca_detr.pth'
    torch.save({'state_dict': state}, path)
    torch.manual_seed(1)
    cfg = tiny.detector_cfg()
    cfg['decoder']['spatial_prior'] = PRIOR
    cfg['init_cfg'] = dict(type='DetrPretrained', checkpoint=str(path))
    hoi = MODELS.build(cfg)
    hoi.init_weights()
    dst = hoi.state_dict()
    for b in BRANCHES:
        for part in ('ref.weight', 'ref.bias', 'scale.weight', 'scale.bias'):
            assert torch.equal(dst[f'decoder.spatial_priors.{b}.{part}'],
                               state[f'decoder.spatial_prior.{part}']), (b, part)
        assert torch.equal(dst[f'decoder.query_embeddings.{b}.weight'],
                           state['query_embedding.weight'][:tiny.NUM_QUERIES])
    report = hoi.detr_load_report
    assert report.unexpected == [] and report.mismatched == []
    assert not any(k.startswith('decoder.spatial_priors.') for k in report.missing)


def test_detr_pretrained_needs_one_source():
    from mmdet.registry import WEIGHT_INITIALIZERS
    with pytest.raises(ValueError, match='exactly one of checkpoint'):
        WEIGHT_INITIALIZERS.build(dict(type='DetrPretrained'))
    with pytest.raises(ValueError, match='exactly one of checkpoint'):
        WEIGHT_INITIALIZERS.build(dict(type='DetrPretrained', checkpoint='a.pth',
                                       pretrain_config='b.py'))
