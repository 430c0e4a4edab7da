"""The main job on the embedded synthetic default (``tox -e demo``).

1. generate the synthetic HOI world (``data/synth``) and print its statistics and the
   path of its contact sheet;
2. train the small MUREN-style detector on it (``mm_configs/muren_tiny_synth_hico.py``)
   for a short schedule and evaluate it with the HICO-DET metric.

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

from vlmhoi.engine import world_cfg_options
from vlmhoi.synth import generate_world


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', default='data/synth', help='synthetic world folder')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--train', type=int, default=1000, help='train images')
    parser.add_argument('--test', type=int, default=300, help='test images')
    parser.add_argument('--size', type=int, default=256, help='image side in pixels')
    parser.add_argument('--config', default='mm_configs/muren_tiny_synth_hico.py')
    parser.add_argument('--epochs', type=int, default=12,
                        help='training epochs (about 75 s each on 2 CPU cores); 0 = no training')
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


def train_and_test(args: argparse.Namespace) -> None:
    """Train with tools/train.py, then evaluate and dump predictions with tools/test.py."""
    work = Path(args.work_dir)
    data = world_cfg_options(args.out)
    run([sys.executable, 'tools/train.py', args.config, '--work-dir', str(work),
         '--cfg-options', f'train_cfg.max_epochs={args.epochs}', *data])
    preds = work / 'predictions.json'
    run([sys.executable, 'tools/test.py', args.config, str(work / f'epoch_{args.epochs}.pth'),
         '--work-dir', str(work), '--dump-predictions', str(preds), '--cfg-options', *data])
    metrics = sorted(work.glob('*/*.json'))[-1]
    result = json.loads(metrics.read_text())
    print(f'[demo] test-split metrics ({metrics}): ' + json.dumps(result))
    print(f'[demo] predictions in the exchange format: {preds}')


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    make_world(args)
    if args.epochs > 0:
        train_and_test(args)


if __name__ == '__main__':
    main()
