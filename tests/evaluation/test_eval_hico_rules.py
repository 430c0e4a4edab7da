"""HICO-DET evaluation rules, one hand-computed case each (both protocols where they differ)."""
import pytest

from tests.evaluation.worlds import gt_image, hico_ids, pred_image, train_set
from vlmhoi.evaluation import evaluate_hico, hico_gt_from_entries

RIDE, HOLD_CUP, KICK = ('ride', 'bicycle'), ('hold', 'cup'), ('kick', 'sports ball')
TRAIN = train_set({RIDE: 12, HOLD_CUP: 3})


def run(test, preds, mode='reference', train=TRAIN, **kw):
    return evaluate_hico(hico_gt_from_entries(test, train), preds, mode=mode, **kw)


def row_of(result, verb_obj):
    vid, oid = hico_ids(*verb_obj)
    rows = [r for r in result.categories if r['verb_id'] == vid and r['object_id'] == oid]
    assert len(rows) == 1
    return rows[0]


def ap_of(result, verb_obj, setting=''):
    return row_of(result, verb_obj)['ap' + setting]


def test_duplicate_detection_is_a_false_positive():
    test = [gt_image('a.jpg', [RIDE]), gt_image('b.jpg', [RIDE])]
    preds = [pred_image('a.jpg', [(*RIDE, 0.9), (*RIDE, 0.8)]),
             pred_image('b.jpg', [(*RIDE, 0.7)])]
    for mode in ('reference', 'official'):
        # ranks: TP, duplicate FP, TP -> rec .5 .5 1, prec 1 .5 2/3
        assert ap_of(run(test, preds, mode), RIDE) == pytest.approx(28 / 33)


@pytest.mark.parametrize('y2,matched', [(4, True), (3.98, False)])
def test_iou_at_and_just_below_half(y2, matched):
    test = [gt_image('a.jpg', [RIDE])]
    obj = [20, 20, 29, 20 + y2]   # IoU with the 10x10 GT object box: 0.5 / 0.498
    preds = [pred_image('a.jpg', [(*RIDE, 0.9, [0, 0, 9, 9], obj)])]
    for mode in ('reference', 'official'):
        assert ap_of(run(test, preds, mode), RIDE) == pytest.approx(1.0 if matched else 0.0)


def test_wrong_verb_and_wrong_object_do_not_match():
    test = [gt_image('a.jpg', [RIDE])]
    for wrong in (('repair', 'bicycle'), ('hold', 'dog')):
        preds = [pred_image('a.jpg', [(*wrong, 0.9)])]
        res = run(test, preds)
        assert ap_of(res, RIDE) == 0.0
        assert res.metrics['num_detections'] == 0   # triplet not in the test GT: skipped
        assert ap_of(run(test, preds, 'official'), RIDE) == 0.0


def test_best_ground_truth_is_taken_even_if_already_matched():
    """VOC rule: a detection picks its best-overlapping GT; if that one is taken it is a
    false positive although another GT would have matched."""
    a = gt_image('a.jpg', [RIDE, RIDE])
    a['annotations'][2]['bbox'] = [20, 20, 29, 31]   # GT 2: 10 x 12 pixels
    # detection 2: IoU 100/104 with GT 1 (taken by detection 1), 104/120 with GT 2
    preds = [pred_image('a.jpg', [(*RIDE, 0.9), (*RIDE, 0.8, [0, 0, 9, 9], [20, 20, 29, 29.4])])]
    for mode in ('reference', 'official'):
        res = run([a], preds, mode)
        assert ap_of(res, RIDE) == pytest.approx(6 / 11)   # TP, FP of 2 GTs
        assert row_of(res, RIDE)['n_tp'] == 1 and row_of(res, RIDE)['n_det'] == 2


def test_image_without_ground_truth():
    test = [gt_image('a.jpg', [RIDE]), gt_image('b.jpg', [], boxes=False)]
    preds = [pred_image('a.jpg', [(*RIDE, 0.5)]), pred_image('b.jpg', [(*RIDE, 0.9)])]
    assert ap_of(run(test, preds), RIDE) == pytest.approx(1.0)  # reference skips the image
    assert ap_of(run(test, preds, 'official'), RIDE) == pytest.approx(0.5)   # FP ranked 1st
    # boxes but no HOI annotation: the reference counts the false positive too
    test[1] = {'file_name': 'b.jpg', 'annotations': [{'bbox': [0, 0, 5, 5], 'category_id': 1}],
               'hoi_annotation': []}
    assert ap_of(run(test, preds), RIDE) == pytest.approx(0.5)


def test_known_object_drops_detections_of_absent_objects():
    test = [gt_image('a.jpg', [RIDE]), gt_image('b.jpg', [HOLD_CUP])]
    preds = [pred_image('a.jpg', [(*RIDE, 0.5)]),
             pred_image('b.jpg', [(*RIDE, 0.9), (*HOLD_CUP, 0.8)])]
    for mode in ('reference', 'official'):
        res = run(test, preds, mode)
        assert ap_of(res, RIDE) == pytest.approx(0.5)
        assert ap_of(res, RIDE, '_ko') == pytest.approx(1.0)  # no bicycle HOI in b.jpg
        assert ap_of(res, HOLD_CUP, '_ko') == pytest.approx(1.0)
    ref = run(test, preds)
    assert ref.metrics['mAP_full'] == pytest.approx(75.0)
    assert ref.metrics['mAP_full_ko'] == pytest.approx(100.0)


def test_rare_split_from_training_counts():
    test = [gt_image('a.jpg', [RIDE, HOLD_CUP, KICK])]
    preds = [pred_image('a.jpg', [(*RIDE, 0.9), (*KICK, 0.8)])]
    ref = run(test, preds, train=train_set({RIDE: 10, HOLD_CUP: 9}))
    m = ref.metrics
    assert (m['num_categories'], m['num_rare'], m['num_non_rare']) == (3, 1, 1)
    assert m['mAP_non_rare'] == pytest.approx(100.0)   # ride: 10 training instances
    assert m['mAP_rare'] == pytest.approx(0.0)         # hold cup: 9
    assert m['mAP_full'] == pytest.approx(200 / 3)     # kick: not in training, Full only
    assert row_of(ref, KICK)['rare'] is None and row_of(ref, KICK)['n_train'] == 0
    gen = run(test, preds, 'genvlkt', train=train_set({RIDE: 10, HOLD_CUP: 9})).metrics
    assert {k: gen[k] for k in m if k.startswith(('mAP', 'num_rare', 'num_non'))} == \
        {k: m[k] for k in m if k.startswith(('mAP', 'num_rare', 'num_non'))}
    off = run(test, preds, 'official', train=train_set({RIDE: 10, HOLD_CUP: 9}))
    assert row_of(off, RIDE)['rare'] is False and row_of(off, HOLD_CUP)['rare'] is True
    assert row_of(off, KICK)['rare'] is True and ap_of(off, KICK) == pytest.approx(1.0)
    assert off.metrics['num_categories'] == 600
    assert off.metrics['mAP_full'] == pytest.approx(200 / 600)


def test_top_100_cut_only_in_reference_mode():
    test = [gt_image('a.jpg', [RIDE])]
    far = [200, 200, 220, 220]
    triplets = [(*RIDE, 0.9, [100, 100, 120, 120], far) for _ in range(100)]
    preds = [pred_image('a.jpg', triplets + [(*RIDE, 0.1)])]
    assert ap_of(run(test, preds), RIDE) == 0.0
    assert ap_of(run(test, preds, max_per_image=None), RIDE) > 0
    assert ap_of(run(test, preds, 'official'), RIDE) > 0


def test_recall_exactly_0_6_counts_only_officially():
    test = [gt_image(f'{i}.jpg', [RIDE]) for i in range(10)]
    preds = [pred_image(f'{i}.jpg', [(*RIDE, 0.5)] if i < 6 else []) for i in range(10)]
    assert ap_of(run(test, preds), RIDE) == pytest.approx(6 / 11)
    assert ap_of(run(test, preds, 'official'), RIDE) == pytest.approx(7 / 11)


def test_subject_class_only_matters_in_reference_mode():
    test = [gt_image('a.jpg', [RIDE])]
    dog = hico_ids('feed', 'dog')[1]
    preds = [pred_image('a.jpg', [(*RIDE, 0.9, [0, 0, 9, 9], [20, 20, 29, 29], dog)])]
    assert ap_of(run(test, preds), RIDE) == 0.0
    assert ap_of(run(test, preds, 'official'), RIDE) == pytest.approx(1.0)


def test_correct_mat_masks_scores_before_the_cut():
    import numpy as np

    from vlmhoi.vocab import hico_vocab
    test = [gt_image('a.jpg', [RIDE])]
    far = [200, 200, 220, 220]
    noise = [('hold', 'bicycle', 0.9, [100, 100, 120, 120], far)] * 100
    preds = [pred_image('a.jpg', noise + [(*RIDE, 0.1)])]
    mat = hico_vocab().correct_mat()
    assert ap_of(run(test, preds, correct_mat=mat), RIDE) == 0.0    # cut off by the noise
    v = hico_vocab()
    mat[v.verb_names.index('hold'), v.object_names.index('bicycle')] = 0
    # the noise now scores 0 and sorts after the true detection
    assert ap_of(run(test, preds, correct_mat=mat), RIDE) == pytest.approx(1.0)
    with pytest.raises(ValueError, match='correct_mat'):
        run(test, preds, correct_mat=np.ones((3, 3)))
