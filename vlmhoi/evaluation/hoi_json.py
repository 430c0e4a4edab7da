"""Flatten QPIC-style HOI json entries (ground truth or predictions) into numpy arrays.

One entry per image: ``{file_name, <boxes key>: [{bbox, category_id}], <hois key>:
[{subject_id, object_id, category_id[, score]}]}``. Object ``category_id`` is a COCO id,
verb ``category_id`` an id as written in the dataset's annotation files. The fast path
converts a few images at a time, while their objects are still in the CPU cache, with one
``struct.pack_into`` per field (it accepts exactly what ``array('d')`` / ``array('q')``
accept: no strings or ``None``, no floats as integers); when it fails, a slow walk finds the
first bad entry so the error names the file, the image and the entry. For ground truth
that walk is :func:`vlmhoi.hoi_annotation_format.check_annotation_entries`, the validation
the datasets use, so a bad annotation file gets the same error from both; ground truth is
also held to that module's exact types (no booleans) and person subjects.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from struct import pack_into
from typing import Any

import numpy as np

from vlmhoi.hoi_annotation_format import check_annotation_entries
from vlmhoi.hoi_format_errors import AnnotationFormatError, HOIFormatError, PredictionFormatError
from vlmhoi.vocab import HOIVocab

NO_OBJECT = -1  # box label / object index meaning "no object" (V-COCO only)


@dataclass
class FlatHOI:
    """All images' boxes and HOIs as flat arrays; ``*_offsets`` delimit the images."""

    file_names: list[str]
    box_offsets: np.ndarray   # (n_images + 1,)
    boxes: np.ndarray         # (B, 4) float64
    box_labels: np.ndarray    # (B,) contiguous object index, NO_OBJECT allowed for V-COCO preds
    hoi_offsets: np.ndarray   # (n_images + 1,)
    hoi_img: np.ndarray       # (H,) image index
    hoi_sub: np.ndarray       # (H,) subject index within the image's boxes
    hoi_obj: np.ndarray       # (H,) object index within the image's boxes, NO_OBJECT allowed
    hoi_verb: np.ndarray      # (H,) contiguous verb index
    hoi_score: np.ndarray     # (H,) float64 (ones for ground truth)

    @property
    def num_images(self) -> int:
        return len(self.file_names)


class _Slow(Exception):
    pass


def _keys(kind: str) -> tuple[str, str, type[HOIFormatError]]:
    if kind == 'pred':
        return 'predictions', 'hoi_prediction', PredictionFormatError
    return 'annotations', 'hoi_annotation', AnnotationFormatError


def _lookup(ids: np.ndarray, vocab_ids: tuple[int, ...], extra: dict[int, int]) -> np.ndarray:
    """Map file ids to contiguous indices by table look-up; -2 marks unknown ids."""
    known = dict(zip(vocab_ids, range(len(vocab_ids))))
    known.update(extra)
    lo = min(known)
    table = np.full(max(known) - lo + 2, -2, dtype=np.int64)
    table[np.array(list(known)) - lo] = list(known.values())
    pos = ids - lo
    pos = np.where((pos >= 0) & (pos < len(table) - 1), pos, len(table) - 1)
    return table[pos]


_CHUNK = 16  # images converted together: their objects fit in the L2 cache
_BBOX, _CAT = itemgetter('bbox'), itemgetter('category_id')
_SUB, _OBJ, _SCORE = itemgetter('subject_id'), itemgetter('object_id'), itemgetter('score')
_FOUR = frozenset((4,))
_NUMBER_TYPES, _INT_TYPES = frozenset((int, float)), frozenset((int,))


def _concat(lists: Any) -> list:
    """Items of all ``lists`` in one list; ``list.extend`` beats ``chain`` (and ``+=``,
    which would add numpy arrays element-wise)."""
    out: list = []
    any(map(out.extend, lists))  # extend returns None: any() runs through all of them
    return out


def _convert(box_lists: list, hoi_lists: list, n_boxes: int, n_hois: int,
             with_score: bool, exact_types: bool = False) -> tuple[np.ndarray, ...]:
    """Boxes (B, 4), box category ids, subject / object ids, verb ids and scores.

    ``struct.pack_into`` writes each chunk's values straight into the arrays. Raises
    whatever the conversion raises (``KeyError``, ``TypeError``, ``struct.error`` ...) or
    ``_Slow`` when a bbox does not have 4 values or, with ``exact_types``, when a value is
    not exactly an ``int`` (ids) / ``int`` or ``float`` (coordinates): ``struct`` takes
    booleans as numbers.
    """
    coords = np.empty((n_boxes, 4))
    cats, sub, obj, verb = (np.empty(m, np.int64) for m in (n_boxes, n_hois, n_hois, n_hois))
    score = np.empty(n_hois) if with_score else np.ones(n_hois)
    at_box = at_hoi = 0  # byte offsets of the chunk in the int64 / float64 arrays
    for start in range(0, len(box_lists), _CHUNK):
        boxes = _concat(box_lists[start:start + _CHUNK])
        hois = _concat(hoi_lists[start:start + _CHUNK])
        nb, nh = len(boxes), len(hois)
        bbox = list(map(_BBOX, boxes))
        if not _FOUR.issuperset(map(len, bbox)):
            raise _Slow
        # partial(...)(*items): unlike pack_into(fmt, buf, offset, *items) it passes the
        # items without first copying them into a list
        values = _concat(bbox)
        partial(pack_into, f'{4 * nb}d', coords, 4 * at_box)(*values)
        partial(pack_into, f'{nb}q', cats, at_box)(*map(_CAT, boxes))
        partial(pack_into, f'{nh}q', sub, at_hoi)(*map(_SUB, hois))
        partial(pack_into, f'{nh}q', obj, at_hoi)(*map(_OBJ, hois))
        partial(pack_into, f'{nh}q', verb, at_hoi)(*map(_CAT, hois))
        if exact_types and not (
                _NUMBER_TYPES.issuperset(map(type, values))
                and _INT_TYPES.issuperset(map(type, map(_CAT, boxes)))
                and all(_INT_TYPES.issuperset(map(type, map(get, hois)))
                        for get in (_SUB, _OBJ, _CAT))):
            raise _Slow
        if with_score:
            partial(pack_into, f'{nh}d', score, at_hoi)(*map(_SCORE, hois))
        at_box += 8 * nb
        at_hoi += 8 * nh
    if at_box != 8 * n_boxes or at_hoi != 8 * n_hois:  # len() disagreed with iteration
        raise _Slow
    return coords, cats, sub, obj, verb, score


def flatten_hoi_entries(entries: Any, *, kind: str, vocab: HOIVocab, source: str,
                        allow_no_object: bool = False) -> FlatHOI:
    """Validate and flatten a list of HOI entries; ``kind`` is ``'pred'`` or ``'gt'``."""
    box_key, hoi_key, err = _keys(kind)
    if not isinstance(entries, list):
        raise err(source, f'expected a JSON list with one entry per image, got '
                          f'{type(entries).__name__}')
    n = len(entries)
    try:
        names = [e['file_name'] for e in entries]
        box_lists = [e[box_key] for e in entries]
        hoi_lists = [e[hoi_key] for e in entries]
        nb = np.fromiter(map(len, box_lists), np.int64, n)
        nh = np.fromiter(map(len, hoi_lists), np.int64, n)
        coords, cats, sub, obj, verb, score = _convert(
            box_lists, hoi_lists, int(nb.sum()), int(nh.sum()), kind == 'pred',
            exact_types=kind == 'gt')
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError,
            struct.error, _Slow):
        if kind == 'gt':
            check_annotation_entries(entries, vocab, source, allow_no_object)
        _raise_structure_error(entries, kind, source)
        raise  # pragma: no cover - the slow walk always finds the problem
    if not all(isinstance(f, str) for f in names):
        i = next(i for i, f in enumerate(names) if not isinstance(f, str))
        raise err(source, 'file_name must be a string', i)

    return flat_from_arrays(names, nb, nh, coords, cats, sub, obj, verb, score, kind=kind,
                            vocab=vocab, source=source, allow_no_object=allow_no_object,
                            entries=entries)


def flat_from_arrays(names: list[str], nb: np.ndarray, nh: np.ndarray, coords: np.ndarray,
                     cats: np.ndarray, sub: np.ndarray, obj: np.ndarray, verb: np.ndarray,
                     score: np.ndarray, *, kind: str, vocab: HOIVocab, source: str,
                     allow_no_object: bool = False, entries: Any = None) -> FlatHOI:
    """Check per-image arrays (``nb`` boxes and ``nh`` HOIs per image; file ids) and build
    the :class:`FlatHOI`; ground truth needs its ``entries`` to name a problem."""
    box_key, hoi_key, err = _keys(kind)
    n = len(names)
    box_off = np.concatenate(([0], np.cumsum(nb)))
    hoi_off = np.concatenate(([0], np.cumsum(nh)))
    extra = {NO_OBJECT: NO_OBJECT} if allow_no_object else {}
    labels = _lookup(cats, vocab.object_ids, extra)
    verbs = _lookup(verb, vocab.verb_ids, {})
    hoi_img = np.repeat(np.arange(n), nh)
    nbox_of_hoi = nb[hoi_img]

    def fail(flat_idx: int, offsets: np.ndarray, key: str, problem: str) -> None:
        if kind == 'gt':   # the shared walk names the first problem as the datasets do
            check_annotation_entries(entries, vocab, source, allow_no_object)
        img = int(np.searchsorted(offsets, flat_idx, side='right') - 1)
        raise err(source, problem, img, names[img], f'{key}[{flat_idx - offsets[img]}]')

    finite = np.isfinite(coords)  # per-column AND: .all(axis=1) over 4 columns is slow
    checks = [
        (~(finite[:, 0] & finite[:, 1] & finite[:, 2] & finite[:, 3]), box_off, box_key,
         lambda i: f'bbox {coords[i].tolist()} has a non-finite coordinate'),
        ((coords[:, 2] < coords[:, 0]) | (coords[:, 3] < coords[:, 1]), box_off, box_key,
         lambda i: f'malformed bbox {coords[i].tolist()} (need x1 <= x2 and y1 <= y2)'),
        (labels == -2, box_off, box_key,
         lambda i: f'unknown object category_id {int(cats[i])} (expected a COCO id of the '
                   f'{vocab.name} vocabulary)'),
        ((sub < 0) | (sub >= nbox_of_hoi), hoi_off, hoi_key,
         lambda i: f'subject_id {int(sub[i])} out of range (image has '
                   f'{int(nbox_of_hoi[i])} boxes)'),
        (((obj < 0) & (obj != NO_OBJECT) if allow_no_object else obj < 0)
         | (obj >= nbox_of_hoi), hoi_off, hoi_key,
         lambda i: f'object_id {int(obj[i])} out of range (image has '
                   f'{int(nbox_of_hoi[i])} boxes)'),
        (verbs == -2, hoi_off, hoi_key,
         lambda i: f'unknown verb category_id {int(verb[i])} for {vocab.name}'),
        (~np.isfinite(score), hoi_off, hoi_key, lambda i: f'score {score[i]!r} is not finite'),
    ]
    for bad, offsets, key, message in checks:
        if bad.any():
            i = int(np.argmax(bad))
            fail(i, offsets, key, message(i))
    if kind == 'gt':
        not_person = labels[box_off[hoi_img] + sub] != 0
        if not_person.any():
            fail(int(np.argmax(not_person)), hoi_off, hoi_key, 'the subject must be a person')
    if allow_no_object:  # otherwise no label is NO_OBJECT (unknown ids failed above)
        no_object_sub = labels[box_off[hoi_img] + sub] == NO_OBJECT
        if no_object_sub.any():
            fail(int(np.argmax(no_object_sub)), hoi_off, hoi_key,
                 'subject box has the no-object category_id -1')
    return FlatHOI(names, box_off, coords, labels, hoi_off, hoi_img, sub, obj, verbs, score)


def _raise_structure_error(entries: list, kind: str, source: str) -> None:
    box_key, hoi_key, err = _keys(kind)
    for i, e in enumerate(entries):
        if not isinstance(e, dict):
            raise err(source, f'entry must be an object, got {type(e).__name__}', i)
        name = e.get('file_name') if isinstance(e.get('file_name'), str) else None
        for key in ('file_name', box_key, hoi_key):
            if key not in e:
                raise err(source, f'missing key {key!r}', i, name)
        for key in (box_key, hoi_key):
            if not isinstance(e[key], list):
                raise err(source, f'{key} must be a list', i, name)
        for j, b in enumerate(e[box_key]):
            where = f'{box_key}[{j}]'
            if not isinstance(b, dict) or 'bbox' not in b or 'category_id' not in b:
                raise err(source, 'need an object with bbox and category_id', i, name, where)
            box = b['bbox']
            if (not isinstance(box, list | tuple) or len(box) != 4
                    or not all(_is_number(v) for v in box)):
                raise err(source, f'bbox must be 4 numbers [x1, y1, x2, y2], got {box!r}',
                          i, name, where)
            if not _is_int(b['category_id']):
                raise err(source, f'category_id must be an integer, got {b["category_id"]!r}',
                          i, name, where)
        fields = ('subject_id', 'object_id', 'category_id') + (('score',) if kind == 'pred'
                                                                 else ())
        for j, h in enumerate(e[hoi_key]):
            where = f'{hoi_key}[{j}]'
            if not isinstance(h, dict):
                raise err(source, 'need an object', i, name, where)
            for f in fields:
                if f not in h:
                    raise err(source, f'missing key {f!r}', i, name, where)
                ok = _is_number(h[f]) if f == 'score' else _is_int(h[f])
                if not ok:
                    kind_name = 'a number' if f == 'score' else 'an integer'
                    raise err(source, f'{f} must be {kind_name}, got {h[f]!r}', i, name, where)
    raise err(source, 'could not be read as HOI entries')


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)
