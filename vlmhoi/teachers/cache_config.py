"""From a config to a teacher-score cache: the config sections, the key, the pipeline step.

Config sections (top level of an mmengine config; ``mm_configs/_base_/teachers/``)::

    teacher = dict(type='BlipItmTeacher', model_path=..., score='itm_logodds',
                   dtype='float32', device='cpu', text_batch_size=64, image_batch_size=8)
    teacher_cache = dict(root=None,          # None: user_cache_dir('teacher_scores')
                         prompt_form='full', # a vlmhoi.teachers.prompts.PROMPT_FORMS entry
                         split='train',      # rows = images of <split>_dataloader.dataset
                         batch_size=8)       # images scored and stored per step

The cache of a split covers every image of its dataset (``filter_cfg`` is not applied, so
every filtering setting reads the same rows); the vocabulary is
``build_vocabulary(dataset.vocab, prompt_form)``.
"""
from __future__ import annotations

import copy
from pathlib import Path

from .prompts import PromptVocabulary, build_vocabulary
from .score_cache import cache_key

CACHE_DEFAULTS = dict(root=None, prompt_form='full', split='train', batch_size=8)
TRANSFORM_TYPE = 'LoadTeacherScores'
PACK_TYPE = 'PackHOIInputs'


def cache_settings(cfg) -> dict:
    """``teacher_cache`` of ``cfg`` over :data:`CACHE_DEFAULTS`; unknown keys are refused."""
    given = dict(cfg.get('teacher_cache') or {})
    unknown = sorted(set(given) - set(CACHE_DEFAULTS))
    if unknown:
        raise KeyError(f'teacher_cache: unknown keys {unknown}; known: {sorted(CACHE_DEFAULTS)}')
    return {**CACHE_DEFAULTS, **given}


def teacher_cfg(cfg) -> dict:
    if not cfg.get('teacher'):
        raise KeyError('the config has no `teacher = dict(type=..., model_path=...)` section '
                       '(see vlmhoi/teachers/cache_config.py)')
    return dict(cfg['teacher'])


def split_dataset_cfg(cfg, split: str) -> dict:
    """``<split>_dataloader.dataset`` of ``cfg`` as a plain dict."""
    loader = cfg.get(f'{split}_dataloader')
    if not loader or 'dataset' not in loader:
        raise KeyError(f'teacher_cache.split={split!r}: the config has no '
                       f'{split}_dataloader.dataset')
    return copy.deepcopy(dict(loader['dataset']))


def build_dataset(dataset_cfg: dict, lazy: bool = False):
    """The HOI dataset of ``dataset_cfg`` without pipeline or filtering.

    ``lazy=True`` reads no annotations (``ann_file`` and ``vocab`` are enough for a key).
    """
    from mmdet.registry import DATASETS

    import vlmhoi.datasets  # noqa: F401  (registers the HOI datasets)
    cfg = {**dataset_cfg, 'pipeline': [], 'filter_cfg': None, 'lazy_init': lazy,
           'serialize_data': False}
    return DATASETS.build(cfg)


def teacher_identity(cfg: dict) -> dict:
    """``HOITeacher.identity()`` of the teacher ``cfg`` would build, without loading it."""
    from .base import DTYPES, TEACHERS
    from .loading import resolve_model_dir, weights_sha256
    cls = TEACHERS.get(cfg['type'])
    if cls is None:
        raise KeyError(f'teacher type {cfg["type"]!r} is not registered in TEACHERS')
    score = cfg.get('score') or cls.DEFAULT_SCORE
    dtype = cfg.get('dtype', 'float32')
    if score not in cls.SCORE_MODES or dtype not in DTYPES:
        raise ValueError(f'{cls.__name__}: score {score!r} / dtype {dtype!r} not available')
    model_dir = resolve_model_dir(cfg['model_path'], cls.HUB_EXAMPLE, cls.__name__)
    return {'teacher': cls.__name__, 'model': str(cfg['model_path']),
            'weights_sha256': weights_sha256(model_dir), 'score': score, 'dtype': dtype}


def dataset_key(identity: dict, dataset, prompt_form: str) -> tuple[dict, PromptVocabulary]:
    """(key material, vocabulary) of the cache of ``dataset``'s images for ``identity``."""
    vocabulary = build_vocabulary(dataset.vocab, prompt_form)
    return cache_key(identity, vocabulary, Path(dataset.ann_file)), vocabulary


def add_teacher_scores(cfg, split: str = 'train') -> None:
    """Insert ``LoadTeacherScores`` before ``PackHOIInputs`` of ``<split>``'s pipeline,
    keyed by ``cfg.teacher`` / ``cfg.teacher_cache`` and that split's dataset.

    Call it after ``--cfg-options`` are merged, so the transform reads the dataset the
    loader actually uses.
    """
    settings = cache_settings(cfg)
    dataset = cfg[f'{split}_dataloader']['dataset']
    pipeline = list(dataset['pipeline'])
    if any(step.get('type') == TRANSFORM_TYPE for step in pipeline):
        return
    packs = [i for i, step in enumerate(pipeline) if step.get('type') == PACK_TYPE]
    if not packs:
        raise ValueError(f'{split}_dataloader.dataset.pipeline has no {PACK_TYPE} step')
    dataset_only = {k: v for k, v in split_dataset_cfg(cfg, split).items() if k != 'pipeline'}
    step = dict(type=TRANSFORM_TYPE, teacher=teacher_cfg(cfg), dataset=dataset_only,
                prompt_form=settings['prompt_form'], root=settings['root'])
    pipeline.insert(packs[0], step)
    dataset['pipeline'] = pipeline
