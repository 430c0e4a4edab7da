"""The user's cache folder for things the suite builds once (teachers, score caches).

``$VLMHOI_CACHE`` when set, else ``$XDG_CACHE_HOME/vlmhoi``, else ``~/.cache/vlmhoi``
(the same root as the mmcv wheel cache of ``tools/install_deps.py``).
"""
from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = 'VLMHOI_CACHE'


def user_cache_dir(*parts: str) -> Path:
    """``<cache root>/<parts...>`` (not created)."""
    root = os.environ.get(CACHE_ENV)
    if not root:
        base = os.environ.get('XDG_CACHE_HOME') or str(Path.home() / '.cache')
        root = str(Path(base) / 'vlmhoi')
    return Path(root).joinpath(*parts)
