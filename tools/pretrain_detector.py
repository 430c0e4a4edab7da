#!/usr/bin/env python
"""Build the cached detection pre-training of a config (the embedded COCO-DETR analog).

    python tools/pretrain_detector.py [CONFIG] [--force] [--print-path]

CONFIG (default ``mm_configs/detr_tiny_synth_pretrain.py``) names the pre-training world
(``pretrain_world``) and the detector. The world is generated once into the user's cache
dir, the detector is trained there by mmengine's Runner (progress and ETA in its log; a
killed build resumes from its last epoch), and ``detector.pth`` plus ``manifest.json``
(training time, box mAP on the world's held-out split) are written under
``<cache>/pretrain/<config>-<key>/``; the key hashes the renderer's sources and the
resolved config, so a cached build is reused until one of them changes. HOI configs
load it with ``init_cfg=dict(type='DetrPretrained', pretrain_config=CONFIG)``.
"""
from __future__ import annotations

import argparse
import json

from vlmhoi.pretraining import build_pretraining, read_manifest

DEFAULT_CONFIG = 'mm_configs/detr_tiny_synth_pretrain.py'


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', nargs='?', default=DEFAULT_CONFIG,
                        help=f'pre-training config (default {DEFAULT_CONFIG})')
    parser.add_argument('--force', action='store_true',
                        help='retrain even when weights are cached for this key')
    parser.add_argument('--print-path', action='store_true',
                        help='print only the checkpoint path (for scripts)')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    ckpt = build_pretraining(args.config, force=args.force, progress=not args.print_path)
    if args.print_path:
        print(ckpt)
        return
    manifest = read_manifest(args.config)
    print(json.dumps({k: manifest[k] for k in ('checkpoint', 'train_seconds', 'iterations',
                                                'metrics')}, indent=1))


if __name__ == '__main__':
    main()
