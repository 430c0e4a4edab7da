"""HOI match costs and the Hungarian assigner on hand-made cases."""
import itertools

import pytest
import torch
from mmdet.registry import TASK_UTILS
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy, bbox_overlaps
from mmengine.structures import InstanceData

from vlmhoi.models import (
    HOIBoxL1Cost,
    HOIGIoUCost,
    HOIObjClassCost,
    HOIVerbClassCost,
    matched_pairs,
)


def _preds(obj_logits, verb_logits, sub, obj):
    return InstanceData(obj_logits=torch.as_tensor(obj_logits, dtype=torch.float),
                        verb_logits=torch.as_tensor(verb_logits, dtype=torch.float),
                        sub_bboxes=torch.as_tensor(sub, dtype=torch.float),
                        obj_bboxes=torch.as_tensor(obj, dtype=torch.float))


def _gts(obj_labels, verbs, sub, obj):
    return InstanceData(obj_labels=torch.as_tensor(obj_labels),
                        verb_labels=torch.as_tensor(verbs, dtype=torch.float),
                        sub_bboxes=torch.as_tensor(sub, dtype=torch.float),
                        obj_bboxes=torch.as_tensor(obj, dtype=torch.float))


BOX_A, BOX_B = [0.3, 0.3, 0.2, 0.2], [0.7, 0.7, 0.2, 0.2]


def test_obj_class_cost_is_negative_softmax_prob():
    logits = torch.tensor([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    preds = _preds(logits, [[0.0]] * 2, [BOX_A] * 2, [BOX_A] * 2)
    gts = _gts([1, 0], [[1.0], [1.0]], [BOX_A] * 2, [BOX_A] * 2)
    cost = HOIObjClassCost(weight=2.0)(preds, gts)
    expected = -logits.softmax(-1)[:, [1, 0]] * 2.0
    assert torch.allclose(cost, expected)


def test_verb_class_cost_matches_qpic_formula():
    p = torch.tensor([[0.9, 0.2, 0.1]])
    logits = torch.logit(p)
    preds = _preds([[0.0, 0.0]], logits, [BOX_A], [BOX_A])
    gts = _gts([0, 0], [[1, 0, 0], [0, 1, 1]], [BOX_A] * 2, [BOX_A] * 2)
    cost = HOIVerbClassCost()(preds, gts)
    # gt 0: mean p on {0} = 0.9, mean (1-p) on {1,2} = 0.85 -> -(0.9 + 0.85) / 2
    # gt 1: mean p on {1,2} = 0.15, mean (1-p) on {0} = 0.1 -> -(0.15 + 0.1) / 2
    assert torch.allclose(cost, torch.tensor([[-0.875, -0.125]]), atol=1e-3)


def test_box_l1_cost_max_sum_and_missing_object():
    preds = _preds([[0.0]], [[0.0]], [[0.5, 0.5, 0.2, 0.2]], [[0.5, 0.5, 0.2, 0.2]])
    gts = _gts([0, 0], [[1.0]] * 2, [[0.6, 0.5, 0.2, 0.2]] * 2,
               [[0.5, 0.2, 0.2, 0.2], [0.0, 0.0, 0.0, 0.0]])
    assert torch.allclose(HOIBoxL1Cost(combine='max')(preds, gts), torch.tensor([[0.3, 0.1]]))
    assert torch.allclose(HOIBoxL1Cost(combine='sum', weight=2.0)(preds, gts),
                          torch.tensor([[0.8, 0.2]]))
    with pytest.raises(ValueError, match='combine'):
        HOIBoxL1Cost(combine='mean')


def test_giou_cost_identical_boxes_and_missing_object():
    preds = _preds([[0.0]], [[0.0]], [BOX_A], [BOX_B])
    gts = _gts([0, 0], [[1.0]] * 2, [BOX_A, BOX_B], [BOX_B, [0, 0, 0, 0]])
    cost = HOIGIoUCost()(preds, gts)
    assert torch.allclose(cost[0, 0], torch.tensor(-1.0), atol=1e-5)
    # no object: object term = -giou(pred, 0-box) + human term, max with the human term
    sub_term = -bbox_overlaps(bbox_cxcywh_to_xyxy(torch.tensor([BOX_A])),
                              bbox_cxcywh_to_xyxy(torch.tensor([BOX_B])), mode='giou')[0, 0]
    obj_term = -bbox_overlaps(bbox_cxcywh_to_xyxy(torch.tensor([BOX_B])),
                              torch.zeros(1, 4), mode='giou')[0, 0] + sub_term
    assert torch.allclose(cost[0, 1], torch.maximum(sub_term, obj_term), atol=1e-5)
    # an explicit obj_exists field wins over the zero-box test
    gts.obj_exists = torch.tensor([True, True])
    assert not torch.allclose(HOIGIoUCost()(preds, gts)[0, 1], cost[0, 1])


def _assigner(**costs):
    w = dict(obj=1.0, verb=1.0, l1=2.5, giou=1.0)
    w.update(costs)
    return TASK_UTILS.build(dict(type='HOIHungarianAssigner', match_costs=[
        dict(type='HOIObjClassCost', weight=w['obj']),
        dict(type='HOIVerbClassCost', weight=w['verb']),
        dict(type='HOIBoxL1Cost', weight=w['l1']),
        dict(type='HOIGIoUCost', weight=w['giou'])]))


def test_assigner_finds_the_global_optimum_not_the_greedy_one():
    # query 0 fits gt 0 best but gt 1 fits only query 0: the optimum matches
    # q0 -> gt1 and q1 -> gt0 (greedy would take q0 -> gt0).
    sub = [[0.40, 0.5, 0.2, 0.2], [0.30, 0.5, 0.2, 0.2], [0.9, 0.9, 0.05, 0.05]]
    preds = _preds([[0.0, 0.0]] * 3, [[0.0]] * 3, sub, sub)
    gt_sub = [[0.35, 0.5, 0.2, 0.2], [0.50, 0.5, 0.2, 0.2]]
    gts = _gts([0, 0], [[1.0]] * 2, gt_sub, gt_sub)
    res = _assigner(obj=0.0, verb=0.0, giou=0.0).assign(preds, gts)
    assert res.gt_inds.tolist() == [2, 1, 0]
    assert res.num_gts == 2
    q, g = matched_pairs(res)
    assert q.tolist() == [0, 1] and g.tolist() == [1, 0]


def test_assigner_uses_each_cost_term():
    boxes = [BOX_A, BOX_A]
    # class term decides: identical boxes, query 1 predicts class 1
    preds = _preds([[5.0, -5.0, 0.0], [-5.0, 5.0, 0.0]], [[0.0]] * 2, boxes, boxes)
    gts = _gts([1, 0], [[1.0]] * 2, boxes, boxes)
    assert _assigner().assign(preds, gts).gt_inds.tolist() == [2, 1]
    # verb term decides
    preds = _preds([[0.0, 0.0]] * 2, [[5.0, -5.0], [-5.0, 5.0]], boxes, boxes)
    gts = _gts([0, 0], [[0, 1], [1, 0]], boxes, boxes)
    assert _assigner().assign(preds, gts).gt_inds.tolist() == [2, 1]
    # giou term alone decides (boxes far apart)
    preds = _preds([[0.0, 0.0]] * 2, [[0.0]] * 2, [BOX_A, BOX_B], [BOX_A, BOX_B])
    gts = _gts([0, 0], [[1.0]] * 2, [BOX_B, BOX_A], [BOX_B, BOX_A])
    assert _assigner(l1=0.0).assign(preds, gts).gt_inds.tolist() == [2, 1]
    # the object box matters when the human boxes are equal
    preds = _preds([[0.0, 0.0]] * 2, [[0.0]] * 2, [BOX_A, BOX_A], [BOX_A, BOX_B])
    gts = _gts([0, 0], [[1.0]] * 2, [BOX_A, BOX_A], [BOX_B, BOX_A])
    assert _assigner(giou=0.0).assign(preds, gts).gt_inds.tolist() == [2, 1]


def test_assigner_matches_brute_force_on_random_cases():
    g = torch.Generator().manual_seed(0)
    assigner = _assigner()
    for _ in range(10):
        q, p = 5, 3
        preds = _preds(torch.randn(q, 4, generator=g), torch.randn(q, 3, generator=g),
                       torch.rand(q, 4, generator=g) * 0.5 + 0.1,
                       torch.rand(q, 4, generator=g) * 0.5 + 0.1)
        gts = _gts(torch.randint(0, 3, (p,), generator=g),
                   (torch.rand(p, 3, generator=g) > 0.5).float(),
                   torch.rand(p, 4, generator=g) * 0.5 + 0.1,
                   torch.rand(p, 4, generator=g) * 0.5 + 0.1)
        cost = sum(mc(preds, gts) for mc in assigner.match_costs)
        best = min(sum(cost[r, c] for c, r in enumerate(rows)).item()
                   for rows in itertools.permutations(range(q), p))
        q_idx, g_idx = matched_pairs(assigner.assign(preds, gts))
        assert abs(cost[q_idx, g_idx].sum().item() - best) < 1e-5


def test_assigner_without_gt_assigns_background():
    preds = _preds([[0.0, 0.0]] * 3, [[0.0]] * 3, [BOX_A] * 3, [BOX_A] * 3)
    gts = _gts(torch.zeros(0, dtype=torch.long), torch.zeros(0, 1), torch.zeros(0, 4),
               torch.zeros(0, 4))
    res = _assigner().assign(preds, gts)
    assert res.gt_inds.tolist() == [0, 0, 0] and res.num_gts == 0


def test_assigner_solves_through_mmdet_hungarian_assigner(monkeypatch):
    """The scipy call is mmdet's (HungarianAssigner.assign), not a copy of it."""
    import mmdet.models.task_modules.assigners.hungarian_assigner as mmdet_hungarian
    calls = []
    real = mmdet_hungarian.linear_sum_assignment

    def spy(cost):
        calls.append(tuple(cost.shape))
        return real(cost)

    monkeypatch.setattr(mmdet_hungarian, 'linear_sum_assignment', spy)
    preds = _preds([[0.0, 0.0]] * 3, [[0.0]] * 3, [BOX_A, BOX_B, BOX_A], [BOX_A, BOX_B, BOX_A])
    gts = _gts([0, 1], [[1.0]] * 2, [BOX_B, BOX_A], [BOX_B, BOX_A])
    res = _assigner().assign(preds, gts)
    assert calls == [(3, 2)]
    assert res.labels.tolist()[:2] == [1, 0] and res.gt_inds.tolist()[:2] == [2, 1]
