"""Local checkpoints under torch's ``weights_only`` protection, with an explicit trust opt-in.

torch >= 2.6 defaults ``torch.load`` to ``weights_only=True``. mmengine 0.10.7's local
loader does not pass the argument, and its resume checkpoints hold mmengine
``HistoryBuffer`` and numpy objects, which the restricted unpickler refuses, so
``--resume`` breaks.

What this module does instead of switching the protection off:

* mmengine's local-file scheme (prefix ``''``) is re-registered so that every local
  checkpoint is read with ``weights_only=True`` and an allow-list of exactly the types
  mmengine's Runner and the published DETR checkpoints store (:data:`CHECKPOINT_SAFE_GLOBALS`,
  through ``torch.serialization.safe_globals``, so the allow-list is active only while a
  checkpoint is being read). Other code in the process keeps torch's default.
* A checkpoint that needs any other type is refused with an error naming the file, the
  type, and the opt-in. The opt-in is per file: inside ``with trusted_checkpoints(paths)``
  (what ``tools/train.py`` / ``tools/test.py --trust-checkpoint`` or the config key
  ``trust_checkpoint = True`` set up for the checkpoint the run loads) such a file is
  unpickled in full, with a warning, because unpickling can run arbitrary code.

``http(s)://``, ``s3://`` and the other schemes keep mmengine's loaders. This module is
imported by ``vlmhoi.engine`` (hence by ``custom_imports``).
"""
from __future__ import annotations

import argparse
import contextlib
import os.path as osp
import pickle
import warnings
from collections.abc import Iterable, Iterator

import numpy as np
import torch
from mmengine.logging import HistoryBuffer, print_log
from mmengine.runner import CheckpointLoader, find_latest_checkpoint

try:  # numpy >= 2 moved the pickled helpers to numpy._core (numpy.core is a shim)
    from numpy._core import multiarray as _np_multiarray
except ImportError:  # pragma: no cover - numpy 1.x
    from numpy.core import multiarray as _np_multiarray

# numpy dtypes a checkpoint's metadata and HistoryBuffers hold (arrays pickle their dtype
# as the dtype class, e.g. numpy.dtypes.Float64DType)
_NUMPY_DTYPES = (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
                 np.uint32, np.uint64, np.float16, np.float32, np.float64)



def _history_buffer_method(owner: type, name: str):
    """Stands in for ``builtins.getattr`` while a checkpoint is read.

    A ``HistoryBuffer`` pickles its ``statistics_methods`` (``HistoryBuffer.mean`` etc.),
    and pickle writes such nested names as ``getattr(HistoryBuffer, 'mean')``. Allowing
    ``getattr`` itself would let a file read any attribute of any allowed object, so only
    the public methods HistoryBuffer defines itself are returned; anything else is refused.
    """
    attr = vars(owner).get(name) if owner is HistoryBuffer else None
    if name.startswith('_') or not callable(attr):
        raise pickle.UnpicklingError(f'getattr({owner!r}, {name!r}) is not allowed in a '
                                     'checkpoint (only HistoryBuffer statistics methods)')
    return getattr(owner, name)


CHECKPOINT_SAFE_GLOBALS: list = [
    HistoryBuffer,  # message_hub.log_scalars of mmengine resume checkpoints
    (_history_buffer_method, 'builtins.getattr'),  # HistoryBuffer.statistics_methods
    _np_multiarray._reconstruct, np.ndarray, np.dtype,  # numpy arrays (HistoryBuffer data)
    _np_multiarray.scalar,  # numpy scalars (e.g. a seed or a metric in meta)
    *(type(np.dtype(t)) for t in _NUMPY_DTYPES),
    argparse.Namespace,  # 'args' of facebookresearch DETR / QPIC-line checkpoints
]

_TRUSTED: set[str] = set()


def _key(path: str) -> str:
    return osp.realpath(osp.expanduser(path))


@contextlib.contextmanager
def trusted_checkpoints(paths: Iterable[str]) -> Iterator[None]:
    """Allow full unpickling of the local checkpoint files ``paths`` inside the block."""
    added = {_key(p) for p in paths} - _TRUSTED
    _TRUSTED.update(added)
    try:
        yield
    finally:
        _TRUSTED.difference_update(added)


def is_trusted(path: str) -> bool:
    """Whether ``path`` is inside an active :func:`trusted_checkpoints` block."""
    return _key(path) in _TRUSTED


def _load_full(filename: str, map_location) -> dict:
    msg = (f'{filename}: loading with full unpickling (torch.load(weights_only=False)) '
           'because it was marked trusted; unpickling can run arbitrary code')
    warnings.warn(msg, stacklevel=3)
    print_log(msg, logger='current', level=30)  # logging.WARNING
    return torch.load(filename, map_location=map_location, weights_only=False)


@CheckpointLoader.register_scheme(prefixes='', force=True)
def load_local_checkpoint(filename: str, map_location=None) -> dict:
    """mmengine's local loader under ``weights_only=True`` plus the checkpoint allow-list.

    Raises:
        FileNotFoundError: no such file.
        pickle.UnpicklingError: the file needs a type outside the allow-list and is not
            trusted (nothing of it has been executed).
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    try:
        with torch.serialization.safe_globals(CHECKPOINT_SAFE_GLOBALS):
            return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        if is_trusted(filename):
            return _load_full(filename, map_location)
        reason = str(err).split('\n\n')[0].strip().splitlines()[-1]
        raise pickle.UnpicklingError(
            f'{filename}: refused by torch.load(weights_only=True) with the vlmhoi '
            f'checkpoint allow-list: {reason}. If you trust this file (unpickling can run '
            'arbitrary code), pass --trust-checkpoint to tools/train.py / tools/test.py or '
            'set trust_checkpoint = True in the config.') from err


def run_checkpoints(cfg) -> list[str]:
    """The local checkpoint a Runner built from ``cfg`` will load: ``load_from``, or with
    ``resume=True`` and no ``load_from`` the latest checkpoint of ``work_dir``."""
    if cfg.get('load_from'):
        return [cfg.load_from]
    if cfg.get('resume') and cfg.get('work_dir'):
        latest = find_latest_checkpoint(cfg.work_dir)
        return [latest] if latest else []
    return []


def trust_of_cfg(cfg) -> contextlib.AbstractContextManager:
    """``trusted_checkpoints`` for the run's own checkpoint when ``cfg.trust_checkpoint``
    is true, else a no-op context (the default: allow-list only)."""
    if not cfg.get('trust_checkpoint', False):
        return contextlib.nullcontext()
    paths = run_checkpoints(cfg)
    if not paths:
        print_log('trust_checkpoint is set but the run loads no checkpoint', logger='current',
                  level=30)
    return trusted_checkpoints(paths)
