"""Evaluate a checkpoint: mmdet's ``tools/test.py`` interface.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out results.pkl]
        [--dump-predictions preds.json] [--cfg-options k=v ...] [--launcher ...]
        [--trust-checkpoint]

``--dump-predictions`` writes the HOI prediction exchange format of
docs/prediction_format.md (what ``tools/eval_hoi.py`` reads back); ``--out`` pickles the
raw data samples as mmdet does.
"""
from __future__ import annotations

import argparse

from mmengine.config import Config, ConfigDict
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from vlmhoi.engine import (
    add_runner_args,
    init_cpu_process_group,
    load_runner_cfg,
    parse_runner_args,
    trust_of_cfg,
)
from vlmhoi.tracking import tracked_run


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (and evaluate) an HOI detector')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', type=str, help='dump raw results to a pickle file')
    parser.add_argument('--dump-predictions', type=str,
                        help='write predictions in the HOI exchange format (JSON)')
    add_runner_args(parser)
    return parse_runner_args(parser, argv)


def build_cfg(args: argparse.Namespace) -> Config:
    cfg = load_runner_cfg(args.config, args.launcher, args.cfg_options, args.work_dir,
                          args.trust_checkpoint)
    cfg.load_from = args.checkpoint
    if args.dump_predictions:
        evaluators = cfg.test_evaluator if isinstance(cfg.test_evaluator, list) else \
            [cfg.test_evaluator]
        for evaluator in evaluators:
            evaluator.outfile = args.dump_predictions
    if args.out:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise SystemExit('--out must be a .pkl or .pickle file')
        dump = ConfigDict(type='DumpDetResults', out_file_path=args.out)
        if isinstance(cfg.test_evaluator, list):
            cfg.test_evaluator = [*cfg.test_evaluator, dump]
        else:
            cfg.test_evaluator = [cfg.test_evaluator, dump]
    return cfg


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    cfg = build_cfg(args)
    init_cpu_process_group(args.launcher)
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    with trust_of_cfg(cfg), tracked_run(runner):
        return runner.test()


if __name__ == '__main__':
    main()
