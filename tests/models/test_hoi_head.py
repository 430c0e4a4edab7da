"""HOI head: predictions, losses (against the reference formulas), assignments, extras."""
import pytest
import torch
import torch.nn.functional as F
from mmdet.models.task_modules.assigners import AssignResult
from mmdet.registry import MODELS
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy, bbox_overlaps
from mmengine.structures import InstanceData
from torch import nn

from vlmhoi.models import HOIHead, hoi_targets


def _head(tiny, **kw) -> HOIHead:
    torch.manual_seed(0)
    return MODELS.build(tiny.head_cfg(**kw))


def _states(tiny, layers=2, b=2):
    torch.manual_seed(1)
    return [torch.randn(layers, b, tiny.NUM_QUERIES, tiny.EMBED, requires_grad=True)
            for _ in range(3)]


def test_forward_shapes(tiny):
    head = _head(tiny)
    out = head(*_states(tiny, layers=3))
    q = tiny.NUM_QUERIES
    assert out['obj_logits'].shape == (3, 2, q, tiny.NUM_OBJECTS + 1)
    assert out['verb_logits'].shape == (3, 2, q, tiny.NUM_VERBS)
    for k in ('sub_boxes', 'obj_boxes'):
        assert out[k].shape == (3, 2, q, 4)
        assert out[k].min() > 0 and out[k].max() < 1
    assert _head(tiny, no_object_class=True)(*_states(tiny))['obj_logits'].shape[-1] == \
        tiny.NUM_OBJECTS + 2


def test_targets_are_normalised_cxcywh(tiny):
    ds = tiny.make_sample((40, 80), (40, 80), 2)
    t = hoi_targets(ds, tiny.NUM_OBJECTS)
    x1, y1, x2, y2 = ds.gt_hoi.sub_bboxes[0].tolist()
    expected = torch.tensor([(x1 + x2) / 160, (y1 + y2) / 80, (x2 - x1) / 80, (y2 - y1) / 40])
    assert torch.allclose(t.sub_bboxes[0], expected, atol=1e-6)
    assert t.obj_exists.all()


def test_loss_keys_aux_layers_and_backward(tiny):
    head = _head(tiny)
    states = _states(tiny, layers=3)
    _, samples = tiny.fake_batch()
    losses = head.loss(*states, batch_data_samples=samples)
    names = ['loss_obj_cls', 'loss_verb_cls', 'loss_sub_bbox', 'loss_sub_iou',
             'loss_obj_bbox', 'loss_obj_iou']
    diagnostics = {'obj_class_error', 'obj_cardinality_error'}  # last layer, log only
    assert set(losses) == {p + n for p in ('', 'd0.', 'd1.') for n in names} | diagnostics
    terms = {k: v for k, v in losses.items() if 'loss' in k}
    assert all(torch.isfinite(v) and v > 0 for v in terms.values())
    assert not any(losses[k].requires_grad for k in diagnostics)
    sum(terms.values()).backward()
    assert all(s.grad is not None and s.grad[0].abs().sum() > 0 for s in states)
    assert all(p.grad is not None for p in head.parameters())


def _reference_losses(preds, targets, assigns, num_objects, eos_coef=0.1, alpha=0.5):
    """The reference SetCriterionHOI formulas (QPIC / CDN / MUREN), written out."""
    obj_logits, verb_logits = preds['obj_logits'], preds['verb_logits']
    tgt_cls = torch.full(obj_logits.shape[:2], obj_logits.shape[-1] - 1)
    tgt_verb = torch.zeros_like(verb_logits)
    sp, st, op, ot, ex = [], [], [], [], []
    for i, (a, t) in enumerate(zip(assigns, targets)):
        q = (a.gt_inds > 0).nonzero()[:, 0]
        g = a.gt_inds[q] - 1
        tgt_cls[i, q], tgt_verb[i, q] = t.obj_labels[g], t.verb_labels[g]
        sp.append(preds['sub_boxes'][i, q]), st.append(t.sub_bboxes[g])
        op.append(preds['obj_boxes'][i, q]), ot.append(t.obj_bboxes[g])
        ex.append((t.obj_bboxes[g] != 0).any(-1))
    weight = torch.ones(obj_logits.shape[-1])
    weight[-1] = eos_coef
    out = {'loss_obj_cls': F.cross_entropy(obj_logits.transpose(1, 2), tgt_cls, weight)}
    p = verb_logits.sigmoid()
    pos, neg = tgt_verb.eq(1).float(), tgt_verb.lt(1).float()
    pos_l = (alpha * torch.log(p) * (1 - p) ** 2 * pos).sum()
    neg_l = ((1 - alpha) * torch.log(1 - p) * p ** 2 * neg).sum()
    out['loss_verb_cls'] = -(pos_l + neg_l) / max(pos.sum(), 1)
    sp, st, op, ot, ex = (torch.cat(x) for x in (sp, st, op, ot, ex))
    n = max(float(len(st)), 1.0)
    ne = ex.sum() + 1e-4
    giou = lambda a, b: 1 - torch.diag(bbox_overlaps(  # noqa: E731
        bbox_cxcywh_to_xyxy(a), bbox_cxcywh_to_xyxy(b), mode='giou'))
    out['loss_sub_bbox'] = F.l1_loss(sp, st, reduction='sum') / n
    out['loss_obj_bbox'] = (F.l1_loss(op, ot, reduction='none') * ex[:, None]).sum() / ne
    out['loss_sub_iou'] = giou(sp, st).sum() / n
    out['loss_obj_iou'] = (giou(op, ot) * ex).sum() / ne
    return out


@pytest.mark.parametrize('no_object', [0, 1])
def test_layer_loss_equals_reference_formulas(tiny, no_object):
    """Unit loss weights: each term equals the reference criterion for a fixed matching."""
    ones = dict(loss_bbox=dict(type='L1Loss', loss_weight=1.0),
                loss_iou=dict(type='GIoULoss', loss_weight=1.0))
    head = _head(tiny, no_object_class=bool(no_object), **ones)
    _, samples = tiny.fake_batch(no_object=no_object)
    targets = head.get_targets(samples)
    preds = {k: v[0] for k, v in head(*_states(tiny, layers=1)).items()}
    assigns = []
    for t, shift in zip(targets, (0, 2)):
        gt_inds = torch.zeros(tiny.NUM_QUERIES, dtype=torch.long)
        gt_inds[shift:shift + len(t)] = torch.arange(len(t)).flip(0) + 1
        assigns.append(AssignResult(len(t), gt_inds, None, labels=None))
    num_pairs = float(sum(len(t) for t in targets))
    losses = head.loss_by_assign(preds, targets, assigns, num_pairs)
    ref = _reference_losses(preds, targets, assigns, tiny.NUM_OBJECTS)
    assert set(losses) == set(ref)
    for k in ref:
        assert torch.allclose(losses[k], ref[k], rtol=1e-4, atol=1e-5), k


def test_matching_diagnostics_on_a_hand_made_case(tiny):
    """QPIC's obj_class_error (100 - top-1 % on matched queries) and cardinality error."""
    head = _head(tiny)
    bg = tiny.NUM_OBJECTS  # background is the last logit
    top = torch.full((2, tiny.NUM_QUERIES), bg)
    top[0, :3] = torch.tensor([1, 2, 0])  # image 0: 3 non-background queries
    obj_logits = F.one_hot(top, tiny.NUM_OBJECTS + 1).float() * 5
    targets = [InstanceData(obj_labels=torch.tensor([1, 3])),
               InstanceData(obj_labels=torch.tensor([4]))]
    assigns = []
    for matched in ({0: 1, 1: 2}, {2: 1}):  # query -> gt index + 1
        gt_inds = torch.zeros(tiny.NUM_QUERIES, dtype=torch.long)
        for q, g in matched.items():
            gt_inds[q] = g
        assigns.append(AssignResult(2, gt_inds, None, labels=None))
    out = head.matching_diagnostics(dict(obj_logits=obj_logits), targets, assigns)
    # matched: (q0 -> 1, right), (q1 -> 3, predicted 2), (image 1 q2 -> 4, background)
    assert torch.allclose(out['obj_class_error'], torch.tensor(100 - 100 / 3))
    # |3 - 2| for image 0, |0 - 1| for image 1
    assert torch.allclose(out['obj_cardinality_error'], torch.tensor(1.0))
    nothing = [AssignResult(0, torch.zeros(tiny.NUM_QUERIES, dtype=torch.long), None,
                            labels=None)] * 2
    empty = [InstanceData(obj_labels=torch.zeros(0, dtype=torch.long))] * 2
    out = head.matching_diagnostics(dict(obj_logits=obj_logits), empty, nothing)
    assert out['obj_class_error'] == 100  # as QPIC's accuracy() on no targets


def test_loss_weights_come_from_config(tiny):
    _, samples = tiny.fake_batch()
    states = _states(tiny, layers=1)
    base = _head(tiny).loss(*states, batch_data_samples=samples)
    heavy = _head(tiny, loss_bbox=dict(type='L1Loss', loss_weight=5.0),
                  loss_verb_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0,
                                     alpha=0.5, loss_weight=3.0)).loss(
        *states, batch_data_samples=samples)
    assert torch.allclose(heavy['loss_sub_bbox'], base['loss_sub_bbox'] * 2)  # 5 vs 2.5
    assert torch.allclose(heavy['loss_verb_cls'], base['loss_verb_cls'] * 3)
    assert torch.allclose(heavy['loss_obj_cls'], base['loss_obj_cls'])


def test_pairs_without_object(tiny):
    _, samples = tiny.fake_batch(no_object=3)  # image 0: all 3 pairs, image 1: both pairs
    head = _head(tiny, no_object_class=True)
    states = _states(tiny, layers=1)
    losses, preds, assigns = head.loss_and_assign(*states, batch_data_samples=samples)
    assert losses['loss_obj_bbox'] == 0 and losses['loss_obj_iou'] == 0
    assert losses['loss_sub_bbox'] > 0
    # matched queries are trained towards the "no object" class, not background
    targets = head.get_targets(samples)
    assert (targets[0].obj_labels == tiny.NUM_OBJECTS).all()
    with pytest.raises(ValueError, match='no_object_class'):
        _head(tiny).loss(*states, batch_data_samples=samples)


@MODELS.register_module(force=True)
class _RecordingExtraLoss(nn.Module):
    """Test double for the later ITM loss: records what the head hands over."""

    def forward(self, predictions, assignments, batch_data_samples):
        self.seen = (predictions, assignments, batch_data_samples)
        return {'loss_extra': predictions['verb_logits'].sigmoid().sum() * 0 + 1.0}


def test_extra_losses_get_last_layer_predictions_and_assignment(tiny):
    head = _head(tiny, extra_losses=[dict(type='_RecordingExtraLoss')])
    _, samples = tiny.fake_batch()
    states = _states(tiny, layers=2)
    losses, preds, assigns = head.loss_and_assign(*states, batch_data_samples=samples)
    assert losses['loss_extra'] == 1.0
    seen_preds, seen_assigns, seen_samples = head.extra_losses[0].seen
    assert seen_preds is preds and seen_assigns is assigns and seen_samples is samples
    full = head(*states)
    assert torch.equal(preds['verb_logits'], full['verb_logits'][-1])
    assert preds['verb_logits'].requires_grad
    again = head.assign(preds, head.get_targets(samples), samples)
    for a, b, ds in zip(assigns, again, samples):
        assert torch.equal(a.gt_inds, b.gt_inds)
        assert (a.gt_inds > 0).sum() == len(ds.gt_hoi)


def test_predict_returns_instances_and_hoi(tiny):
    head = _head(tiny)
    _, samples = tiny.fake_batch()
    results = head.predict(*_states(tiny), batch_data_samples=samples)
    assert len(results) == 2
    inst, hoi = results[0]
    assert inst.bboxes.shape == (2 * tiny.NUM_QUERIES, 4)
    assert len(hoi) == min(100, tiny.NUM_QUERIES * tiny.NUM_VERBS)
