"""Load local checkpoints with ``torch.load(weights_only=False)``.

torch >= 2.6 defaults ``torch.load`` to ``weights_only=True``. mmengine 0.10.7's local
loader does not pass the argument, and resume checkpoints hold mmengine ``HistoryBuffer``
and numpy objects, so torch refuses them and ``--resume`` breaks.

Trust decision: local checkpoint files are the project's own (written by this Runner or
converted by our tools), so they are unpickled in full, as torch < 2.6 did. Only the
local-file scheme changes; ``http(s)://``, ``s3://`` etc. keep mmengine's loaders. Do not
point ``--resume`` / ``load_from`` at files from sources you do not trust: unpickling can
run code. This module is imported by ``vlmhoi`` (hence by ``custom_imports``), which
re-registers the scheme with ``force=True``.
"""
from __future__ import annotations

import os.path as osp

import torch
from mmengine.runner import CheckpointLoader


@CheckpointLoader.register_scheme(prefixes='', force=True)
def load_trusted_local_checkpoint(filename: str, map_location=None) -> dict:
    """mmengine's local loader, with an explicit ``weights_only=False``."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return torch.load(filename, map_location=map_location, weights_only=False)
