"""Attach a sample's row of the teacher-score cache: ``results['teacher_scores']`` (T,)."""
from __future__ import annotations

import os

import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS

TEACHER_SCORES_KEY = 'teacher_scores'
IMAGE_KEY = 'file_name'


@TRANSFORMS.register_module()
class LoadTeacherScores(BaseTransform):
    """Adds ``results['teacher_scores']``: float32 (T,), the teacher's score of every text of
    the prompt vocabulary (``build_vocabulary(dataset.vocab, prompt_form).texts`` order) for
    the sample's original image, read from a cache ``tools/build_teacher_cache.py`` built.

    The cache is checked once, when the transform is built: its key (teacher class, weights
    sha256, score mode, dtype, prompt form, vocabulary, annotation file) must equal the one
    of the arguments and every image must be scored, otherwise ``TeacherCacheError`` names
    the folder and what differs. Rows are found by ``results['file_name']``. The (N, T)
    array is memory-mapped lazily, once per process (dataloader worker); nothing is
    unpickled.

    Args:
        teacher: the teacher config (``type``, ``model_path``, ``score``, ``dtype``); only
            its identity is computed (weights hashed), the model is not loaded.
        dataset: the dataset config whose images are the rows (built lazily: no pipeline,
            no annotation parsing), giving the annotation file and the vocabulary.
        prompt_form: the prompt form of the vocabulary.
        root: the caches' root folder (default ``user_cache_dir('teacher_scores')``).
        cache_dir: read this folder instead of ``<root>/<key digest>`` (still checked).
    """

    def __init__(self, teacher: dict, dataset: dict, prompt_form: str = 'full',
                 root: str | None = None, cache_dir: str | None = None) -> None:
        from vlmhoi.teachers.cache_config import build_dataset, dataset_key, teacher_identity
        from vlmhoi.teachers.score_cache import ScoreCache
        key, _ = dataset_key(teacher_identity(dict(teacher)), build_dataset(dict(dataset),
                                                                            lazy=True),
                             prompt_form)
        cache = ScoreCache.open_complete(root, key, path=cache_dir)
        self.cache_dir = str(cache.path)
        self.scores_file = str(cache.path / 'scores.npy')
        self.row = cache.row
        self.num_texts = cache.scores.shape[1]
        self._scores: np.memmap | None = None
        self._pid: int | None = None
        del cache

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state['_scores'], state['_pid'] = None, None
        return state

    def _array(self) -> np.ndarray:
        if self._scores is None or self._pid != os.getpid():
            self._scores = np.load(self.scores_file, mmap_mode='r', allow_pickle=False)
            self._pid = os.getpid()
        return self._scores

    def transform(self, results: dict) -> dict:
        name = results.get(IMAGE_KEY)
        if name is None:
            raise KeyError(f'LoadTeacherScores: the sample ({results.get("img_path")}) has '
                           f'no {IMAGE_KEY!r} to look its row up by')
        if name not in self.row:
            raise KeyError(f'LoadTeacherScores: image {name!r} ({results.get("img_path")}) '
                           f'is not in the teacher-score cache {self.cache_dir}; build the '
                           'cache for the dataset this pipeline reads')
        results[TEACHER_SCORES_KEY] = np.array(self._array()[self.row[name]], dtype=np.float32)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(cache_dir={self.cache_dir!r}, '
                f'images={len(self.row)}, texts={self.num_texts})')
