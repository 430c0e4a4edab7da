"""HICO-DET annotation files in the QPIC / CDN / GEN-VLKT / MUREN (PPDM) format.

``annotations/trainval_hico.json`` and ``test_hico.json``: a list of
``{file_name, img_id, annotations: [{bbox: [x1, y1, x2, y2], category_id: COCO id}],
hoi_annotation: [{subject_id, object_id, category_id: verb id 1..117,
hoi_category_id: 1..600}]}``; ``annotations/corre_hico.npy``: the 117 x 80 validity
matrix of the real vocabulary.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from ..vocab import coco_objects, hico_hoi_list, hico_vocab
from . import world
from .records import ImageRecord

HICO_FILES = {'train': 'annotations/trainval_hico.json', 'test': 'annotations/test_hico.json'}
HICO_CORRECT_MAT = 'annotations/corre_hico.npy'


@cache
def object_id_by_name() -> dict[str, int]:
    ids, names = coco_objects()
    return dict(zip(names, ids))


@cache
def verb_id_by_name() -> dict[str, int]:
    vocab = hico_vocab()
    return dict(zip(vocab.verb_names, vocab.verb_ids))


@cache
def hoi_id_by_pair() -> dict[tuple[int, int], int]:
    """(verb id, object COCO id) -> HICO-DET HOI category id (1..600)."""
    return {(h['verb_id'], h['object_id']): h['hoi_id'] for h in hico_hoi_list()}


def box_list(box: Sequence[float]) -> list[float]:
    return [round(float(v), world.BOX_DECIMALS) for v in box]


def box_annotations(record: ImageRecord) -> list[dict]:
    """The image's boxes as ``{bbox, category_id}`` (shared with the V-COCO files)."""
    obj_ids = object_id_by_name()
    return [{'bbox': box_list(box), 'category_id': obj_ids[name]}
            for name, box in record.scene.boxes]


def hico_entry(record: ImageRecord) -> dict:
    """One image of ``trainval_hico.json`` / ``test_hico.json``."""
    boxes = box_annotations(record)
    verbs, hois = verb_id_by_name(), hoi_id_by_pair()
    triplets = []
    for sub, obj, verb in record.scene.hico:
        verb_id = verbs[verb]
        triplets.append({'subject_id': sub, 'object_id': obj, 'category_id': verb_id,
                         'hoi_category_id': hois[(verb_id, boxes[obj]['category_id'])]})
    return {'file_name': record.file_name, 'img_id': record.img_id, 'annotations': boxes,
            'hoi_annotation': triplets}


def write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(data, f)


def write_hico(out: Path, records: dict[str, list[ImageRecord]]) -> list[Path]:
    """Write the HICO-DET annotation files under ``out``; return their paths."""
    paths = []
    for split, rel in HICO_FILES.items():
        write_json(out / rel, [hico_entry(r) for r in records[split]])
        paths.append(out / rel)
    (out / HICO_CORRECT_MAT).parent.mkdir(parents=True, exist_ok=True)
    np.save(out / HICO_CORRECT_MAT, hico_vocab().correct_mat())
    paths.append(out / HICO_CORRECT_MAT)
    return paths
