"""AP interpolations and IoU conventions on hand-computed numbers."""
import numpy as np
import pytest

from vlmhoi.evaluation.ap import (
    OFFICIAL_THRESHOLDS,
    REFERENCE_THRESHOLDS,
    eleven_point_ap,
    voc_allpoint_ap,
)
from vlmhoi.evaluation.iou import iou_official_hico, iou_reference, iou_vsrl


def test_eleven_point_ap_hand_computed():
    rec = np.array([0.5, 0.5, 1.0])
    prec = np.array([1.0, 0.5, 2 / 3])
    assert eleven_point_ap(rec, prec) == pytest.approx((6 + 5 * 2 / 3) / 11)
    assert eleven_point_ap(np.zeros(0), np.zeros(0)) == 0.0


def test_thresholds_differ_exactly_at_0_6_and_0_7():
    assert REFERENCE_THRESHOLDS[6] > 0.6 and OFFICIAL_THRESHOLDS[6] == 0.6
    assert REFERENCE_THRESHOLDS[7] > 0.7 and OFFICIAL_THRESHOLDS[7] == 0.7
    same = [0, 1, 2, 3, 4, 5, 8, 9, 10]
    assert np.array_equal(REFERENCE_THRESHOLDS[same], OFFICIAL_THRESHOLDS[same])
    rec, prec = np.array([0.6]), np.array([1.0])
    assert eleven_point_ap(rec, prec, REFERENCE_THRESHOLDS) == pytest.approx(6 / 11)
    assert eleven_point_ap(rec, prec, OFFICIAL_THRESHOLDS) == pytest.approx(7 / 11)


def test_allpoint_ap_is_area_under_envelope():
    rec = np.array([0.25, 0.5, 0.5, 0.75])
    prec = np.array([1.0, 1.0, 2 / 3, 0.75])
    assert voc_allpoint_ap(rec, prec) == pytest.approx(0.5 * 1.0 + 0.25 * 0.75)


def box(*b):
    return np.array([b], dtype=np.float64)


def test_iou_plus_one_convention():
    gt = box(0, 0, 9, 9)   # 10 x 10 pixels
    assert iou_reference(box(0, 0, 9, 4), gt)[0] == 0.5
    assert iou_official_hico(box(0, 0, 9, 4), gt)[0] == 0.5
    assert iou_reference(box(0, 0, 9, 3.98), gt)[0] < 0.5


def test_touching_boxes_reference_zero_official_positive():
    gt, pred = box(0, 0, 9, 9), box(9, 0, 18, 9)
    assert iou_reference(pred, gt)[0] == 0.0
    assert iou_official_hico(pred, gt)[0] == pytest.approx(10 / 190)
    assert iou_official_hico(box(10, 0, 18, 9), gt)[0] == 0.0


def test_vsrl_iou_float32_and_nan():
    gt = box(0, 0, 9, 9).astype(np.float32)
    out = iou_vsrl(box(0, 0, 9, 4).astype(np.float32), gt)
    assert out.dtype == np.float32 and out[0] == 0.5
    assert np.isnan(iou_vsrl(np.full((1, 4), np.nan, np.float32), gt)[0])
