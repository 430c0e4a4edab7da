"""Speed and agreement of the HICO-DET evaluator on a synthetic test set sized like HICO-DET.

    python benchmark/bench_hico_eval.py [--images 9658] [--reference-repo PATH] [--out FILE]

Generates ground truth (9,658 test images, ~3.5 HOIs each, long-tailed over the 600 HOIs),
training annotations (for the rare split) and 100 predicted triplets per image from 64
query pairs (jittered ground-truth pairs and random ones, some tied scores), then times
``evaluate_hico`` (Default and Known-Object in one call) in every mode, split into
reading the exchange-format lists into arrays (``parse``) and evaluating them (``core``).
With ``--reference-repo`` (a checkout of CDN / QPIC / MUREN; default
``$VLMHOI_REFERENCE_REPOS/MUREN`` when that exists, see docs/fidelity.md) it imports that repo's
``datasets/hico_eval.py`` (and ``hico_eval_ko.py`` if present), runs it on the same input
in the same process and prints the time ratio and the largest metric difference. The
reference's ``__init__`` (torch tensors -> lists, a json dump) is replaced by building its
state from the exchange format with the same rules (validity mask, stable sort, top 100),
so only its ``evaluate`` is timed (Default, plus Known-Object when ``hico_eval_ko.py``
exists). ``speedup`` compares it with our parse + core, ``speedup_core`` with our core.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vlmhoi.evaluation.hico_eval import MODES, evaluate_hico  # noqa: E402
from vlmhoi.evaluation.hico_gt import hico_gt_from_entries  # noqa: E402
from vlmhoi.evaluation.pred_format import read_predictions  # noqa: E402
from vlmhoi.evaluation.random_hico import make_gt, make_predictions  # noqa: E402
from vlmhoi.evaluation.reference_harness import (  # noqa: E402
    REFERENCE_REPOS_ENV,
    load_reference,
    reference_checkout,
    reference_state,
    run_reference,
)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--images', type=int, default=9658)
    p.add_argument('--train-images', type=int, default=38118)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--repeat', type=int, default=3, help='timed runs of ours (best is kept)')
    p.add_argument('--out', type=Path, default=None, help='also write the report as JSON')
    p.add_argument('--reference-repo',
                   help=f'checkout of CDN / QPIC / MUREN (default: ${REFERENCE_REPOS_ENV}/MUREN '
                        'if that exists)')
    args = p.parse_args(argv)
    if args.reference_repo is None:
        found = reference_checkout('MUREN', 'datasets/hico_eval_ko.py')
        args.reference_repo = str(found) if found else None
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    test = make_gt(args.images, rng)
    train = make_gt(args.train_images, rng, prefix='HICO_train2015')
    preds = make_predictions(test, rng)
    report: dict[str, Any] = {
        'images': len(test), 'gt_hois': sum(len(e['hoi_annotation']) for e in test),
        'pred_triplets': sum(len(e['hoi_prediction']) for e in preds),
        'generate_s': round(time.perf_counter() - t0, 2)}
    t0 = time.perf_counter()
    gt = hico_gt_from_entries(test, train)
    report['load_gt_s'] = round(time.perf_counter() - t0, 3)
    results = {}
    for mode in MODES:
        parse, core = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            flat = read_predictions(preds, gt.file_names, gt.vocab, 'synthetic predictions')
            t1 = time.perf_counter()
            results[mode] = evaluate_hico(gt, flat, mode=mode)
            parse.append(t1 - t0)
            core.append(time.perf_counter() - t1)
        report[f'ours_{mode}_s'] = round(min(p + c for p, c in zip(parse, core)), 3)
        report[f'ours_{mode}_parse_s'] = round(min(parse), 3)
        report[f'ours_{mode}_core_s'] = round(min(core), 3)
        report[f'ours_{mode}'] = {k: results[mode].metrics[k] for k in (
            'mAP_full', 'mAP_rare', 'mAP_non_rare', 'mAP_full_ko', 'mAP_rare_ko',
            'mAP_non_rare_ko')}
    if args.reference_repo:
        ref_cls, ref_ko_cls = load_reference(args.reference_repo)
        state = reference_state(test, train, preds)
        t0 = time.perf_counter()
        ref = run_reference(ref_ko_cls or ref_cls, state)
        report['reference_s'] = round(time.perf_counter() - t0, 2)
        report['reference_evaluator'] = (ref_ko_cls or ref_cls).__name__
        report['reference'] = {k: val * 100 for k, val in ref.items()}
        report['speedup'] = round(report['reference_s'] / report['ours_reference_s'], 1)
        report['speedup_core'] = round(report['reference_s'] / report['ours_reference_core_s'], 1)
        report['max_abs_diff'] = max(abs(results['reference'].raw[k] - val)
                                     for k, val in ref.items())
        report['compared_keys'] = sorted(ref)
    print(json.dumps(report, indent=1))
    if args.out:
        args.out.write_text(json.dumps(report, indent=1))
    return report


if __name__ == '__main__':
    main()
