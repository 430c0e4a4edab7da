#!/usr/bin/env python
"""Generate the embedded synthetic HOI world (HICO-DET + V-COCO layouts).

    python tools/make_synth.py --out data/synth --seed 0 [--train N --test M --size S]

Same arguments, same bytes: images and annotation files are deterministic per seed.
The generator needs only numpy and Pillow. ``vlmhoi`` is imported normally; only when
that fails because an OpenMMLab / torch dependency of the package's ``__init__`` is
missing, ``vlmhoi.synth`` is loaded on its own (without running that ``__init__``).
"""
from __future__ import annotations

import argparse
import importlib
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def import_synth() -> types.ModuleType:
    """``vlmhoi.synth``, imported normally, or standalone if heavy dependencies are missing."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    try:
        return importlib.import_module('vlmhoi.synth')
    except ImportError as err:
        if not err.name or err.name.split('.')[0] == 'vlmhoi':
            raise
    for name in [m for m in sys.modules if m == 'vlmhoi' or m.startswith('vlmhoi.')]:
        del sys.modules[name]
    package = types.ModuleType('vlmhoi')
    package.__path__ = [str(ROOT / 'vlmhoi')]
    sys.modules['vlmhoi'] = package
    return importlib.import_module('vlmhoi.synth')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', default='data/synth', help='output folder (default data/synth)')
    parser.add_argument('--seed', type=int, default=0, help='random seed, >= 0 (default 0)')
    parser.add_argument('--train', type=int, default=1000, help='train images (default 1000)')
    parser.add_argument('--test', type=int, default=None,
                        help='test images (default vlmhoi.synth.world.DEFAULT_TEST_IMAGES, 800)')
    parser.add_argument('--size', type=int, default=256,
                        help='image side in pixels, >= 64 (default 256)')
    parser.add_argument('--no-progress', action='store_true', help='no progress bars')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    synth = import_synth()
    if args.test is None:
        args.test = synth.world.DEFAULT_TEST_IMAGES
    start = time.perf_counter()
    try:
        stats = synth.generate_world(args.out, seed=args.seed, n_train=args.train,
                                     n_test=args.test, size=args.size,
                                     progress=not args.no_progress)
    except ValueError as err:
        print(f'make_synth: error: {err}', file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - start
    print(stats.category_table())
    print(stats.summary())
    print(f'wrote {args.out} in {elapsed:.1f} s '
          f'(contact_sheet.png, stats.json, category_counts.csv, README.md)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
