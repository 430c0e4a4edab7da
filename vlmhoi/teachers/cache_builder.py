"""Scoring every vocabulary text for every image: on the fly, and into a :class:`ScoreCache`.

:class:`TeacherScorer` is the on-the-fly path (the paper's way, what a training step can
call): the teacher sees the *original* image file as RGB, its vision encoder runs once
per image and the texts are batched against it (``HOITeacher.score``). :func:`fill_cache`
runs the same scorer over the images of one shard of a cache, resuming where a killed run
stopped. Both give the same (B, T) float32 rows for the same images.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

from .prompts import PromptVocabulary
from .score_cache import ScoreCache

# Test hook (tests/tools/test_build_teacher_cache.py): once this many images are done,
# write the next batch's rows and hang *before* marking them done, waiting for a SIGKILL.
HANG_ENV = 'VLMHOI_TEST_HANG_AFTER_IMAGES'
HANG_MESSAGE = 'test hook: rows written, not marked done; waiting to be killed'
HANG_POLL_S = 0.05


def load_rgb(path: str | Path) -> Image.Image:
    """The original image file as an RGB ``PIL.Image`` (what the teacher sees)."""
    try:
        with Image.open(path) as img:
            return img.convert('RGB')
    except OSError as err:
        raise OSError(f'cannot read image {path} for teacher scoring: {err}') from err


class TeacherScorer:
    """Scores of every text of ``vocabulary`` for images, computed now.

    Args:
        teacher: a frozen ``HOITeacher``.
        vocabulary: the prompt vocabulary; column ``t`` of a result is ``vocabulary.texts[t]``.
    """

    def __init__(self, teacher: torch.nn.Module, vocabulary: PromptVocabulary) -> None:
        self.teacher, self.vocabulary = teacher, vocabulary

    @torch.no_grad()
    def score_images(self, images: Sequence[Image.Image | np.ndarray]) -> torch.Tensor:
        """(B, T) float32 CPU scores of RGB images (PIL or (H, W, 3) uint8 arrays)."""
        return self.teacher.score(list(images), list(self.vocabulary.texts)).float().cpu()

    def score_files(self, paths: Sequence[str | Path]) -> torch.Tensor:
        """(B, T) float32 scores of the original image files ``paths``."""
        return self.score_images([load_rgb(p) for p in paths])

    def score_data_samples(self, data_samples: Sequence) -> torch.Tensor:
        """(B, T) float32 scores of the original images of packed ``DetDataSample``s (their
        ``img_path`` metainfo): what the cache holds in ``data_sample.teacher_scores``."""
        return self.score_files([sample.metainfo['img_path'] for sample in data_samples])


def parse_shard(text: str) -> tuple[int, int]:
    """``'I/N'`` -> (I, N) with 0 <= I < N."""
    try:
        index, count = (int(part) for part in text.split('/'))
    except ValueError:
        raise ValueError(f'--shard {text!r}: expected I/N, e.g. 0/2') from None
    if not 0 <= index < count:
        raise ValueError(f'--shard {text!r}: need 0 <= I < N')
    return index, count


def shard_rows(num_images: int, index: int, count: int) -> np.ndarray:
    """Rows of shard ``index`` of ``count``: ``row % count == index`` (disjoint, covering)."""
    return np.arange(index, num_images, count, dtype=np.int64)


def shard_name(index: int, count: int) -> str:
    return f'shard-{index}-of-{count}'


@dataclass
class FillStats:
    shard_images: int   # rows this shard owns
    already_done: int   # of them, done before this run
    scored: int         # scored by this run
    seconds: float      # wall time of the scoring loop
    cpu_seconds: float  # this process's CPU time in it (all threads; steadier when shared)

    @property
    def images_per_s(self) -> float:
        return self.scored / self.seconds if self.seconds > 0 else float('nan')


def _hang_after() -> int | None:
    value = os.environ.get(HANG_ENV)
    return int(value) if value else None


def fill_cache(scorer: TeacherScorer | Callable[[], TeacherScorer], cache: ScoreCache,
               image_paths: Sequence[str | Path], shard: tuple[int, int] = (0, 1),
               batch_size: int = 8, progress: bool = True,
               log: Callable[[str], None] = print) -> FillStats:
    """Score the rows of ``shard`` not done yet; ``image_paths[i]`` is the file of row i.

    ``scorer`` may be a factory, called only when there is work (a finished cache loads
    no model). Rows are scored ``batch_size`` images at a time and each batch is stored
    and marked done before the next starts, so a kill loses at most one batch.
    """
    if len(image_paths) != len(cache.images):
        raise ValueError(f'{len(image_paths)} image paths for a cache of '
                         f'{len(cache.images)} rows ({cache.path})')
    rows = shard_rows(len(cache.images), *shard)
    writer = cache.writer(shard_name(*shard))
    done = cache.done_mask()
    todo = rows[~done[rows]]
    already = len(rows) - len(todo)
    log(f'teacher-score cache {cache.path}: shard {shard[0]}/{shard[1]} owns {len(rows)} '
        f'images; {already} images already done, scoring {len(todo)}')
    if len(todo) and not isinstance(scorer, TeacherScorer):
        scorer = scorer()
    if len(todo) and list(scorer.vocabulary.texts) != cache.key['vocabulary']['texts']:
        raise ValueError(f'the scorer\'s vocabulary is not the one of cache {cache.path}')
    hang_after = _hang_after()
    start, cpu_start = time.perf_counter(), time.process_time()
    bar = tqdm(total=len(todo), desc='teacher scores', unit='img', disable=not progress)
    for begin in range(0, len(todo), batch_size):
        batch = todo[begin:begin + batch_size]
        scores = scorer.score_files([image_paths[r] for r in batch]).numpy()
        writer.write_rows(batch, scores)
        if hang_after is not None and begin >= hang_after:
            log(HANG_MESSAGE)
            while True:
                time.sleep(HANG_POLL_S)
        writer.mark_done(batch)
        bar.update(len(batch))
    bar.close()
    return FillStats(len(rows), already, len(todo), time.perf_counter() - start,
                     time.process_time() - cpu_start)


@dataclass
class ConfiguredCache:
    """What :func:`open_configured_cache` resolves from a config."""
    cache: ScoreCache
    vocabulary: PromptVocabulary
    teacher_cfg: dict
    image_paths: list[str]
    data_list: list[dict]
    batch_size: int
    _scorer: TeacherScorer | None = None

    def scorer(self) -> TeacherScorer:
        """The teacher, built (loaded) on first call."""
        if self._scorer is None:
            from .base import build_teacher
            self._scorer = TeacherScorer(build_teacher(self.teacher_cfg), self.vocabulary)
        return self._scorer


def open_configured_cache(cfg, root: str | Path | None = None,
                          split: str | None = None) -> ConfiguredCache:
    """Read the config's dataset (``teacher_cache.split`` unless ``split``) and teacher
    identity (weights hashed, model not loaded) and create or open the cache of their key
    (under ``root``, default ``teacher_cache.root``)."""
    from .cache_config import (
        build_dataset,
        cache_settings,
        dataset_key,
        split_dataset_cfg,
        teacher_cfg,
        teacher_identity,
    )
    settings = cache_settings(cfg)
    dataset = build_dataset(split_dataset_cfg(cfg, split or settings['split']))
    teacher = teacher_cfg(cfg)
    key, vocabulary = dataset_key(teacher_identity(teacher), dataset, settings['prompt_form'])
    data_list = list(dataset.data_list)
    cache = ScoreCache.create_or_open(root or settings['root'], key,
                                      [d['file_name'] for d in data_list])
    return ConfiguredCache(cache, vocabulary, teacher, [d['img_path'] for d in data_list],
                           data_list, int(settings['batch_size']))
