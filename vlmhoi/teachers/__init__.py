"""VLM teachers, prompt forms and the teacher-score cache (Step 6).

Teachers (frozen vision-language models behind :class:`~vlmhoi.teachers.base.HOITeacher`,
built from config by :func:`~vlmhoi.teachers.base.build_teacher` through the ``TEACHERS``
registry): ``BlipItmTeacher`` (BLIP ITM head), ``Blip2ItmTeacher`` (BLIP-2 Q-Former ITM head),
``ClipTeacher`` (CLIP cosine). Loading is offline (:mod:`~vlmhoi.teachers.loading`);
word-level tokenizers for small models come from :mod:`~vlmhoi.teachers.tokenizer`.

The names below are imported lazily: importing ``vlmhoi.teachers.prompts`` (or the cache
modules) does not import transformers. The registry imports the teacher modules itself
(``TEACHER_MODULES`` in :mod:`~vlmhoi.teachers.base`) when a config is built.
"""
from importlib import import_module

_LAZY = {
    'TEACHERS': 'base', 'HOITeacher': 'base', 'build_teacher': 'base', 'SCORE_MODES': 'base',
    'BlipItmTeacher': 'blip', 'Blip2ItmTeacher': 'blip2', 'ClipTeacher': 'clip',
    'build_word_tokenizer': 'tokenizer',
}
__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(f'{__name__}.{_LAZY[name]}'), name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
