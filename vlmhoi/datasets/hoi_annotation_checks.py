"""Validation of one image entry of a QPIC-format HOI annotation file.

The checks are the same for HICO-DET and V-COCO; what differs (vocabulary, whether an
object index of -1 means "no object") is passed in. Each failed check raises
``AnnotationFormatError`` naming the file, the entry and the problem.
"""
from __future__ import annotations

import json
import math
from numbers import Real
from pathlib import Path

from PIL import Image

from ..hoi_format_errors import AnnotationFormatError
from ..vocab import HOIVocab


def _error(file: Path, index: int | None, problem: str,
           file_name: str | None = None) -> AnnotationFormatError:
    return AnnotationFormatError(str(file), problem, index, file_name)


ENTRY_KEYS = {'file_name': str, 'annotations': list, 'hoi_annotation': list}
BOX_KEYS = {'bbox': list, 'category_id': int}
HOI_KEYS = {'subject_id': int, 'object_id': int, 'category_id': int}


def load_annotation_list(path: str | Path) -> list:
    """Read a QPIC-format annotation file: a non-empty JSON list of image entries."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'{path}: annotation file not found')
    text = path.read_text(encoding='utf-8')
    if not text.strip():
        raise _error(path, None, 'file is empty')
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise _error(
            path, None, f'not valid JSON (truncated or corrupt?): {err.msg} at line '
            f'{err.lineno} column {err.colno}') from err
    if not isinstance(data, list):
        raise _error(path, None,
                     f'expected a JSON list of images, got {type(data).__name__}')
    if not data:
        raise _error(path, None, 'the list of images is empty')
    return data


def _check_keys(file: Path, index: int, name: str | None, obj: object, keys: dict,
                what: str) -> None:
    if not isinstance(obj, dict):
        raise _error(file, index, f'{what} must be an object, got '
                     f'{type(obj).__name__}', name)
    for key, typ in keys.items():
        if key not in obj:
            raise _error(file, index, f'{what} is missing key {key!r}', name)
        value = obj[key]
        if typ is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise _error(file, index, f'{what} key {key!r} must be an integer, '
                         f'got {value!r}', name)
        if typ is not int and not isinstance(value, typ):
            raise _error(file, index, f'{what} key {key!r} must be a '
                         f'{typ.__name__}, got {type(value).__name__}', name)


def check_entry(file: Path, index: int, entry: object, vocab: HOIVocab, img_dir: Path,
                allow_no_object: bool, box_tolerance: float) -> tuple[int, int]:
    """Validate one image entry; return the image (width, height)."""
    _check_keys(file, index, None, entry, ENTRY_KEYS, 'image entry')
    name = entry['file_name']
    img_path = img_dir / name
    if not img_path.is_file():
        raise _error(file, index, f'image file {img_path} does not exist', name)
    try:
        with Image.open(img_path) as img:
            width, height = img.size
    except OSError as err:
        raise _error(file, index, f'image file {img_path} cannot be read: {err}',
                     name) from err
    boxes = entry['annotations']
    for b, box in enumerate(boxes):
        what = f'annotations[{b}]'
        _check_keys(file, index, name, box, BOX_KEYS, what)
        coords = box['bbox']
        if len(coords) != 4 or not all(isinstance(c, Real) and not isinstance(c, bool)
                                       and math.isfinite(c) for c in coords):
            raise _error(file, index, f'{what} bbox must be 4 finite numbers '
                         f'[x1, y1, x2, y2], got {coords!r}', name)
        x1, y1, x2, y2 = coords
        if x2 < x1 or y2 < y1:
            raise _error(file, index, f'{what} bbox {coords} has x2 < x1 or '
                         'y2 < y1', name)
        tol = box_tolerance
        if x1 < -tol or y1 < -tol or x2 > width + tol or y2 > height + tol:
            raise _error(file, index, f'{what} bbox {coords} lies outside the '
                         f'{width}x{height} image', name)
        if not vocab.has_object_id(box['category_id']):
            raise _error(file, index, f'{what} category_id {box["category_id"]} '
                         f'is not a {vocab.name} object id', name)
    for h, hoi in enumerate(entry['hoi_annotation']):
        what = f'hoi_annotation[{h}]'
        _check_keys(file, index, name, hoi, HOI_KEYS, what)
        sub, obj = hoi['subject_id'], hoi['object_id']
        if not 0 <= sub < len(boxes):
            raise _error(file, index, f'{what} subject_id {sub} is out of range '
                         f'(image has {len(boxes)} boxes)', name)
        if boxes[sub]['category_id'] != vocab.object_ids[0]:
            raise _error(file, index, f'{what} subject_id {sub} refers to a '
                         f'{vocab.object_names[vocab.object_index(boxes[sub]["category_id"])]!r}'
                         f' box; the subject must be a {vocab.object_names[0]!r}', name)
        low = -1 if allow_no_object else 0
        if not low <= obj < len(boxes):
            raise _error(file, index, f'{what} object_id {obj} is out of range '
                         f'(image has {len(boxes)} boxes)', name)
        if not vocab.has_verb_id(hoi['category_id']):
            raise _error(file, index, f'{what} category_id {hoi["category_id"]} '
                         f'is not a {vocab.name} verb id', name)
    return width, height
