"""What a run records about itself: flattened config params, the summary params, the
provenance tags. Values pass :func:`~vlmhoi.tracking.redact.redact` and MLflow's length
limits (longer values are cut with :data:`TRUNCATION_MARKER`; the full config is the run's
``config.py`` artifact).

Summary params (one name each, whatever the config layout):

``alpha``, ``itm_loss_weight``, ``prompt_form``, ``teacher``, ``score_mode``,
``score_source`` (from the ``ITMDistillLoss`` entry of ``model.bbox_head.extra_losses``;
``'none'`` for a baseline without it), ``dataset`` (dataset type), ``data_root``,
``num_queries``, ``lr``, ``max_epochs``, ``batch_size`` (per process),
``total_batch_size``, ``seed``, ``world_size``, ``launcher``; ``method`` (``VLM-HOI`` with
an ITM loss, else ``MUREN``) and ``world`` (``synthetic`` when ``data_root`` holds a world
of ``vlmhoi.synth``, else ``real``): the report generator keeps the two worlds apart.
The whole config is also logged flattened, as ``cfg.<dotted.path>``.
"""
from __future__ import annotations

import getpass
import importlib.metadata
import platform
import shlex
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .redact import redact

#: the longest param / tag value and key MLflow 3.x accepts (mlflow.utils.validation)
MAX_PARAM_LENGTH = 6000
MAX_TAG_LENGTH = 8000
MAX_KEY_LENGTH = 250
TRUNCATION_MARKER = ' ...[truncated; the full config is the artifact config.py]'
CONFIG_PREFIX = 'cfg.'
NONE = 'none'
SYNTHETIC, REAL = 'synthetic', 'real'
METHOD_ITM, METHOD_BASELINE = 'VLM-HOI', 'MUREN'
ITM_LOSS_TYPE = 'ITMDistillLoss'
#: packages whose versions are tagged ``version.<name>``
TRACKED_PACKAGES = ('vlmhoi', 'torch', 'torchvision', 'mmengine', 'mmcv', 'mmdet',
                    'transformers', 'tokenizers', 'mlflow', 'optuna', 'numpy')
PROJECT_ROOT = Path(__file__).resolve().parents[2]
GIT_TIMEOUT_S = 10


def clip(value: Any, limit: int) -> str:
    """``str(value)`` redacted, cut to ``limit`` characters with the marker."""
    text = redact(str(value))
    if len(text) <= limit:
        return text
    return text[:limit - len(TRUNCATION_MARKER)] + TRUNCATION_MARKER


def flatten(d: Mapping, parent: str = '') -> dict[str, Any]:
    """Dotted keys of nested dicts; lists of dicts by index (as mmengine's backend)."""
    out: dict[str, Any] = {}
    for key, value in d.items():
        name = f'{parent}.{key}' if parent else str(key)
        if isinstance(value, Mapping):
            out.update(flatten(value, name))
        elif isinstance(value, (list, tuple)) and any(isinstance(x, Mapping) for x in value):
            for i, item in enumerate(value):
                out.update(flatten(item, f'{name}.{i}') if isinstance(item, Mapping)
                           else {f'{name}.{i}': item})
        else:
            out[name] = value
    return out


def config_params(cfg: Mapping) -> dict[str, str]:
    """The flattened config as params ``cfg.<path>``, redacted and within the limits."""
    return {(CONFIG_PREFIX + k)[:MAX_KEY_LENGTH]: clip(v, MAX_PARAM_LENGTH)
            for k, v in flatten(cfg).items()}


def _get(cfg: Mapping, path: str, default: Any = None) -> Any:
    node: Any = cfg
    for part in path.split('.'):
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    return node


def itm_loss_cfg(cfg: Mapping) -> Mapping | None:
    """The ``ITMDistillLoss`` entry of ``model.bbox_head.extra_losses``, if any."""
    for loss in _get(cfg, 'model.bbox_head.extra_losses') or []:
        if isinstance(loss, Mapping) and loss.get('type') == ITM_LOSS_TYPE:
            return loss
    return None


def world_of(data_root: Any) -> str:
    """``synthetic`` for a folder written by ``vlmhoi.synth`` (it holds the generator's
    statistics file), else ``real``."""
    from vlmhoi.synth.stats import STATS_FILE
    if isinstance(data_root, str) and Path(data_root, STATS_FILE).is_file():
        return SYNTHETIC
    return REAL


def summary_params(cfg: Mapping, run_type: str, seed: Any = None, world_size: int = 1,
                   ) -> dict[str, str]:
    """The summary params of the module docstring (``run_type``: train / val / test)."""
    if hasattr(cfg, 'to_dict'):
        cfg = cfg.to_dict()  # mmengine Config
    itm = itm_loss_cfg(cfg)
    teacher = (itm or {}).get('teacher') or {}
    loader = _get(cfg, 'train_dataloader' if run_type == 'train' else f'{run_type}_dataloader',
                  {}) or {}
    dataset = loader.get('dataset', {}) or {}
    batch = loader.get('batch_size')
    params = {
        'alpha': itm.get('alpha', NONE) if itm else NONE,
        'itm_loss_weight': itm.get('loss_weight', NONE) if itm else NONE,
        'prompt_form': itm.get('prompt_form', NONE) if itm else NONE,
        'teacher': teacher.get('type', NONE),
        'score_mode': teacher.get('score', NONE),
        'score_source': itm.get('score_source', NONE) if itm else NONE,
        'dataset': dataset.get('type', NONE),
        'data_root': dataset.get('data_root', NONE),
        'num_queries': _get(cfg, 'model.num_queries', _get(cfg, 'model.bbox_head.num_queries',
                                                             NONE)),
        'lr': _get(cfg, 'optim_wrapper.optimizer.lr', NONE),
        'max_epochs': _get(cfg, 'train_cfg.max_epochs', NONE),
        'batch_size': batch if batch is not None else NONE,
        'total_batch_size': batch * world_size if isinstance(batch, int) else NONE,
        'seed': seed if seed is not None else NONE,
        'world_size': world_size,
        'launcher': cfg.get('launcher', NONE),
        'method': METHOD_ITM if itm else METHOD_BASELINE,
        'world': world_of(dataset.get('data_root')),
    }
    return {k: clip(v, MAX_PARAM_LENGTH) for k, v in params.items()}


def _git(*args: str) -> str | None:
    try:
        res = subprocess.run(['git', *args], cwd=PROJECT_ROOT, capture_output=True, text=True,
                             timeout=GIT_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return res.stdout.strip() if res.returncode == 0 else None


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return 'not installed'


def device_names() -> str:
    """CUDA device names, else ``cpu (<processor>)``."""
    import torch

    if torch.cuda.is_available():
        return ', '.join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
    return f'cpu ({platform.processor() or platform.machine()})'


def provenance_tags(argv: list[str] | None = None) -> dict[str, str]:
    """Git commit and dirty flag, package versions, torch / CUDA, devices, host, command."""
    import torch

    commit = _git('rev-parse', 'HEAD')
    status = _git('status', '--porcelain', '--untracked-files=no')
    argv = sys.argv if argv is None else argv
    tags = {
        'git.commit': commit or 'unknown',
        'git.dirty': 'unknown' if status is None else str(bool(status)).lower(),
        'python': platform.python_version(),
        'torch.cuda': torch.version.cuda or NONE,
        'torch.cudnn': str(torch.backends.cudnn.version()) if torch.cuda.is_available() else NONE,
        'devices': device_names(),
        'host': socket.gethostname(),
        'command': shlex.join([sys.executable, *argv]),
        'mlflow.user': getpass.getuser(),
        'mlflow.source.name': argv[0] if argv else NONE,
        'mlflow.source.type': 'LOCAL',
    }
    if commit:
        tags['mlflow.source.git.commit'] = commit
    tags.update({f'version.{name}': _version(name) for name in TRACKED_PACKAGES})
    return {k: clip(v, MAX_TAG_LENGTH) for k, v in tags.items()}
