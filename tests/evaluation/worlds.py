"""Small synthetic HICO-DET / V-COCO inputs for the evaluation tests."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from vlmhoi.vocab import coco_objects, vcoco_action_roles, vcoco_official_actions

ROOT = Path(__file__).resolve().parents[2]


def _xywh(rng: np.random.Generator) -> list[float]:
    x, y = float(rng.integers(0, 500)), float(rng.integers(0, 350))
    return [x, y, float(rng.integers(10, 140)), float(rng.integers(10, 130))]


def make_vcoco_world(rng: np.random.Generator, n_images: int = 25, p_outside: float = 0.15,
                     p_ignore: float = 0.05) -> dict:
    """Official-format V-COCO files (vsrl records, COCO dict, split ids), the QPIC-format
    image list and exchange-format predictions with near-miss boxes and tied scores.
    ``p_outside``: persons not annotated in V-COCO; ``p_ignore``: COCO ``ignore`` flags."""
    cat_ids, cat_names = coco_objects()
    actions = vcoco_official_actions()
    images, anns, persons = [], [], []
    next_id = 1
    for i in range(n_images):
        img_id = 1000 + 7 * i
        images.append({'id': img_id, 'width': 640, 'height': 480,
                       'file_name': f'COCO_val2014_{img_id:012d}.jpg'})
        n_person = 0 if i == 3 else 1 + int(rng.integers(3))
        for k in range(n_person + int(rng.integers(4))):
            person = k < n_person
            ann = {'id': next_id, 'image_id': img_id, 'bbox': _xywh(rng), 'iscrowd': 0,
                   'category_id': 1 if person else int(rng.choice(cat_ids[1:])),
                   'area': 100.0}
            if rng.random() < p_ignore:
                ann['ignore'] = 1
            anns.append(ann)
            if person and rng.random() >= p_outside:
                persons.append(ann)
            next_id += 1
    objs_of: dict[int, list[int]] = {}
    for a in anns:
        if a.get('ignore') != 1:
            objs_of.setdefault(a['image_id'], []).append(a['id'])
    vsrl = []
    for act in actions:
        k = len(act['roles'])
        label = (rng.random(len(persons)) < 0.35).astype(int)
        role_rows = [[p['id'] for p in persons]]
        for _ in range(k - 1):
            row = []
            for p, lab in zip(persons, label):
                cands = [a for a in objs_of.get(p['image_id'], []) if a != p['id']]
                row.append(int(rng.choice(cands)) if lab and cands and rng.random() < 0.75
                           else 0)
            role_rows.append(row)
        vsrl.append({'action_name': act['name'], 'role_name': list(act['roles']),
                     'ann_id': [p['id'] for p in persons],
                     'image_id': [p['image_id'] for p in persons],
                     'label': label.tolist(),
                     'role_object_id': [x for row in role_rows for x in row]})
    coco = {'images': images, 'annotations': anns,
            'categories': [{'id': c, 'name': n} for c, n in zip(cat_ids, cat_names)]}
    split = np.array(sorted({p['image_id'] for p in persons}))
    entries = [qpic_entry(im, anns, vsrl) for im in images if im['id'] in set(split.tolist())]
    preds = _vcoco_predictions(rng, entries, anns)
    return {'vsrl': vsrl, 'coco': coco, 'split': split, 'entries': entries, 'preds': preds}


def qpic_entry(image: dict, anns: list[dict], vsrl: list[dict]) -> dict:
    """One ``test_vcoco.json`` entry, as the reference repos' converter writes it."""
    mine = [a for a in anns if a['image_id'] == image['id']]
    index = {a['id']: i for i, a in enumerate(mine)}
    classes = [c['name'] for c in vcoco_action_roles()]
    hois = []
    for act in vsrl:
        k = len(act['role_name'])
        rids = np.array(act['role_object_id']).reshape(k, -1).T
        for lab, img, row in zip(act['label'], act['image_id'], rids):
            if not lab or img != image['id']:
                continue
            if k == 1:
                hois.append({'subject_id': index[int(row[0])], 'object_id': -1,
                             'category_id': classes.index(act['action_name'])})
            for role, rid in zip(act['role_name'][1:], row[1:]):
                hois.append({'subject_id': index[int(row[0])],
                             'object_id': index[int(rid)] if rid else -1,
                             'category_id': classes.index(f"{act['action_name']}_{role}")})
    boxes = [{'category_id': a['category_id'],
              'bbox': [a['bbox'][0], a['bbox'][1], a['bbox'][0] + a['bbox'][2],
                       a['bbox'][1] + a['bbox'][3]]} for a in mine]
    return {'file_name': image['file_name'], 'img_id': image['id'], 'annotations': boxes,
            'hoi_annotation': hois}


def _vcoco_predictions(rng: np.random.Generator, entries: list[dict], anns: list[dict]
                       ) -> list[dict]:
    n_cls = len(vcoco_action_roles())
    by_img: dict[int, list[dict]] = {}
    for a in anns:
        by_img.setdefault(a['image_id'], []).append(a)
    out = []
    for e in entries:
        boxes, hois = [], []
        objs = by_img[e['img_id']]
        for _ in range(int(rng.integers(1, 6))):
            s, o = objs[int(rng.integers(len(objs)))], objs[int(rng.integers(len(objs)))]
            for src in (s, o):
                x, y, w, h = src['bbox']
                d = rng.normal(0, 0.1, 4) * [w, h, w, h] if rng.random() < 0.7 else 0
                x1, y1, x2, y2 = np.array([x, y, x + w - 1, y + h - 1]) + d
                boxes.append({'bbox': [float(x1), float(y1), float(max(x1, x2)),
                                       float(max(y1, y2))],
                              'category_id': src['category_id']})
            if rng.random() < 0.2:
                boxes[-1]['category_id'] = -1
            sub, obj = len(boxes) - 2, len(boxes) - 1
            if rng.random() < 0.15:
                obj = -1
            for c in rng.choice(n_cls, size=int(rng.integers(1, 8)), replace=False):
                score = round(float(rng.random()), 1 if rng.random() < 0.3 else 6)
                hois.append({'subject_id': sub, 'object_id': obj, 'category_id': int(c),
                             'score': score})
        out.append({'file_name': e['file_name'], 'predictions': boxes, 'hoi_prediction': hois})
    return out


def cat_id(name: str) -> int:
    ids, names = coco_objects()
    return ids[names.index(name)]


# --- tiny hand-made HICO-DET cases -------------------------------------------------------

def hico_ids(verb: str, obj: str) -> tuple[int, int]:
    """(verb id, COCO object id) of a HICO-DET HOI given by names."""
    from vlmhoi.vocab import hico_vocab
    v = hico_vocab()
    return v.verb_ids[v.verb_names.index(verb)], v.object_ids[v.object_names.index(obj)]


PERSON = 1
RIDE = ('ride', 'bicycle')
# (ground-truth, predicted) object boxes with two decimals whose IoU is 0.5 up to rounding:
# float64 and float32 put it on different sides of 0.5 (0.5 / 0.49999964 and
# 0.49999999999999 / 0.50000006)
AT_HALF_IN_F64 = ([84.13, 6.61, 92.91, 6.67], [84.13, 6.61, 88.02, 6.67])
AT_HALF_IN_F32 = ([9.08, 19.85, 40.46, 58.03], [9.08, 19.85, 24.27, 58.03])
SUB = [0, 0, 9, 9]          # the subject box used by most cases
OBJ = [20, 20, 29, 29]      # and the object box


def gt_image(name: str, hois: list[tuple[str, str]], *, sub: list = SUB, obj: list = OBJ,
             boxes: bool = True) -> dict:
    """One image whose HOIs all share the subject and an object box per HOI."""
    anns, hoi_anns = ([{'bbox': sub, 'category_id': PERSON}] if boxes else []), []
    for verb, name_obj in hois:
        vid, oid = hico_ids(verb, name_obj)
        anns.append({'bbox': obj, 'category_id': oid})
        hoi_anns.append({'subject_id': 0, 'object_id': len(anns) - 1, 'category_id': vid})
    return {'file_name': name, 'annotations': anns, 'hoi_annotation': hoi_anns}


def pred_image(name: str, triplets: list[tuple]) -> dict:
    """``triplets``: (verb, object name, score[, sub box[, obj box[, subject COCO id]]])."""
    boxes, hois = [], []
    for t in triplets:
        verb, name_obj, score = t[:3]
        sub = t[3] if len(t) > 3 else SUB
        obj = t[4] if len(t) > 4 else OBJ
        sub_cat = t[5] if len(t) > 5 else PERSON
        vid, oid = hico_ids(verb, name_obj)
        boxes += [{'bbox': list(sub), 'category_id': sub_cat},
                  {'bbox': list(obj), 'category_id': oid}]
        hois.append({'subject_id': len(boxes) - 2, 'object_id': len(boxes) - 1,
                     'category_id': vid, 'score': score})
    return {'file_name': name, 'predictions': boxes, 'hoi_prediction': hois}


def train_set(counts: dict[tuple[str, str], int]) -> list[dict]:
    """Training annotations with ``counts`` instances per (verb, object)."""
    out = []
    for k, ((verb, obj), n) in enumerate(counts.items()):
        for i in range(n):
            out.append(gt_image(f'train_{k}_{i}.jpg', [(verb, obj)]))
    return out
