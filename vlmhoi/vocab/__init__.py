"""The real HICO-DET, COCO and V-COCO vocabularies, shipped as data files.

Ids follow the annotation files of the QPIC / CDN / GEN-VLKT / MUREN line of work:
object ``category_id`` is the COCO id (1..90 with gaps), HICO verb ``category_id`` is
1..117, V-COCO verb ``category_id`` is the 0-based index of the 29 action-role classes.
Models work with contiguous 0-based indices; the helpers here convert.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

VOCAB_DIR = Path(__file__).resolve().parent


def _load(name: str) -> dict:
    with open(VOCAB_DIR / name, encoding='utf-8') as f:
        return json.load(f)


@dataclass(frozen=True)
class HOIVocab:
    """Names and ids of one benchmark's objects, verbs and valid (verb, object) pairs."""

    name: str
    object_ids: tuple[int, ...]          # COCO category ids, index = contiguous object label
    object_names: tuple[str, ...]
    verb_ids: tuple[int, ...]            # ids as written in the annotation files
    verb_names: tuple[str, ...]
    valid_pairs: tuple[tuple[int, int], ...]  # (verb index, object index), 0-based
    _obj_index: dict = field(default_factory=dict, compare=False, repr=False)
    _verb_index: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._obj_index.update({cid: i for i, cid in enumerate(self.object_ids)})
        self._verb_index.update({vid: i for i, vid in enumerate(self.verb_ids)})

    @property
    def num_objects(self) -> int:
        return len(self.object_ids)

    @property
    def num_verbs(self) -> int:
        return len(self.verb_ids)

    def object_index(self, category_id: int) -> int:
        """Contiguous index of a COCO category id; KeyError if unknown."""
        return self._obj_index[category_id]

    def verb_index(self, category_id: int) -> int:
        """Contiguous index of a verb id as written in the annotation file."""
        return self._verb_index[category_id]

    def has_object_id(self, category_id: int) -> bool:
        return category_id in self._obj_index

    def has_verb_id(self, category_id: int) -> bool:
        return category_id in self._verb_index

    def correct_mat(self) -> np.ndarray:
        """Verb x object validity matrix (the ``corre_*.npy`` of the reference repos)."""
        mat = np.zeros((self.num_verbs, self.num_objects), dtype=np.float64)
        for v, o in self.valid_pairs:
            mat[v, o] = 1.0
        return mat


@cache
def coco_objects() -> tuple[tuple[int, ...], tuple[str, ...]]:
    objs = _load('coco_objects.json')['objects']
    return tuple(o['id'] for o in objs), tuple(o['name'] for o in objs)


@cache
def hico_hoi_list() -> tuple[dict, ...]:
    """The 600 HICO-DET HOI categories in official order (hoi_id 1..600)."""
    return tuple(_load('hico_hoi.json')['hois'])


@cache
def hico_vocab() -> HOIVocab:
    obj_ids, obj_names = coco_objects()
    verbs = _load('hico_verbs.json')['verbs']
    vocab = HOIVocab('hico', obj_ids, obj_names, tuple(v['id'] for v in verbs),
                     tuple(v['name'] for v in verbs), ())
    pairs = tuple((vocab.verb_index(h['verb_id']), vocab.object_index(h['object_id']))
                  for h in hico_hoi_list())
    return HOIVocab('hico', obj_ids, obj_names, vocab.verb_ids, vocab.verb_names, pairs)


@cache
def vcoco_official_actions() -> tuple[dict, ...]:
    """The 26 official V-COCO actions with their role names (vsrl order)."""
    return tuple(_load('vcoco_actions.json')['official_actions'])


@cache
def vcoco_action_roles() -> tuple[dict, ...]:
    """The 29 action-role classes of ``trainval_vcoco.json`` (id = category_id)."""
    return tuple(_load('vcoco_actions.json')['actions'])


def vcoco_vocab(correct_mat: np.ndarray | None = None) -> HOIVocab:
    """V-COCO vocabulary; valid pairs come from a ``corre_vcoco.npy`` matrix (29 x 80).

    V-COCO ships no fixed pair list, so validity is data: pass the dataset's matrix,
    or get every pair valid when it is omitted.
    """
    obj_ids, obj_names = coco_objects()
    acts = vcoco_action_roles()
    if correct_mat is None:
        correct_mat = np.ones((len(acts), len(obj_ids)))
    pairs = tuple((int(v), int(o)) for v, o in zip(*np.nonzero(correct_mat)))
    return HOIVocab('vcoco', obj_ids, obj_names, tuple(a['id'] for a in acts),
                    tuple(a['name'] for a in acts), pairs)
