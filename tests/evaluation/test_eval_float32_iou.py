"""Reference mode decides IoU = 0.5 on float32 values (as the reference's float32 ground
truth and model outputs make it); official mode stays float64, as MATLAB."""
import numpy as np
import pytest

from tests.evaluation.worlds import (
    AT_HALF_IN_F32,
    AT_HALF_IN_F64,
    RIDE,
    SUB,
    gt_image,
    pred_image,
    train_set,
)
from vlmhoi.evaluation import evaluate_hico, hico_gt_from_entries
from vlmhoi.evaluation.iou import iou_official_hico, iou_reference


def _f32_iou(pred, gt):
    """The reference's arithmetic on float32 scalars, written out for one pair."""
    p, g = np.float32(pred), np.float32(gt)
    inter = (min(p[3], g[3]) - max(p[1], g[1]) + 1) * (min(p[2], g[2]) - max(p[0], g[0]) + 1)
    total = (p[2] - p[0] + 1) * (p[3] - p[1] + 1) + (g[2] - g[0] + 1) * (g[3] - g[1] + 1)
    return inter / (total - inter)


@pytest.mark.parametrize('gt_box,pred_box,ref_match,official_match', [
    (*AT_HALF_IN_F64, False, True),
    (*AT_HALF_IN_F32, True, False),
])
def test_iou_precision_follows_the_protocol(gt_box, pred_box, ref_match, official_match):
    f64 = iou_official_hico(np.array([pred_box]), np.array([gt_box]))[0]
    f32 = _f32_iou(pred_box, gt_box)
    assert (f64 >= 0.5, f32 >= 0.5) == (official_match, ref_match)   # the case is crafted
    assert iou_reference(np.array([pred_box]), np.array([gt_box]))[0] == f32

    test = [gt_image('a.jpg', [RIDE], obj=gt_box)]
    preds = [pred_image('a.jpg', [(*RIDE, 0.9, SUB, pred_box)])]
    gt = hico_gt_from_entries(test, train_set({RIDE: 12}))
    for mode, matched in (('reference', ref_match), ('official', official_match)):
        res = evaluate_hico(gt, preds, mode=mode)
        row = next(r for r in res.categories if r['n_test'])
        assert row['ap'] == pytest.approx(1.0 if matched else 0.0), mode
    ref = evaluate_hico(gt, preds, mode='reference').metrics
    assert ref['mAP_full'] == pytest.approx(100.0 if ref_match else 0.0)
