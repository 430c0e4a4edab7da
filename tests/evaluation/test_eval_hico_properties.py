"""Properties of the HICO-DET evaluator on random synthetic inputs, every protocol."""
import copy

import numpy as np
import pytest

from vlmhoi.evaluation import MODES, evaluate_hico, hico_gt_from_entries
from vlmhoi.evaluation.random_hico import make_gt, make_predictions

KEYS = ('mAP_full', 'mAP_rare', 'mAP_non_rare', 'mAP_full_ko', 'mAP_rare_ko',
        'mAP_non_rare_ko')


@pytest.fixture(scope='module')
def world():
    rng = np.random.default_rng(7)
    test = make_gt(60, rng)
    for e in test:   # duplicate GT pairs can never all be matched (each detection picks one)
        unique = {(h['subject_id'], h['object_id'], h['category_id']): h
                  for h in e['hoi_annotation']}
        e['hoi_annotation'] = list(unique.values())
    train = make_gt(300, rng, tail=2.0, prefix='train')
    preds = make_predictions(test, rng, queries=16, per_image=50)
    for e in preds:   # distinct scores: ties would make file order matter
        for h in e['hoi_prediction']:
            h['score'] = float(rng.random()) if h['score'] > 0 else 0.0
    return hico_gt_from_entries(test, train), test, preds


def perfect(test):
    """The ground truth as predictions, with distinct scores (GEN-VLKT turns tied scores of
    an image into copies of one triplet)."""
    return [{'file_name': e['file_name'], 'predictions': copy.deepcopy(e['annotations']),
             'hoi_prediction': [dict(h, score=1.0 - 1e-3 * j)
                                for j, h in enumerate(e['hoi_annotation'])]}
            for e in test]


@pytest.mark.parametrize('mode', MODES)
def test_perfect_predictions_give_100(world, mode):
    gt, test, _ = world
    res = evaluate_hico(gt, perfect(test), mode=mode)
    m = res.metrics
    with_gt = [r for r in res.categories if r['n_test'] > 0]
    assert with_gt and all(r['ap'] == pytest.approx(1) and r['ap_ko'] == pytest.approx(1)
                           and r['max_recall'] == pytest.approx(1) for r in with_gt)
    assert m['num_rare'] > 0 and m['num_non_rare'] > 0
    if mode == 'official':   # the 600 HOIs include ones without test instances (AP 0)
        assert m['num_categories'] == 600 > len(with_gt)
        assert m['num_categories_without_test_gt'] == 600 - len(with_gt)
        assert m['mAP_full'] == pytest.approx(100.0 * len(with_gt) / 600)
    else:
        assert m['num_categories'] == len(with_gt)
        for k in KEYS:
            assert m[k] == pytest.approx(100.0), k


def shuffled(preds, rng):
    out = []
    for e in preds:
        perm = rng.permutation(len(e['predictions']))
        new_index = np.argsort(perm)
        hois = [dict(h, subject_id=int(new_index[h['subject_id']]),
                     object_id=int(new_index[h['object_id']])) for h in e['hoi_prediction']]
        out.append({'file_name': e['file_name'],
                    'predictions': [e['predictions'][i] for i in perm],
                    'hoi_prediction': [hois[i] for i in rng.permutation(len(hois))]})
    return out


@pytest.mark.parametrize('mode', MODES)
def test_permuting_predictions_within_an_image_changes_nothing(world, mode):
    gt, _, preds = world
    a = evaluate_hico(gt, preds, mode=mode)
    b = evaluate_hico(gt, shuffled(preds, np.random.default_rng(1)), mode=mode)
    assert a.raw == b.raw
    assert a.raw['mAP_full'] > 0
    assert a.categories == b.categories


def add_false_positive(preds, test, i, score):
    """A copy of ``preds`` with a detection of image ``i``'s first ground-truth HOI whose
    boxes overlap nothing."""
    h = test[i]['hoi_annotation'][0]
    worse = copy.deepcopy(preds)
    e = worse[i]
    e['predictions'] += [{'bbox': [600, 400, 630, 430], 'category_id': 1},
                         {'bbox': [0, 400, 20, 430], 'category_id':
                          test[i]['annotations'][h['object_id']]['category_id']}]
    n = len(e['predictions'])
    e['hoi_prediction'].append({'subject_id': n - 2, 'object_id': n - 1,
                                'category_id': h['category_id'], 'score': score})
    return worse


def category_of(result, test, i):
    h = test[i]['hoi_annotation'][0]
    verb = h['category_id']
    obj = test[i]['annotations'][h['object_id']]['category_id']
    return next(c for c, r in enumerate(result.categories)
                if r['verb_id'] == verb and r['object_id'] == obj)


@pytest.mark.parametrize('mode', MODES)
def test_false_positives_lower_ap_only_when_ranked_above_true_positives(world, mode):
    gt, test, preds = world
    base = evaluate_hico(gt, preds, mode=mode)
    images = [i for i, e in enumerate(test) if e['hoi_annotation']][:6]
    lowered = 0
    for trial, i in enumerate(images):
        # ranked last: interpolated 11-point AP ignores trailing false positives
        last = evaluate_hico(gt, add_false_positive(preds, test, i, -1.0 - trial), mode=mode)
        c = category_of(base, test, i)
        assert last.raw == base.raw
        assert [r['ap'] for r in last.categories] == [r['ap'] for r in base.categories]
        assert last.categories[c]['n_det'] == base.categories[c]['n_det'] + 1
        assert last.categories[c]['n_tp'] == base.categories[c]['n_tp']
        # ranked first: every precision of the category drops
        first = evaluate_hico(gt, add_false_positive(preds, test, i, 10.0), mode=mode)
        for r0, r1 in zip(base.categories, first.categories):
            for k in ('ap', 'ap_ko'):
                assert r1[k] <= r0[k]
        for k in ('ap', 'ap_ko'):
            if base.categories[c][k] > 0:
                assert first.categories[c][k] < base.categories[c][k]
                lowered += 1
        for k in KEYS:
            assert first.metrics[k] <= base.metrics[k] + 1e-9
    assert lowered >= 4
