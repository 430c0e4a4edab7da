"""HICO-DET ground truth for evaluation: the test annotations plus training counts.

Files are the QPIC-format ``test_hico.json`` / ``trainval_hico.json`` (see
docs/prediction_format.md). Categories are keyed by ``(subject label, object label, verb)``
with contiguous indices, encoded as one integer (``triplet_key``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vlmhoi.evaluation.hoi_json import FlatHOI, flatten_hoi_entries
from vlmhoi.hoi_annotation_format import read_annotation_file
from vlmhoi.hoi_format_errors import AnnotationFormatError
from vlmhoi.vocab import HOIVocab, hico_vocab


def triplet_key(sub_label: np.ndarray, obj_label: np.ndarray, verb: np.ndarray,
                vocab: HOIVocab) -> np.ndarray:
    """One integer per (subject, object, verb) triplet of contiguous indices."""
    n_obj, n_verb = vocab.num_objects, vocab.num_verbs
    return (sub_label.astype(np.int64) * n_obj + obj_label) * n_verb + verb


def decode_triplet_key(key: int, vocab: HOIVocab) -> tuple[int, int, int]:
    """Inverse of :func:`triplet_key`: ``(subject label, object label, verb)``."""
    n_obj, n_verb = vocab.num_objects, vocab.num_verbs
    return key // (n_obj * n_verb), (key // n_verb) % n_obj, key % n_verb


def hoi_index_table(vocab: HOIVocab) -> np.ndarray:
    """(verbs, objects) -> 0-based official HOI index (HICO-DET order), -1 if not a HOI."""
    table = np.full((vocab.num_verbs, vocab.num_objects), -1, dtype=np.int64)
    for i, (v, o) in enumerate(vocab.valid_pairs):
        table[v, o] = i
    return table


@dataclass
class HICOGroundTruth:
    """Flattened test annotations and the training triplet counts (for the rare split)."""

    test: FlatHOI
    train: FlatHOI
    vocab: HOIVocab
    source: str
    train_source: str = 'train annotations'

    @property
    def file_names(self) -> list[str]:
        return self.test.file_names

    def hoi_keys(self, flat: FlatHOI) -> np.ndarray:
        """Triplet key of every HOI of ``flat`` (labels of its own boxes)."""
        sub = flat.box_offsets[flat.hoi_img] + flat.hoi_sub
        obj = flat.box_offsets[flat.hoi_img] + flat.hoi_obj
        return triplet_key(flat.box_labels[sub], flat.box_labels[obj], flat.hoi_verb,
                           self.vocab)

    def train_triplet_counts(self) -> dict[int, int]:
        """Training instances per triplet key (what ``set_rare_hois`` counts)."""
        keys, counts = np.unique(self.hoi_keys(self.train), return_counts=True)
        return dict(zip(keys.tolist(), counts.tolist()))

    def train_hoi_counts(self) -> np.ndarray:
        """Training instances per official HOI category (600,), subject class ignored."""
        obj = self.train.box_offsets[self.train.hoi_img] + self.train.hoi_obj
        hoi = hoi_index_table(self.vocab)[self.train.hoi_verb, self.train.box_labels[obj]]
        if (hoi < 0).any():
            i = int(np.argmax(hoi < 0))
            img = int(self.train.hoi_img[i])
            raise AnnotationFormatError(
                self.train_source, 'verb/object pair is not one of the 600 HICO-DET HOIs',
                img, self.train.file_names[img],
                f'hoi_annotation[{i - self.train.hoi_offsets[img]}]')
        return np.bincount(hoi, minlength=len(self.vocab.valid_pairs))


def hico_gt_from_entries(test: Any, train: Any, test_source: str = 'test annotations',
                         train_source: str = 'train annotations',
                         vocab: HOIVocab | None = None) -> HICOGroundTruth:
    """Build the ground truth from already-loaded QPIC-format lists."""
    vocab = vocab or hico_vocab()
    flat_test = flatten_hoi_entries(test, kind='gt', vocab=vocab, source=test_source)
    flat_train = flatten_hoi_entries(train, kind='gt', vocab=vocab, source=train_source)
    return HICOGroundTruth(flat_test, flat_train, vocab, test_source, train_source)


def load_hico_gt(ann_file: str | Path, train_ann_file: str | Path,
                 vocab: HOIVocab | None = None) -> HICOGroundTruth:
    """Read ``test_hico.json`` and ``trainval_hico.json``."""
    test = read_annotation_file(ann_file)
    train = read_annotation_file(train_ann_file)
    return hico_gt_from_entries(test, train, str(ann_file), str(train_ann_file), vocab)
