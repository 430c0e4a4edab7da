"""Learning check: train the synthetic config on this machine, mAP against wall time.

    python benchmark/learning_check.py [--config mm_configs/muren_tiny_synth_hico.py]
        [--budget-min 15] [--work-dir work_dirs/learning_check] [--world data/synth]

Trains with mmengine's Runner, evaluates the test split after every epoch with the
config's HICO-DET metric, and stops after the first epoch that ends past the training
budget (wall time spent in training, evaluation excluded). Writes to the work dir:
``learning_curve.csv`` / ``.png`` (Default-Full mAP against training minutes, with the
mAP of random predictions under the same evaluator) and ``learning_check.json``.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner
from PIL import Image

from vlmhoi.evaluation import evaluate_hico, load_hico_gt
from vlmhoi.synth import generate_world

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

KEY = 'hico/mAP_full'  # HICODetMetric reports percent


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
        self.rows.append(dict(epoch=runner.epoch, train_min=self.train_s / 60,
                              **{k: v for k, v in (metrics or {}).items()
                                 if isinstance(v, (int, float))}))
        if self.train_s >= self.budget_s:
            runner.train_loop.stop_training = True


def random_baseline(world: Path, seed: int = 0, per_image: int = 100) -> float:
    """Default-Full mAP (%) of uniformly random triplets (boxes, classes, verbs, scores)."""
    gt = load_hico_gt(world / 'annotations/test_hico.json',
                      world / 'annotations/trainval_hico.json')
    rng = np.random.default_rng(seed)
    vocab, entries = gt.vocab, []
    pairs = np.array(vocab.valid_pairs)
    for file_name in gt.file_names:
        with Image.open(world / 'images/test2015' / file_name) as img:
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
    return evaluate_hico(gt, entries).metrics['mAP_full']


def plot(df: pd.DataFrame, random_map: float, target: float, out: Path, title: str) -> None:
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(df.train_min, df[KEY], marker='o', label='detector (test split)')
    ax.axhline(random_map, color='grey', ls='--', label='random predictions')
    ax.axhline(target, color='green', ls=':', label=f'target {target:g}')
    ax.set_xlabel('training wall time (min)')
    ax.set_ylabel('HICO-DET Default-Full mAP (%)')
    ax.set_title(title, fontsize=9)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--config', default='mm_configs/muren_tiny_synth_hico.py')
    parser.add_argument('--budget-min', type=float, default=15.0)
    parser.add_argument('--max-epochs', type=int, default=None,
                        help='default: the config\'s schedule')
    parser.add_argument('--target', type=float, default=30.0, help='mAP target (%%)')
    parser.add_argument('--world', default='data/synth')
    parser.add_argument('--work-dir', default='work_dirs/learning_check')
    args = parser.parse_args(argv)

    world, work_dir = Path(args.world), Path(args.work_dir)
    if not (world / 'annotations/test_hico.json').exists():
        generate_world(world, seed=0)
    cfg = Config.fromfile(args.config)
    cfg.work_dir = str(work_dir)
    if args.max_epochs:
        cfg.train_cfg.max_epochs = args.max_epochs
    cfg.train_cfg.val_interval = 1
    cfg.default_hooks.checkpoint.interval = cfg.train_cfg.max_epochs  # keep the run light
    runner = Runner.from_cfg(cfg)
    curve = WallClockCurve(args.budget_min * 60)
    runner.register_hook(curve)
    start = time.perf_counter()
    runner.train()
    wall = time.perf_counter() - start

    df = pd.DataFrame(curve.rows)
    df.to_csv(work_dir / 'learning_curve.csv', index=False)
    return summarize(df, random_baseline(world), args, wall)


def summarize(df: pd.DataFrame, random_map: float, args: argparse.Namespace,
              wall_s: float) -> dict:
    """Write ``learning_check.json`` and ``learning_curve.png`` from the recorded curve."""
    work_dir = Path(args.work_dir)
    best = df.loc[df[KEY].idxmax()]
    summary = dict(config=args.config, world=args.world, budget_min=args.budget_min,
                   epochs=int(df.epoch.max()), train_min=float(df.train_min.max()),
                   wall_min_incl_eval=wall_s / 60, final_map_full=float(df[KEY].iloc[-1]),
                   best_map_full=float(best[KEY]), best_epoch=int(best.epoch),
                   random_map_full=random_map, target=args.target,
                   reached=bool(df[KEY].max() >= args.target),
                   source='HICODetMetric (reference mode, percent) on the synthetic test '
                          'split; curve in learning_curve.csv')
    plot(df, random_map, args.target, work_dir / 'learning_curve.png',
         f'{Path(args.config).name}: mAP vs training time')
    (work_dir / 'learning_check.json').write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary, indent=1))
    return summary


if __name__ == '__main__':
    main()
