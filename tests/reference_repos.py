"""Reference checkouts for the equality tests, from ``$VLMHOI_REFERENCE_REPOS``.

``VLMHOI_REFERENCE_REPOS`` names a folder holding checkouts named like the repositories
(``CDN``, ``MUREN``, ``qpic``, ``gen-vlkt``, ``v-coco``); see docs/fidelity.md. Without it
the tests that need one skip, saying so.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from vlmhoi.evaluation.reference_harness import REFERENCE_REPOS_ENV, reference_checkout


def require_checkout(name: str, *files: str) -> Path:
    """The checkout ``name`` holding ``files``, or skip naming the environment variable."""
    path = reference_checkout(name, *files)
    if path is None:
        pytest.skip(f'set {REFERENCE_REPOS_ENV} to a folder holding a {name} checkout '
                    f'(with {", ".join(files)}) to compare with the reference code')
    return path
