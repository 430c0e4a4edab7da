"""Overfit check: the detector and its training pipeline learn a handful of images.

    python benchmark/overfit_check.py [--images 8] [--iters 200] [--size 128]
        [--work-dir work_dirs/overfit_check] [--min-map 40]

Generates a synthetic world of ``--images`` training images (seed 0), trains
``mm_configs/overfit_tiny_synth_hico.py`` on it with ``tools/train.py`` (no
augmentation or dropout, batch 4, lr 1e-3 after a short warm-up) for ``--iters`` iterations and
evaluates on the same images with the HICO-DET metric. Writes ``overfit_check.json``
(Default-Full mAP in percent, iterations, training wall time, the checkpoint, the
``--cfg-options`` that point the config at the world) to the work dir and exits with
status 1 when the mAP is below ``--min-map``.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from vlmhoi.synth import generate_world, world_cfg_options

ROOT = Path(__file__).resolve().parents[1]
CONFIG = 'mm_configs/overfit_tiny_synth_hico.py'
BATCH = 4  # train_dataloader.batch_size of the config
KEY = 'hico/mAP_full'


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--images', type=int, default=8, help='training images')
    parser.add_argument('--iters', type=int, default=200, help='training iterations')
    parser.add_argument('--size', type=int, default=128, help='image side in pixels')
    parser.add_argument('--seed', type=int, default=0, help='world seed')
    parser.add_argument('--work-dir', default='work_dirs/overfit_check')
    parser.add_argument('--min-map', type=float, default=40.0,
                        help='exit with status 1 below this Default-Full mAP (%%)')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    work = Path(args.work_dir).resolve()
    world = work / 'world'
    generate_world(world, seed=args.seed, n_train=args.images, n_test=1, size=args.size,
                   progress=False)
    iters_per_epoch = math.ceil(args.images / BATCH)
    epochs = max(1, round(args.iters / iters_per_epoch))
    options = [*world_cfg_options(world, eval_ann='annotations/trainval_hico.json',
                                 eval_img='images/train2015/'), f'train_cfg.max_epochs={epochs}',
               f'train_cfg.val_interval={epochs}', f'default_hooks.checkpoint.interval={epochs}']
    cmd = [sys.executable, 'tools/train.py', CONFIG, '--work-dir', str(work / 'train'),
           '--cfg-options', *options]
    start = time.perf_counter()
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                         env=dict(os.environ, PYTHONUNBUFFERED='1'))
    wall = time.perf_counter() - start
    log = res.stdout + res.stderr
    if res.returncode != 0:
        sys.stderr.write(log[-4000:])
        raise SystemExit(f'training failed with status {res.returncode}')
    found = re.findall(rf'{re.escape(KEY)}: ([0-9.]+)', log)
    if not found:
        raise SystemExit(f'no {KEY} in the training log of {work / "train"}')
    summary = dict(config=CONFIG, images=args.images, size=args.size,
                   iterations=epochs * iters_per_epoch, batch_size=BATCH,
                   map_full=float(found[-1]), min_map=args.min_map,
                   passed=float(found[-1]) >= args.min_map, wall_s=round(wall, 1),
                   checkpoint=str(work / 'train' / f'epoch_{epochs}.pth'),
                   world=str(world), cfg_options=options,
                   source='HICODetMetric (reference mode, percent) on the training images')
    (work / 'overfit_check.json').write_text(json.dumps(summary, indent=1))
    print(json.dumps({k: v for k, v in summary.items() if k != 'cfg_options'}, indent=1))
    if not summary['passed']:
        raise SystemExit(1)
    return summary


if __name__ == '__main__':
    main()
