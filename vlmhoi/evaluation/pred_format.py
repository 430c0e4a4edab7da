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

from vlmhoi.evaluation.hoi_json import NO_OBJECT, FlatHOI, flatten_hoi_entries
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


def sample_to_entry(sample: dict, vocab: HOIVocab, allow_no_object: bool = False) -> dict:
    """Convert one model output (a ``DetDataSample`` as dict) to an exchange-format entry.

    ``pred_instances.labels`` are contiguous object indices, ``pred_hoi.verb_labels``
    contiguous verb indices. With ``allow_no_object`` (V-COCO) boxes labelled ``num_objects``
    are written with ``category_id: -1`` ("no object").
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
    cats = obj_ids[labels]
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
    return {
        'file_name': name,
        'img_id': sample.get('img_id'),
        'predictions': [{'bbox': b, 'category_id': c}
                        for b, c in zip(bboxes.tolist(), cats.tolist())],
        'hoi_prediction': [{'subject_id': s, 'object_id': o, 'category_id': v, 'score': p}
                           for s, o, v, p in zip(sub.tolist(), obj.tolist(),
                                                 verb_ids.tolist(), scores.tolist())],
    }


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
    """Write exchange-format entries as JSON."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(entries, f)
