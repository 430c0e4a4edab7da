"""Convergence aids of the synthetic recipe (all off in the paper configs): Group-DETR
query groups, the verb-bias prior, the dense auxiliary encoder head."""
from __future__ import annotations

import pytest
import torch
from mmdet.registry import MODELS
from mmengine.config import Config
from mmengine.structures import InstanceData

GROUPS = 3


def _with_instances(sample):
    """Add ``gt_instances`` (subjects then objects) matching the sample's ``gt_hoi``."""
    hoi = sample.gt_hoi
    n = len(hoi)
    sample.gt_instances = InstanceData(
        bboxes=torch.cat([hoi.sub_bboxes, hoi.obj_bboxes]),
        labels=torch.cat([torch.zeros(n, dtype=torch.long), hoi.obj_labels.long()]))
    return sample


def _grouped(tiny):
    cfg = tiny.detector_cfg(num_query_groups=GROUPS)
    cfg['decoder']['num_groups'] = GROUPS
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def test_groups_multiply_training_queries_only(tiny):
    model = _grouped(tiny)
    inputs, samples = tiny.fake_batch()
    model.train()
    feats = model.extract_feat(inputs)
    out = model.forward_transformer(feats, samples)
    assert out['human_states'].shape[2] == GROUPS * tiny.NUM_QUERIES
    model.eval()
    with torch.no_grad():
        out = model.forward_transformer(model.extract_feat(inputs), samples)
        assert out['human_states'].shape[2] == tiny.NUM_QUERIES
        results = model.predict(inputs, samples)
    assert all(len(r.pred_instances) == 2 * tiny.NUM_QUERIES for r in results), \
        'inference must use group 0 only'


def test_groups_do_not_attend_to_each_other(tiny):
    decoder = _grouped(tiny).decoder
    mask = decoder.group_attn_mask(GROUPS, torch.device('cpu'))
    q = tiny.NUM_QUERIES
    assert mask.shape == (GROUPS * q, GROUPS * q)
    assert not mask[:q, :q].any() and mask[:q, q:].all() and not mask[q:2 * q, q:2 * q].any()
    # changing group 1's queries leaves group 0's outputs unchanged
    decoder.train()  # all groups (dropout is 0 in the tiny test config)
    memory = torch.rand(2, 10, tiny.EMBED)
    base = decoder(memory)['human'][:, :, :q]
    with torch.no_grad():
        for emb in decoder.query_embeddings.values():
            emb.weight[q:2 * q] += 1.0
    assert torch.allclose(decoder(memory)['human'][:, :, :q], base, atol=1e-6)


def _last_layer(tiny):
    """A grouped model in training mode, its decoder outputs, last-layer predictions,
    targets and samples of the fake batch."""
    model = _grouped(tiny)
    inputs, samples = tiny.fake_batch()
    model.train()
    out = model.forward_transformer(model.extract_feat(inputs), samples)
    head = model.bbox_head
    preds = {k: v[-1] for k, v in head(out['human_states'], out['object_states'],
                                       out['interaction_states']).items()}
    return head, out, preds, head.get_targets(samples), samples


def test_each_group_assigns_every_ground_truth_once(tiny):
    head, _, preds, targets, samples = _last_layer(tiny)
    groups = head.split_groups(preds)
    assert len(groups) == GROUPS
    for group in groups:
        for assign, target in zip(head.assign(group, targets, samples), targets):
            matched = assign.gt_inds[assign.gt_inds > 0] - 1
            assert sorted(matched.tolist()) == list(range(len(target)))


def test_group_losses_are_the_mean_over_groups(tiny):
    head, out, preds, targets, samples = _last_layer(tiny)
    losses = head.loss(**out, batch_data_samples=samples)
    num_pairs = float(sum(len(t) for t in targets))
    per_group = [head.loss_by_assign(g, targets, head.assign(g, targets, samples), num_pairs)
                 for g in head.split_groups(preds)]
    for key in ('loss_obj_cls', 'loss_verb_cls', 'loss_sub_bbox', 'loss_obj_iou'):
        expected = sum(p[key] for p in per_group) / GROUPS
        assert torch.allclose(losses[key], expected, atol=1e-6), key


def test_mismatched_group_settings_are_refused(tiny):
    cfg = tiny.detector_cfg(num_query_groups=2)
    with pytest.raises(ValueError, match='num_query_groups'):
        MODELS.build(cfg)


def test_verb_prior_sets_the_initial_probability(tiny):
    head = MODELS.build(tiny.head_cfg(verb_prior_prob=0.01))
    head.init_weights()
    assert torch.allclose(head.verb_cls.bias.sigmoid(), torch.full((tiny.NUM_VERBS,), 0.01))
    with pytest.raises(ValueError, match='verb_prior_prob'):
        MODELS.build(tiny.head_cfg(verb_prior_prob=1.5))


def _aux_model(tiny):
    cfg = tiny.detector_cfg()
    cfg['aux_head'] = dict(type='DenseAuxHead', embed_dims=tiny.EMBED,
                           num_objects=tiny.NUM_OBJECTS, num_verbs=tiny.NUM_VERBS)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def test_dense_targets_follow_center_sampling(tiny):
    head = _aux_model(tiny).aux_head
    sample = tiny.make_sample((64, 64), (64, 64), 1)
    sample.gt_instances = InstanceData(bboxes=torch.tensor([[8.0, 8.0, 40.0, 40.0]]),
                                       labels=torch.tensor([0]))
    sample.gt_hoi = InstanceData(sub_ids=torch.tensor([0]),
                                 verb_labels=torch.tensor([[0.0, 1.0, 0.0, 1.0]]))
    assigned, labels, boxes, verbs = head.targets((4, 4), sample)  # stride 16
    # box centre (24, 24): tokens with centres 8 / 24 / 40 within 1.5 strides and inside
    grid = assigned.reshape(4, 4)
    assert grid[:3, :3].eq(0).all() and grid[3].eq(-1).all() and grid[:, 3].eq(-1).all()
    assert torch.allclose(boxes[0], torch.tensor([0.375, 0.375, 0.5, 0.5]))
    assert verbs[0].tolist() == [0.0, 1.0, 0.0, 1.0] and labels[0] == 0


def test_dense_head_adds_losses_in_training_only(tiny):
    model = _aux_model(tiny)
    inputs, samples = tiny.fake_batch()
    samples = [_with_instances(s) for s in samples]
    model.train()
    losses = model.loss(inputs, samples)
    for key in ('loss_dense_cls', 'loss_dense_bbox', 'loss_dense_iou', 'loss_dense_verb'):
        assert torch.isfinite(losses[key]) and losses[key] > 0, key
    losses['loss_dense_cls'].backward()
    assert model.encoder.layers[0].ffn.layers[0][0].weight.grad.abs().sum() > 0
    model.eval()
    with torch.no_grad():
        results = model.predict(inputs, samples)
    assert len(results[0].pred_instances) == 2 * tiny.NUM_QUERIES


def test_paper_configs_keep_every_aid_off():
    for path in ('mm_configs/muren_r50_hico.py', 'mm_configs/vlmhoi_r50_hico.py',
                 'mm_configs/muren_r50_vcoco.py'):
        model = Config.fromfile(path).model
        assert model.get('aux_head') is None, path
        assert model.decoder.get('num_groups', 1) == 1, path
        assert model.bbox_head.get('num_query_groups', 1) == 1, path
        assert model.bbox_head.get('verb_prior_prob') is None, path
        assert model.decoder.get('spatial_prior') is None, path


def test_synthetic_recipe_switches_on_the_aids_that_paid():
    scratch = Config.fromfile('mm_configs/muren_tiny_synth_hico_scratch.py')
    pretrained = Config.fromfile('mm_configs/muren_tiny_synth_hico.py')
    for cfg in (scratch, pretrained):
        assert cfg.model.decoder.spatial_prior == dict(init_scale=0.2, max_scale=1.0)
        assert cfg.model.bbox_head.verb_prior_prob == 0.01
        assert cfg.optim_wrapper.optimizer.lr == 1e-3
    # docs/learning.md: 5 epochs with the drop after 4 from scratch, 4 with the drop after 3
    # from the detection pre-training
    assert scratch.get('model').get('init_cfg') is None
    assert pretrained.model.init_cfg.type == 'DetrPretrained'
    assert (scratch.train_cfg.max_epochs, scratch.param_scheduler[1].milestones) == (5, [4])
    assert (pretrained.train_cfg.max_epochs, pretrained.param_scheduler[1].milestones) == (4, [3])


def _smca_model(tiny):
    cfg = tiny.detector_cfg()
    cfg['decoder']['spatial_prior'] = dict(init_scale=0.2)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def test_spatial_prior_bias_peaks_at_the_reference_and_masks_padding():
    from vlmhoi.models.spatial_prior import PAD_BIAS, GaussianSpatialPrior, token_grid
    prior = GaussianSpatialPrior(8, num_heads=2, init_scale=0.2)
    padding = torch.zeros(1, 4 * 4, dtype=torch.bool)
    padding.view(1, 4, 4)[:, :, 2:] = True                 # right half padded
    grid = token_grid((4, 4), padding, 1, torch.device('cpu'))
    assert torch.allclose(grid[0, 0], torch.tensor([0.25, 0.125]))  # x by valid width 2
    ref = torch.tensor([[[0.25, 0.125]]])
    bias = prior.attn_bias(torch.zeros(1, 1, 8), ref, grid, padding)
    assert bias.shape == (2, 1, 16)
    assert bias[0, 0, 0] == 0 and (bias[0, 0, 1:2] < 0).all()
    assert (bias[:, 0, padding[0]] == PAD_BIAS).all()
    scale = prior.max_scale * prior.scale(torch.zeros(8)).sigmoid()
    assert torch.allclose(scale, torch.full((2,), 0.2))


def test_spatial_prior_boxes_are_relative_to_reference_points(tiny):
    model = _smca_model(tiny)
    inputs, samples = tiny.fake_batch()
    model.train()
    out = model.forward_transformer(model.extract_feat(inputs), samples)
    assert out['human_ref'].shape == (2, tiny.NUM_QUERIES, 2)
    head = model.bbox_head
    with torch.no_grad():
        for layer in (head.sub_bbox_mlp.layers[-1], head.obj_bbox_mlp.layers[-1]):
            layer.weight.zero_()
            layer.bias.zero_()
    preds = head(out['human_states'], out['object_states'], out['interaction_states'],
                 human_ref=out['human_ref'], object_ref=out['object_ref'])
    assert torch.allclose(preds['sub_boxes'][-1, ..., :2], out['human_ref'], atol=1e-5)
    assert torch.allclose(preds['obj_boxes'][-1, ..., :2], out['object_ref'], atol=1e-5)


def test_spatial_prior_trains_and_predicts(tiny):
    model = _smca_model(tiny)
    inputs, samples = tiny.fake_batch()
    model.train()
    losses = model.loss(inputs, samples)
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    for name in ('human', 'object', 'interaction'):
        prior = model.decoder.spatial_priors[name]
        assert prior.ref.weight.grad.abs().sum() > 0, name
        assert prior.scale.weight.grad.abs().sum() > 0, name
    model.eval()
    with torch.no_grad():
        results = model.predict(inputs, samples)
    assert len(results[0].pred_instances) == 2 * tiny.NUM_QUERIES
