"""Equality with the reference evaluators' own code: CDN and QPIC (``hico_eval.py``), MUREN
(``hico_eval_ko.py`` for Known-Object) in reference mode, GEN-VLKT's
``hico_eval_triplet.py`` in genvlkt mode.

Checkouts come from ``$VLMHOI_REFERENCE_REPOS`` (tests/reference_repos.py); without it the
tests skip. Random inputs include tied scores, duplicate detections, near-0.5 overlaps,
non-integer boxes and images without ground truth.
"""
import numpy as np
import pytest

from tests.evaluation.worlds import (
    AT_HALF_IN_F32,
    AT_HALF_IN_F64,
    RIDE,
    SUB,
    gt_image,
    pred_image,
)
from tests.reference_repos import require_checkout
from vlmhoi.evaluation import evaluate_hico, hico_gt_from_entries
from vlmhoi.evaluation.random_hico import make_gt, make_predictions
from vlmhoi.evaluation.reference_genvlkt import (
    dense_to_exchange,
    load_genvlkt_evaluator,
    random_dense_case,
    run_genvlkt,
)
from vlmhoi.evaluation.reference_harness import load_reference, reference_state, run_reference


def random_case(seed: int, decimals: int | None = None):
    """Random input; with ``decimals`` all scores are rounded (many ties, where the
    reference's quicksort ranking differs from a stable one). Every other image has
    two-decimal ground-truth boxes (float32 cannot hold them), two images hold the crafted
    cases where float32 and float64 decide IoU = 0.5 differently."""
    rng = np.random.default_rng(seed)
    test = make_gt(40, rng)
    for e in test[::2]:
        for b in e['annotations']:
            b['bbox'] = [round(c + float(rng.random()), 2) for c in b['bbox']]
    test[5] = dict(test[5], annotations=[], hoi_annotation=[])        # no ground truth
    test[6] = dict(test[6], hoi_annotation=[])                        # boxes, no HOI
    train = make_gt(150, rng, tail=2.0, prefix='train')
    preds = make_predictions(test, rng, queries=12, per_image=int(rng.integers(20, 130)))
    for i, (gt_box, pred_box) in zip((7, 8), (AT_HALF_IN_F64, AT_HALF_IN_F32)):
        name = test[i]['file_name']
        test[i] = gt_image(name, [RIDE], obj=gt_box)
        preds[i] = pred_image(name, [(*RIDE, 0.95, SUB, pred_box)])
    if decimals is not None:
        for e in preds:
            for h in e['hoi_prediction']:
                h['score'] = round(h['score'], decimals)
    return test, train, preds


@pytest.mark.parametrize('name', ['CDN', 'qpic', 'MUREN'])
def test_reference_mode_equals_reference_code(name):
    ref_cls, ko_cls = load_reference(require_checkout(name, 'datasets/hico_eval.py'))
    cls = ko_cls or ref_cls
    for seed, decimals in ((0, None), (1, None), (2, 1), (3, 1), (4, 0)):
        test, train, preds = random_case(seed, decimals)
        ref = run_reference(cls, reference_state(test, train, preds))
        ours = evaluate_hico(hico_gt_from_entries(test, train), preds).raw
        assert set(ref) <= set(ours)
        if name == 'MUREN':
            assert 'mAP_full_ko' in ref
        for k, v in ref.items():
            assert ours[k] == v, (seed, k)


def test_genvlkt_mode_equals_genvlkt_code(tmp_path):
    cls = load_genvlkt_evaluator(require_checkout('gen-vlkt', 'datasets/hico_eval_triplet.py'))
    differs = 0
    for seed in range(4):
        rng = np.random.default_rng(seed)
        test = make_gt(30, rng)
        test[3] = dict(test[3], annotations=[], hoi_annotation=[])   # detections there: FP
        train = make_gt(150, rng, tail=2.0, prefix='train')
        dense = random_dense_case(test, rng)
        ref = run_genvlkt(cls, test, train, dense, tmp_path / 'genvlkt.json')
        preds = dense_to_exchange(test, dense)
        gt = hico_gt_from_entries(test, train)
        ours = evaluate_hico(gt, preds, mode='genvlkt').raw
        assert set(ref) == {'mAP_full', 'mAP_rare', 'mAP_non_rare', 'mean_max_recall'}
        for k, v in ref.items():
            assert ours[k] == v, (seed, k)
        differs += evaluate_hico(gt, preds, mode='reference').raw['mAP_full'] != ours['mAP_full']
    assert differs == 4   # the case exercises what sets the two evaluators apart
