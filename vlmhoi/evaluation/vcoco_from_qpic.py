"""Official-format V-COCO ground truth derived from a QPIC-format ``test_vcoco.json``.

For data sets that ship only the QPIC format (e.g. the embedded synthetic world). The
inverse of the reference repos' ``convert_vcoco_annotations.py``, with what that format
lost filled in as follows (so numbers on real V-COCO should use the official files):

* every person box counts as annotated in V-COCO (officially, persons outside V-COCO are
  ignored: detections matched to them are dropped instead of being false positives);
* image sizes are unknown, so boxes are not clipped;
* QPIC boxes are ``[x, y, x + w, y + h]``, so COCO ``w = x2 - x1``;
* an (action, role) with several objects for one person keeps the first (the official
  format has one role object per person and role).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from vlmhoi.evaluation.vcoco_dets import image_id_of
from vlmhoi.hoi_annotation_format import check_annotation_entries, read_annotation_file
from vlmhoi.vocab import coco_objects, vcoco_action_roles, vcoco_official_actions, vcoco_vocab


def load_vcoco_images(path: str | Path) -> list[dict]:
    """Read and validate a QPIC-format ``test_vcoco.json`` (as ``VCOCODataset`` does)."""
    entries = read_annotation_file(path)
    check_annotation_entries(entries, vcoco_vocab(), str(path), allow_no_object=True)
    return entries


def official_from_qpic(entries: list[dict], source: str = 'test_vcoco.json'
                       ) -> tuple[list[dict], dict[str, Any], np.ndarray]:
    """``(vsrl records, COCO dict, sorted image ids)`` for :func:`vcoco_gt_from_data`."""
    check_annotation_entries(entries, vcoco_vocab(), source, allow_no_object=True)
    classes = vcoco_action_roles()
    actions = vcoco_official_actions()
    ids, names = coco_objects()
    images, anns, persons = [], [], []
    roles: dict[tuple[int, str, str], int] = {}   # (person ann, action, role) -> object ann
    labels: set[tuple[int, str]] = set()
    for e in entries:
        img_id = image_id_of(e)
        images.append({'id': img_id, 'width': 1e9, 'height': 1e9,
                       'file_name': e['file_name']})
        first = len(anns) + 1
        for b in e['annotations']:
            x1, y1, x2, y2 = b['bbox']
            anns.append({'id': len(anns) + 1, 'image_id': img_id, 'category_id': b['category_id'],
                         'bbox': [x1, y1, x2 - x1, y2 - y1], 'area': (x2 - x1) * (y2 - y1),
                         'iscrowd': 0})
            if b['category_id'] == ids[0]:
                persons.append((anns[-1]['id'], img_id))
        for h in e['hoi_annotation']:
            cls = classes[h['category_id']]
            sub = first + h['subject_id']
            labels.add((sub, cls['action']))
            if cls['role'] is not None and h['object_id'] >= 0:
                roles.setdefault((sub, cls['action'], cls['role']), first + h['object_id'])
    vsrl = []
    for act in actions:
        rows = [[p for p, _ in persons]]
        for role in act['roles'][1:]:
            rows.append([roles.get((p, act['name'], role), 0) for p, _ in persons])
        vsrl.append({'action_name': act['name'], 'role_name': list(act['roles']),
                     'ann_id': [p for p, _ in persons],
                     'image_id': [im for _, im in persons],
                     'label': [int((p, act['name']) in labels) for p, _ in persons],
                     'role_object_id': [x for row in rows for x in row]})
    coco = {'images': images, 'annotations': anns,
            'categories': [{'id': c, 'name': n} for c, n in zip(ids, names)]}
    return vsrl, coco, np.unique([im for _, im in persons])
