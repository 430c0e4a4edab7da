"""Every kind of bad annotation input gets one clear error naming file, entry, problem."""
from __future__ import annotations

import json

import pytest

from vlmhoi.datasets import AnnotationFormatError, HICODetDataset

from .conftest import write_set


def load(root, ann, **kw):
    return HICODetDataset(data_root=str(root), ann_file=ann.name,
                          data_prefix=dict(img='images/'), pipeline=[], **kw)


def _set(path, value):
    def mutate(entries):
        target = entries[0]
        for key in path[:-1]:
            target = target[key]
        if value is DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return mutate


DELETE = object()

# (mutation of entry 0, words the message must contain)
CASES = {
    'missing entry key': (_set(['hoi_annotation'], DELETE), "missing key 'hoi_annotation'"),
    'missing box key': (_set(['annotations', 1, 'bbox'], DELETE),
                        "annotations[1] is missing key 'bbox'"),
    'wrong type': (_set(['hoi_annotation', 0, 'subject_id'], '0'),
                   "'subject_id' must be an integer"),
    'bool is not int': (_set(['annotations', 0, 'category_id'], True),
                        "'category_id' must be an integer"),
    'subject out of range': (_set(['hoi_annotation', 1, 'subject_id'], 3),
                             'subject_id 3 is out of range'),
    'object out of range': (_set(['hoi_annotation', 2, 'object_id'], 7),
                            'object_id 7 is out of range'),
    'subject not a person': (_set(['hoi_annotation', 0, 'subject_id'], 1),
                             'the subject must be a'),
    'verb id outside vocabulary': (_set(['hoi_annotation', 0, 'category_id'], 118),
                                   'category_id 118 is not a hico verb id'),
    'object id outside vocabulary': (_set(['annotations', 1, 'category_id'], 12),
                                     'category_id 12 is not a hico object id'),
    'x2 < x1': (_set(['annotations', 1, 'bbox'], [30, 10, 20, 30]), 'x2 < x1'),
    'box outside image': (_set(['annotations', 1, 'bbox'], [30, 10, 90, 30]),
                          'lies outside the 64x48 image'),
    'box not 4 numbers': (_set(['annotations', 1, 'bbox'], [30, 10, 20]),
                          'must be 4 finite numbers'),
    'box with NaN': (_set(['annotations', 1, 'bbox'], [30, 10, float('nan'), 30]),
                     'must be 4 finite numbers'),
    'entry not an object': (lambda e: e.__setitem__(0, [1, 2]), 'image entry must be an object'),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_bad_entry_raises_with_file_entry_and_problem(tmp_path, hico_entries, case):
    mutate, words = CASES[case]
    entries = [hico_entries[1], hico_entries[0]]  # the bad entry is entry 1
    wrapped = [entries[1]]
    mutate(wrapped)
    entries[1] = wrapped[0]
    ann = write_set(tmp_path, entries)
    with pytest.raises(AnnotationFormatError) as err:
        load(tmp_path, ann)
    msg = str(err.value)
    assert str(ann) in msg and 'image 1' in msg and words in msg, msg
    assert err.value.image_index == 1


def test_missing_image_file(tmp_path, hico_entries):
    ann = write_set(tmp_path, hico_entries)
    (tmp_path / 'images' / 'b.jpg').unlink()
    with pytest.raises(AnnotationFormatError, match=r"image 1 \('b.jpg'\): image file .*b.jpg "
                                                 'does not exist'):
        load(tmp_path, ann)


@pytest.mark.parametrize('text,words', [('', 'file is empty'), ('   \n', 'file is empty'),
                                        ('[{"file_name": "a.jpg", "annot', 'truncated'),
                                        ('{}', 'expected a JSON list'),
                                        ('[]', 'list of images is empty')])
def test_empty_or_truncated_json(tmp_path, text, words):
    (tmp_path / 'images').mkdir()
    ann = tmp_path / 'ann.json'
    ann.write_text(text)
    with pytest.raises(AnnotationFormatError) as err:
        load(tmp_path, ann)
    assert str(ann) in str(err.value) and words in str(err.value)
    assert err.value.image_index is None


def test_skip_invalid_skips_counts_and_logs(tmp_path, hico_entries, monkeypatch):
    # recorded at print_log: an MMLogger made by an earlier test may write to a stream
    # that capsys no longer sees
    from vlmhoi.datasets import base_hoi_dataset
    logged = []
    monkeypatch.setattr(base_hoi_dataset, 'print_log', lambda msg, **kw: logged.append(msg))
    bad = json.loads(json.dumps(hico_entries[0]))
    bad['file_name'] = 'c.jpg'
    bad['hoi_annotation'][0]['object_id'] = 9
    ann = write_set(tmp_path, hico_entries + [bad])
    ds = load(tmp_path, ann, skip_invalid=True)
    assert len(ds) == 2
    assert [i for i, _ in ds.skipped] == [2]
    assert 'object_id 9 is out of range' in ds.skipped[0][1]
    assert any('skipped 1 of 3 invalid entries' in m for m in logged), logged


# format problems (not about the image file): the evaluators read the same files
FORMAT_CASES = sorted(set(CASES) - {'box outside image'})


@pytest.mark.parametrize('case', FORMAT_CASES)
def test_dataset_and_evaluator_give_the_same_error(tmp_path, hico_entries, case):
    from vlmhoi.evaluation import load_hico_gt
    good = write_set(tmp_path, hico_entries, 'train.json')   # before the mutation
    mutate, _ = CASES[case]
    entries = [hico_entries[1], hico_entries[0]]
    wrapped = [entries[1]]
    mutate(wrapped)
    entries[1] = wrapped[0]
    ann = write_set(tmp_path, entries)
    with pytest.raises(AnnotationFormatError) as from_dataset:
        load(tmp_path, ann)
    with pytest.raises(AnnotationFormatError) as from_evaluator:
        load_hico_gt(ann, good)
    assert str(from_evaluator.value) == str(from_dataset.value)
    with pytest.raises(AnnotationFormatError) as as_train_file:
        load_hico_gt(good, ann)
    assert str(as_train_file.value) == str(from_dataset.value)


def test_vcoco_dataset_and_evaluator_give_the_same_error(tmp_path):
    from vlmhoi.datasets import VCOCODataset
    from vlmhoi.evaluation.vcoco_from_qpic import load_vcoco_images
    entries = [{'file_name': 'v.jpg', 'img_id': 3,
                'annotations': [{'bbox': [1, 1, 20, 40], 'category_id': 1}],
                'hoi_annotation': [{'subject_id': 0, 'object_id': -1, 'category_id': 1},
                                   {'subject_id': 0, 'object_id': -2, 'category_id': 1}]}]
    ann = write_set(tmp_path, entries)
    with pytest.raises(AnnotationFormatError) as from_dataset:
        VCOCODataset(data_root=str(tmp_path), ann_file=ann.name,
                     data_prefix=dict(img='images/'), pipeline=[])
    with pytest.raises(AnnotationFormatError) as from_evaluator:
        load_vcoco_images(ann)
    assert str(from_evaluator.value) == str(from_dataset.value)
    assert 'hoi_annotation[1] object_id -2 is out of range' in str(from_dataset.value)
