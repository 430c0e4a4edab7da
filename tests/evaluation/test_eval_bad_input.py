"""Bad prediction files raise one error type naming the file, the image and the entry."""
import copy
import math

import pytest

from tests.evaluation.worlds import gt_image, pred_image, train_set
from vlmhoi.evaluation import (
    AnnotationFormatError,
    PredictionFormatError,
    evaluate_hico,
    evaluate_vcoco_predictions,
    hico_gt_from_entries,
)

RIDE = ('ride', 'bicycle')
TEST = [gt_image('a.jpg', [RIDE]), gt_image('b.jpg', [RIDE])]
GOOD = [pred_image('a.jpg', [(*RIDE, 0.9)]), pred_image('b.jpg', [(*RIDE, 0.8), (*RIDE, 0.7)])]
GT = hico_gt_from_entries(TEST, train_set({RIDE: 2}))


def set_(path, value):
    def mutate(preds):
        *head, last = path
        node = preds
        for k in head:
            node = node[k]
        node[last] = value
    return mutate


CASES = {
    'unknown object id': (set_([1, 'predictions', 1, 'category_id'], 12),
                          1, 'predictions[1]', 'unknown object category_id 12'),
    'unknown verb id': (set_([1, 'hoi_prediction', 1, 'category_id'], 118),
                        1, 'hoi_prediction[1]', 'unknown verb category_id 118'),
    'subject out of range': (set_([1, 'hoi_prediction', 1, 'subject_id'], 4),
                             1, 'hoi_prediction[1]', 'subject_id 4 out of range'),
    'negative object': (set_([0, 'hoi_prediction', 0, 'object_id'], -1),
                        0, 'hoi_prediction[0]', 'object_id -1 out of range'),
    'nan score': (set_([1, 'hoi_prediction', 0, 'score'], math.nan),
                  1, 'hoi_prediction[0]', 'not finite'),
    'inverted box': (set_([1, 'predictions', 2, 'bbox'], [5, 5, 4, 9]),
                     1, 'predictions[2]', 'malformed bbox'),
    'infinite box': (set_([0, 'predictions', 0, 'bbox'], [0, 0, math.inf, 9]),
                     0, 'predictions[0]', 'non-finite'),
    'three numbers': (set_([1, 'predictions', 3, 'bbox'], [1, 2, 3]),
                      1, 'predictions[3]', 'bbox must be 4 numbers'),
    'five numbers': (set_([0, 'predictions', 1, 'bbox'], [1, 2, 3, 4, 5]),
                     0, 'predictions[1]', 'bbox must be 4 numbers'),
    'string coordinate': (set_([1, 'predictions', 2, 'bbox'], [1, '2', 3, 4]),
                          1, 'predictions[2]', 'bbox must be 4 numbers'),
    'string object id': (set_([1, 'predictions', 0, 'category_id'], '1'),
                         1, 'predictions[0]', 'category_id must be an integer'),
    'none score': (set_([1, 'hoi_prediction', 1, 'score'], None),
                   1, 'hoi_prediction[1]', 'score must be a number, got None'),
    'missing score': (lambda p: p[1]['hoi_prediction'][1].pop('score'),
                      1, 'hoi_prediction[1]', "missing key 'score'"),
    'string score': (set_([0, 'hoi_prediction', 0, 'score'], 'high'),
                     0, 'hoi_prediction[0]', 'score must be a number'),
    'float index': (set_([1, 'hoi_prediction', 0, 'object_id'], 1.0),
                    1, 'hoi_prediction[0]', 'object_id must be an integer'),
    'missing list': (lambda p: p[1].pop('hoi_prediction'), 1, None, "missing key"),
    'entry not an object': (set_([1], ['b.jpg']), 1, None, 'entry must be an object'),
}


@pytest.mark.parametrize('case', sorted(CASES))
@pytest.mark.parametrize('mode', ['reference', 'official'])
def test_bad_entry_names_file_image_and_entry(case, mode):
    mutate, image, entry, problem = CASES[case]
    preds = copy.deepcopy(GOOD)
    mutate(preds)
    with pytest.raises(PredictionFormatError) as info:
        evaluate_hico(GT, preds, mode=mode, source='preds.json')
    msg = str(info.value)
    assert msg.startswith('preds.json: ')
    assert f'image {image}' in msg and problem in msg
    assert info.value.image_index == image
    if entry is not None:
        assert f"('{TEST[image]['file_name']}')" in msg and entry in msg


def test_wrong_image_count_and_order():
    with pytest.raises(PredictionFormatError, match=r'preds.json: has 1 image entries, the '
                                                    r'ground truth has 2'):
        evaluate_hico(GT, GOOD[:1], source='preds.json')
    with pytest.raises(PredictionFormatError,
                       match=r"preds.json: image 0 \('a.jpg'\): file_name 'b.jpg' does not "
                             r"match"):
        evaluate_hico(GT, GOOD[::-1], source='preds.json')
    with pytest.raises(PredictionFormatError, match='expected a JSON list'):
        evaluate_hico(GT, {'a.jpg': []}, source='preds.json')


def test_good_input_passes_and_errors_are_value_errors():
    assert evaluate_hico(GT, GOOD).metrics['num_detections'] == 3
    assert issubclass(PredictionFormatError, ValueError)


def test_bad_ground_truth_is_an_annotation_error():
    bad = copy.deepcopy(TEST)
    bad[1]['hoi_annotation'][0]['object_id'] = 5
    with pytest.raises(AnnotationFormatError,
                       match=r"test annotations: image 1 \('b.jpg'\): hoi_annotation\[0\] "
                             r"object_id 5 is out of range"):
        hico_gt_from_entries(bad, [])


def test_vcoco_duplicate_triplet_and_no_object_rules():
    from tests.evaluation.test_eval_vcoco import hand_world, preds_for
    gt, images = hand_world({'hold': 2})
    dup = preds_for([(0, 1, 'hold_obj', 0.5), (0, 1, 'hold_obj', 0.4)])
    with pytest.raises(PredictionFormatError, match=r'hoi_prediction\[1\]: duplicate'):
        evaluate_vcoco_predictions(gt, images, dup)
    sub_none = preds_for([(0, 1, 'hold_obj', 0.5)])
    sub_none[0]['predictions'][0]['category_id'] = -1
    with pytest.raises(PredictionFormatError, match=r'hoi_prediction\[0\]: subject box'):
        evaluate_vcoco_predictions(gt, images, sub_none)
