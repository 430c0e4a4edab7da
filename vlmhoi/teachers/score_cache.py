"""The on-disk teacher-score cache: one (N_images, T) float32 array per key, memory-mapped.

A cache folder is ``<root>/<digest>``; the key material it hashes (teacher identity with
weights sha256, score mode and dtype; prompt form and vocabulary; annotation file) is
described in :mod:`vlmhoi.teachers.score_cache_key`.

Files of a folder (``root`` defaults to ``vlmhoi.cache_dir.user_cache_dir('teacher_scores')``)::

    key.json            the key material (what a reader compares with its configuration)
    index.json          {"images": [file name of row 0, row 1, ...]}
    scores.npy          (N, T) float32, ``np.lib.format.open_memmap``; rows valid once done
    done/<writer>.npy   (N,) uint8 per writer (``shard-I-of-N``): 1 = row written

Writing: a folder is created complete under a temporary name and renamed into place, so
concurrent shards race safely (the loser opens the winner's folder after checking its key).
Shards own disjoint rows (``row % N == I``). Each batch is written to ``scores.npy`` and
flushed *before* the writer's done mask is replaced atomically (``os.replace``): a SIGKILL
at any point loses at most the rows of the batch in flight, which the next run redoes.

Reading (:meth:`ScoreCache.open_complete`) refuses, naming the folder and what differs, a
cache whose key differs from the configuration's, whose files disagree with each other, or
that is not finished. Nothing is unpickled (json, ``np.load(allow_pickle=False)``).
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import uuid
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .score_cache_key import (  # noqa: F401  (re-exported: the cache's public names)
    cache_key,
    cache_path,
    default_root,
    file_sha256,
    key_differences,
    key_digest,
)

KEY_FILE, INDEX_FILE, SCORES_FILE, DONE_DIR = 'key.json', 'index.json', 'scores.npy', 'done'
BUILD_HINT = 'build it with `python tools/build_teacher_cache.py CONFIG`'


class TeacherCacheError(ValueError):
    """A cache that must not be read: missing, mismatched, inconsistent or unfinished."""


def _read_json(path: Path, folder: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding='utf-8'))
    except (OSError, ValueError) as err:
        raise TeacherCacheError(f'teacher-score cache {folder}: cannot read {path.name} '
                                f'({err}); delete the folder and rebuild: {BUILD_HINT}') from err


class ScoreCache:
    """One cache folder; ``scores`` is the (N, T) memmap (read-only unless writable)."""

    def __init__(self, path: Path, key: dict, images: list[str], writable: bool) -> None:
        self.path, self.key, self.images = Path(path), key, images
        self.row = {name: i for i, name in enumerate(images)}
        mode = 'r+' if writable else 'r'
        try:
            self.scores = np.load(self.path / SCORES_FILE, mmap_mode=mode, allow_pickle=False)
        except (OSError, ValueError) as err:
            raise TeacherCacheError(f'teacher-score cache {self.path}: cannot map '
                                    f'{SCORES_FILE} ({err}); delete the folder and rebuild: '
                                    f'{BUILD_HINT}') from err
        expected = (len(images), len(key['vocabulary']['texts']))
        if self.scores.shape != expected or self.scores.dtype != np.float32:
            raise TeacherCacheError(
                f'teacher-score cache {self.path}: {SCORES_FILE} is {self.scores.dtype} '
                f'{self.scores.shape}, expected float32 {expected} (images x texts); delete '
                f'the folder and rebuild: {BUILD_HINT}')

    # -- creation / opening ---------------------------------------------------------------
    @classmethod
    def create_or_open(cls, root: str | Path | None, key: dict,
                       images: Sequence[str]) -> ScoreCache:
        """The writable cache of ``key`` for ``images`` (row order), created if absent."""
        images = list(images)
        if not images:
            raise ValueError('a teacher-score cache needs at least one image')
        if len(set(images)) != len(images):
            dup = next(n for n in images if images.count(n) > 1)
            raise ValueError(f'image key {dup!r} occurs twice: cache rows need unique '
                             'file names')
        path = cache_path(root, key)
        if not path.exists():
            cls._create(path, key, images)
        cache = cls._open(path, key, writable=True)
        if cache.images != images:
            raise TeacherCacheError(
                f'teacher-score cache {path}: its index lists {len(cache.images)} images, '
                f'the dataset {len(images)} in another order or set; delete the folder and '
                f'rebuild: {BUILD_HINT}')
        return cache

    @staticmethod
    def _create(path: Path, key: dict, images: list[str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.parent / f'.tmp-{path.name}-{uuid.uuid4().hex}'
        (tmp / DONE_DIR).mkdir(parents=True)
        (tmp / KEY_FILE).write_text(json.dumps(key, indent=1), encoding='utf-8')
        (tmp / INDEX_FILE).write_text(json.dumps({'images': images}), encoding='utf-8')
        shape = (len(images), len(key['vocabulary']['texts']))
        np.lib.format.open_memmap(tmp / SCORES_FILE, mode='w+', dtype=np.float32,
                                  shape=shape).flush()
        try:
            os.rename(tmp, path)          # atomic; fails if another writer got there first
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            if not path.exists():
                raise

    @classmethod
    def _open(cls, path: Path, key: dict, writable: bool) -> ScoreCache:
        if not (path / KEY_FILE).exists():
            raise TeacherCacheError(f'no teacher-score cache at {path} ({KEY_FILE} missing); '
                                    f'{BUILD_HINT}')
        found = _read_json(path / KEY_FILE, path)
        diffs = key_differences(found, key)
        if diffs:
            raise TeacherCacheError(
                f'teacher-score cache {path} was built for another configuration and is '
                'not read:\n  ' + '\n  '.join(diffs) + f'\nRebuild for this configuration: '
                f'{BUILD_HINT}')
        images = _read_json(path / INDEX_FILE, path).get('images')
        if not isinstance(images, list):
            raise TeacherCacheError(f'teacher-score cache {path}: {INDEX_FILE} has no '
                                    f'"images" list; delete the folder and rebuild')
        return cls(path, found, images, writable)

    @classmethod
    def open_complete(cls, root: str | Path | None, key: dict,
                      path: str | Path | None = None) -> ScoreCache:
        """Read-only cache of ``key`` (at ``path`` or under ``root``), refused unless its
        key equals ``key`` and every row is done."""
        folder = Path(path) if path is not None else cache_path(root, key)
        if path is None and not (folder / KEY_FILE).exists():
            raise TeacherCacheError(no_cache_message(folder, key))
        cache = cls._open(folder, key, writable=False)
        missing = np.flatnonzero(~cache.done_mask())
        if len(missing):
            raise TeacherCacheError(
                f'teacher-score cache {folder} is incomplete: {len(missing)} of '
                f'{len(cache.images)} images not scored (first: {cache.images[missing[0]]}); '
                'run `python tools/build_teacher_cache.py CONFIG` again to finish it (it '
                'resumes; with --shard, every shard)')
        return cache

    # -- done masks ----------------------------------------------------------------------
    def done_mask(self) -> np.ndarray:
        """(N,) bool: rows any writer has finished."""
        done = np.zeros(len(self.images), dtype=bool)
        for file in sorted((self.path / DONE_DIR).glob('*.npy')):
            try:
                mask = np.load(file, allow_pickle=False)
            except (OSError, ValueError) as err:
                raise TeacherCacheError(f'teacher-score cache {self.path}: unreadable done '
                                        f'mask {file.name} ({err})') from err
            if mask.shape != done.shape:
                raise TeacherCacheError(f'teacher-score cache {self.path}: done mask '
                                        f'{file.name} has shape {mask.shape}, expected '
                                        f'{done.shape}')
            done |= mask.astype(bool)
        return done

    def writer(self, name: str) -> ShardWriter:
        return ShardWriter(self, name)


def no_cache_message(folder: Path, key: dict) -> str:
    """Why there is no cache for ``key``: the expected folder and how the caches present
    under the same root differ from it."""
    lines = [f'no teacher-score cache for this configuration at {folder}; {BUILD_HINT}.']
    others = sorted(p for p in folder.parent.glob('*') if not p.name.startswith('.')
                    and (p / KEY_FILE).exists()) if folder.parent.is_dir() else []
    for other in others:
        try:
            diffs = key_differences(json.loads((other / KEY_FILE).read_text()), key)
        except (OSError, ValueError):
            continue
        lines.append(f'  {other} differs in: ' + '; '.join(diffs))
    return '\n'.join(lines)


class ShardWriter:
    """Writes rows of one cache and keeps its own done mask ``done/<name>.npy``."""

    def __init__(self, cache: ScoreCache, name: str) -> None:
        self.cache = cache
        self.file = cache.path / DONE_DIR / f'{name}.npy'
        self.mask = np.zeros(len(cache.images), dtype=np.uint8)
        if self.file.exists():
            self.mask[:] = np.load(self.file, allow_pickle=False)

    def write(self, rows: Sequence[int], scores: np.ndarray) -> None:
        """Store ``scores`` (len(rows), T) float32 in ``rows``, flush, then mark them done."""
        rows = np.asarray(rows, dtype=np.int64)
        self.write_rows(rows, scores)
        self.mark_done(rows)

    def write_rows(self, rows: np.ndarray, scores: np.ndarray) -> None:
        self.cache.scores[rows] = np.asarray(scores, dtype=np.float32)
        self.cache.scores.flush()

    def mark_done(self, rows: np.ndarray) -> None:
        self.mask[rows] = 1
        tmp = self.file.with_name(f'.{self.file.stem}-{socket.gethostname()}-{os.getpid()}.tmp')
        with open(tmp, 'wb') as f:
            np.save(f, self.mask, allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.file)
