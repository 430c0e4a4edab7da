"""One definition of the ITM teacher: the config's top-level ``teacher`` and
``teacher_cache`` sections, read by the loss, the cache tool and the pipeline step.

A VLM-HOI config sets ``teacher = dict(type=..., model_path=..., score=...)`` and
``teacher_cache = dict(prompt_form=..., ...)`` (``vlmhoi/teachers/cache_config.py``) and an
``ITMDistillLoss`` in ``model.bbox_head.extra_losses`` without ``teacher`` or
``prompt_form``. :func:`link_itm_teacher`, applied by ``HOIRunner.from_cfg`` after the
command-line overrides, copies them into the loss and, when the loss reads the cache
(``score_source='cache'``), inserts ``LoadTeacherScores`` into the train pipeline. So
``--cfg-options teacher.score=itm_prob teacher_cache.prompt_form=verb`` reaches all three;
a loss that names its own, different teacher or prompt form is refused.
"""
from __future__ import annotations

LOSS_TYPE = 'ITMDistillLoss'
LINKED_KEYS = ('teacher', 'prompt_form')


def itm_losses(cfg) -> list:
    """The ``ITMDistillLoss`` configs of ``model.bbox_head.extra_losses`` (may be empty)."""
    head = (cfg.get('model') or {}).get('bbox_head') or {}
    return [loss for loss in head.get('extra_losses') or [] if loss.get('type') == LOSS_TYPE]


def link_itm_teacher(cfg) -> None:
    """Fill the ITM losses' teacher and prompt form from the top-level sections (in place)."""
    losses = itm_losses(cfg)
    if not losses:
        return
    from vlmhoi.teachers.cache_config import add_teacher_scores, cache_settings
    top = dict(teacher=dict(cfg.teacher) if cfg.get('teacher') else None,
               prompt_form=cache_settings(cfg)['prompt_form'])
    for i, loss in enumerate(losses):
        for key in LINKED_KEYS:
            given = loss.get(key)
            if given is None:
                loss[key] = top[key]
            elif top[key] is not None and dict_or_value(given) != dict_or_value(top[key]):
                raise ValueError(
                    f'model.bbox_head.extra_losses ({LOSS_TYPE} #{i}) sets {key}={given!r}, '
                    f'the config\'s top-level section says {top[key]!r}: set it once, in '
                    f'the top-level `teacher` / `teacher_cache` sections')
        if loss.get('score_source', 'cache') == 'cache':
            check_vocabulary(cfg, loss, i)
            add_teacher_scores(cfg, 'train')


def check_vocabulary(cfg, loss, index: int) -> None:
    """The loss's prompt texts must be the cache's: both built on the train dataset's
    vocabulary (``dataset_vocab`` / ``correct_mat`` of the loss vs the dataset's own)."""
    from vlmhoi.models.itm_distill_loss import load_dataset_vocab
    from vlmhoi.teachers.cache_config import build_dataset, split_dataset_cfg
    from vlmhoi.teachers.prompts import build_vocabulary
    dataset = build_dataset(split_dataset_cfg(cfg, 'train'), lazy=True)
    ours = build_vocabulary(load_dataset_vocab(loss.get('dataset_vocab', 'hico'),
                                               loss.get('correct_mat')), loss['prompt_form'])
    theirs = build_vocabulary(dataset.vocab, loss['prompt_form'])
    if ours.digest() != theirs.digest():
        raise ValueError(
            f'{LOSS_TYPE} #{index}: its prompt vocabulary (dataset_vocab='
            f"{loss.get('dataset_vocab', 'hico')!r}, correct_mat={loss.get('correct_mat')!r}: "
            f'{len(ours)} texts) is not the training dataset\'s ({len(theirs)} texts), so the '
            'cached score columns would not match; point the loss at the dataset\'s '
            'validity matrix')


def dict_or_value(value):
    return dict(value) if hasattr(value, 'keys') else value
