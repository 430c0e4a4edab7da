"""The key of a teacher-score cache: what its scores depend on, and its folder name.

Key material (a JSON dict, stored as ``key.json`` in the folder):

``format``       :data:`FORMAT_VERSION` of the folder layout
``teacher``      the teacher's ``identity()`` (class, weights sha256, score mode, dtype); the
                 model *path* is stored but not hashed (``UNHASHED_TEACHER_FIELDS``), so a
                 cache moves between machines with the weights
``prompt_form``  and the ``vocabulary`` (dataset, digest and the ordered texts)
``annotations``  name and sha256 of the annotation file whose images are the rows

The folder is ``<root>/<first DIGEST_CHARS hex digits of sha256(hashed key material)>``.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..cache_dir import user_cache_dir
from .prompts import PromptVocabulary

FORMAT_VERSION = 1
CACHE_SUBDIR = 'teacher_scores'
DIGEST_CHARS = 24
UNHASHED_TEACHER_FIELDS = ('model',)  # where the weights live is not what they are
HASH_CHUNK = 1 << 20


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(HASH_CHUNK), b''):
            digest.update(chunk)
    return digest.hexdigest()


def cache_key(teacher_identity: dict, vocabulary: PromptVocabulary,
              ann_file: str | Path) -> dict:
    """The key material of the cache of ``vocabulary`` scored by a teacher over the images
    of ``ann_file``."""
    return {
        'format': FORMAT_VERSION,
        'teacher': dict(teacher_identity),
        'prompt_form': vocabulary.form,
        'vocabulary': {'dataset': vocabulary.dataset, 'digest': vocabulary.digest(),
                       'texts': list(vocabulary.texts)},
        'annotations': {'file': Path(ann_file).name, 'sha256': file_sha256(ann_file)},
    }


def _hashed(key: dict) -> dict:
    teacher = {k: v for k, v in key['teacher'].items() if k not in UNHASHED_TEACHER_FIELDS}
    return {**key, 'teacher': teacher}


def key_digest(key: dict) -> str:
    payload = json.dumps(_hashed(key), sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:DIGEST_CHARS]


def default_root() -> Path:
    return user_cache_dir(CACHE_SUBDIR)


def cache_path(root: str | Path | None, key: dict) -> Path:
    return Path(root or default_root()) / key_digest(key)


def _flat(value, prefix: str = '') -> dict:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            out.update(_flat(v, f'{prefix}.{k}' if prefix else str(k)))
        return out
    return {prefix: value}


def _show(value) -> str:
    if isinstance(value, list):
        return f'{len(value)} texts, first {value[:2]!r}'
    return repr(value)


def key_differences(found: dict, expected: dict) -> list[str]:
    """Human-readable ``field: cache X, configuration Y`` lines for hashed fields."""
    a, b = _flat(_hashed(found)), _flat(_hashed(expected))
    return [f'{k}: cache {_show(a.get(k, "<absent>"))}, configuration '
            f'{_show(b.get(k, "<absent>"))}' for k in sorted(set(a) | set(b))
            if a.get(k) != b.get(k)]
