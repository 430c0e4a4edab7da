"""Config loading shared by ``tools/train.py`` and ``tools/test.py`` (mmdet semantics)."""
from __future__ import annotations

import argparse
import os
import os.path as osp

import torch
from mmengine.config import Config, DictAction


def add_runner_args(parser: argparse.ArgumentParser) -> None:
    """The arguments mmdet's train and test tools share."""
    parser.add_argument('--work-dir', help='the dir to save logs, models and metrics')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    parser.add_argument('--trust-checkpoint', action='store_true',
                        help='allow full unpickling (torch.load(weights_only=False)) of the '
                        'checkpoint this run loads if the safe allow-list refuses it; only '
                        'for files you trust: unpickling can run arbitrary code')


def parse_runner_args(parser: argparse.ArgumentParser,
                      argv: list[str] | None = None) -> argparse.Namespace:
    """Parse, and export ``LOCAL_RANK`` for launchers that pass ``--local-rank``."""
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def load_runner_cfg(config: str, launcher: str = 'none', cfg_options: dict | None = None,
                    work_dir: str | None = None, trust_checkpoint: bool = False) -> Config:
    """Read ``config`` and apply the command-line settings every entry point shares.

    ``work_dir`` defaults to ``./work_dirs/<config name>`` as in mmdet. Without CUDA a
    distributed launcher selects the ``CPUFriendlyDDP`` wrapper unless the config names
    another one. ``trust_checkpoint`` (``--trust-checkpoint``) sets the config key of the
    same name (see ``vlmhoi.engine.checkpoint_loading``).
    """
    cfg = Config.fromfile(config)
    cfg.launcher = launcher
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(config))[0])
    if trust_checkpoint:
        cfg.trust_checkpoint = True
    if launcher != 'none' and not torch.cuda.is_available():
        cfg.setdefault('model_wrapper_cfg', dict(type='CPUFriendlyDDP'))
    return cfg
