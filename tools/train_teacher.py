"""Train the embedded teachers on the synthetic caption corpus and measure their ranking.

    python tools/train_teacher.py [--kind blip|clip|both] [--out DIR] [--seed S] [--minutes M]

Each teacher (a small ``BlipForImageTextRetrieval`` with its ITM head, a small ``CLIPModel``)
is trained on the caption corpus (``vlmhoi.synth.corpus``, built once and cached), saved with
``save_pretrained`` (model, word-level tokenizer, image processor) into
``<out>/<name>`` (default ``user_cache_dir('teachers')``: ``embedded_blip_itm`` /
``embedded_clip``), loaded back through ``BlipItmTeacher`` / ``ClipTeacher`` and measured on
the detector's test split of a generated world (``--world``, generated there first when it
holds none): the rate at which the true triplet sentence outscores each swapped negative,
head / rare. The table is printed and written with the recipe, timings and machine load to
``<out>/<name>/training_report.json``.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

KINDS = ('blip', 'clip')
REPORT_FILE = 'training_report.json'
BOOLEANS = {'true': True, '1': True, 'false': False, '0': False}
TEACHER_TYPES = {'blip': ('BlipItmTeacher', 'itm_logodds'), 'clip': ('ClipTeacher', 'cosine')}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from vlmhoi.teachers.embedded.config import DEFAULT_MINUTES
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--kind', choices=(*KINDS, 'both'), default='both')
    p.add_argument('--out', default=None, help="parent folder (default user_cache_dir('teachers'))")
    p.add_argument('--seed', type=int, default=0, help='corpus and training seed')
    p.add_argument('--minutes', type=float, default=DEFAULT_MINUTES,
                   help='wall-clock cap of each teacher\'s training')
    p.add_argument('--threads', type=int, default=2, help='torch threads')
    p.add_argument('--world', default=None,
                   help="generated world whose test split is the held-out set (default "
                        "user_cache_dir('synth_worlds', 'default_seed<world-seed>'))")
    p.add_argument('--world-seed', type=int, default=0)
    p.add_argument('--eval-images', type=int, default=None, help='first N test images only')
    p.add_argument('--set', nargs='*', default=[], metavar='KEY=VALUE',
                   help='recipe overrides, e.g. lr=1e-3 image_size=96 (both kinds)')
    p.add_argument('--no-progress', action='store_true')
    return p.parse_args(argv)


def _overrides(items: list[str], recipe) -> dict:
    out = {}
    fields = recipe.to_dict()
    for item in items:
        key, sep, value = item.partition('=')
        if not sep or key not in fields:
            raise SystemExit(f'--set {item!r}: expected KEY=VALUE with KEY one of {sorted(fields)}')
        if isinstance(fields[key], bool):
            if value.lower() not in BOOLEANS:
                raise SystemExit(f'--set {item!r}: {key} takes one of {sorted(BOOLEANS)}')
            out[key] = BOOLEANS[value.lower()]
        else:
            out[key] = type(fields[key])(value)
    return out


def ensure_world(path: Path, seed: int, progress: bool) -> Path:
    """A generated world at ``path`` (generated with the default sizes when absent)."""
    from vlmhoi.synth import generate_world
    from vlmhoi.synth.splits import TEST_FILE, TRAINVAL_FILE
    if not ((path / TEST_FILE).is_file() and (path / TRAINVAL_FILE).is_file()):
        print(f'generating the held-out world (seed {seed}) in {path}', file=sys.stderr)
        generate_world(path, seed=seed, progress=progress)
    return path


def train_one(kind: str, args: argparse.Namespace, out_root: Path, world: Path) -> dict:
    import torch

    from vlmhoi.synth.corpus import load_corpus
    from vlmhoi.teachers.base import build_teacher
    from vlmhoi.teachers.embedded.config import RECIPES, TEACHER_NAMES
    from vlmhoi.teachers.embedded.models import (
        build_image_processor,
        build_model,
        build_tokenizer,
        count_parameters,
        save_teacher,
    )
    from vlmhoi.teachers.embedded.ranking import PRIMARY_FORM, format_table, ranking_accuracy
    from vlmhoi.teachers.embedded.train import train_teacher

    recipe = RECIPES[kind]
    recipe = recipe.override(**_overrides(args.set, recipe))
    progress = not args.no_progress
    t0 = time.perf_counter()
    corpus = load_corpus(seed=args.seed, n_images=recipe.corpus_images,
                         image_size=recipe.image_size, progress=progress)
    corpus_s = time.perf_counter() - t0
    torch.manual_seed(args.seed)
    tokenizer = build_tokenizer(kind)
    processor = build_image_processor(recipe)
    model = build_model(recipe, tokenizer)
    load_before = os.getloadavg()
    log = train_teacher(model, tokenizer, processor, corpus, recipe, seed=args.seed,
                        minutes=args.minutes, progress=progress)
    folder = save_teacher(out_root / TEACHER_NAMES[kind], model, tokenizer, processor)
    teacher_type, score = TEACHER_TYPES[kind]
    teacher = build_teacher(dict(type=teacher_type, model_path=str(folder), score=score))
    t1 = time.perf_counter()
    table = ranking_accuracy(teacher, world, max_images=args.eval_images, progress=progress)
    eval_s = time.perf_counter() - t1
    report = dict(kind=kind, teacher=teacher_type, score=score, model_dir=str(folder),
                  parameters=count_parameters(model), recipe=recipe.to_dict(),
                  seed=args.seed, threads=args.threads, minutes_cap=args.minutes,
                  corpus=dict(corpus.meta, seconds=round(corpus_s, 1)),
                  train=dict(steps=log.steps, images_seen=log.images_seen,
                             seconds=round(log.seconds, 1),
                             cpu_seconds=round(log.cpu_seconds, 1), stopped_by=log.stopped_by,
                             autocast_bf16=log.autocast_bf16,
                             final_loss=log.final_loss, losses=log.losses),
                  load_average=dict(before=load_before, after=os.getloadavg()),
                  world=str(world), eval_seconds=round(eval_s, 1), primary_form=PRIMARY_FORM,
                  ranking=table)
    (folder / REPORT_FILE).write_text(json.dumps(report, indent=1), encoding='utf-8')
    title = (f'{teacher_type} ({count_parameters(model) / 1e6:.2f} M parameters, trained '
             f'{log.seconds:.0f} s, {log.steps} steps, stopped by {log.stopped_by}; '
             f'load {load_before[0]:.2f} -> {os.getloadavg()[0]:.2f}) saved in {folder}\n'
             f'true triplet outscores the negative, {world.name} test split (instances):')
    print(format_table(table, title))
    return report


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import torch

    from vlmhoi.cache_dir import user_cache_dir
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(name)s %(message)s')
    torch.set_num_threads(args.threads)
    out_root = Path(args.out) if args.out else user_cache_dir('teachers')
    world = Path(args.world) if args.world else user_cache_dir(
        'synth_worlds', f'default_seed{args.world_seed}')
    ensure_world(world, args.world_seed, not args.no_progress)
    for kind in KINDS if args.kind == 'both' else (args.kind,):
        train_one(kind, args, out_root, world)
    return 0


if __name__ == '__main__':
    sys.exit(main())
