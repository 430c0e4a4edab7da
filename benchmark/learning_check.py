"""Learning check: train the synthetic config on this machine, mAP against wall time.

    python benchmark/learning_check.py [--config mm_configs/muren_tiny_synth_hico.py]
        [--seeds 0 1 2] [--jobs 2] [--budget-min 10] [--world data/synth]
        [--eval-split test|val] [--work-dir work_dirs/learning_check]
        [--cfg-options key=value ...]

For every seed: trains with mmengine's Runner on the world in ``--world`` (generated
there with the default preset when missing), evaluates after every epoch with the
config's HICO-DET metric, and stops after the first epoch that ends past the training
budget (wall time spent in training, evaluation excluded). The result of a seed is the
last evaluation whose training time is within the budget. ``--jobs N`` trains N seeds at
a time, each in its own process with ``cores / N`` intra-op threads (the small model gains
nothing from a second thread, measured in docs/learning.md, so on 2 cores two seeds run
side by side, each on one core). ``--eval-split val`` trains on
the training split minus a validation split carved from it (``vlmhoi.synth.splits``) and
evaluates there: hyper-parameters are chosen that way, never on test.

Writes to the work dir: ``learning_curve.csv`` (all seeds), ``learning_curve.png``
(Default-Full mAP against training minutes, one line per seed, Rare / Non-Rare dashed,
with the mAP of random predictions under the same evaluator) and ``learning_check.json``
(per seed and mean / std over seeds).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from mmengine.config import Config, DictAction
from mmengine.hooks import Hook
from mmengine.registry import RUNNERS
from PIL import Image

from vlmhoi.evaluation import evaluate_hico, load_hico_gt
from vlmhoi.pretraining import build_pretraining, pretrain_configs_of, read_manifest
from vlmhoi.synth import carve_validation, generate_world, world_overrides
from vlmhoi.synth.splits import TEST_FILE, TRAIN_PART_FILE, TRAINVAL_FILE, VAL_PART_FILE

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

KEYS = {'full': 'hico/mAP_full', 'rare': 'hico/mAP_rare', 'non_rare': 'hico/mAP_non_rare'}


class WallClockCurve(Hook):
    """Records training wall time and the validation metrics of every epoch and stops
    training once the training time exceeds ``budget_s``."""

    priority = 'LOWEST'

    def __init__(self, budget_s: float) -> None:
        self.budget_s, self.train_s, self.rows = budget_s, 0.0, []
        self._start = 0.0

    def before_train_epoch(self, runner) -> None:
        self._start = time.perf_counter()

    def after_train_epoch(self, runner) -> None:
        self.train_s += time.perf_counter() - self._start

    def after_val_epoch(self, runner, metrics=None) -> None:
        self.rows.append(dict(epoch=runner.epoch, iters=runner.iter,
                              train_min=self.train_s / 60,
                              **{k: v for k, v in (metrics or {}).items()
                                 if isinstance(v, (int, float))}))
        if self.train_s >= self.budget_s:
            runner.train_loop.stop_training = True


def random_baseline(gt_file: Path, train_file: Path, img_dir: Path, seed: int = 0,
                    per_image: int = 100) -> dict[str, float]:
    """Default mAP (%) of uniformly random triplets (boxes, classes, verbs, scores)."""
    gt = load_hico_gt(gt_file, train_file)
    rng = np.random.default_rng(seed)
    vocab, entries = gt.vocab, []
    pairs = np.array(vocab.valid_pairs)
    for file_name in gt.file_names:
        with Image.open(img_dir / file_name) as img:
            w, h = img.size
        corners = rng.uniform(0, 1, (2 * per_image, 2, 2)) * [w, h]
        boxes = np.concatenate([corners.min(1), corners.max(1)], axis=1)
        picks = pairs[rng.integers(len(pairs), size=per_image)]
        labels = [vocab.object_ids[0]] * per_image + [vocab.object_ids[o] for o in picks[:, 1]]
        entries.append(dict(
            file_name=file_name,
            predictions=[dict(bbox=b.tolist(), category_id=int(c)) for b, c in zip(boxes, labels)],
            hoi_prediction=[dict(subject_id=i, object_id=per_image + i,
                                 category_id=int(vocab.verb_ids[v]), score=float(s))
                            for i, (v, s) in enumerate(zip(picks[:, 0], rng.random(per_image)))]))
    metrics = evaluate_hico(gt, entries).metrics
    return {name: metrics[key.split('/')[1]] for name, key in KEYS.items()}


def split_files(world: Path, eval_split: str, val_images: int,
                carve: bool = True) -> dict[str, str]:
    """Annotation files and image folders of the training and evaluation splits;
    ``carve=False`` reuses the validation files the parent process wrote (``--jobs``
    children must not rewrite them while a sibling reads them)."""
    if eval_split == 'test':
        return dict(train_ann=TRAINVAL_FILE, train_img='images/train2015/',
                    eval_ann=TEST_FILE, eval_img='images/test2015/')
    if carve:
        carve_validation(world, val_images)
    return dict(train_ann=TRAIN_PART_FILE, train_img='images/train2015/',
                eval_ann=VAL_PART_FILE, eval_img='images/train2015/')


def build_cfg(args: argparse.Namespace, files: dict[str, str], seed: int) -> Config:
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(world_overrides(args.world, **files))
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = str(Path(args.work_dir) / f'seed_{seed}')
    cfg.randomness = dict(seed=seed)
    if args.max_epochs:
        cfg.train_cfg.max_epochs = args.max_epochs
    cfg.train_cfg.val_interval = 1
    cfg.default_hooks.checkpoint.interval = cfg.train_cfg.max_epochs  # keep the run light
    return cfg


def within_budget(df: pd.DataFrame, budget_min: float) -> pd.Series:
    """The last evaluation whose training time is within the budget (else the first)."""
    inside = df[df.train_min <= budget_min]
    return (inside if len(inside) else df.iloc[:1]).iloc[-1]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--config', default='mm_configs/muren_tiny_synth_hico.py')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0])
    parser.add_argument('--budget-min', type=float, default=10.0)
    parser.add_argument('--max-epochs', type=int, default=None,
                        help='default: the config\'s schedule')
    parser.add_argument('--target', type=float, default=30.0, help='mAP target (%%)')
    parser.add_argument('--world', default='data/synth')
    parser.add_argument('--eval-split', choices=['test', 'val'], default='test')
    parser.add_argument('--val-images', type=int, default=300,
                        help='images carved from training for --eval-split val')
    parser.add_argument('--work-dir', default='work_dirs/learning_check')
    parser.add_argument('--jobs', type=int, default=1, help='seeds trained at a time')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None)
    parser.add_argument('--curve-only', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    world, work_dir = Path(args.world), Path(args.work_dir)
    if not (world / 'annotations/test_hico.json').exists():
        generate_world(world, seed=0)
    files = split_files(world, args.eval_split, args.val_images, carve=not args.curve_only)
    work_dir.mkdir(parents=True, exist_ok=True)
    pretraining = ({} if args.curve_only
                   else ensure_pretraining(build_cfg(args, files, args.seeds[0])))
    if args.jobs > 1:
        df = run_parallel(args, argv if argv is not None else sys.argv[1:])
    else:
        frames = []
        for seed in args.seeds:
            runner = RUNNERS.build(build_cfg(args, files, seed))
            curve = WallClockCurve(args.budget_min * 60)
            runner.register_hook(curve)
            start = time.perf_counter()
            runner.train()
            frames.append(pd.DataFrame(curve.rows).assign(
                seed=seed, wall_min_incl_eval=(time.perf_counter() - start) / 60))
        df = pd.concat(frames, ignore_index=True)
    df.to_csv(work_dir / 'learning_curve.csv', index=False)
    if args.curve_only:
        return {}
    rand = random_baseline(world / files['eval_ann'], world / files['train_ann'],
                           world / files['eval_img'])
    return summarize(df, rand, args, pretraining)


def ensure_pretraining(cfg: Config) -> dict:
    """Build (or reuse) the cached detection pre-training the config loads; its manifest
    (build time, box mAP), which the training budget does not include."""
    out = {}
    for config in pretrain_configs_of(cfg):
        build_pretraining(config)
        manifest = read_manifest(config)
        out[config] = {k: manifest[k] for k in ('checkpoint', 'world_seconds', 'train_seconds',
                                                 'iterations', 'metrics')}
    return out


def run_parallel(args: argparse.Namespace, argv: list[str]) -> pd.DataFrame:
    """Train the seeds ``args.jobs`` at a time in child processes; their curves."""
    threads = max(1, (os.cpu_count() or 1) // args.jobs)
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    pending, running, frames = list(args.seeds), [], []
    while pending or running:
        while pending and len(running) < args.jobs:
            seed = pending.pop(0)
            sub = Path(args.work_dir) / f'job_seed_{seed}'
            cmd = [sys.executable, __file__, *argv, '--seeds', str(seed), '--jobs', '1',
                   '--work-dir', str(sub), '--curve-only']
            log = open(sub.with_suffix('.log'), 'w')  # closed when the job ends
            running.append((subprocess.Popen(cmd, env=env, stdout=log, stderr=log), sub, log))
            print(f'learning check: seed {seed} -> {sub}.log', flush=True)
        time.sleep(5)
        for job in [j for j in running if j[0].poll() is not None]:
            proc, sub, log = job
            log.close()
            running.remove(job)
            if proc.returncode:
                raise SystemExit(f'learning check: {sub}.log: exit status {proc.returncode}')
            frames.append(pd.read_csv(sub / 'learning_curve.csv'))
    return pd.concat(frames, ignore_index=True).sort_values(['seed', 'epoch'])


def summarize(df: pd.DataFrame, random_map: dict[str, float],
              args: argparse.Namespace, pretraining: dict | None = None) -> dict:
    """Write ``learning_check.json`` and ``learning_curve.png`` from the recorded curves."""
    work_dir = Path(args.work_dir)
    per_seed = []
    for seed, group in df.groupby('seed'):
        row = within_budget(group, args.budget_min)
        per_seed.append(dict(seed=int(seed), epochs=int(row.epoch), iters=int(row.iters),
                             train_min=float(row.train_min),
                             wall_min_incl_eval=float(group.wall_min_incl_eval.max()),
                             **{f'map_{n}': float(row[k]) for n, k in KEYS.items()}))
    table = pd.DataFrame(per_seed)
    stats = {f'map_{n}': dict(mean=float(table[f'map_{n}'].mean()),
                              std=float(table[f'map_{n}'].std(ddof=1)) if len(table) > 1
                              else 0.0) for n in KEYS}
    summary = dict(config=args.config, world=str(args.world), eval_split=args.eval_split,
                   cfg_options=args.cfg_options, budget_min=args.budget_min, jobs=args.jobs,
                   cpu_count=os.cpu_count(),
                   pretraining=pretraining or {},
                   seeds=per_seed, mean_std=stats, random=random_map, target=args.target,
                   reached=bool(stats['map_full']['mean'] >= args.target),
                   source=f'HICODetMetric (reference mode, percent) on the synthetic '
                          f'{args.eval_split} split; curves in learning_curve.csv')
    plot(df, random_map, args, work_dir / 'learning_curve.png')
    (work_dir / 'learning_check.json').write_text(json.dumps(summary, indent=1))
    print(table.to_string(index=False, float_format='%.2f'))
    print(json.dumps(summary, indent=1))
    return summary


def plot(df: pd.DataFrame, random_map: dict[str, float], args: argparse.Namespace,
         out: Path) -> None:
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for seed, group in df.groupby('seed'):
        line, = ax.plot(group.train_min, group[KEYS['full']], marker='o', ms=3,
                        label=f'seed {seed}: Full')
        ax.plot(group.train_min, group[KEYS['rare']], ls='--', color=line.get_color(),
                alpha=0.6, label=f'seed {seed}: Rare')
        ax.plot(group.train_min, group[KEYS['non_rare']], ls=':', color=line.get_color(),
                alpha=0.6, label=f'seed {seed}: Non-Rare')
    ax.axhline(random_map['full'], color='grey', ls='--', label='random predictions (Full)')
    ax.axhline(args.target, color='green', ls=':', label=f'target {args.target:g}')
    ax.axvline(args.budget_min, color='red', lw=0.8, label=f'budget {args.budget_min:g} min')
    ax.set_xlabel('training wall time (min)')
    ax.set_ylabel(f'HICO-DET Default mAP (%), {args.eval_split} split')
    ax.set_title(f'{Path(args.config).name}: mAP vs training time', fontsize=9)
    ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


if __name__ == '__main__':
    main()
