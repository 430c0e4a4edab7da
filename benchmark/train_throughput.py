"""Training throughput of a config on this machine, and where one iteration's time goes.

    python benchmark/train_throughput.py [--config mm_configs/muren_tiny_synth_hico.py]
        [--iters 60] [--world data/synth] [--flush both|on|off] [--out work_dirs/throughput]
        [--cfg-options key=value ...]

Runs the same ``--iters`` training iterations from the same seed (same model init, same
batches) once per flushing setting (``env_cfg.flush_denormal``), each in a fresh process
(torch's worker threads copy the flag when they are created, so one process cannot
measure both), one after the other, and reports iterations and images per second.
Every iteration is split into data loading, data preprocessing,
backbone + neck, transformer encoder, decoder, matching (Hungarian assignment of every
decoder layer), the rest of the loss, backward and optimizer step, by timing the model's
own methods (``extract_feat``, ``forward_encoder``, ``forward_decoder``,
``bbox_head.assign``). Writes ``throughput.json`` and a stacked-bar ``throughput.png``.
"""
from __future__ import annotations

import argparse
import functools
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import matplotlib
import torch
from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS

from vlmhoi.engine import flush_state
from vlmhoi.synth import generate_world, world_overrides

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

STAGES = ('data loading', 'preprocess', 'backbone+neck', 'encoder', 'decoder', 'matching',
          'loss (rest)', 'backward', 'optimizer')


def _timed(times: dict, stage: str, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            times[stage] += time.perf_counter() - start
    return wrapper


def run(cfg: Config, iters: int, flush: bool) -> dict:
    """Train ``iters`` iterations and return per-stage seconds and rates."""
    cfg = cfg.copy()
    cfg.env_cfg.flush_denormal = flush
    runner = RUNNERS.build(cfg)
    runner._train_loop = runner.build_train_loop(runner._train_loop)  # as Runner.train
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    schedulers = [s for s in runner.build_param_scheduler(runner.param_schedulers)
                  if not s.by_epoch]  # the warm-up; epoch-based steps lie beyond --iters
    model, optim = runner.model, runner.optim_wrapper
    times: dict[str, float] = defaultdict(float)
    model.extract_feat = _timed(times, 'backbone+neck', model.extract_feat)
    model.forward_encoder = _timed(times, 'encoder', model.forward_encoder)
    model.forward_decoder = _timed(times, 'decoder', model.forward_decoder)
    model.bbox_head.assign = _timed(times, 'matching', model.bbox_head.assign)
    model.train()
    loader = iter(runner.train_dataloader)
    images = 0
    start_all = time.perf_counter()
    for _ in range(iters):
        t0 = time.perf_counter()
        try:
            batch = next(loader)
        except StopIteration:
            loader = iter(runner.train_dataloader)
            batch = next(loader)
        t1 = time.perf_counter()
        data = model.data_preprocessor(batch, True)
        t2 = time.perf_counter()
        inner = dict(times)
        losses = model(**data, mode='loss')
        t3 = time.perf_counter()
        loss, _ = model.parse_losses(losses)
        optim.backward(loss)
        t4 = time.perf_counter()
        optim.step()
        optim.zero_grad()
        for scheduler in schedulers:
            scheduler.step()
        t5 = time.perf_counter()
        inside = sum(times[k] - inner.get(k, 0.0) for k in times)
        times['data loading'] += t1 - t0
        times['preprocess'] += t2 - t1
        times['loss (rest)'] += (t3 - t2) - inside
        times['backward'] += t4 - t3
        times['optimizer'] += t5 - t4
        images += len(batch['inputs'])
    total = time.perf_counter() - start_all
    return dict(flush=flush, flush_state=flush_state(), iters=iters, images=images, total_s=total,
                iters_per_s=iters / total, images_per_s=images / total,
                stages_s={k: times[k] for k in STAGES})


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--config', default='mm_configs/muren_tiny_synth_hico.py')
    parser.add_argument('--iters', type=int, default=60)
    parser.add_argument('--world', default='data/synth')
    parser.add_argument('--flush', choices=['both', 'on', 'off'], default='both')
    parser.add_argument('--out', default='work_dirs/throughput')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None)
    args = parser.parse_args(argv)
    world, out = Path(args.world), Path(args.out)
    if not (world / 'annotations/trainval_hico.json').exists():
        generate_world(world, seed=0)
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(world_overrides(world))
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = str(out)
    cfg.randomness = dict(seed=args.seed)
    out.mkdir(parents=True, exist_ok=True)
    if args.flush == 'both':
        results = []
        for flag in ('off', 'on'):
            sub = out / f'flush_{flag}'
            cmd = [sys.executable, __file__, *(argv if argv is not None else sys.argv[1:]),
                   '--flush', flag, '--out', str(sub)]
            subprocess.run(cmd, check=True)
            results += json.loads((sub / 'throughput.json').read_text())['runs']
    else:
        results = [run(cfg, args.iters, args.flush == 'on')]
    summary = dict(config=args.config, cfg_options=args.cfg_options,
                   threads=torch.get_num_threads(), runs=results)
    (out / 'throughput.json').write_text(json.dumps(summary, indent=1))
    for r in results:
        print(f"flush_denormal={r['flush']}: {r['iters']} iterations in {r['total_s']:.1f} s, "
              f"{r['iters_per_s']:.2f} it/s, {r['images_per_s']:.1f} images/s")
        for k, v in r['stages_s'].items():
            print(f'  {k:<14} {v:7.2f} s  {100 * v / r["total_s"]:5.1f} %')
    plot(results, out / 'throughput.png')
    return summary


def plot(results: list[dict], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6, 3.5))
    labels = [f"flush {'on' if r['flush'] else 'off'}" for r in results]
    left = [0.0] * len(results)
    for stage in STAGES:
        widths = [r['stages_s'][stage] / r['iters'] for r in results]
        ax.barh(labels, widths, left=left, label=stage)
        left = [a + b for a, b in zip(left, widths)]
    ax.set_xlabel('seconds per iteration')
    ax.legend(fontsize=7, loc='lower right')
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == '__main__':
    main()
