"""The main job on the embedded synthetic default (``tox -e demo``).

1. generate the synthetic HOI world (``data/synth``) and print its statistics and the
   path of its contact sheet;
2. train the small MUREN-style detector on it (``mm_configs/muren_tiny_synth_hico.py``,
   the 10-minute recipe of docs/learning.md), evaluating the test split after every epoch,
   plot that learning curve, then evaluate the final checkpoint with ``tools/test.py`` and
   print its test mAP and the curve's path.

Later steps add the VLM-HOI teacher, sweeps and reports to this same entry point.
"""
from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path

from mmengine.config import Config

from vlmhoi.synth import generate_world, world_cfg_options


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', default='data/synth', help='synthetic world folder')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--train', type=int, default=1000, help='train images')
    parser.add_argument('--test', type=int, default=400, help='test images')
    parser.add_argument('--size', type=int, default=256, help='image side in pixels')
    parser.add_argument('--config', default='mm_configs/muren_tiny_synth_hico.py')
    parser.add_argument('--epochs', type=int, default=None,
                        help="training epochs (default: the config's schedule, 5 epochs in "
                        'about 9 minutes on 2 CPU cores); 0 = no training')
    parser.add_argument('--work-dir', default='work_dirs/demo')
    return parser.parse_args(argv)


def make_world(args: argparse.Namespace) -> None:
    start = time.perf_counter()
    stats = generate_world(args.out, seed=args.seed, n_train=args.train, n_test=args.test,
                           size=args.size)
    print(stats.category_table())
    print(stats.summary())
    out = Path(args.out)
    print(f'[demo] synthetic world written to {out} in {time.perf_counter() - start:.1f} s')
    print(f'[demo] contact sheet: {(out / "contact_sheet.png").resolve()}')
    print(f'[demo] statistics: {(out / "stats.json").resolve()} and '
          f'{(out / "category_counts.csv").resolve()}')


def run(cmd: list[str]) -> None:
    print('[demo] $ ' + shlex.join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def plot_learning_curve(work: Path, out: Path) -> Path | None:
    """Test-split mAP after every training epoch (mmengine's ``vis_data/scalars.json``
    of the training run) as a PNG; None when the run logged no evaluation."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    logs = sorted(work.glob('*/vis_data/scalars.json'))
    rows = [json.loads(line) for line in logs[-1].read_text().splitlines()] if logs else []
    rows = [r for r in rows if 'hico/mAP_full' in r]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    for key, label in (('hico/mAP_full', 'Full'), ('hico/mAP_rare', 'Rare'),
                       ('hico/mAP_non_rare', 'Non-Rare')):
        ax.plot(range(1, len(rows) + 1), [r[key] for r in rows], marker='o', label=label)
    ax.set_xlabel('epoch')
    ax.set_ylabel('Default mAP (%), test split')
    ax.set_title(f'{logs[-1].parent.parent.name}: {work}', fontsize=8)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def train_and_test(args: argparse.Namespace) -> None:
    """Train with tools/train.py, then evaluate and dump predictions with tools/test.py."""
    work = Path(args.work_dir)
    data = world_cfg_options(args.out)
    epochs = args.epochs or Config.fromfile(args.config).train_cfg.max_epochs
    run([sys.executable, 'tools/train.py', args.config, '--work-dir', str(work),
         '--cfg-options', f'train_cfg.max_epochs={epochs}', 'train_cfg.val_interval=1', *data])
    curve = plot_learning_curve(work, work / 'learning_curve.png')
    preds = work / 'predictions.json'
    run([sys.executable, 'tools/test.py', args.config, str(work / f'epoch_{epochs}.pth'),
         '--work-dir', str(work), '--dump-predictions', str(preds), '--cfg-options', *data])
    metrics = sorted(work.glob('*/*.json'))[-1]
    result = json.loads(metrics.read_text())
    print(f'[demo] test-split metrics ({metrics}): ' + json.dumps(result))
    print(f"[demo] test mAP (Default, %): Full {result['hico/mAP_full']:.2f}, "
          f"Rare {result['hico/mAP_rare']:.2f}, Non-Rare {result['hico/mAP_non_rare']:.2f}")
    if curve:
        print(f'[demo] learning curve (test mAP after every epoch): {curve.resolve()}')
    print(f'[demo] predictions in the exchange format: {preds}')


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    make_world(args)
    if args.epochs is None or args.epochs > 0:
        train_and_test(args)


if __name__ == '__main__':
    main()
