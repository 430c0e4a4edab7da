"""V-COCO detections: exchange format -> the official per-pair records (and back).

The reference repos (QPIC / CDN / GEN-VLKT / MUREN ``generate_vcoco_official.py``) write one
record per predicted (person, object) pair: ``image_id``, ``person_box``, for each of the 29
action-role classes (``corre_vcoco.npy``-masked score ``s``):

* agent-only actions (stand, walk, run, smile): ``'<action>_agent': s``;
* cut / hit / eat (two roles): ``'<action>_<role>': [x1, y1, x2, y2, s]`` and
  ``'<action>_agent'`` = max(0, scores of its roles);
* other actions: ``'<action>_<role>': [x1, y1, x2, y2, s]`` and ``'<action>_agent': s``;

with the object box NaN when the object is "no object". From the exchange format, HOIs are
grouped by ``(subject_id, object_id)`` in order of first appearance, absent action-roles
score 0 (as masked ones do), ``object_id == -1`` or an object box with ``category_id: -1``
means no object, and the image id is the entry's ``img_id`` or the number at the end of its
file name. Records are held as the arrays ``vsrl_eval.py`` builds from them (float32).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vlmhoi.evaluation.hoi_json import NO_OBJECT, FlatHOI
from vlmhoi.evaluation.pred_format import read_predictions
from vlmhoi.hoi_format_errors import PredictionFormatError
from vlmhoi.vocab import HOIVocab, vcoco_action_roles, vcoco_vocab

AGENT_MAX_ACTIONS = ('cut', 'hit', 'eat')


@dataclass
class VCOCODetections:
    """Official records as arrays: ``agents`` (N, 4 + A), ``roles`` (N, 5 A, 2)."""

    image_ids: np.ndarray   # (N,)
    agents: np.ndarray
    roles: np.ndarray


def image_id_of(entry: dict) -> int:
    """COCO image id of a QPIC-format entry (``img_id`` or the file name's last number)."""
    if entry.get('img_id') is not None:
        return int(entry['img_id'])
    return int(Path(entry['file_name']).stem.split('_')[-1])


def _class_columns(action_names: list[str], role_names: list[list[str]]) -> list[tuple]:
    """For each of the 29 classes: (action index, role slot or None)."""
    cols = []
    for c in vcoco_action_roles():
        aid = action_names.index(c['action'])
        cols.append((aid, None if c['role'] is None else role_names[aid].index(c['role']) - 1))
    return cols


def exchange_to_detections(flat: FlatHOI, image_ids: list[int], vocab: HOIVocab,
                           correct_mat: np.ndarray, action_names: list[str],
                           role_names: list[list[str]], source: str) -> VCOCODetections:
    """Group exchange-format HOIs into official per-pair records (see module doc)."""
    n_act = len(action_names)
    img = flat.hoi_img
    span = int(np.diff(flat.box_offsets).max(initial=0)) + 2
    pair_key = (img * span + flat.hoi_sub) * span + flat.hoi_obj + 1
    keys, first, inverse = np.unique(pair_key, return_index=True, return_inverse=True)
    appear = np.argsort(first, kind='stable')
    rank = np.empty(len(keys), dtype=np.int64)
    rank[appear] = np.arange(len(keys))
    pair = rank[inverse.reshape(-1)]
    n_pair, n_cls = len(keys), vocab.num_verbs
    dup = np.bincount(pair * n_cls + flat.hoi_verb, minlength=n_pair * n_cls) > 1
    if dup.any():
        p, v = divmod(int(np.argmax(dup)), n_cls)
        i = int(np.flatnonzero((pair == p) & (flat.hoi_verb == v))[1])
        im = int(img[i])
        raise PredictionFormatError(source, f'duplicate prediction of class {v} for the same '
                                    'subject/object pair', im, flat.file_names[im],
                                    f'hoi_prediction[{i - flat.hoi_offsets[im]}]')
    head = first[appear]
    p_img = img[head]
    sub_box = flat.boxes[flat.box_offsets[p_img] + flat.hoi_sub[head]]
    obj_idx = flat.hoi_obj[head]
    obj_g = flat.box_offsets[p_img] + np.maximum(obj_idx, 0)
    obj_label = np.where(obj_idx == NO_OBJECT, NO_OBJECT, flat.box_labels[obj_g])
    obj_box = np.where((obj_label == NO_OBJECT)[:, None], np.nan, flat.boxes[obj_g])
    mat = np.asarray(correct_mat, dtype=np.float64)
    if mat.shape[1] == vocab.num_objects:
        mat = np.concatenate((mat, np.ones((mat.shape[0], 1))), axis=1)
    label_col = np.where(obj_label == NO_OBJECT, vocab.num_objects, obj_label)
    scores = np.zeros((n_pair, n_cls))
    scores[pair, flat.hoi_verb] = flat.hoi_score
    scores *= mat[np.arange(n_cls)[None, :], label_col[:, None]]
    agents = np.zeros((n_pair, 4 + n_act), dtype=np.float32)
    roles = np.zeros((n_pair, 5 * n_act, 2), dtype=np.float32)
    agents[:, :4] = sub_box
    for c, (aid, slot) in enumerate(_class_columns(action_names, role_names)):
        if slot is None:
            agents[:, 4 + aid] = scores[:, c]
            continue
        roles[:, 5 * aid:5 * aid + 4, slot] = obj_box
        roles[:, 5 * aid + 4, slot] = scores[:, c]
        if action_names[aid] in AGENT_MAX_ACTIONS:
            agents[:, 4 + aid] = np.maximum(agents[:, 4 + aid], scores[:, c])
        else:
            agents[:, 4 + aid] = scores[:, c]
    ids = np.asarray(image_ids, dtype=np.int64)[p_img]
    return VCOCODetections(ids, agents, roles)


def detections_from_exchange(image_entries: list[dict], predictions: Any,
                             correct_mat: np.ndarray | None, action_names: list[str],
                             role_names: list[list[str]], source: str = 'predictions'
                             ) -> VCOCODetections:
    """Check exchange-format ``predictions`` against the QPIC-format image list
    (``test_vcoco.json``: order, file names, image ids) and convert them."""
    vocab = vcoco_vocab()
    names = [e['file_name'] for e in image_entries]
    flat = read_predictions(predictions, names, vocab, source, allow_no_object=True)
    mat = np.ones((vocab.num_verbs, vocab.num_objects)) if correct_mat is None else correct_mat
    return exchange_to_detections(flat, [image_id_of(e) for e in image_entries], vocab, mat,
                                  action_names, role_names, source)


def detections_to_records(dets: VCOCODetections, action_names: list[str],
                          role_names: list[list[str]]) -> list[dict[str, Any]]:
    """The official pickle's list of dicts (for ``vsrl_eval.py``)."""
    out = []
    for i in range(len(dets.image_ids)):
        rec: dict[str, Any] = {'image_id': int(dets.image_ids[i]),
                               'person_box': dets.agents[i, :4].tolist()}
        for aid, (name, rnames) in enumerate(zip(action_names, role_names)):
            rec[f'{name}_agent'] = float(dets.agents[i, 4 + aid])
            for j, role in enumerate(rnames[1:]):
                rec[f'{name}_{role}'] = dets.roles[i, 5 * aid:5 * aid + 5, j].tolist()
        out.append(rec)
    return out


def records_to_detections(records: list[dict], action_names: list[str],
                          role_names: list[list[str]], source: str = 'detections'
                          ) -> VCOCODetections:
    """Arrays from official records, as ``_collect_detections_for_image`` fills them."""
    n, n_act = len(records), len(action_names)
    agents = np.zeros((n, 4 + n_act), dtype=np.float32)
    roles = np.zeros((n, 5 * n_act, 2), dtype=np.float32)
    ids = np.zeros(n, dtype=np.int64)
    for i, det in enumerate(records):
        try:
            ids[i] = det['image_id']
            agents[i, :4] = det['person_box']
            for aid, (name, rnames) in enumerate(zip(action_names, role_names)):
                for j, role in enumerate(rnames):
                    if role == 'agent':
                        agents[i, 4 + aid] = det[f'{name}_agent']
                    else:
                        roles[i, 5 * aid:5 * aid + 5, j - 1] = det[f'{name}_{role}']
        except (KeyError, TypeError, ValueError) as exc:
            raise PredictionFormatError(source, f'bad record ({exc!r})',
                                        entry=f'record {i}') from exc
    return VCOCODetections(ids, agents, roles)
