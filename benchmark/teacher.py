"""Teacher scoring throughput: per-pair full forwards vs batched scoring, pairs per second.

    nice -n 19 python benchmark/teacher.py [--texts 16 64 600] [--pairs 3] [--repeats 3]
        [--model-dir DIR ...] [--no-base] [--out teacher_bench.json] [--plot teacher_bench.png]

For a BLIP-base-sized ``BlipForImageTextRetrieval`` (``BlipConfig()`` defaults, ViT-B/16 at
384 px, 12-layer BERT-base text encoder with cross-attention; random weights, saved with a
word-level tokenizer and BLIP's image processor to a temporary directory and loaded through
:class:`~vlmhoi.teachers.BlipItmTeacher` like the hub model) and for every ``--model-dir``
(e.g. the embedded teachers; the teacher class follows its ``config.json``), measures

* per-pair: ``teacher.score_per_pair`` on ``--pairs`` (image, text) pairs, one full model
  forward each (vision included). Its cost is linear in the pairs, so a few pairs give the
  rate at any number of texts;
* batched: ``teacher.score`` of one image against N texts (vision once, texts batched),
  for each N of ``--texts``; the vision time of one image is reported on its own;

Each timing is the median of ``--repeats`` runs after a warm-up at the largest text count (so
one-off costs, such as oneDNN building its kernels for a new shape, stay out of it). It
prints a table with the ratio batched / per-pair (target at 64 texts: >= 20x), the
cache-build rate (images per second at that vocabulary size) and the projected hours to
build the cache of HICO-DET's 38,118 training images on this machine. Each
timing is taken as wall-clock time and as this process's CPU time (``time.process_time``,
all threads): on a shared CPU machine other processes inflate wall time unevenly between
the two measurements, CPU time much less, so the CPU-time ratio is the steadier figure
there (on a GPU only the wall-clock figures mean anything). The texts
are HICO-DET's ``full`` prompt vocabulary (repeated when N exceeds it). Structured as
functions (model building, rates, table) so later measurements (cache build rates) reuse them.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vlmhoi.teachers.base import HOITeacher  # noqa: E402
from vlmhoi.teachers.blip import BlipItmTeacher  # noqa: E402
from vlmhoi.teachers.blip2 import Blip2ItmTeacher  # noqa: E402
from vlmhoi.teachers.clip import ClipTeacher  # noqa: E402
from vlmhoi.teachers.loading import read_config  # noqa: E402
from vlmhoi.teachers.prompts import build_vocabulary  # noqa: E402
from vlmhoi.teachers.tokenizer import build_word_tokenizer  # noqa: E402
from vlmhoi.vocab import hico_vocab  # noqa: E402

TEXT_COUNTS = (16, 64, 600)
PER_PAIR_PAIRS = 3
REPEATS = 3
TARGET_RATIO_AT_64 = 20.0
BASE_TEXT_MAX_LENGTH = 35        # BLIP's own ITM max text length
BENCH_IMAGE_SIZE = (480, 640)    # H, W of the benchmark image (a typical HICO-DET frame)
HICO_TRAIN_IMAGES = 38118        # HICO-DET train2015 images (benchmark/bench_hico_eval.py)
TEACHER_BY_MODEL_TYPE = {'blip': BlipItmTeacher, 'blip-2': Blip2ItmTeacher, 'clip': ClipTeacher}


def hico_texts(count: int) -> list[str]:
    """``count`` texts of HICO-DET's ``full`` prompt vocabulary, cycled if needed."""
    texts = list(build_vocabulary(hico_vocab(), 'full').texts)
    return [texts[i % len(texts)] for i in range(count)]


def save_blip_base(model_dir: Path) -> Path:
    """A BLIP-base-sized ITM model with random weights, tokenizer, image processor -> dir."""
    from transformers import BlipConfig, BlipForImageTextRetrieval, BlipImageProcessorPil
    config = BlipConfig()
    torch.manual_seed(0)
    model = BlipForImageTextRetrieval(config)
    model.save_pretrained(model_dir)
    build_word_tokenizer(hico_texts(1000), 'bert', BASE_TEXT_MAX_LENGTH).save_pretrained(model_dir)
    size = config.vision_config.image_size
    BlipImageProcessorPil(size={'height': size, 'width': size}).save_pretrained(model_dir)
    return model_dir


def teacher_for_dir(model_dir: str | Path, **kwargs) -> HOITeacher:
    """The teacher class that matches ``config.json``'s model_type, loaded from ``model_dir``."""
    model_type = read_config(Path(model_dir)).get('model_type')
    if model_type not in TEACHER_BY_MODEL_TYPE:
        raise ValueError(f'{model_dir}/config.json: model_type {model_type!r} has no teacher '
                         f'(known: {sorted(TEACHER_BY_MODEL_TYPE)})')
    return TEACHER_BY_MODEL_TYPE[model_type](str(model_dir), **kwargs)


def bench_image(seed: int = 0) -> np.ndarray:
    """A random (H, W, 3) uint8 RGB image of a typical HICO-DET frame size."""
    return np.random.default_rng(seed).integers(0, 256, (*BENCH_IMAGE_SIZE, 3), dtype=np.uint8)


def timed(fn, repeats: int = 1) -> tuple[float, float]:
    """Medians over ``repeats`` runs of (wall-clock seconds, process CPU seconds) of ``fn()``."""
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return float(np.median(walls)), float(np.median(cpus))


def _rates(count: int, wall: float, cpu: float) -> dict:
    return {'seconds': wall, 'cpu_seconds': cpu, 'pairs_per_s': count / wall,
            'pairs_per_cpu_s': count / cpu}


def per_pair_rate(teacher: HOITeacher, image: np.ndarray, texts: list[str], pairs: int,
                  repeats: int = 1) -> dict:
    """Pairs per (wall / CPU) second of one full forward per pair, over ``pairs`` pairs."""
    wall, cpu = timed(lambda: teacher.score_per_pair([image], texts[:pairs]), repeats)
    return {'pairs': pairs, **_rates(pairs, wall, cpu)}


def vision_seconds(teacher: HOITeacher, image: np.ndarray,
                   repeats: int = 1) -> tuple[float, float]:
    """(wall, CPU) seconds of preprocessing and the vision encoder for one image."""
    with torch.no_grad():
        return timed(lambda: teacher.encode_images(teacher.preprocess([image])), repeats)


def batched_rate(teacher: HOITeacher, image: np.ndarray, texts: list[str],
                 repeats: int = 1) -> dict:
    """Pairs per (wall / CPU) second of ``teacher.score`` of one image against all ``texts``.

    One image against a vocabulary of ``len(texts)`` texts is one row of the teacher-score
    cache, so ``cache_images_per_s`` is the cache-build rate at that vocabulary size and
    ``hico_train_hours`` the projected build time of HICO-DET's training set on this
    machine (one process; shards divide it)."""
    wall, cpu = timed(lambda: teacher.score([image], texts), repeats)
    return {'texts': len(texts), **_rates(len(texts), wall, cpu),
            'cache_images_per_s': 1.0 / wall,
            'hico_train_hours': HICO_TRAIN_IMAGES * wall / 3600.0}


def measure(teacher: HOITeacher, name: str, text_counts: tuple[int, ...], pairs: int,
            repeats: int = REPEATS) -> dict:
    """Per-pair rate, vision time and batched rate at each text count for one teacher:
    medians of ``repeats`` runs after one warm-up of each path."""
    image = bench_image()
    texts = hico_texts(max(max(text_counts), pairs))
    teacher.score([image], texts)  # warm-up: thread pools, allocator, kernels per shape
    teacher.score_per_pair([image], texts[:1])
    per_pair = per_pair_rate(teacher, image, texts, pairs, repeats)
    print(f'[{name}] per-pair: {per_pair["pairs_per_s"]:.3f} pairs/s', flush=True)
    vision_wall, vision_cpu = vision_seconds(teacher, image, repeats)
    rows = []
    for count in text_counts:
        batched = batched_rate(teacher, image, texts[:count], repeats)
        batched['ratio'] = batched['pairs_per_s'] / per_pair['pairs_per_s']
        batched['ratio_cpu'] = batched['pairs_per_cpu_s'] / per_pair['pairs_per_cpu_s']
        rows.append(batched)
        print(f'[{name}] batched {count} texts: {batched["pairs_per_s"]:.2f} pairs/s '
              f'({batched["ratio"]:.1f}x wall, {batched["ratio_cpu"]:.1f}x CPU time)', flush=True)
    return {'teacher': name, 'identity': teacher.identity(), 'per_pair': per_pair,
            'vision_s_per_image': vision_wall, 'vision_cpu_s_per_image': vision_cpu,
            'batched': rows, 'repeats': repeats,
            'threads': torch.get_num_threads()}


def format_table(results: list[dict]) -> str:
    """A text table: teacher, texts per image, per-pair and batched pairs/s, ratios."""
    head = (f'{"teacher":<24} {"texts":>5} {"per-pair/s":>10} {"batched/s":>9} {"ratio":>6} '
            f'{"per-pair/cpu-s":>14} {"batched/cpu-s":>13} {"ratio":>6} {"cache img/s":>11} '
            f'{"HICO h":>7}')
    lines = [head, '-' * len(head)]
    for res in results:
        pp = res['per_pair']
        for row in res['batched']:
            lines.append(f'{res["teacher"]:<24} {row["texts"]:>5} {pp["pairs_per_s"]:>10.3f} '
                         f'{row["pairs_per_s"]:>9.2f} {row["ratio"]:>5.1f}x '
                         f'{pp["pairs_per_cpu_s"]:>14.3f} {row["pairs_per_cpu_s"]:>13.2f} '
                         f'{row["ratio_cpu"]:>5.1f}x {row["cache_images_per_s"]:>11.2f} '
                         f'{row["hico_train_hours"]:>7.1f}')
        lines.append(f'{"":<24} vision {res["vision_s_per_image"]:.2f} s '
                     f'({res["vision_cpu_s_per_image"]:.2f} CPU s) per image, '
                     f'{res["threads"]} threads')
    return '\n'.join(lines)


def plot(results: list[dict], path: Path) -> None:
    """Pairs per second vs texts per image, per-pair and batched, one line per teacher."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    for res in results:
        counts = [row['texts'] for row in res['batched']]
        line, = ax.plot(counts, [row['pairs_per_s'] for row in res['batched']], 'o-',
                        label=f'{res["teacher"]} batched')
        ax.plot(counts, [res['per_pair']['pairs_per_s']] * len(counts), '--',
                color=line.get_color(), label=f'{res["teacher"]} per pair')
    ax.set(xscale='log', yscale='log', xlabel='texts per image', ylabel='pairs / s',
           title='Teacher scoring throughput')
    counts = sorted({row['texts'] for res in results for row in res['batched']})
    ax.set_xticks(counts, [str(c) for c in counts])
    ax.minorticks_off()
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run(text_counts: tuple[int, ...], pairs: int, model_dirs: list[str], base: bool,
        text_batch_size: int, repeats: int = REPEATS) -> list[dict]:
    """All measurements: the BLIP-base-sized model (if ``base``) and each model dir."""
    results = []
    if base:
        with tempfile.TemporaryDirectory(prefix='blip_base_') as tmp:
            print('building a BLIP-base-sized random model ...', flush=True)
            teacher = BlipItmTeacher(str(save_blip_base(Path(tmp))),
                                     text_batch_size=text_batch_size)
            results.append(measure(teacher, 'BLIP-base (random)', text_counts, pairs, repeats))
            del teacher
    for model_dir in model_dirs:
        teacher = teacher_for_dir(model_dir, text_batch_size=text_batch_size)
        results.append(measure(teacher, Path(model_dir).name, text_counts, pairs, repeats))
    return results


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--texts', type=int, nargs='+', default=list(TEXT_COUNTS),
                        help='texts per image for batched scoring')
    parser.add_argument('--pairs', type=int, default=PER_PAIR_PAIRS,
                        help='pairs timed with one full forward each')
    parser.add_argument('--model-dir', action='append', default=[],
                        help='also measure this model directory (repeatable)')
    parser.add_argument('--no-base', action='store_true', help='skip the BLIP-base-sized model')
    parser.add_argument('--repeats', type=int, default=REPEATS,
                        help='timed runs per measurement (the median is reported)')
    parser.add_argument('--text-batch-size', type=int, default=64)
    parser.add_argument('--threads', type=int, default=None, help='torch threads')
    parser.add_argument('--out', type=Path, default=None, help='write the results as JSON')
    parser.add_argument('--plot', type=Path, default=None, help='write a PNG plot')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> list[dict]:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.no_base and not args.model_dir:
        raise SystemExit('benchmark/teacher.py: nothing to measure (--no-base without --model-dir)')
    if args.repeats < 1:
        raise SystemExit(f'benchmark/teacher.py: --repeats must be >= 1, got {args.repeats}')
    results = run(tuple(args.texts), args.pairs, args.model_dir, not args.no_base,
                  args.text_batch_size, args.repeats)
    print(format_table(results))
    for res in results:
        for row in res['batched']:
            if row['texts'] == 64:
                verdict = 'meets' if row['ratio'] >= TARGET_RATIO_AT_64 else 'MISSES'
                print(f'{res["teacher"]}: {row["ratio"]:.1f}x wall-clock, '
                      f'{row["ratio_cpu"]:.1f}x CPU time at 64 texts per image '
                      f'({verdict} the {TARGET_RATIO_AT_64:.0f}x target, wall-clock)')
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))
        print(f'wrote {args.out}')
    if args.plot:
        plot(results, args.plot)
        print(f'wrote {args.plot}')
    return results


if __name__ == '__main__':
    main()
