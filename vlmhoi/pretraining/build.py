"""Build (or reuse) the cached detection pre-training of a config.

``build_pretraining(CONFIG)``: when ``<cache>/detector.pth`` exists for the config's key it
is returned untouched; otherwise the world of ``cfg.pretrain_world`` is generated into the
entry (``vlmhoi.synth.generate_world``, its boxes written as COCO instances), the detector
is trained by mmengine's Runner (the config's ``runner_type``, its logger showing progress
and ETA) in the entry's work dir, resuming from the last epoch checkpoint of a killed
build, evaluated with the config's COCO box metric on the world's held-out split, and its
weights (tensors only) and a manifest are written last, atomically.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from vlmhoi.synth import generate_world
from vlmhoi.synth.corpus import generator_digest
from vlmhoi.synth.hico_writer import HICO_FILES
from vlmhoi.synth.records import IMAGE_DIR, SPLITS

from .cache import (
    CHECKPOINT_NAME,
    MANIFEST_NAME,
    WORK_DIR,
    WORLD_DIR,
    entry_dir,
    pretraining_key,
)
from .coco_boxes import hico_to_coco_instances

COCO_FILES = {'train': 'annotations/instances_train.json',
              'test': 'annotations/instances_test.json'}
WORLD_DONE = '.complete'  # written after the world and its COCO files are complete


class _LastMetrics(Hook):
    """Keeps the metrics of the last validation."""

    priority = 'LOWEST'

    def __init__(self) -> None:
        self.metrics: dict = {}

    def after_val_epoch(self, runner, metrics: dict | None = None) -> None:
        self.metrics = {k: float(v) for k, v in (metrics or {}).items()}


def _class_names(cfg: Config) -> tuple[str, ...]:
    from mmdet.datasets import CocoDataset
    meta = cfg.train_dataloader.dataset.get('metainfo') or CocoDataset.METAINFO
    return tuple(meta['classes'])


def ensure_world(world: Path, spec: dict, class_names: tuple[str, ...],
                 progress: bool = True) -> dict:
    """Generate the pre-training world under ``world`` (once) with its COCO box files."""
    done = world / WORLD_DONE
    if done.is_file():
        return json.loads(done.read_text())
    stats = generate_world(world, progress=progress, **spec)
    counts = {split: hico_to_coco_instances(world / HICO_FILES[split], world / IMAGE_DIR[split],
                                            world / COCO_FILES[split], class_names)
              for split in SPLITS}
    info = dict(spec=dict(spec), counts=counts, summary=stats.summary())
    done.write_text(json.dumps(info, indent=1))
    return info


def _point_at_world(cfg: Config, world: Path) -> None:
    root = str(world) + os.sep
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if loader in cfg:
            cfg[loader].dataset.data_root = root
    for evaluator in ('val_evaluator', 'test_evaluator'):
        if evaluator in cfg:
            cfg[evaluator].ann_file = str(world / COCO_FILES['test'])


def build_pretraining(config: str | Path, force: bool = False, progress: bool = True) -> Path:
    """Path of ``config``'s cached pre-trained weights, building them when missing.

    Args:
        config: a pre-training config with ``pretrain_world`` (``generate_world`` kwargs).
        force: retrain even when weights are cached (the world is kept).
        progress: progress bars of the world generation.
    """
    cfg = Config.fromfile(str(config))
    if 'pretrain_world' not in cfg:
        raise KeyError(f'{config}: a pre-training config needs pretrain_world=dict(seed=..., '
                       'n_train=..., n_test=..., size=...)')
    key = pretraining_key(cfg)
    folder = entry_dir(config, key)
    ckpt = folder / CHECKPOINT_NAME
    if ckpt.is_file() and not force:
        print_log(f'detection pre-training of {config}: reusing {ckpt}', logger='current')
        return ckpt
    t0 = time.perf_counter()
    world = ensure_world(folder / WORLD_DIR, dict(cfg.pretrain_world), _class_names(cfg),
                         progress)
    world_s = time.perf_counter() - t0
    _point_at_world(cfg, folder / WORLD_DIR)
    cfg.work_dir = str(folder / WORK_DIR)
    cfg.resume = not force  # continue a killed build from its last epoch checkpoint
    runner = RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(cfg)
    last = _LastMetrics()
    runner.register_hook(last)
    t1 = time.perf_counter()
    runner.train()
    train_s = time.perf_counter() - t1
    model = runner.model.module if is_model_wrapper(runner.model) else runner.model
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    tmp = ckpt.with_suffix('.tmp')
    torch.save(dict(state_dict=state, meta=dict(config=str(config), key=key)), tmp)
    os.replace(tmp, ckpt)
    manifest = dict(config=str(config), key=key, generator=generator_digest(),
                    world=world, world_seconds=round(world_s, 1),
                    train_seconds=round(train_s, 1), epochs=runner.train_loop.max_epochs,
                    iterations=runner.iter, metrics=last.metrics, checkpoint=str(ckpt))
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1))
    print_log(f'detection pre-training of {config}: {ckpt} (train {train_s / 60:.1f} min, '
              f'box metrics {last.metrics})', logger='current')
    return ckpt
