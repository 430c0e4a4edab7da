"""``mode='genvlkt'``: the three rules where GEN-VLKT's ``hico_eval_triplet.py`` departs
from the QPIC / CDN / MUREN evaluator, one hand-made case each."""
import numpy as np
import pytest

from tests.evaluation.worlds import gt_image, pred_image, train_set
from vlmhoi.evaluation import evaluate_hico, hico_gt_from_entries
from vlmhoi.evaluation.hico_eval_genvlkt import first_of_equal_scores

RIDE, HOLD_CUP = ('ride', 'bicycle'), ('hold', 'cup')
TRAIN = train_set({RIDE: 12, HOLD_CUP: 3})
DOG = 18  # COCO id of a non-person subject class


def ap(test, preds, mode):
    res = evaluate_hico(hico_gt_from_entries(test, TRAIN), preds, mode=mode)
    return {(r['verb'], r['object']): r['ap'] for r in res.categories}, res.metrics


def test_tied_scores_become_copies_of_the_first_triplet():
    test = [gt_image('a.jpg', [RIDE, HOLD_CUP])]
    preds = [pred_image('a.jpg', [(*RIDE, 0.5), (*HOLD_CUP, 0.5)])]
    ref, _ = ap(test, preds, 'reference')
    gen, m = ap(test, preds, 'genvlkt')
    assert ref[RIDE] == pytest.approx(1) and ref[HOLD_CUP] == pytest.approx(1)
    # both top-k slots hold the first 0.5 triplet (ride): TP, then a duplicate FP
    assert gen[RIDE] == pytest.approx(1) and gen[HOLD_CUP] == 0
    assert m['num_detections'] == 2
    preds = [pred_image('a.jpg', [(*RIDE, 0.5), (*HOLD_CUP, 0.4)])]
    assert ap(test, preds, 'genvlkt')[0][HOLD_CUP] == pytest.approx(1)


def test_subject_class_is_ignored():
    test = [gt_image('a.jpg', [RIDE])]
    preds = [pred_image('a.jpg', [(*RIDE, 0.9, [0, 0, 9, 9], [20, 20, 29, 29], DOG)])]
    assert ap(test, preds, 'reference')[0][RIDE] == 0       # (dog, bicycle, ride): no GT
    assert ap(test, preds, 'genvlkt')[0][RIDE] == pytest.approx(1)


def test_detections_in_images_without_ground_truth_boxes_are_false_positives():
    test = [gt_image('a.jpg', [RIDE]), gt_image('b.jpg', [], boxes=False)]
    preds = [pred_image('a.jpg', [(*RIDE, 0.5)]), pred_image('b.jpg', [(*RIDE, 0.9)])]
    assert ap(test, preds, 'reference')[0][RIDE] == pytest.approx(1)   # b.jpg skipped
    gen, m = ap(test, preds, 'genvlkt')
    # ranks: FP (0.9, b.jpg), TP (0.5): precision 1/2 at recall 1 -> 11-point AP 0.5
    assert gen[RIDE] == pytest.approx(0.5)
    assert m['num_detections'] == 2


def test_pairs_that_are_no_hoi_are_dropped_before_the_top_k():
    test = [gt_image('a.jpg', [RIDE])]
    preds = [pred_image('a.jpg', [('ride', 'cup', 0.99), (*RIDE, 0.5)])]
    gen, m = ap(test, preds, 'genvlkt')
    assert gen[RIDE] == pytest.approx(1)
    assert m['num_dropped_not_hoi'] == 1
    # with a top-1 the surviving HOI still counts: the non-HOI never took a slot
    res = evaluate_hico(hico_gt_from_entries(test, TRAIN), preds, mode='genvlkt',
                        max_per_image=1)
    assert res.metrics['mAP_full'] == pytest.approx(100)


def test_first_of_equal_scores():
    img = np.array([0, 0, 0, 1, 1, 1])
    score = np.array([0.5, 0.2, 0.5, 0.5, 0.5, 0.1])
    assert first_of_equal_scores(img, score).tolist() == [0, 1, 0, 3, 3, 5]
