#!/usr/bin/env python
"""Score every prompt-vocabulary text for every training image into the teacher-score cache.

    python tools/build_teacher_cache.py CONFIG [--shard I/N] [--out ROOT]
        [--cfg-options k=v ...] [--no-progress]

CONFIG holds ``teacher`` and ``teacher_cache`` sections (vlmhoi/teachers/cache_config.py)
and the dataset of ``teacher_cache.split`` (default ``train_dataloader.dataset``). The
teacher sees the original image files. A killed run resumes (finished images are not
redone); ``--shard I/N`` scores the I-th of N disjoint image subsets, so N processes or
machines sharing ROOT fill one cache together. The cache is ready when every shard is
done; ``LoadTeacherScores`` refuses it before that.
"""
from __future__ import annotations

import argparse
import sys

from mmengine.config import Config, DictAction

from vlmhoi.teachers.cache_builder import fill_cache, open_configured_cache, parse_shard
from vlmhoi.teachers.cache_status import cache_status


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='config with teacher / teacher_cache sections')
    parser.add_argument('--shard', default='0/1', help='I/N: score the I-th of N image '
                        'subsets (row %% N == I); default 0/1, all images')
    parser.add_argument('--out', help='root folder of the caches (default teacher_cache.root, '
                        'else the user cache dir teacher_scores/)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        shard = parse_shard(args.shard)
    except ValueError as err:
        raise SystemExit(str(err)) from None
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    target = open_configured_cache(cfg, root=args.out)
    stats = fill_cache(target.scorer, target.cache, target.image_paths, shard=shard,
                       batch_size=target.batch_size, progress=not args.no_progress)
    done = int(target.cache.done_mask().sum())
    total = len(target.cache.images)
    print(f'scored {stats.scored} images in {stats.seconds:.1f} s '
          f'({stats.images_per_s:.2f} images/s, {len(target.vocabulary)} texts each; '
          f'CPU time {stats.cpu_seconds:.1f} s)')
    print(cache_status(str(target.cache.path), done, total))
    return 0


if __name__ == '__main__':
    sys.exit(main())
