"""Properties of the HICO-DET evaluator on random synthetic inputs, both protocols."""
import copy

import numpy as np
import pytest

from tests.evaluation.worlds import bench_module
from vlmhoi.evaluation import evaluate_hico, hico_gt_from_entries

MODES = ('reference', 'official')
KEYS = ('mAP_full', 'mAP_rare', 'mAP_non_rare', 'mAP_full_ko', 'mAP_rare_ko',
        'mAP_non_rare_ko')


@pytest.fixture(scope='module')
def world():
    b = bench_module()
    rng = np.random.default_rng(7)
    test = b.make_gt(60, rng)
    for e in test:   # duplicate GT pairs can never all be matched (each detection picks one)
        unique = {(h['subject_id'], h['object_id'], h['category_id']): h
                  for h in e['hoi_annotation']}
        e['hoi_annotation'] = list(unique.values())
    train = b.make_gt(300, rng, tail=2.0, prefix='train')
    preds = b.make_predictions(test, rng, queries=16, per_image=50)
    for e in preds:   # distinct scores: ties would make file order matter
        for h in e['hoi_prediction']:
            h['score'] = float(rng.random()) if h['score'] > 0 else 0.0
    return hico_gt_from_entries(test, train), test, preds


def perfect(test):
    return [{'file_name': e['file_name'], 'predictions': copy.deepcopy(e['annotations']),
             'hoi_prediction': [dict(h, score=1.0) for h in e['hoi_annotation']]}
            for e in test]


@pytest.mark.parametrize('mode', MODES)
def test_perfect_predictions_give_100(world, mode):
    gt, test, _ = world
    m = evaluate_hico(gt, perfect(test), mode=mode).metrics
    if mode == 'reference':
        assert m['num_rare'] > 0 and m['num_non_rare'] > 0
        for k in KEYS:
            assert m[k] == pytest.approx(100.0)
    else:   # official: the 600 HOIs include ones without test instances (AP 0)
        res = evaluate_hico(gt, perfect(test), mode=mode)
        with_gt = [r for r in res.categories if r['n_test'] > 0]
        assert with_gt and all(r['ap'] == pytest.approx(1) and r['ap_ko'] == pytest.approx(1)
                               for r in with_gt)
        assert m['mAP_full'] == pytest.approx(100.0 * len(with_gt) / 600)


@pytest.mark.parametrize('mode', MODES)
def test_permuting_predictions_within_an_image_changes_nothing(world, mode):
    gt, _, preds = world
    rng = np.random.default_rng(1)
    shuffled = []
    for e in preds:
        perm = rng.permutation(len(e['predictions']))
        new_index = np.argsort(perm)
        hois = [dict(h, subject_id=int(new_index[h['subject_id']]),
                     object_id=int(new_index[h['object_id']])) for h in e['hoi_prediction']]
        shuffled.append({'file_name': e['file_name'],
                         'predictions': [e['predictions'][i] for i in perm],
                         'hoi_prediction': [hois[i] for i in rng.permutation(len(hois))]})
    a = evaluate_hico(gt, preds, mode=mode)
    b = evaluate_hico(gt, shuffled, mode=mode)
    assert a.raw == b.raw
    assert [r['ap'] for r in a.categories] == [r['ap'] for r in b.categories]


@pytest.mark.parametrize('mode', MODES)
def test_adding_a_lower_scored_false_positive_never_raises_ap(world, mode):
    gt, test, preds = world
    base = evaluate_hico(gt, preds, mode=mode)
    rng = np.random.default_rng(3)
    for trial in range(6):
        i = int(rng.integers(len(test)))
        if not test[i]['hoi_annotation']:
            continue
        h = test[i]['hoi_annotation'][0]
        worse = copy.deepcopy(preds)
        e = worse[i]
        e['predictions'] += [{'bbox': [600, 400, 630, 430], 'category_id': 1},
                             {'bbox': [0, 400, 20, 430],
                              'category_id': test[i]['annotations'][h['object_id']]
                              ['category_id']}]
        n = len(e['predictions'])
        e['hoi_prediction'].append({'subject_id': n - 2, 'object_id': n - 1,
                                    'category_id': h['category_id'], 'score': -1.0 - trial})
        res = evaluate_hico(gt, worse, mode=mode)
        changed = 0
        for r0, r1 in zip(base.categories, res.categories):
            for k in ('ap', 'ap_ko'):
                assert r1[k] <= r0[k] + 1e-12
                changed += r1[k] < r0[k] - 1e-12
        assert sum(r['n_det'] for r in res.categories) == \
            sum(r['n_det'] for r in base.categories) + 1
        for k in KEYS:
            assert res.metrics[k] <= base.metrics[k] + 1e-9
