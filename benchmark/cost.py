"""Cost of configs side by side (paper Table 5): parameters, training step, minutes per
epoch, inference seconds per frame, peak memory; ratios against the baseline.

    python benchmark/cost.py CONFIG [CONFIG ...] [--world data/synth] [--steps 10]
        [--warmup 2] [--frames 10] [--images-per-epoch N] [--out work_dirs/cost]
        [--no-mlflow | --tracking-uri URI] [--cfg-options k=v ...]

Variants: a config without an ITM loss is one variant (the first such config is the
baseline); a config with ``ITMDistillLoss`` gives two, ``[cache]`` (teacher scores read
from the cache ``tools/build_teacher_cache.py`` built) and ``[online]`` (the teacher scores
every training image in the step, the paper's way; the cache is built first, or found
finished, by ``tools/build_teacher_cache.py``). Each variant runs in its own process,
one after the other, so peak memory (RSS, and CUDA peak on GPU) is its own. A variant
warms up ``--warmup`` steps, then times ``--steps`` training steps (``train_step``: forward,
loss, backward, optimizer; batches prefetched, data loading timed on its own) and
``--frames`` single-image test steps; medians are reported. Minutes per epoch are
projected for the configured training set (or ``--images-per-epoch``, e.g. 37633 for
HICO-DET) on this machine. Writes ``cost.json`` and prints a table; logs one MLflow run
per call (tag ``vlmhoi.table=table5``) unless ``--no-mlflow``.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import torch
from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS

from vlmhoi.engine.cost_accounting import (
    MB,
    check_record,
    minutes_per_epoch,
    parameter_counts,
    ratios,
    timing,
)
from vlmhoi.engine.itm_teacher_link import itm_losses
from vlmhoi.synth import generate_world, world_cfg_options, world_overrides
from vlmhoi.tracking.params import device_names

SOURCES = ('cache', 'online')
ROOT = Path(__file__).resolve().parents[1]


def variants(configs: list[str]) -> list[dict]:
    """(name, config, score source) of every variant, in order."""
    out = []
    for config in configs:
        stem = Path(config).stem
        if itm_losses(Config.fromfile(config)):
            out += [dict(variant=f'{stem}[{s}]', config=config, score_source=s)
                    for s in SOURCES]
        else:
            out.append(dict(variant=stem, config=config, score_source=None))
    if not any(v['score_source'] is None for v in out):
        raise SystemExit('cost: give a baseline config (one without ITMDistillLoss) first')
    return out


def build_cfg(spec: dict, args: argparse.Namespace) -> Config:
    cfg = Config.fromfile(spec['config'])
    if args.world:
        cfg.merge_from_dict(world_overrides(Path(args.world)))
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    for loss in itm_losses(cfg):
        loss['score_source'] = spec['score_source']
    cfg.work_dir = str(Path(args.out) / spec['variant'])
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    return cfg


def _sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def _batches(loader, count: int) -> tuple[list, list[float]]:
    """``count`` batches (the loader cycled) and the seconds each took to load."""
    batches, seconds, it = [], [], iter(loader)
    while len(batches) < count:
        start = time.perf_counter()
        try:
            batch = next(it)
        except StopIteration:
            it = iter(loader)
            continue
        seconds.append(time.perf_counter() - start)
        batches.append(batch)
    return batches, seconds


def measure(spec: dict, args: argparse.Namespace) -> dict:
    """One variant, in this process."""
    cfg = build_cfg(spec, args)
    runner = RUNNERS.build(cfg)
    model = runner.model
    optim = runner.build_optim_wrapper(runner.optim_wrapper)
    loader = runner.build_dataloader(runner._train_dataloader)
    batches, data_s = _batches(loader, args.warmup + args.steps)
    step_s = []
    model.train()
    for i, batch in enumerate(batches):
        _sync()
        start = time.perf_counter()
        model.train_step(batch, optim)
        _sync()
        if i >= args.warmup:
            step_s.append(time.perf_counter() - start)
    model.eval()
    test_cfg = copy.deepcopy(runner._test_dataloader)
    test_cfg['batch_size'] = 1
    frames, _ = _batches(runner.build_dataloader(test_cfg), args.frames + 1)
    infer_s = []
    with torch.no_grad():
        for i, batch in enumerate(frames):
            _sync()
            start = time.perf_counter()
            model.test_step(batch)
            _sync()
            if i:
                infer_s.append(time.perf_counter() - start)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB
    cuda_peak = torch.cuda.max_memory_allocated() / MB if torch.cuda.is_available() else None
    teachers = teachers_of(model)                       # after the memory peak was read
    images = args.images_per_epoch or len(loader.dataset)
    step, data = timing(step_s), timing(data_s)
    return dict(spec, params=parameter_counts(model, teachers), train_step_s=step,
                data_s=data, batch_size=cfg.train_dataloader.batch_size,
                images_per_epoch=images,
                minutes_per_epoch=minutes_per_epoch(step['median'], data['median'], images,
                                                    cfg.train_dataloader.batch_size),
                infer_s_per_frame=timing(infer_s), peak_rss_mb=peak_rss,
                cuda_peak_mb=cuda_peak, device=f'{device_names()}, {os.cpu_count()} cores',
                threads=torch.get_num_threads())


def teachers_of(model) -> list:
    """The variant's teacher: the one the loss holds, or (cache) the one the cache came from."""
    losses = [m for m in model.bbox_head.extra_losses if hasattr(m, 'teacher_cfg')]
    if not losses:
        return []
    return [loss.build_teacher() for loss in losses]


def build_caches(specs: list[dict], args: argparse.Namespace) -> dict[str, float]:
    """Build (or find finished) the teacher-score cache of every ITM config; seconds each."""
    seconds = {}
    for config in dict.fromkeys(s['config'] for s in specs if s['score_source'] == 'cache'):
        cmd = [sys.executable, str(ROOT / 'tools' / 'build_teacher_cache.py'), config,
               '--no-progress']
        options = world_cfg_options(Path(args.world)) if args.world else []
        options += [f'{k}={v}' for k, v in (args.cfg_options or {}).items()]
        if options:
            cmd += ['--cfg-options', *options]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, cwd=ROOT)
        seconds[config] = time.perf_counter() - start
    return seconds


def run_all(args: argparse.Namespace, argv: list[str]) -> dict:
    specs = variants(args.configs)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cache_s = build_caches(specs, args)
    records = []
    for spec in specs:
        record_file = out / f'{spec["variant"]}.json'
        cmd = [sys.executable, __file__, *argv, '--child', json.dumps(spec),
               '--child-out', str(record_file)]
        print(f'cost: {spec["variant"]} ...', flush=True)
        subprocess.run(cmd, check=True)
        record = json.loads(record_file.read_text())
        check_record(record, str(record_file))
        records.append(record)
    baseline = next(r['variant'] for r in records if r['score_source'] is None)
    result = dict(records=records, baseline=baseline, ratios=ratios(records, baseline),
                  cache_build_s=cache_s,
                  steps=args.steps, warmup=args.warmup, frames=args.frames,
                  host=platform.node(), torch=torch.__version__,
                  source='benchmark/cost.py: medians of timed steps in one run')
    (out / 'cost.json').write_text(json.dumps(result, indent=1))
    print(format_table(result))
    return result


def format_table(result: dict) -> str:
    head = (f'{"variant":<34} {"learnable":>10} {"teacher":>10} {"decoder":>9} '
            f'{"step s":>8} {"x base":>6} {"min/ep":>8} {"infer s":>8} {"x base":>6} '
            f'{"RSS MB":>7}')
    lines = [head, '-' * len(head)]
    for r in result['records']:
        q = result['ratios'][r['variant']]
        lines.append(f'{r["variant"]:<34} {r["params"]["learnable"]:>10,} '
                     f'{r["params"]["teacher"]:>10,} {r["params"]["decoder"]:>9,} '
                     f'{r["train_step_s"]["median"]:>8.3f} {q["train_step_s"]:>6.2f} '
                     f'{r["minutes_per_epoch"]:>8.2f} {r["infer_s_per_frame"]["median"]:>8.4f} '
                     f'{q["infer_s_per_frame"]:>6.2f} {r["peak_rss_mb"]:>7.0f}')
    return '\n'.join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('configs', nargs='+')
    parser.add_argument('--world', default='data/synth',
                        help="synthetic world the configs read ('' = as configured)")
    parser.add_argument('--steps', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--frames', type=int, default=10)
    parser.add_argument('--images-per-epoch', type=int, default=None)
    parser.add_argument('--out', default='work_dirs/cost')
    parser.add_argument('--no-mlflow', action='store_true')
    parser.add_argument('--tracking-uri', default=None,
                        help='MLflow tracking URI (default: $MLFLOW_TRACKING_URI, else the '
                        'embedded SQLite store, as for training runs)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None)
    parser.add_argument('--child', help=argparse.SUPPRESS)
    parser.add_argument('--child-out', help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.steps < 1 or args.frames < 1:
        raise SystemExit('cost: --steps and --frames must be >= 1')
    if args.child:
        record = measure(json.loads(args.child), args)
        Path(args.child_out).write_text(json.dumps(record, indent=1))
        return record
    if args.world and not (Path(args.world) / 'annotations/trainval_hico.json').exists():
        generate_world(args.world, seed=0)
    result = run_all(args, argv)
    if not args.no_mlflow:
        from vlmhoi.tracking.benchmark_runs import log_benchmark
        log_benchmark('cost', result, Path(args.out) / 'cost.json', table='table5',
                      tracking_uri=args.tracking_uri)
    return result


if __name__ == '__main__':
    main()
