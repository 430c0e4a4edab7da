"""Generated files: determinism, HICO-DET / V-COCO schemas, cross-file consistency, stats."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
from PIL import Image

from vlmhoi.synth import world
from vlmhoi.vocab import (
    coco_objects,
    hico_hoi_list,
    hico_vocab,
    vcoco_action_roles,
    vcoco_official_actions,
)

from .conftest import TINY

HICO = {'train': 'annotations/trainval_hico.json', 'test': 'annotations/test_hico.json'}
VCOCO = {'train': 'annotations/trainval_vcoco.json', 'test': 'annotations/test_vcoco.json'}
VSRL = {'train': 'v-coco/data/vcoco/vcoco_trainval.json',
        'test': 'v-coco/data/vcoco/vcoco_test.json'}
IDS = {'train': 'v-coco/data/splits/vcoco_trainval.ids',
       'test': 'v-coco/data/splits/vcoco_test.ids'}
IMAGES = {'train': 'images/train2015', 'test': 'images/test2015'}
INSTANCES = 'v-coco/data/instances_vcoco_all_2014.json'
N = {'train': TINY['n_train'], 'test': TINY['n_test']}
PERSON = 1


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob('*'))
            if p.is_file()}


def _load(root: Path, rel: str):
    with open(root / rel, encoding='utf-8') as f:
        return json.load(f)


def test_same_seed_gives_byte_identical_files(tiny_world, tiny_world_again):
    a, b = _files(tiny_world), _files(tiny_world_again)
    assert sorted(a) == sorted(b)
    assert [k for k in a if a[k] != b[k]] == []


def test_another_seed_gives_another_world(tiny_world, tiny_world_seed1):
    a, b = _files(tiny_world), _files(tiny_world_seed1)
    assert sorted(a) == sorted(b)
    for rel in (HICO['train'], HICO['test'], VSRL['test'],
                IMAGES['train'] + '/HICO_train2015_00000001.jpg'):
        assert a[rel] != b[rel], rel
    assert a['annotations/corre_hico.npy'] == b['annotations/corre_hico.npy']


def test_all_expected_files_exist(tiny_world):
    expected = list(HICO.values()) + list(VCOCO.values()) + list(VSRL.values()) + \
        list(IDS.values()) + [INSTANCES, 'v-coco/data/splits/vcoco_all.ids',
                              'annotations/corre_hico.npy', 'annotations/corre_vcoco.npy',
                              'contact_sheet.png', 'stats.json', 'category_counts.csv',
                              'README.md']
    assert [rel for rel in expected if not (tiny_world / rel).is_file()] == []
    for split, n in N.items():
        names = sorted(p.name for p in (tiny_world / IMAGES[split]).iterdir())
        assert len(names) == n
        pattern = r'HICO_train2015_\d{8}\.jpg' if split == 'train' else r'HICO_test2015_\d{8}\.jpg'
        assert all(re.fullmatch(pattern, name) for name in names)


def test_hico_files_follow_the_qpic_format(tiny_world):
    obj_ids = set(coco_objects()[0])
    hoi_of = {(h['verb_id'], h['object_id']): h['hoi_id'] for h in hico_hoi_list()}
    for split in ('train', 'test'):
        data = _load(tiny_world, HICO[split])
        assert isinstance(data, list) and len(data) == N[split]
        for entry in data:
            assert set(entry) == {'file_name', 'img_id', 'annotations', 'hoi_annotation'}
            assert int(entry['file_name'].split('_')[2].split('.')[0]) == entry['img_id']
            with Image.open(tiny_world / IMAGES[split] / entry['file_name']) as img:
                assert img.format == 'JPEG' and img.mode == 'RGB'
                assert img.size == (TINY['size'], TINY['size'])
            for box in entry['annotations']:
                assert set(box) == {'bbox', 'category_id'}
                assert box['category_id'] in obj_ids
                x1, y1, x2, y2 = box['bbox']
                assert all(isinstance(v, float) for v in box['bbox'])
                assert 0 <= x1 < x2 <= TINY['size'] and 0 <= y1 < y2 <= TINY['size']
            assert entry['hoi_annotation']
            for hoi in entry['hoi_annotation']:
                assert set(hoi) == {'subject_id', 'object_id', 'category_id',
                                    'hoi_category_id'}
                boxes = entry['annotations']
                assert boxes[hoi['subject_id']]['category_id'] == PERSON
                obj = boxes[hoi['object_id']]['category_id']
                assert 1 <= hoi['category_id'] <= 117
                assert hoi_of[(hoi['category_id'], obj)] == hoi['hoi_category_id']
    corre = np.load(tiny_world / 'annotations/corre_hico.npy')
    assert corre.shape == (117, 80)
    assert np.array_equal(corre, hico_vocab().correct_mat())


def test_test_ids_are_disjoint_from_train_ids(tiny_world):
    train = {e['img_id'] for e in _load(tiny_world, HICO['train'])}
    test = {e['img_id'] for e in _load(tiny_world, HICO['test'])}
    assert train == set(range(1, N['train'] + 1))
    assert not train & test and min(test) > world.TEST_IMAGE_ID_OFFSET


def test_vcoco_qpic_files_share_the_scenes(tiny_world):
    roles = {a['id']: a for a in vcoco_action_roles()}
    for split in ('train', 'test'):
        hico, vcoco = _load(tiny_world, HICO[split]), _load(tiny_world, VCOCO[split])
        assert [e['file_name'] for e in hico] == [e['file_name'] for e in vcoco]
        for h, v in zip(hico, vcoco):
            assert h['annotations'] == v['annotations']
            assert v['hoi_annotation']
            for hoi in v['hoi_annotation']:
                assert set(hoi) == {'subject_id', 'object_id', 'category_id'}
                role = roles[hoi['category_id']]
                assert v['annotations'][hoi['subject_id']]['category_id'] == PERSON
                assert (hoi['object_id'] == -1) == (role['role'] is None)
    corre = np.load(tiny_world / 'annotations/corre_vcoco.npy')
    assert corre.shape == (29, 80)
    obj_index = {cid: i for i, cid in enumerate(coco_objects()[0])}
    for entry in _load(tiny_world, VCOCO['train']):
        for hoi in entry['hoi_annotation']:
            if hoi['object_id'] >= 0:
                cid = entry['annotations'][hoi['object_id']]['category_id']
                assert corre[hoi['category_id'], obj_index[cid]] == 1


def _vsrl_triplets(vsrl: list[dict]) -> set:
    """(image id, person ann id, action-role name, object ann id or 0) of positive rows."""
    out = set()
    for action in vsrl:
        n = len(action['ann_id'])
        matrix = np.array(action['role_object_id']).reshape(len(action['role_name']), n).T
        for i in range(n):
            if action['label'][i] != 1:
                continue
            if len(action['role_name']) == 1:
                out.add((action['image_id'][i], action['ann_id'][i], action['action_name'], 0))
            for j, role in enumerate(action['role_name'][1:], start=1):
                if matrix[i, j]:
                    out.add((action['image_id'][i], action['ann_id'][i],
                             f'{action["action_name"]}_{role}', int(matrix[i, j])))
    return out


def test_official_vcoco_files_are_consistent(tiny_world):
    inst = _load(tiny_world, INSTANCES)
    anns = {a['id']: a for a in inst['annotations']}
    images = {i['id']: i for i in inst['images']}
    assert len(anns) == len(inst['annotations']) and len(images) == len(inst['images'])
    assert [c['id'] for c in inst['categories']] == list(coco_objects()[0])
    role_names = {a['id']: a['name'] for a in vcoco_action_roles()}
    all_ids = []
    for split in ('train', 'test'):
        hico = _load(tiny_world, HICO[split])
        vsrl = _load(tiny_world, VSRL[split])
        official = vcoco_official_actions()
        assert [a['action_name'] for a in vsrl] == [a['name'] for a in official]
        # instances == HICO boxes, bbox as [x, y, w, h]; ids derive from the image id
        people = []
        for entry in hico:
            img = images[entry['img_id']]
            assert img['file_name'] == entry['file_name']
            assert (img['width'], img['height']) == (TINY['size'], TINY['size'])
            mine = sorted((a for a in anns.values() if a['image_id'] == entry['img_id']),
                          key=lambda a: a['id'])
            assert len(mine) == len(entry['annotations'])
            for a, box in zip(mine, entry['annotations']):
                x1, y1, x2, y2 = box['bbox']
                assert a['category_id'] == box['category_id'] and a['iscrowd'] == 0
                assert np.allclose(a['bbox'], [x1, y1, x2 - x1, y2 - y1], atol=0.011)
                assert a['area'] > 0
                if a['category_id'] == PERSON:
                    people.append((entry['img_id'], a['id']))
        for action, spec in zip(vsrl, official):
            assert set(action) == {'image_id', 'ann_id', 'role_object_id', 'label',
                                   'action_name', 'role_name', 'include'}
            assert action['role_name'] == spec['roles']
            assert len(action['include']) == len(spec['roles'])
            assert list(zip(action['image_id'], action['ann_id'])) == people
            n = len(people)
            assert len(action['role_object_id']) == n * len(spec['roles'])
            assert action['role_object_id'][:n] == action['ann_id']
            assert set(action['label']) <= {0, 1}
            for j in range(1, len(spec['roles'])):
                for i, obj in enumerate(action['role_object_id'][j * n:(j + 1) * n]):
                    if obj:
                        assert action['label'][i] == 1
                        assert anns[obj]['image_id'] == action['image_id'][i]
                        assert anns[obj]['category_id'] != PERSON
        # the split file is what vsrl_eval compares with the sorted unique image ids
        ids = [int(x) for x in (tiny_world / IDS[split]).read_text().split()]
        assert ids == sorted(set(vsrl[0]['image_id'])) == sorted(e['img_id'] for e in hico)
        all_ids += ids
        # the QPIC V-COCO file says the same as the official one
        qpic = set()
        for entry in _load(tiny_world, VCOCO[split]):
            ann_ids = [entry['img_id'] * world.ANN_IDS_PER_IMAGE + k + 1
                       for k in range(len(entry['annotations']))]
            for hoi in entry['hoi_annotation']:
                obj = ann_ids[hoi['object_id']] if hoi['object_id'] >= 0 else 0
                qpic.add((entry['img_id'], ann_ids[hoi['subject_id']],
                          role_names[hoi['category_id']], obj))
        assert qpic and qpic == _vsrl_triplets(vsrl)
    listed = [int(x) for x in (tiny_world / 'v-coco/data/splits/vcoco_all.ids').read_text().split()]
    assert listed == sorted(all_ids) == sorted(images)


def test_stats_match_the_annotation_files(tiny_world):
    stats = _load(tiny_world, 'stats.json')
    for split in ('train', 'test'):
        hico = _load(tiny_world, HICO[split])
        assert stats['images'][split] == len(hico)
        assert stats['boxes'][split] == sum(len(e['annotations']) for e in hico)
        assert stats['hoi_instances'][split] == sum(len(e['hoi_annotation']) for e in hico)
    with open(tiny_world / 'category_counts.csv', encoding='utf-8') as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(stats['per_category'])
    assert sum(int(r['train']) for r in rows) == stats['hoi_instances']['train']
    assert sum(int(r['test']) for r in rows) == stats['hoi_instances']['test']
    assert stats['head_categories'] + stats['rare_categories'] == stats['categories']['train']


def test_contact_sheet_is_an_image_of_the_samples(tiny_world):
    with Image.open(tiny_world / 'contact_sheet.png') as sheet:
        assert sheet.format == 'PNG'
        assert sheet.width >= 4 * 256 and sheet.height >= 3 * 256
        assert len(set(sheet.convert('RGB').resize((64, 64)).getdata())) > 50
