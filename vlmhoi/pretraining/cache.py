"""Where a detection pre-training is cached, and its content key.

``<user cache>/pretrain/<config stem>-<key>/`` holds the generated world (``world/``),
the Runner's work dir (``work_dir/``, so a killed build resumes from its last epoch), the
detector's weights (``detector.pth``, tensors only) and ``manifest.json`` (what was built,
how long it took, the box mAP on the world's held-out split). The key hashes the
renderer's source files (``vlmhoi.synth.corpus.generator_digest``), this format version
and the fully resolved config text, so a changed renderer, world or recipe is a new entry
and never reads an old one.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from mmengine.config import Config

from vlmhoi.cache_dir import user_cache_dir
from vlmhoi.models.detr_init import DETR_INIT, init_cfg_entries
from vlmhoi.synth.corpus import generator_digest

PRETRAIN_FORMAT = 1  # bump when the layout of a cache entry changes
CHECKPOINT_NAME = 'detector.pth'
MANIFEST_NAME = 'manifest.json'
WORLD_DIR = 'world'
WORK_DIR = 'work_dir'
BOX_MAP_KEY = 'coco/bbox_mAP'  # mmdet CocoMetric's box mAP, in the manifest's metrics


def pretraining_key(cfg: Config, generator: str | None = None) -> str:
    """16 hex digits over the format, the renderer digest and the resolved config."""
    payload = json.dumps(dict(format=PRETRAIN_FORMAT, generator=generator or generator_digest(),
                              config=cfg.pretty_text), sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def entry_dir(config: str | Path, key: str) -> Path:
    """The cache folder of ``config``'s pre-training with content key ``key``."""
    return user_cache_dir('pretrain', f'{Path(config).stem}-{key}')


def pretraining_dir(config: str | Path) -> Path:
    """The cache folder of ``config``'s pre-training (not created)."""
    return entry_dir(config, pretraining_key(Config.fromfile(str(config))))


def checkpoint_path(config: str | Path) -> Path:
    """Where the weights of ``config``'s pre-training are (or will be) cached."""
    return pretraining_dir(config) / CHECKPOINT_NAME


def cached_checkpoint(config: str | Path) -> Path:
    """The cached weights of ``config``'s pre-training; FileNotFoundError with the command
    that builds them when there are none for this config and renderer."""
    path = checkpoint_path(config)
    if not path.is_file():
        raise FileNotFoundError(
            f'{config}: no detection pre-training is cached for this config and renderer '
            f'(looked for {path}); build it once with:\n'
            f'    python tools/pretrain_detector.py {config}')
    return path


def read_manifest(config: str | Path) -> dict:
    """``manifest.json`` of ``config``'s cached pre-training (FileNotFoundError if none)."""
    path = pretraining_dir(config) / MANIFEST_NAME
    if not path.is_file():
        raise FileNotFoundError(f'{config}: no pre-training manifest at {path}')
    return json.loads(path.read_text())


def pretrain_configs_of(cfg: Config) -> list[str]:
    """The ``pretrain_config`` of every ``DetrPretrained`` entry of ``cfg.model.init_cfg``."""
    return [e['pretrain_config'] for e in init_cfg_entries(cfg.model.get('init_cfg'))
            if e.get('type') == DETR_INIT and e.get('pretrain_config')]
