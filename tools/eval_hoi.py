"""Evaluate an exchange-format prediction file on HICO-DET or V-COCO; prints one JSON object.

    python tools/eval_hoi.py --dataset hico --gt test_hico.json --train-gt trainval_hico.json \
        --pred preds.json [--mode reference|genvlkt|official] [--per-category-csv F] \
        [--pr-curves DIR --categories 1 ride:bicycle]
    python tools/eval_hoi.py --dataset vcoco --gt test_vcoco.json --pred preds.json \
        [--vsrl-gt vcoco_test.json --coco-gt instances_vcoco_all_2014.json \
         --split-ids vcoco_test.ids] [--correct-mat corre_vcoco.npy] [--dump-vsrl-dets F.pkl]

Without the official V-COCO files the ground truth is derived from --gt
(vlmhoi/evaluation/vcoco_from_qpic.py; fine for the synthetic world, not for real numbers).

The prediction format is docs/prediction_format.md. Bad input exits with status 2 and a
message naming the file, the image and the entry.
"""
from __future__ import annotations

import argparse
import json
import math
import pickle
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vlmhoi.evaluation.hico_eval import MODES, evaluate_hico  # noqa: E402
from vlmhoi.evaluation.hico_gt import load_hico_gt  # noqa: E402
from vlmhoi.evaluation.pred_format import load_json_file  # noqa: E402
from vlmhoi.evaluation.report import (  # noqa: E402
    plot_pr_curves,
    select_categories,
    write_category_csv,
)
from vlmhoi.evaluation.vcoco_dets import (  # noqa: E402
    detections_from_exchange,
    detections_to_records,
)
from vlmhoi.evaluation.vcoco_eval import evaluate_vcoco  # noqa: E402
from vlmhoi.evaluation.vcoco_from_qpic import (  # noqa: E402
    load_vcoco_images,
    official_from_qpic,
)
from vlmhoi.evaluation.vcoco_gt import load_vcoco_gt, vcoco_gt_from_data  # noqa: E402
from vlmhoi.hoi_format_errors import HOIFormatError, PredictionFormatError  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--dataset', choices=('hico', 'vcoco'), required=True)
    p.add_argument('--gt', required=True, help='test_hico.json / test_vcoco.json')
    p.add_argument('--pred', required=True, help='exchange-format predictions (json)')
    p.add_argument('--train-gt', help='trainval_hico.json (HICO-DET rare split)')
    p.add_argument('--mode', choices=MODES, default='reference',
                   help='HICO-DET protocol: reference = QPIC/CDN/MUREN hico_eval.py, genvlkt = '
                        "GEN-VLKT's hico_eval_triplet.py, official = MATLAB (V-COCO is always "
                        'vsrl_eval.py)')
    p.add_argument('--correct-mat', help='corre_hico.npy / corre_vcoco.npy')
    p.add_argument('--max-per-image', type=int, default=100,
                   help='triplets kept per image (HICO-DET reference mode)')
    p.add_argument('--vsrl-gt', help='official vcoco_test.json')
    p.add_argument('--coco-gt', help='instances_vcoco_all_2014.json')
    p.add_argument('--split-ids', help='vcoco_test.ids')
    p.add_argument('--dump-vsrl-dets', help='write the official detection pickle here')
    p.add_argument('--per-category-csv', help='write per-category AP here')
    p.add_argument('--pr-curves', help='directory for precision-recall plots')
    p.add_argument('--categories', nargs='+', default=[],
                   help='categories to plot: HOI id or verb:object (HICO-DET), '
                        'action:role or row number (V-COCO)')
    args = p.parse_args(argv)
    if args.dataset == 'hico' and args.train_gt is None:
        p.error('--dataset hico needs --train-gt')
    official = [args.vsrl_gt, args.coco_gt, args.split_ids]
    if args.dataset == 'vcoco' and any(official) and not all(official):
        p.error('--dataset vcoco needs all of --vsrl-gt, --coco-gt, --split-ids, or none '
                '(then the ground truth is derived from --gt)')
    if args.pr_curves and not args.categories:
        p.error('--pr-curves needs --categories')
    return args


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value.item() if isinstance(value, np.generic) else value


def run(args: argparse.Namespace) -> dict[str, Any]:
    mat = np.load(args.correct_mat) if args.correct_mat else None
    preds = load_json_file(args.pred, PredictionFormatError)
    if args.dataset == 'hico':
        gt = load_hico_gt(args.gt, args.train_gt)
        result = evaluate_hico(gt, preds, mode=args.mode, correct_mat=mat,
                               max_per_image=args.max_per_image, source=args.pred)
    else:
        images = load_vcoco_images(args.gt)
        if args.vsrl_gt:
            vgt = load_vcoco_gt(args.vsrl_gt, args.coco_gt, args.split_ids)
        else:
            vgt = vcoco_gt_from_data(*official_from_qpic(images, args.gt), source=args.gt)
        dets = detections_from_exchange(images, preds, mat, vgt.action_names, vgt.role_names,
                                        args.pred)
        if args.dump_vsrl_dets:
            with open(args.dump_vsrl_dets, 'wb') as f:
                pickle.dump(detections_to_records(dets, vgt.action_names, vgt.role_names), f)
        result = evaluate_vcoco(vgt, dets)
        result.metrics['gt_source'] = 'official' if args.vsrl_gt else 'derived from --gt'
    out = dict(result.metrics)
    if args.per_category_csv:
        out['per_category_csv'] = str(write_category_csv(result, args.per_category_csv))
    if args.pr_curves:
        chosen = select_categories(result, args.categories)
        out['pr_curves'] = [str(p) for p in plot_pr_curves(result, chosen, args.pr_curves)]
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        out = run(args)
    except HOIFormatError as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    except ValueError as exc:  # e.g. an unknown --categories token
        print(f'error: {exc}', file=sys.stderr)
        return 2
    print(json.dumps(_json_safe(out)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
