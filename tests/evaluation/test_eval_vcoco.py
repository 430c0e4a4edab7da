"""V-COCO role AP: hand-made Scenario 1 / 2 cases and equality with ``vsrl_eval.py`` (from
``$VLMHOI_REFERENCE_REPOS/v-coco``, see tests/reference_repos.py)."""
import contextlib
import importlib.util
import io
import json
import pickle

import numpy as np
import pytest

from tests.evaluation.worlds import cat_id, make_vcoco_world
from tests.reference_repos import require_checkout
from vlmhoi.evaluation import evaluate_vcoco_predictions, vcoco_gt_from_data
from vlmhoi.evaluation.vcoco_dets import detections_from_exchange, detections_to_records
from vlmhoi.evaluation.vcoco_from_qpic import official_from_qpic
from vlmhoi.vocab import coco_objects, vcoco_action_roles, vcoco_official_actions

IMG = 10
CLS = {c['name']: c['id'] for c in vcoco_action_roles()}
A_BOX, CUP_BOX, B_BOX, BIKE_BOX = [10, 10, 59, 109], [100, 50, 119, 69], \
    [300, 10, 349, 109], [200, 200, 279, 259]


def hand_world_files(labels: dict[str, int]) -> tuple[list, dict]:
    """Official vsrl records and COCO dict: person A (ann 1, in V-COCO) does the actions of
    ``labels`` (action -> role object ann id, 0 = none); the cup is ann 2; person B (ann 3)
    is not annotated in V-COCO; ann 4 is a bicycle."""
    ids, names = coco_objects()
    xywh = {1: A_BOX, 2: CUP_BOX, 3: B_BOX, 4: BIKE_BOX}
    cats = {1: 1, 2: cat_id('cup'), 3: 1, 4: cat_id('bicycle')}
    anns = [{'id': k, 'image_id': IMG, 'iscrowd': 0, 'area': 1.0, 'category_id': cats[k],
             'bbox': [b[0], b[1], b[2] - b[0] + 1, b[3] - b[1] + 1]} for k, b in xywh.items()]
    coco = {'images': [{'id': IMG, 'width': 640, 'height': 480}], 'annotations': anns,
            'categories': [{'id': i, 'name': n} for i, n in zip(ids, names)]}
    vsrl = []
    for act in vcoco_official_actions():
        lab = int(act['name'] in labels)
        roles = [labels.get(act['name'], 0)] * (len(act['roles']) - 1)
        vsrl.append({'action_name': act['name'], 'role_name': act['roles'], 'ann_id': [1],
                     'image_id': [IMG], 'label': [lab], 'role_object_id': [1] + roles})
    return vsrl, coco


def hand_world(labels: dict[str, int]) -> tuple:
    """Ground truth of :func:`hand_world_files` and the QPIC-format image list."""
    gt = vcoco_gt_from_data(*hand_world_files(labels), np.array([IMG]))
    images = [{'file_name': f'COCO_val2014_{IMG:012d}.jpg', 'img_id': IMG}]
    return gt, images


def preds_for(hois: list[tuple]) -> list[dict]:
    boxes = [{'bbox': A_BOX, 'category_id': 1}, {'bbox': CUP_BOX, 'category_id': cat_id('cup')},
             {'bbox': B_BOX, 'category_id': 1},
             {'bbox': BIKE_BOX, 'category_id': cat_id('bicycle')},
             {'bbox': [0, 0, 0, 0], 'category_id': cat_id('cup')}]
    return [{'file_name': f'COCO_val2014_{IMG:012d}.jpg', 'predictions': boxes,
             'hoi_prediction': [{'subject_id': s, 'object_id': o, 'category_id': CLS[c],
                                 'score': p} for s, o, c, p in hois]}]


def role(result, action, role_name):
    return next(r for r in result.categories if (r['action'], r['role']) ==
                (action, role_name))


@pytest.mark.parametrize('look_object,s1,s2', [
    (3, 0.0, 1.0),     # a role box predicted, none annotated: wrong only in Scenario 1
    (-1, 1.0, 1.0),    # no object: NaN box, right in both
    (4, 1.0, 1.0),     # an all-zero box counts as "no role" in Scenario 1
])
def test_empty_role_rule_separates_scenarios(look_object, s1, s2):
    gt, images = hand_world({'hold': 2, 'look': 0})
    preds = preds_for([(0, 1, 'hold_obj', 0.9), (0, look_object, 'look_obj', 0.8)])
    res = evaluate_vcoco_predictions(gt, images, preds)
    look = role(res, 'look', 'obj')
    assert (look['ap_s1'], look['ap_s2']) == pytest.approx((s1, s2))
    assert role(res, 'hold', 'obj')['ap_s1'] == pytest.approx(1.0)
    m = res.metrics
    assert m['num_roles'] == 2   # roles without test positives are NaN, left out
    assert m['AP_role_S1'] == pytest.approx(100 * (1 + s1) / 2, abs=1e-4)
    assert m['AP_role_S2'] == pytest.approx(100 * (1 + s2) / 2, abs=1e-4)


def test_detections_on_unannotated_persons_are_dropped_not_false():
    gt, images = hand_world({'hold': 2})
    preds = preds_for([(0, 1, 'hold_obj', 0.5), (2, 1, 'hold_obj', 0.95)])
    assert role(evaluate_vcoco_predictions(gt, images, preds), 'hold', 'obj')['ap_s1'] == \
        pytest.approx(1.0)


def test_wrong_role_box_or_action_is_false_positive_and_person_counts_once():
    gt, images = hand_world({'hold': 2})
    cases = {'bike as object': [(0, 3, 'hold_obj', 0.9), (0, 1, 'hold_obj', 0.5)],
             'duplicate': [(0, 1, 'hold_obj', 0.9), (0, 4, 'hold_obj', 0.8)]}
    res = evaluate_vcoco_predictions(gt, images, preds_for(cases['bike as object']))
    assert role(res, 'hold', 'obj')['ap_s1'] == pytest.approx(0.5)   # FP then TP
    # second detection of the covered person: FP after the TP, AP stays 1
    res = evaluate_vcoco_predictions(gt, images, preds_for(cases['duplicate']))
    assert role(res, 'hold', 'obj')['ap_s2'] == pytest.approx(1.0)
    assert res.metrics['AP_agent'] == pytest.approx(100 / 26, abs=1e-4)   # hold agent only


def test_generate_style_records():
    gt, images = hand_world({'hold': 2})
    preds = preds_for([(0, 1, 'cut_obj', 0.3), (0, 1, 'cut_instr', 0.6), (0, -1, 'stand', 0.7)])
    dets = detections_from_exchange(images, preds, None, gt.action_names, gt.role_names)
    recs = detections_to_records(dets, gt.action_names, gt.role_names)
    assert len(recs) == 2     # two (subject, object) pairs
    cut = recs[0]
    assert cut['cut_agent'] == pytest.approx(0.6)                 # max over its roles
    assert cut['cut_obj'] == pytest.approx(CUP_BOX + [0.3])
    assert cut['hold_obj'][4] == 0 and cut['hold_agent'] == 0     # absent classes score 0
    assert recs[1]['stand_agent'] == pytest.approx(0.7)
    assert np.isnan(recs[1]['hold_obj'][:4]).all()                 # no object: NaN box
    mat = np.ones((29, 80))
    mat[CLS['cut_obj'], coco_objects()[0].index(cat_id('cup'))] = 0
    masked = detections_to_records(
        detections_from_exchange(images, preds, mat, gt.action_names, gt.role_names),
        gt.action_names, gt.role_names)
    assert masked[0]['cut_obj'][4] == 0 and masked[0]['cut_agent'] == pytest.approx(0.6)


def test_ground_truth_derived_from_qpic_format_equals_official():
    """Where the QPIC format loses nothing (every person annotated, no ignore flags), the
    derived ground truth evaluates exactly like the official files."""
    for seed in range(3):
        w = make_vcoco_world(np.random.default_rng(seed), 25, p_outside=0.0, p_ignore=0.0)
        official = vcoco_gt_from_data(w['vsrl'], w['coco'], w['split'])
        derived = vcoco_gt_from_data(*official_from_qpic(w['entries']))
        a = evaluate_vcoco_predictions(official, w['entries'], w['preds'])
        b = evaluate_vcoco_predictions(derived, w['entries'], w['preds'])
        assert a.metrics == b.metrics
        assert a.metrics['num_roles'] >= 20
    perfect = [{'file_name': e['file_name'], 'predictions': e['annotations'],
                'hoi_prediction': [dict(h, score=1.0) for h in e['hoi_annotation']]}
               for e in w['entries']]
    m = evaluate_vcoco_predictions(derived, w['entries'], perfect).metrics
    assert m['AP_role_S1'] == pytest.approx(100.0, abs=1e-4)
    assert m['AP_role_S2'] == pytest.approx(100.0, abs=1e-4)


def _vsrl_eval_module():
    repo = require_checkout('v-coco', 'vsrl_eval.py')
    pytest.importorskip('pycocotools', reason='vsrl_eval.py needs pycocotools (dev extras)')
    spec = importlib.util.spec_from_file_location('_vsrl_eval', repo / 'vsrl_eval.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_equals_official_vsrl_eval(tmp_path, monkeypatch):
    vsrl_eval = _vsrl_eval_module()
    monkeypatch.setattr(np, 'bool', bool, raising=False)   # removed from numpy >= 1.24
    recorded = []
    orig = vsrl_eval.voc_ap
    monkeypatch.setattr(vsrl_eval, 'voc_ap', lambda r, p: recorded.append(orig(r, p))
                        or recorded[-1])
    for seed in range(3):
        w = make_vcoco_world(np.random.default_rng(seed), 30)
        d = tmp_path / str(seed)
        d.mkdir()
        (d / 'vsrl.json').write_text(json.dumps(w['vsrl']))
        (d / 'coco.json').write_text(json.dumps(w['coco']))
        np.savetxt(d / 'split.ids', w['split'], fmt='%d')
        gt = vcoco_gt_from_data(w['vsrl'], w['coco'], w['split'])
        ours = evaluate_vcoco_predictions(gt, w['entries'], w['preds'])
        dets = detections_from_exchange(w['entries'], w['preds'], None, gt.action_names,
                                        gt.role_names)
        with open(d / 'dets.pkl', 'wb') as f:
            pickle.dump(detections_to_records(dets, gt.action_names, gt.role_names), f)
        recorded.clear()
        with contextlib.redirect_stdout(io.StringIO()):
            ev = vsrl_eval.VCOCOeval(str(d / 'vsrl.json'), str(d / 'coco.json'),
                                     str(d / 'split.ids'))
            ev._do_eval(str(d / 'dets.pkl'))
        n_act, n_role = len(gt.action_names), len(ours.categories)
        assert len(recorded) == n_act + 2 * n_role
        agent = np.float32(recorded[:n_act])
        s1 = np.float32(recorded[n_act:n_act + n_role])
        s2 = np.float32(recorded[n_act + n_role:])
        assert np.array_equal(s1, np.float32([r['ap_s1'] for r in ours.categories]))
        assert np.array_equal(s2, np.float32([r['ap_s2'] for r in ours.categories]))
        assert ours.metrics['AP_agent'] == pytest.approx(float(agent.sum() * 100 / n_act))
