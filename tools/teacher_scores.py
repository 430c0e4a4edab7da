#!/usr/bin/env python
"""Distribution of teacher scores for positive and negative triplets over a split (Fig. 5).

    python tools/teacher_scores.py CONFIG [--split test] [--out DIR] [--cache-root ROOT]
        [--teacher TYPE=MODEL_PATH ...] [--bins 40] [--cfg-options k=v ...] [--no-progress]

For each teacher (the config's ``teacher``, or each ``--teacher``, which replaces its
``type`` and ``model_path``) the split's images are scored against every text of the
prompt vocabulary through the teacher-score cache (built or resumed as needed, so a
second run only reads it). Positives are the texts of an image's ground-truth (verb,
object) pairs, negatives all other texts; hard negatives share the verb (``same_verb``)
or the object (``same_object``) of a ground-truth pair. Writes per teacher
``<tag>_<split>_hist.csv`` (counts per score bin) and ``<tag>_<split>_hist.png``, and
``summary_<split>.csv`` (count, mean, std, quantiles and the rate at which a positive
outscores each kind of negative in the same image).
"""
from __future__ import annotations

import argparse
import copy
import csv
import re
import sys
from pathlib import Path

from mmengine.config import Config, DictAction

from vlmhoi.teachers.cache_builder import fill_cache, open_configured_cache
from vlmhoi.teachers.score_distribution import score_distribution, write_histogram

FIGURE = 'fig5'  # the report's tag for this figure (the paper's Fig. 5)

DEFAULT_BINS = 40


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='config with teacher / teacher_cache sections')
    parser.add_argument('--split', default='test', help='train | val | test (default test)')
    parser.add_argument('--out', default='work_dirs/teacher_scores', help='output folder')
    parser.add_argument('--cache-root', help='root of the score caches (default '
                        'teacher_cache.root, else the user cache dir)')
    parser.add_argument('--teacher', nargs='+', default=[], metavar='TYPE=MODEL_PATH',
                        help='teachers to compare instead of the config\'s')
    parser.add_argument('--bins', type=int, default=DEFAULT_BINS, help='histogram bins')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    parser.add_argument('--no-progress', action='store_true', help='no progress bars')
    parser.add_argument('--tracking-uri', help='MLflow store for the figure run (default: '
                        'as training runs, vlmhoi.tracking.uri)')
    parser.add_argument('--no-mlflow', action='store_true', help='do not log the figure run')
    return parser.parse_args(argv)


def teacher_configs(cfg: Config, specs: list[str]) -> list[Config]:
    if not specs:
        return [cfg]
    out = []
    for spec in specs:
        kind, sep, path = spec.partition('=')
        if not sep or not kind or not path:
            raise SystemExit(f'--teacher {spec!r}: expected TYPE=MODEL_PATH')
        one = copy.deepcopy(cfg)
        if kind != one.teacher.get('type'):
            one.teacher.score = None   # the config's score mode is its own teacher's
        one.teacher.type, one.teacher.model_path = kind, path
        out.append(one)
    return out


def tag_of(identity: dict) -> str:
    name = Path(str(identity['model'])).name or 'model'
    return re.sub(r'[^\w.-]+', '_', f'{identity["teacher"]}-{name}-{identity["score"]}')


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    summary, files = [], []
    for one in teacher_configs(cfg, args.teacher):
        target = open_configured_cache(one, root=args.cache_root, split=args.split)
        fill_cache(target.scorer, target.cache, target.image_paths,
                   batch_size=target.batch_size, progress=not args.no_progress)
        dist = score_distribution(target.cache.scores, target.data_list, target.vocabulary)
        identity = target.cache.key['teacher']
        tag = tag_of(identity)
        stem = out / f'{tag}_{args.split}_hist'
        write_histogram(dist, stem.with_suffix('.csv'), stem.with_suffix('.png'),
                        f'{tag}\n{args.split}: {dist.images} images, '
                        f'{target.cache.key["prompt_form"]} prompts', args.bins)
        rows = dist.summary_rows(tag)
        summary.extend(rows)
        for row in rows:
            print(f'{tag} {row["kind"]:>11}: n={row["count"]:>7} mean={row["mean"]:.4g} '
                  f'std={row["std"]:.4g} positive-higher={row["positive_higher_rate"]:.3f}')
        files += [stem.with_suffix('.csv'), stem.with_suffix('.png')]
        print(f'wrote {stem}.csv and {stem}.png')
    summary_path = out / f'summary_{args.split}.csv'
    with open(summary_path, 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=list(summary[0]))
        writer.writeheader()
        writer.writerows(summary)
    print(f'wrote {summary_path}')
    if not args.no_mlflow:
        from vlmhoi.tracking.tool_runs import TAG_FIGURE, log_tool_run
        log_tool_run(f'teacher-scores-{args.split}', {TAG_FIGURE: FIGURE, 'split': args.split},
                     [summary_path, *files],
                     params=dict(config=args.config, split=args.split,
                                 teachers=', '.join(sorted({r['teacher'] for r in summary}))),
                     tracking_uri=args.tracking_uri)
    return 0


if __name__ == '__main__':
    sys.exit(main())
