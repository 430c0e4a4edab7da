"""A teacher held by a detector module is frozen and invisible to its checkpoint and optimizer."""
import pytest
import torch

from vlmhoi.teachers import BlipItmTeacher, ClipTeacher


class Detector(torch.nn.Module):
    """Stands for the HOI detector: one trainable layer plus the teacher as a submodule."""

    def __init__(self, teacher):
        super().__init__()
        self.head = torch.nn.Linear(4, 2)
        self.teacher = teacher


@pytest.fixture(params=['blip', 'clip'])
def teacher(request, tiny_blip_dir, tiny_clip_dir):
    if request.param == 'blip':
        return BlipItmTeacher(str(tiny_blip_dir))
    return ClipTeacher(str(tiny_clip_dir))


def test_parent_state_dict_and_parameters_hold_no_teacher(teacher):
    detector = Detector(teacher)
    assert set(detector.state_dict()) == {'head.weight', 'head.bias'}
    teacher_ids = {id(p) for p in teacher.model.parameters()}
    assert len(teacher_ids) > 10
    assert not teacher_ids & {id(p) for p in detector.parameters()}
    optimizer = torch.optim.AdamW(detector.parameters(), lr=1e-4)
    assert sum(len(g['params']) for g in optimizer.param_groups) == 2
    # a detector checkpoint loads back without teacher keys
    Detector(teacher).load_state_dict(detector.state_dict(), strict=True)


def test_frozen_through_parent_train_and_casts(teacher, images):
    detector = Detector(teacher)
    before = teacher.score(images, ['a person ride a horse'])
    detector.train()
    assert detector.training and detector.head.training
    assert not teacher.training and not teacher.model.training
    assert not any(m.training for m in teacher.model.modules())
    assert not any(p.requires_grad for p in teacher.model.parameters())
    detector.double()  # a parent's cast leaves the teacher's dtype alone
    assert next(teacher.model.parameters()).dtype == torch.float32
    assert torch.equal(teacher.score(images, ['a person ride a horse']), before)


def test_scores_carry_no_gradient(teacher, images):
    scores = teacher.score(images, ['a person ride a horse'])
    assert not scores.requires_grad


def test_scores_can_enter_a_differentiable_loss(teacher, images):
    """The relaxed ITM loss multiplies scores by class probabilities that carry gradient."""
    scores = teacher.score(images, ['a person ride a horse', 'a person kick a ball'])
    logits = torch.zeros(len(images), 2, requires_grad=True)
    (logits.softmax(-1) * scores).sum().backward()
    assert logits.grad is not None and logits.grad.abs().sum() > 0
