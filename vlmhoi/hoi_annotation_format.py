"""The one validation of the QPIC-format HOI annotation files (HICO-DET and V-COCO).

``trainval_hico.json`` / ``test_hico.json`` / ``*_vcoco.json`` are JSON lists with one entry
per image: ``{file_name, annotations: [{bbox: [x1, y1, x2, y2], category_id}],
hoi_annotation: [{subject_id, object_id, category_id}]}`` (docs/datasets.md). The datasets
(``vlmhoi.datasets``, which add checks against the image files) and the evaluators
(``vlmhoi.evaluation``, whose fast reader falls back to this walk to name a problem) both
use it, so one bad file gets one error: ``AnnotationFormatError`` naming the file, the
image and the entry. Needs only the standard library and the vocabularies.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from vlmhoi.hoi_format_errors import AnnotationFormatError
from vlmhoi.vocab import HOIVocab

ENTRY_KEYS = {'file_name': str, 'annotations': list, 'hoi_annotation': list}
BOX_KEYS = {'bbox': list, 'category_id': int}
HOI_KEYS = {'subject_id': int, 'object_id': int, 'category_id': int}


def read_annotation_file(path: str | Path) -> list:
    """Read an annotation file: a non-empty JSON list of image entries."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'{path}: annotation file not found')
    text = path.read_text(encoding='utf-8')
    if not text.strip():
        raise AnnotationFormatError(str(path), 'file is empty')
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise AnnotationFormatError(
            str(path), f'not valid JSON (truncated or corrupt?): {err.msg} at line '
            f'{err.lineno} column {err.colno}') from err
    if not isinstance(data, list):
        raise AnnotationFormatError(str(path), 'expected a JSON list of images, got '
                                    f'{type(data).__name__}')
    if not data:
        raise AnnotationFormatError(str(path), 'the list of images is empty')
    return data


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_keys(source: str, index: int, name: str | None, obj: object, keys: dict,
                what: str) -> None:
    if not isinstance(obj, dict):
        raise AnnotationFormatError(source, f'{what} must be an object, got '
                                    f'{type(obj).__name__}', index, name)
    for key, typ in keys.items():
        if key not in obj:
            raise AnnotationFormatError(source, f'{what} is missing key {key!r}', index, name)
        value = obj[key]
        if typ is int and not _is_int(value):
            raise AnnotationFormatError(source, f'{what} key {key!r} must be an integer, '
                                        f'got {value!r}', index, name)
        if typ is not int and not isinstance(value, typ):
            raise AnnotationFormatError(source, f'{what} key {key!r} must be a '
                                        f'{typ.__name__}, got {type(value).__name__}',
                                        index, name)


def check_annotation_entry(source: str, index: int, entry: object, vocab: HOIVocab,
                           allow_no_object: bool) -> None:
    """Validate one image entry; ``allow_no_object``: ``object_id == -1`` (V-COCO)."""
    _check_keys(source, index, None, entry, ENTRY_KEYS, 'image entry')
    name = entry['file_name']
    boxes = entry['annotations']

    def fail(problem: str) -> None:
        raise AnnotationFormatError(source, problem, index, name)

    for b, box in enumerate(boxes):
        what = f'annotations[{b}]'
        _check_keys(source, index, name, box, BOX_KEYS, what)
        coords = box['bbox']
        if len(coords) != 4 or not all(_is_number(c) and math.isfinite(c) for c in coords):
            fail(f'{what} bbox must be 4 finite numbers [x1, y1, x2, y2], got {coords!r}')
        if coords[2] < coords[0] or coords[3] < coords[1]:
            fail(f'{what} bbox {coords} has x2 < x1 or y2 < y1')
        if not vocab.has_object_id(box['category_id']):
            fail(f'{what} category_id {box["category_id"]} is not a {vocab.name} object id')
    for h, hoi in enumerate(entry['hoi_annotation']):
        what = f'hoi_annotation[{h}]'
        _check_keys(source, index, name, hoi, HOI_KEYS, what)
        sub, obj = hoi['subject_id'], hoi['object_id']
        if not 0 <= sub < len(boxes):
            fail(f'{what} subject_id {sub} is out of range (image has {len(boxes)} boxes)')
        sub_cat = boxes[sub]['category_id']
        if sub_cat != vocab.object_ids[0]:
            fail(f'{what} subject_id {sub} refers to a '
                 f'{vocab.object_names[vocab.object_index(sub_cat)]!r} box; the subject must '
                 f'be a {vocab.object_names[0]!r}')
        if not (-1 if allow_no_object else 0) <= obj < len(boxes):
            fail(f'{what} object_id {obj} is out of range (image has {len(boxes)} boxes)')
        if not vocab.has_verb_id(hoi['category_id']):
            fail(f'{what} category_id {hoi["category_id"]} is not a {vocab.name} verb id')


def check_annotation_entries(entries: Any, vocab: HOIVocab, source: str,
                             allow_no_object: bool) -> None:
    """Validate a loaded annotation list entry by entry (the first problem raises)."""
    if not isinstance(entries, list):
        raise AnnotationFormatError(source, 'expected a JSON list of images, got '
                                    f'{type(entries).__name__}')
    for index, entry in enumerate(entries):
        check_annotation_entry(source, index, entry, vocab, allow_no_object)
