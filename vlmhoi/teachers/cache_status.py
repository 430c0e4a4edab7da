"""The line tools/build_teacher_cache.py ends with, and its parser (tools/demo.py finds the
cache folders it built from it). One definition of the format, no torch import."""
from __future__ import annotations

import re

_LINE = re.compile(r'^cache (?P<path>.+): (?P<done>\d+) of (?P<total>\d+) images done \(',
                   re.MULTILINE)


def cache_status(path: str, done: int, total: int) -> str:
    """``cache PATH: D of T images done (complete | incomplete: ...)``."""
    state = 'complete' if done == total else 'incomplete: other shards still to run'
    return f'cache {path}: {done} of {total} images done ({state})'


def parse_cache_status(text: str) -> list[tuple[str, int, int]]:
    """Every (path, done, total) of :func:`cache_status` lines in ``text``."""
    return [(m['path'], int(m['done']), int(m['total'])) for m in _LINE.finditer(text)]
