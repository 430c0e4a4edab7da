"""Train an HOI detector: mmdet's ``tools/train.py`` interface.

    python tools/train.py mm_configs/vlmhoi_r50_hico.py [--work-dir DIR] [--resume [CKPT]]
        [--amp] [--auto-scale-lr] [--cfg-options k=v ...] [--launcher none|pytorch|slurm]
        [--trust-checkpoint]

Differences from mmdet's script, all for CPU machines: ``--launcher pytorch`` without
CUDA initialises a gloo process group here and selects the ``CPUFriendlyDDP`` wrapper
(mmengine's launcher and DDP wrapper assume CUDA); ``--amp`` without an accelerator stops
with a clear message instead of an assertion deep inside mmengine.

Checkpoints load under torch's ``weights_only`` protection; ``--trust-checkpoint``
allows full unpickling of the one checkpoint the run resumes or loads
(vlmhoi/engine/checkpoint_loading.py).
"""
from __future__ import annotations

import argparse

import torch
from mmengine.config import Config
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from vlmhoi.engine import (
    add_runner_args,
    init_cpu_process_group,
    load_runner_cfg,
    parse_runner_args,
    trust_of_cfg,
)
from vlmhoi.tracking import tracked_run


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train an HOI detector')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision (GPU)')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the learning rate by the actual total batch size')
    parser.add_argument('--resume', nargs='?', type=str, const='auto',
                        help='resume from this checkpoint, or without a path from the '
                        'latest checkpoint in the work directory')
    add_runner_args(parser)
    return parse_runner_args(parser, argv)


def build_cfg(args: argparse.Namespace) -> Config:
    cfg = load_runner_cfg(args.config, args.launcher, args.cfg_options, args.work_dir,
                          args.trust_checkpoint)
    if args.amp:
        if not torch.cuda.is_available():
            raise SystemExit('--amp needs a CUDA (or other accelerator) device: mmengine\'s '
                             'AmpOptimWrapper does not support CPU training. Drop --amp.')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'
    if args.auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise SystemExit('--auto-scale-lr: the config has no auto_scale_lr.base_batch_size')
        cfg.auto_scale_lr.enable = True
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    return cfg


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    cfg = build_cfg(args)
    init_cpu_process_group(args.launcher)
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    with trust_of_cfg(cfg), tracked_run(runner):
        runner.train()


if __name__ == '__main__':
    main()
