"""V-COCO ground truth as the official ``vsrl_eval.py`` builds it (its ``_get_vcocodb``).

Inputs are the official files: the vsrl annotations (``vcoco_test.json``: one record per
action with ``ann_id``, ``label``, ``image_id``, ``role_object_id`` and ``role_name``), the
COCO-format ``instances_vcoco_all_2014.json`` and the split's image-id list
(``vcoco_test.ids``). Rules kept from the official code: COCO boxes ``[x, y, w, h]`` become
``[x, y, x + max(0, w - 1), y + max(0, h - 1)]`` clipped to the image; objects flagged
``ignore`` or with zero area or size are dropped; the "person" class is the first category
of the COCO file; persons not in the vsrl annotations are *ignored* (all actions -1);
boxes are float32.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vlmhoi.evaluation.pred_format import load_json_file
from vlmhoi.hoi_format_errors import AnnotationFormatError


@dataclass
class VCOCOGroundTruth:
    """Per-image annotated persons of one split, in split-file order."""

    image_ids: np.ndarray        # (N,)
    person_offsets: np.ndarray   # (N + 1,)
    person_boxes: np.ndarray     # (P, 4) float32
    actions: np.ndarray          # (P, A) int32: 1 / 0, -1 for persons not in V-COCO
    role_boxes: np.ndarray       # (P, A, 2, 4) float32, -1 where the person has no role box
    action_names: list[str]
    role_names: list[list[str]]  # per action, 'agent' first
    source: str

    @property
    def ignore(self) -> np.ndarray:
        return np.any(self.actions == -1, axis=1)


def _clean_box(bbox: list[float], width: float, height: float) -> tuple[float, ...]:
    x1, y1 = bbox[0], bbox[1]
    x2 = x1 + np.maximum(0., bbox[2] - 1.)
    y2 = y1 + np.maximum(0., bbox[3] - 1.)
    return (np.minimum(width - 1., np.maximum(0., x1)), np.minimum(height - 1., np.maximum(0., y1)),
            np.minimum(width - 1., np.maximum(0., x2)), np.minimum(height - 1., np.maximum(0., y2)))


def _labelled_roles(vsrl: list[dict], source: str) -> list[dict[int, list[int]]]:
    """Per action: annotated person ann_id -> role object ann_ids (0 = no role)."""
    out = []
    for a in vsrl:
        k = len(a['role_name'])
        rids = np.array(a['role_object_id']).reshape((k, -1)).T
        ann = np.array(a['ann_id']).reshape(-1)
        lab = np.array(a['label']).reshape(-1)
        roles: dict[int, list[int]] = {}
        for row in np.flatnonzero(lab == 1):
            if int(ann[row]) in roles:
                raise AnnotationFormatError(source, f'ann_id {int(ann[row])} is labelled twice',
                                            entry=f'action {a["action_name"]!r}')
            roles[int(ann[row])] = [int(r) for r in rids[row, 1:]]
        out.append(roles)
    return out


def vcoco_gt_from_data(vsrl: list[dict], coco: dict[str, Any], image_ids: np.ndarray,
                       source: str = 'vcoco annotations') -> VCOCOGroundTruth:
    """Build the ground truth from loaded vsrl records, COCO dict and split ids."""
    vsrl_images = np.unique(np.array(vsrl[0]['image_id']).reshape(-1))
    if not np.array_equal(vsrl_images, np.asarray(image_ids)):
        raise AnnotationFormatError(source, 'split ids differ from the images of the vsrl '
                                    'annotations (both sorted, as the official check wants)')
    names = [a['action_name'] for a in vsrl]
    role_names = [list(a['role_name']) for a in vsrl]
    in_vcoco = set(np.array(vsrl[0]['ann_id']).reshape(-1).tolist())
    labelled = _labelled_roles(vsrl, source)
    person_cat = coco['categories'][0]['id']
    images = {im['id']: im for im in coco['images']}
    anns_of: dict[int, list[dict]] = {}
    for ann in coco['annotations']:
        anns_of.setdefault(ann['image_id'], []).append(ann)
    n_act = len(vsrl)
    offsets, boxes, actions, roles = [0], [], [], []
    for img_id in np.asarray(image_ids).tolist():
        img_id = int(img_id)
        if img_id not in images:
            raise AnnotationFormatError(source, f'image {img_id} of the split is not in the '
                                        'COCO file')
        im = images[img_id]
        valid, valid_ids = [], []
        for ann in anns_of.get(img_id, []):
            if ann.get('ignore', 0) == 1:
                continue
            x1, y1, x2, y2 = _clean_box(ann['bbox'], im['width'], im['height'])
            if ann['area'] > 0 and x2 > x1 and y2 > y1:
                valid.append((ann, np.array([x1, y1, x2, y2], dtype=np.float32)))
                valid_ids.append(ann['id'])
        index = {a: i for i, a in enumerate(valid_ids)}
        for ann, box in valid:
            if ann['category_id'] != person_cat:
                continue
            act = -np.ones(n_act, dtype=np.int32)
            rbox = -np.ones((n_act, 2, 4), dtype=np.float32)
            if ann['id'] in in_vcoco:
                act[:] = 0
                for i in range(n_act):
                    rids = labelled[i].get(ann['id'])
                    if rids is None:
                        continue
                    act[i] = 1
                    for j, rid in enumerate(rids):
                        if rid == 0:
                            continue
                        if rid not in index:
                            raise AnnotationFormatError(
                                source, f'role object {rid} of ann {ann["id"]} ({names[i]}) is '
                                'not a valid annotation of the image', entry=f'image {img_id}')
                        rbox[i, j] = valid[index[rid]][1]
            boxes.append(box)
            actions.append(act)
            roles.append(rbox)
        offsets.append(len(boxes))
    return VCOCOGroundTruth(
        np.asarray(image_ids).astype(np.int64), np.array(offsets),
        np.array(boxes, dtype=np.float32).reshape(-1, 4),
        np.array(actions, dtype=np.int32).reshape(-1, n_act),
        np.array(roles, dtype=np.float32).reshape(-1, n_act, 2, 4), names, role_names, source)


def load_vcoco_gt(vsrl_annot_file: str | Path, coco_annot_file: str | Path,
                  split_file: str | Path) -> VCOCOGroundTruth:
    """Read the three official files (``vcoco_test.json``, ``instances_vcoco_all_2014.json``,
    ``vcoco_test.ids``)."""
    vsrl = load_json_file(vsrl_annot_file, AnnotationFormatError)
    coco = load_json_file(coco_annot_file, AnnotationFormatError)
    try:
        ids = np.loadtxt(split_file, ndmin=1)
    except ValueError as exc:
        raise AnnotationFormatError(str(split_file), f'not a list of image ids ({exc})') from exc
    return vcoco_gt_from_data(vsrl, coco, ids, str(vsrl_annot_file))
