"""The prediction exchange format (docs/prediction_format.md): read, check, write, convert.

A prediction file is a JSON list with one entry per test image, in ground-truth order::

    {"file_name": str,
     "predictions": [{"bbox": [x1, y1, x2, y2], "category_id": coco_id}],
     "hoi_prediction": [{"subject_id": i, "object_id": j, "category_id": verb_id,
                         "score": s}]}
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from vlmhoi.evaluation.hoi_json import NO_OBJECT, FlatHOI, flat_from_arrays, flatten_hoi_entries
from vlmhoi.hoi_format_errors import PredictionFormatError
from vlmhoi.vocab import HOIVocab


def load_json_file(path: str | Path, error: type[ValueError]) -> Any:
    """Read a JSON file; syntax errors become ``error`` naming the file."""
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except json.JSONDecodeError as exc:
        raise error(str(path), f'not valid JSON ({exc})') from exc


def check_image_order(entries: Any, file_names: list[str], source: str) -> None:
    """Raise unless ``entries`` has one entry per image with the ground truth's file names."""
    if not isinstance(entries, list):
        raise PredictionFormatError(source, 'expected a JSON list with one entry per image')
    if len(entries) != len(file_names):
        raise PredictionFormatError(
            source, f'has {len(entries)} image entries, the ground truth has {len(file_names)}')
    for i, (e, name) in enumerate(zip(entries, file_names)):
        if not isinstance(e, dict):
            raise PredictionFormatError(source, f'entry must be an object, got '
                                                f'{type(e).__name__}', i, name)
        got = e.get('file_name')
        if got != name:
            raise PredictionFormatError(
                source, f'file_name {got!r} does not match the ground truth at this position '
                        f'({name!r}); entries must follow the ground-truth order', i, name)


def read_predictions(entries: Any, file_names: list[str], vocab: HOIVocab, source: str,
                     allow_no_object: bool = False) -> FlatHOI:
    """Check order and content of exchange-format entries and flatten them."""
    check_image_order(entries, file_names, source)
    return flatten_hoi_entries(entries, kind='pred', vocab=vocab, source=source,
                               allow_no_object=allow_no_object)


def _numpy(value: Any) -> np.ndarray:
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def sample_to_arrays(sample: dict, vocab: HOIVocab, allow_no_object: bool = False) -> dict:
    """Convert one model output (a ``DetDataSample`` as dict) to an exchange-format entry
    held as arrays: ``file_name``, ``img_id`` and ``arrays`` = (boxes (B, 4), object
    ``category_id`` (B,), subject ids, object ids, verb ``category_id``, scores).

    ``pred_instances.labels`` are contiguous object indices, ``pred_hoi.verb_labels``
    contiguous verb indices. With ``allow_no_object`` (V-COCO) boxes labelled ``num_objects``
    get ``category_id: -1`` ("no object"). Compact: V-COCO keeps every query's 29 scores.
    """
    name = sample.get('file_name') or Path(str(sample.get('img_path', ''))).name
    inst, hoi = sample['pred_instances'], sample['pred_hoi']
    bboxes = _numpy(inst['bboxes']).reshape(-1, 4).astype(np.float64)
    labels = _numpy(inst['labels']).astype(np.int64).reshape(-1)
    obj_ids = np.array(vocab.object_ids + (NO_OBJECT,), dtype=np.int64)
    top = len(vocab.object_ids) - (not allow_no_object)
    bad = (labels < 0) | (labels > top)
    if bad.any():
        i = int(np.argmax(bad))
        raise PredictionFormatError('model output', f'pred_instances.labels[{i}] = '
                                    f'{int(labels[i])} is not a {vocab.name} object index',
                                    None, name)
    sub = _numpy(hoi['sub_ids']).astype(np.int64).reshape(-1)
    obj = _numpy(hoi['obj_ids']).astype(np.int64).reshape(-1)
    verbs = _numpy(hoi['verb_labels']).astype(np.int64).reshape(-1)
    scores = _numpy(hoi['scores']).astype(np.float64).reshape(-1)
    if not (len(sub) == len(obj) == len(verbs) == len(scores)):
        raise PredictionFormatError('model output', 'pred_hoi fields differ in length',
                                    None, name)
    if len(verbs) and (verbs.min() < 0 or verbs.max() >= len(vocab.verb_ids)):
        raise PredictionFormatError('model output', 'pred_hoi.verb_labels out of range',
                                    None, name)
    verb_ids = np.array(vocab.verb_ids, dtype=np.int64)[verbs]
    return {'file_name': name, 'img_id': sample.get('img_id'),
            'arrays': (bboxes, obj_ids[labels], sub, obj, verb_ids, scores)}


def arrays_to_entry(entry: dict) -> dict:
    """The exchange-format dict of a :func:`sample_to_arrays` entry."""
    bboxes, cats, sub, obj, verb_ids, scores = entry['arrays']
    return {
        'file_name': entry['file_name'],
        'img_id': entry['img_id'],
        'predictions': [{'bbox': b, 'category_id': c}
                        for b, c in zip(bboxes.tolist(), cats.tolist())],
        'hoi_prediction': [{'subject_id': s, 'object_id': o, 'category_id': v, 'score': p}
                           for s, o, v, p in zip(sub.tolist(), obj.tolist(),
                                                 verb_ids.tolist(), scores.tolist())],
    }


def sample_to_entry(sample: dict, vocab: HOIVocab, allow_no_object: bool = False) -> dict:
    """One model output as an exchange-format entry (see :func:`sample_to_arrays`)."""
    return arrays_to_entry(sample_to_arrays(sample, vocab, allow_no_object))


def flatten_array_entries(entries: list[dict], vocab: HOIVocab, source: str,
                          allow_no_object: bool = False) -> FlatHOI:
    """:class:`FlatHOI` of :func:`sample_to_arrays` entries, checked like a prediction file
    (exchange-format dicts among them are converted first)."""
    entries = [e if 'arrays' in e else _dict_to_arrays(e, vocab, source, allow_no_object)
               for e in entries]
    parts = [e['arrays'] for e in entries]
    nb = np.array([len(p[0]) for p in parts], dtype=np.int64)
    nh = np.array([len(p[2]) for p in parts], dtype=np.int64)

    def cat(k: int, dtype: type, shape: tuple = (0,)) -> np.ndarray:
        return np.concatenate([p[k] for p in parts]).astype(dtype) if parts else \
            np.zeros(shape, dtype)
    return flat_from_arrays([e['file_name'] for e in entries], nb, nh,
                            cat(0, np.float64, (0, 4)), cat(1, np.int64), cat(2, np.int64),
                            cat(3, np.int64), cat(4, np.int64), cat(5, np.float64),
                            kind='pred', vocab=vocab, source=source,
                            allow_no_object=allow_no_object)


def _dict_to_arrays(entry: dict, vocab: HOIVocab, source: str, allow_no_object: bool) -> dict:
    f = flatten_hoi_entries([entry], kind='pred', vocab=vocab, source=source,
                            allow_no_object=allow_no_object)
    obj_ids = np.array(vocab.object_ids + (NO_OBJECT,), dtype=np.int64)
    return {'file_name': entry['file_name'], 'img_id': entry.get('img_id'),
            'arrays': (f.boxes, obj_ids[f.box_labels], f.hoi_sub, f.hoi_obj,
                       np.array(vocab.verb_ids, dtype=np.int64)[f.hoi_verb], f.hoi_score)}


def order_entries(entries: list[dict], file_names: list[str], source: str) -> list[dict]:
    """Put per-image entries (e.g. collected by a metric) into ground-truth order."""
    by_name: dict[str, dict] = {}
    for e in entries:
        by_name.setdefault(e['file_name'], e)
    missing = [i for i, f in enumerate(file_names) if f not in by_name]
    if missing:
        i = missing[0]
        raise PredictionFormatError(
            source, f'no prediction for {len(missing)} of {len(file_names)} ground-truth images',
            i, file_names[i])
    extra = set(by_name) - set(file_names)
    if extra:
        raise PredictionFormatError(
            source, f'predictions for {len(extra)} images not in the ground truth, e.g. '
                    f'{sorted(extra)[0]!r}')
    return [by_name[f] for f in file_names]


def dump_predictions(entries: list[dict], path: str | Path) -> None:
    """Write exchange-format entries (dicts, or :func:`sample_to_arrays` entries, converted
    one at a time) as one JSON list."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write('[')
        for i, e in enumerate(entries):
            f.write(', ' if i else '')
            json.dump(arrays_to_entry(e) if 'arrays' in e else e, f)
        f.write(']')
