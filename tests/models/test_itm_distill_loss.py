"""ITMDistillLoss: Eq. 4 on one-hot predictions, gradients, alpha, empty images, logging."""
from __future__ import annotations

import itertools

import pytest
import torch
from mmdet.models.task_modules.assigners import AssignResult
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample

from tests.models.conftest import ride_horse_sample
from vlmhoi.models.itm_reference_code import reference_sentences
from vlmhoi.models.itm_relaxation import pair_tables, relaxed_itm, score_grid
from vlmhoi.vocab import hico_vocab

K, V = 80, 117            # HICO-DET objects and verbs
NUM_OBJ_LOGITS = K + 1    # + background
Q = 6


def _loss(**kw) -> torch.nn.Module:
    return MODELS.build(dict(type='ITMDistillLoss', **kw))


def _assign(matched: list[int], num_gts: int = 2) -> AssignResult:
    gt_inds = torch.zeros(Q, dtype=torch.long)
    for i, q in enumerate(matched):
        gt_inds[q] = i + 1
    return AssignResult(num_gts, gt_inds, None, labels=None)


def _sample(scores: torch.Tensor) -> DetDataSample:
    ds = DetDataSample(metainfo=dict(img_path='img.jpg'))
    ds.teacher_scores = scores
    return ds


def _onehot_inputs(seed: int) -> tuple[torch.Tensor, torch.Tensor, list[int], torch.Tensor]:
    """One-hot object probabilities, 0/1 verbs, matched queries and teacher scores."""
    g = torch.Generator().manual_seed(seed)
    obj = torch.randint(0, NUM_OBJ_LOGITS, (1, Q), generator=g)     # some are background
    obj_probs = torch.nn.functional.one_hot(obj, NUM_OBJ_LOGITS).float()
    verb_probs = (torch.rand(1, Q, V, generator=g) > 0.97).float()
    # make sure valid triplets exist: query q gets a verb valid with its object
    mat = hico_vocab().correct_mat()
    for q in range(Q):
        if obj[0, q] < K:
            valid_verbs = mat[:, obj[0, q]].nonzero()[0]
            verb_probs[0, q, int(valid_verbs[q % len(valid_verbs)])] = 1
    return obj_probs, verb_probs, [0, 2], obj


def test_relaxation_equals_eq4_on_one_hot_predictions() -> None:
    loss = _loss(alpha=1.0)
    pv = loss.prompts
    scores = torch.randn(1, len(pv), generator=torch.Generator().manual_seed(3))
    obj_probs, verb_probs, matched_q, obj = _onehot_inputs(0)
    text_idx, valid = pair_tables(pv.pairs, pv.pair_to_text, V, NUM_OBJ_LOGITS)
    matched = torch.zeros(1, Q, dtype=torch.bool)
    matched[0, matched_q] = True
    pos, neg = relaxed_itm(obj_probs, verb_probs, score_grid(scores, text_idx), valid,
                           matched, alpha=1.0)
    # Eq. 4 directly: one sentence per predicted valid (verb, object) triplet
    valid_pairs = set(pv.pairs)
    exp_pos = exp_neg = 0.0
    n_triplets = 0
    for q, v in itertools.product(range(Q), range(V)):
        o = int(obj[0, q])
        if verb_probs[0, q, v] == 1 and (v, o) in valid_pairs:
            s = float(scores[0, pv.text_index(v, o)])
            n_triplets += 1
            if q in matched_q:
                exp_pos += max(0.0, 1.0 - s)
            else:
                exp_neg += s
    assert n_triplets >= 4
    assert pos.item() == pytest.approx(exp_pos, abs=1e-5)
    assert neg.item() == pytest.approx(exp_neg, abs=1e-5)


def _soft_forward(loss, alpha_scores: torch.Tensor, matched: list[int]):
    torch.manual_seed(0)
    obj_logits = torch.randn(1, Q, NUM_OBJ_LOGITS, requires_grad=True)
    verb_logits = torch.randn(1, Q, V, requires_grad=True)
    out = loss(dict(obj_logits=obj_logits, verb_logits=verb_logits), [_assign(matched)],
               [_sample(alpha_scores)])
    return out, obj_logits, verb_logits


def test_gradient_reaches_object_and_verb_logits() -> None:
    loss = _loss(alpha=1.0)
    scores = torch.randn(len(loss.prompts))
    out, obj_logits, verb_logits = _soft_forward(loss, scores, [0, 3])
    out['loss_itm'].backward()
    assert obj_logits.grad.abs().sum() > 0 and verb_logits.grad.abs().sum() > 0
    assert out['loss_itm'].item() == pytest.approx(
        out['loss_itm_pos'].item() + out['loss_itm_neg'].item(), rel=1e-6)
    assert {'itm_score_pos', 'itm_score_neg'} <= out.keys()


def test_alpha_zero_drops_positives_with_positive_scores() -> None:
    scores = torch.rand(520) + 0.1                         # all teacher scores > 0
    out0, _, _ = _soft_forward(_loss(alpha=0.0), scores, [1, 4])
    out2, _, _ = _soft_forward(_loss(alpha=2.0), scores, [1, 4])
    assert out0['loss_itm_pos'].item() == 0.0
    assert out2['loss_itm_pos'].item() > 0.0
    assert out0['loss_itm_neg'].item() == pytest.approx(out2['loss_itm_neg'].item())


def test_image_without_positives() -> None:
    loss = _loss(alpha=1.0)
    out, obj_logits, _ = _soft_forward(loss, torch.randn(len(loss.prompts)), [])
    assert out['loss_itm_pos'].item() == 0.0
    assert torch.isfinite(out['loss_itm']) and out['loss_itm_neg'].item() != 0.0
    out['loss_itm'].backward()
    assert torch.isfinite(obj_logits.grad).all()


def test_stale_cache_row_and_missing_scores_are_refused() -> None:
    loss = _loss(prompt_form='verb')
    with pytest.raises(ValueError, match='other prompts'):
        _soft_forward(loss, torch.randn(520), [0])          # a 'full' row for 'verb' prompts
    with pytest.raises(KeyError, match='LoadTeacherScores'):
        loss(dict(obj_logits=torch.randn(1, Q, NUM_OBJ_LOGITS),
                  verb_logits=torch.randn(1, Q, V)), [_assign([0])],
             [DetDataSample(metainfo=dict(img_path='x.jpg'))])


def test_online_and_reference_modes_need_a_teacher() -> None:
    with pytest.raises(ValueError, match='needs a teacher'):
        _loss(score_source='online')
    with pytest.raises(ValueError, match='itm_nomatch_logit'):
        _loss(mode='reference_code', teacher=dict(type='BlipItmTeacher', model_path='x',
                                                  score='itm_logodds'))


def test_reference_sentences_follow_the_published_code() -> None:
    vocab = hico_vocab()
    verb = vocab.verb_names.index
    obj = vocab.object_names.index
    pos, neg = reference_sentences(
        verb_ids=[verb('sit_on'), verb('hold'), verb('ride'), verb('hold')],
        obj_ids=[obj('bicycle'), obj('cup'), obj('dog'), obj('bicycle')],
        gt_verbs={verb('sit_on'), verb('ride')}, gt_objs={obj('bicycle')},
        verb_names=vocab.verb_names, obj_names=vocab.object_names)
    # unique sets, split by membership in the GT verbs / objects, zipped pairwise
    assert pos == ['person ride bicycle']                  # zip stops at the shorter list
    assert neg == ['person hold cup']


def test_parse_losses_counts_the_parts_once(tiny) -> None:
    head = dict(num_objects=K, num_verbs=V, extra_losses=[dict(type='ITMDistillLoss')])
    model = MODELS.build(tiny.detector_cfg(**head))
    losses = dict(loss_a=torch.tensor(1.0), loss_itm=torch.tensor(3.0),
                  loss_itm_pos=torch.tensor(2.0), loss_itm_neg=torch.tensor(1.0),
                  itm_score_pos=torch.tensor(0.5))
    total, log_vars = model.parse_losses(losses)
    assert total.item() == 4.0
    assert log_vars['loss_itm_pos'].item() == 2.0 and log_vars['loss_itm_neg'].item() == 1.0


def test_detector_trains_with_the_itm_loss(tiny) -> None:
    """End to end through HOIHead.extra_losses: loss_itm is there and has gradient."""
    head = dict(num_objects=K, num_verbs=V, extra_losses=[dict(type='ITMDistillLoss')])
    model = MODELS.build(tiny.detector_cfg(**head))
    inputs = torch.rand(1, 3, 64, 64)
    ds = ride_horse_sample('x.jpg')
    ds.teacher_scores = torch.randn(520)
    losses = model.loss(inputs, [ds])
    assert losses['loss_itm'].requires_grad
    total, _ = model.parse_losses(losses)
    total.backward()
    assert model.bbox_head.verb_cls.weight.grad.abs().sum() > 0


def test_cache_mode_never_builds_the_teacher() -> None:
    """With cached scores the training step does no teacher forward: the teacher config may
    name weights that do not exist, and the teacher is never built."""
    loss = _loss(teacher=dict(type='BlipItmTeacher', model_path='/no/such/teacher'))
    out, _, _ = _soft_forward(loss, torch.randn(len(loss.prompts)), [0])
    assert torch.isfinite(out['loss_itm']) and loss._teacher is None


def test_neg_margin_zero_equals_eq4_for_nonnegative_scores_and_clips_signed_ones() -> None:
    scores = torch.rand(520) + 0.05
    lit, _, _ = _soft_forward(_loss(neg_margin=None), scores, [0])
    zero, _, _ = _soft_forward(_loss(neg_margin=0.0), scores, [0])
    assert zero['loss_itm_neg'].item() == pytest.approx(lit['loss_itm_neg'].item())
    signed = -scores                                          # every negative scored < 0
    lit, _, _ = _soft_forward(_loss(neg_margin=None), signed, [0])
    zero, _, _ = _soft_forward(_loss(neg_margin=0.0), signed, [0])
    assert lit['loss_itm_neg'].item() < 0 and zero['loss_itm_neg'].item() == 0.0
