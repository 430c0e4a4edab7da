"""HICODetMetric / VCOCOMetric through mmengine's Evaluator with DetDataSample outputs."""
import json

import numpy as np
import pytest
import torch
from mmdet.registry import METRICS
from mmdet.structures import DetDataSample
from mmengine.evaluator import Evaluator
from mmengine.structures import InstanceData

from tests.evaluation.worlds import OBJ, SUB, gt_image, train_set
from vlmhoi.evaluation import (
    HICODetMetric,
    PredictionFormatError,
    VCOCOMetric,
    evaluate_hico,
    evaluate_vcoco_predictions,
    hico_gt_from_entries,
)
from vlmhoi.vocab import hico_vocab, vcoco_action_roles

RIDE, HOLD = ('ride', 'bicycle'), ('hold', 'cup')


def sample(img_id, name, boxes, labels, sub, obj, verbs, scores):
    s = DetDataSample(metainfo={'img_id': img_id, 'file_name': name})
    s.pred_instances = InstanceData(bboxes=torch.tensor(boxes, dtype=torch.float32),
                                    labels=torch.tensor(labels),
                                    scores=torch.ones(len(labels)))
    s.pred_hoi = InstanceData(sub_ids=torch.tensor(sub), obj_ids=torch.tensor(obj),
                              verb_labels=torch.tensor(verbs),
                              scores=torch.tensor(scores, dtype=torch.float32))
    return s


@pytest.fixture
def hico_files(tmp_path):
    test = [gt_image('a.jpg', [RIDE, HOLD]), gt_image('b.jpg', [RIDE])]
    (tmp_path / 'test.json').write_text(json.dumps(test))
    (tmp_path / 'train.json').write_text(json.dumps(train_set({RIDE: 10, HOLD: 2})))
    return tmp_path, test


def idx(verb, obj):
    v = hico_vocab()
    return v.verb_names.index(verb), v.object_names.index(obj)


@pytest.mark.parametrize('mode', ['reference', 'official'])
def test_hico_metric_matches_offline_evaluation(hico_files, mode):
    root, test = hico_files
    metric = METRICS.build(dict(type='HICODetMetric', ann_file=str(root / 'test.json'),
                                train_ann_file=str(root / 'train.json'), mode=mode,
                                outfile=str(root / 'out' / 'preds.json')))
    assert isinstance(metric, HICODetMetric)
    (rv, bike), (hv, cup) = idx(*RIDE), idx(*HOLD)
    far = [50, 50, 70, 70]
    # two queries per image: subjects 0..1, objects 2..3
    b = sample(2, 'b.jpg', [SUB, SUB, OBJ, far], [0, 0, bike, cup], [0, 1], [2, 3],
               [rv, hv], [0.6, 0.7])
    a = sample(1, 'a.jpg', [SUB, SUB, OBJ, OBJ], [0, 0, bike, cup], [0, 1, 0], [2, 3, 2],
               [rv, hv, rv], [0.9, 0.4, 0.3])
    evaluator = Evaluator(metric)
    evaluator.process([b])           # any order: the metric restores the ground-truth order
    evaluator.process([a])
    got = evaluator.evaluate(2)
    assert got['hico/mode'] == mode
    dumped = json.loads((root / 'out' / 'preds.json').read_text())
    assert [e['file_name'] for e in dumped] == ['a.jpg', 'b.jpg']
    assert dumped[0]['predictions'][2]['category_id'] == 2    # COCO id of bicycle
    gt = hico_gt_from_entries(test, json.loads((root / 'train.json').read_text()))
    want = evaluate_hico(gt, dumped, mode=mode).metrics
    for k in ('mAP_full', 'mAP_rare', 'mAP_non_rare', 'mAP_full_ko', 'num_detections'):
        assert got[f'hico/{k}'] == pytest.approx(want[k])
    if mode == 'reference':   # ride: TP .9, TP .6, dup .3 -> AP 1; hold: FP .7 (b), TP .4
        assert got['hico/mAP_full'] == pytest.approx(75.0)
        assert got['hico/mAP_full_ko'] == pytest.approx(100.0)   # no cup HOI in b.jpg


def test_hico_metric_reports_missing_images(hico_files):
    root, _ = hico_files
    metric = HICODetMetric(ann_file=str(root / 'test.json'),
                           train_ann_file=str(root / 'train.json'))
    metric.process(None, [sample(1, 'a.jpg', [SUB, OBJ], [0, 1], [0], [1], [0], [0.5])
                          .to_dict()])
    with pytest.raises(PredictionFormatError, match=r"image 1 \('b.jpg'\)"):
        metric.compute_metrics(metric.results)
    with pytest.raises(ValueError, match='mode'):
        HICODetMetric(ann_file='x', train_ann_file='y', mode='matlab')


def test_vcoco_metric_with_no_object_label(tmp_path):
    from tests.evaluation.test_eval_vcoco import A_BOX, CUP_BOX, IMG, hand_world, hand_world_files
    gt, images = hand_world({'hold': 2, 'look': 0})
    vsrl, coco = hand_world_files({'hold': 2, 'look': 0})
    (tmp_path / 'vsrl.json').write_text(json.dumps(vsrl))
    (tmp_path / 'coco.json').write_text(json.dumps(coco))
    np.savetxt(tmp_path / 'split.ids', [IMG], fmt='%d')
    # a valid QPIC-format file (checked like VCOCODataset checks it); only its order is used
    entries = [dict(e, annotations=[], hoi_annotation=[]) for e in images]
    (tmp_path / 'test_vcoco.json').write_text(json.dumps(entries))
    metric = VCOCOMetric(ann_file=str(tmp_path / 'test_vcoco.json'),
                         vsrl_annot_file=str(tmp_path / 'vsrl.json'),
                         coco_annot_file=str(tmp_path / 'coco.json'),
                         split_file=str(tmp_path / 'split.ids'),
                         outfile=str(tmp_path / 'preds.json'))
    cls = {c['name']: c['id'] for c in vcoco_action_roles()}
    cup = hico_vocab().object_names.index('cup')
    s = sample(IMG, images[0]['file_name'], [A_BOX, A_BOX, CUP_BOX, [0, 0, 0, 0]],
               [0, 0, cup, 80], [0, 1], [2, 3], [cls['hold_obj'], cls['look_obj']], [0.9, 0.8])
    evaluator = Evaluator(metric)
    evaluator.process([s])
    got = evaluator.evaluate(1)
    want = evaluate_vcoco_predictions(gt, images, [{
        'file_name': images[0]['file_name'],
        'predictions': [{'bbox': A_BOX, 'category_id': 1}, {'bbox': A_BOX, 'category_id': 1},
                        {'bbox': CUP_BOX, 'category_id': 47},
                        {'bbox': [0, 0, 0, 0], 'category_id': -1}],
        'hoi_prediction': [{'subject_id': 0, 'object_id': 2, 'category_id': cls['hold_obj'],
                            'score': 0.9},
                           {'subject_id': 1, 'object_id': 3, 'category_id': cls['look_obj'],
                            'score': 0.8}]}]).metrics
    assert got['vcoco/AP_role_S1'] == pytest.approx(want['AP_role_S1'])
    assert got['vcoco/AP_role_S1'] == pytest.approx(100.0, abs=1e-4)   # no object: S1 right
    assert got['vcoco/mode'] == 'official'
    dumped = json.loads((tmp_path / 'preds.json').read_text())   # the exchange format
    assert [len(e['hoi_prediction']) for e in dumped] == [2]
    assert evaluate_vcoco_predictions(gt, images, dumped).metrics == want


def test_vcoco_metric_without_official_files(tmp_path):
    from tests.evaluation.worlds import make_vcoco_world
    from vlmhoi.evaluation import vcoco_gt_from_data
    w = make_vcoco_world(np.random.default_rng(5), 15, p_outside=0.0, p_ignore=0.0)
    (tmp_path / 'test_vcoco.json').write_text(json.dumps(w['entries']))
    metric = VCOCOMetric(ann_file=str(tmp_path / 'test_vcoco.json'))
    got = metric.compute_metrics(list(reversed(w['preds'])))
    want = evaluate_vcoco_predictions(vcoco_gt_from_data(w['vsrl'], w['coco'], w['split']),
                                      w['entries'], w['preds']).metrics
    assert got['gt_source'] == 'derived from ann_file'
    assert got['AP_role_S1'] == want['AP_role_S1'] and got['AP_role_S2'] == want['AP_role_S2']
    with pytest.raises(ValueError, match='all of'):
        VCOCOMetric(ann_file='x', vsrl_annot_file='y')
