"""Loading HICO-DET / V-COCO format files into data-info dicts."""
from __future__ import annotations

import numpy as np
import pytest

from vlmhoi.datasets import HICODetDataset, VCOCODataset
from vlmhoi.vocab import hico_vocab

from .conftest import H, W, write_set


def build(cls, root, ann, **kw):
    return cls(data_root=str(root), ann_file=ann.name, data_prefix=dict(img='images/'),
               pipeline=[], **kw)


def test_hico_entries_become_detector_inputs(tmp_path, hico_entries):
    ann = write_set(tmp_path, hico_entries)
    ds = build(HICODetDataset, tmp_path, ann)
    assert len(ds) == 2
    info = ds.get_data_info(0)
    vocab = hico_vocab()
    assert (info['width'], info['height']) == (W, H)
    assert [i['bbox_label'] for i in info['instances']] == [0, 1, vocab.object_index(53)]
    # the two verbs of pair (0, 1) are merged into one pair, as the reference loaders do
    pairs = {(h['subject'], h['object']): sorted(h['verbs']) for h in info['hois']}
    assert pairs == {(0, 1): sorted([vocab.verb_index(37), vocab.verb_index(77)]),
                     (0, 2): [vocab.verb_index(24)]}
    assert info['num_verbs'] == 117 and info['num_objects'] == 80
    assert ds.metainfo['classes'][0] == 'person' and len(ds.metainfo['verbs']) == 117


def test_filter_empty_gt_drops_only_images_without_pairs(tmp_path, hico_entries):
    ann = write_set(tmp_path, hico_entries)
    ds = build(HICODetDataset, tmp_path, ann, filter_cfg=dict(filter_empty_gt=True))
    assert len(ds) == 1 and ds.get_data_info(0)['file_name'] == 'a.jpg'


def test_rare_split_is_derived_from_training_counts(tmp_path, hico_entries):
    many = []
    for i in range(12):
        e = {**hico_entries[0], 'file_name': f'{i}.jpg'}
        if i >= 3:  # hold bicycle: 12 instances; eat apple... : only 3 instances
            e = {**e, 'hoi_annotation': e['hoi_annotation'][:2]}
        many.append(e)
    train = write_set(tmp_path, many, 'train.json')
    test = write_set(tmp_path, hico_entries, 'test.json')
    ds = build(HICODetDataset, tmp_path, test, train_ann_file=str(train))
    vocab = hico_vocab()
    counts = ds.category_counts()
    hold_bike = (vocab.verb_index(37), vocab.object_index(2))
    assert counts[hold_bike] == 12
    rare = ds.rare_categories()
    assert hold_bike not in rare
    assert (vocab.verb_index(24), vocab.object_index(53)) in rare
    assert rare == {(vocab.verb_index(24), vocab.object_index(53))}  # the others: none, so
    # neither rare nor non-rare (vlmhoi.rare_split, as the reference evaluator)


def test_vcoco_allows_roles_without_object(tmp_path):
    entries = [{'file_name': 'v.jpg',
                'annotations': [{'bbox': [1, 1, 20, 40], 'category_id': 1},
                                {'bbox': [30, 10, 50, 30], 'category_id': 37}],
                'hoi_annotation': [{'subject_id': 0, 'object_id': -1, 'category_id': 1},
                                   {'subject_id': 0, 'object_id': 1, 'category_id': 25}]}]
    ann = write_set(tmp_path, entries)
    ds = build(VCOCODataset, tmp_path, ann)
    hois = ds.get_data_info(0)['hois']
    assert {(h['subject'], h['object']) for h in hois} == {(0, -1), (0, 1)}
    assert ds.get_data_info(0)['num_verbs'] == 29
    # the same entry is invalid for HICO-DET, where every pair has an object
    with pytest.raises(ValueError, match='object_id -1 is out of range'):
        build(HICODetDataset, tmp_path, ann)


def test_vcoco_correct_matrix_is_read_and_checked(tmp_path):
    entries = [{'file_name': 'v.jpg', 'annotations': [{'bbox': [1, 1, 20, 40],
                                                       'category_id': 1}],
                'hoi_annotation': []}]
    ann = write_set(tmp_path, entries)
    mat = np.zeros((29, 80))
    mat[0, 3] = 1
    np.save(tmp_path / 'corre.npy', mat)
    ds = build(VCOCODataset, tmp_path, ann, correct_mat_file='corre.npy')
    assert ds.vocab.valid_pairs == ((0, 3),)
    np.save(tmp_path / 'bad.npy', np.zeros((29, 81)))
    with pytest.raises(ValueError, match=r'bad.npy.*shape \(29, 81\)'):
        build(VCOCODataset, tmp_path, ann, correct_mat_file='bad.npy')


def test_missing_dataset_folder_says_how_to_prepare(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        HICODetDataset(data_root=str(tmp_path / 'hico'), ann_file='annotations/test.json',
                       data_prefix=dict(img='images/test2015/'), pipeline=[])
    msg = str(err.value)
    assert 'annotations/test.json' in msg and 'docs/datasets.md' in msg
    assert 'make_synth.py' in msg
