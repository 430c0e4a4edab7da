"""V-COCO files for the same scenes, in both formats the reference code reads.

QPIC / CDN format (``annotations/trainval_vcoco.json``, ``test_vcoco.json``): the HICO
list format with ``category_id`` = index 0..28 of the 29 action-role classes and
``object_id = -1`` for actions without object; ``annotations/corre_vcoco.npy`` (29 x 80).

Official format (``v-coco/data/``, what ``vsrl_eval.VCOCOeval`` loads):
``vcoco/vcoco_{trainval,test}.json`` (one entry per official action; ``image_id``,
``ann_id``, ``label`` are flat lists with one row per person box of the split, and
``role_object_id`` is the row-by-role matrix stored role-major, flattened, exactly as the
official files store it: all agent ids, then the first role's object ids, ...; 0 where
a role has no object), ``instances_vcoco_all_2014.json`` (COCO instances of both splits,
``bbox`` as [x, y, w, h]) and ``splits/vcoco_{trainval,test,all}.ids``.
The images are the HICO-format files under ``images/train2015`` and ``images/test2015``.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from ..vocab import coco_objects, vcoco_action_roles, vcoco_official_actions
from . import world
from .hico_writer import box_annotations, box_list, object_id_by_name, write_json
from .records import ImageRecord

VCOCO_FILES = {'train': 'annotations/trainval_vcoco.json', 'test': 'annotations/test_vcoco.json'}
VCOCO_CORRECT_MAT = 'annotations/corre_vcoco.npy'
VSRL_FILES = {'train': 'v-coco/data/vcoco/vcoco_trainval.json',
              'test': 'v-coco/data/vcoco/vcoco_test.json'}
INSTANCES_FILE = 'v-coco/data/instances_vcoco_all_2014.json'
SPLIT_IDS = {'train': 'v-coco/data/splits/vcoco_trainval.ids',
             'test': 'v-coco/data/splits/vcoco_test.ids'}
ALL_IDS = 'v-coco/data/splits/vcoco_all.ids'


def role_index() -> dict[str, int]:
    """Action-role name (e.g. 'hold_obj', 'stand') -> category id 0..28."""
    return {a['name']: a['id'] for a in vcoco_action_roles()}


def vcoco_entry(record: ImageRecord) -> dict:
    """One image of ``trainval_vcoco.json`` / ``test_vcoco.json``."""
    roles = role_index()
    hois = [{'subject_id': sub, 'object_id': obj, 'category_id': roles[name]}
            for sub, obj, name in record.scene.vcoco]
    return {'file_name': record.file_name, 'img_id': record.img_id,
            'annotations': box_annotations(record), 'hoi_annotation': hois}


def vcoco_correct_mat() -> np.ndarray:
    """29 x 80 validity of (action-role, object) in this world.

    Object roles are valid with the classes the world uses them with; actions without
    object (stand, walk, run, smile) are valid with every object, because CDN-style
    post-processing masks every verb by the object label of its query and the object is
    ignored for them.
    """
    obj_index = {name: i for i, name in enumerate(coco_objects()[1])}
    roles = vcoco_action_roles()
    mat = np.zeros((len(roles), len(obj_index)), dtype=np.float64)
    for role in roles:
        if role['role'] is None:
            mat[role['id']] = 1.0
    ids = role_index()
    for combo in world.COMBOS:
        for r in combo.roles:
            for name in r.vcoco:
                mat[ids[name], obj_index[r.obj]] = 1.0
    return mat


def _role_objects() -> dict[str, list[str]]:
    """Action-role name -> sorted object names it takes in this world (vsrl ``include``)."""
    seen: dict[str, set[str]] = defaultdict(set)
    for combo in world.COMBOS:
        for r in combo.roles:
            for name in r.vcoco:
                seen[name].add(r.obj)
    return {k: sorted(v) for k, v in seen.items()}


def vsrl_entries(records: list[ImageRecord]) -> list[dict]:
    """The official ``vcoco_<split>.json`` content for these images."""
    people = []                    # (record, person box index)
    for rec in records:
        for k, (name, _) in enumerate(rec.scene.boxes):
            if name == 'person':
                people.append((rec, k))
    include = _role_objects()
    out = []
    for action in vcoco_official_actions():
        name, role_names = action['name'], action['roles']
        labels, columns = [], [[] for _ in role_names]
        for rec, k in people:
            has = {ar: obj for sub, obj, ar in rec.scene.vcoco if sub == k}
            agent_only = name in has and len(role_names) == 1
            role_keys = [f'{name}_{r}' for r in role_names[1:]]
            labels.append(int(agent_only or any(key in has for key in role_keys)))
            columns[0].append(rec.ann_id(k))
            for j, key in enumerate(role_keys, start=1):
                obj = has.get(key, -1)
                columns[j].append(rec.ann_id(obj) if obj >= 0 else 0)
        out.append({
            'image_id': [rec.img_id for rec, _ in people],
            'ann_id': list(columns[0]),
            'role_object_id': [v for col in columns for v in col],
            'label': labels,
            'action_name': name,
            'role_name': list(role_names),
            'include': [[]] + [include.get(f'{name}_{r}', []) for r in role_names[1:]],
        })
    return out


def instances(records: list[ImageRecord]) -> dict:
    """COCO instances json of all images (``instances_vcoco_all_2014.json``)."""
    obj_ids = object_id_by_name()
    images, anns = [], []
    for rec in records:
        size = rec.scene.size
        images.append({'id': rec.img_id, 'file_name': rec.file_name, 'height': size,
                       'width': size})
        for k, (name, box) in enumerate(rec.scene.boxes):
            x, y, x2, y2 = box_list(box)
            w, h = round(x2 - x, world.BOX_DECIMALS), round(y2 - y, world.BOX_DECIMALS)
            anns.append({'id': rec.ann_id(k), 'image_id': rec.img_id,
                         'category_id': obj_ids[name], 'bbox': [x, y, w, h],
                         'area': round(w * h, world.BOX_DECIMALS), 'iscrowd': 0,
                         'segmentation': [[x, y, x + w, y, x + w, y + h, x, y + h]]})
    ids, names = coco_objects()
    return {'info': {'description': 'vlmhoi synthetic HOI world (V-COCO layout)'},
            'images': images, 'annotations': anns,
            'categories': [{'id': i, 'name': n} for i, n in zip(ids, names)]}


def _write_ids(path: Path, ids: list[int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(''.join(f'{i}\n' for i in sorted(ids)), encoding='utf-8')


def write_vcoco(out: Path, records: dict[str, list[ImageRecord]]) -> list[Path]:
    """Write every V-COCO file under ``out``; return their paths."""
    paths = []
    for split in ('train', 'test'):
        write_json(out / VCOCO_FILES[split], [vcoco_entry(r) for r in records[split]])
        write_json(out / VSRL_FILES[split], vsrl_entries(records[split]))
        _write_ids(out / SPLIT_IDS[split], [r.img_id for r in records[split]])
        paths += [out / VCOCO_FILES[split], out / VSRL_FILES[split], out / SPLIT_IDS[split]]
    everything = records['train'] + records['test']
    write_json(out / INSTANCES_FILE, instances(everything))
    _write_ids(out / ALL_IDS, [r.img_id for r in everything])
    np.save(out / VCOCO_CORRECT_MAT, vcoco_correct_mat())
    return paths + [out / INSTANCES_FILE, out / ALL_IDS, out / VCOCO_CORRECT_MAT]
