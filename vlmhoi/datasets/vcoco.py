"""V-COCO in the QPIC / CDN / GEN-VLKT / MUREN annotation format."""
from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np
from mmdet.registry import DATASETS

from ..hoi_format_errors import AnnotationFormatError
from ..vocab import HOIVocab, coco_objects, vcoco_action_roles, vcoco_vocab
from .base_hoi_dataset import BaseHOIDataset


@DATASETS.register_module()
class VCOCODataset(BaseHOIDataset):
    """``annotations/{trainval,test}_vcoco.json`` (+ ``corre_vcoco.npy``).

    29 action-role classes (file ids 0..28); ``object_id == -1`` marks a role without
    object, which becomes object label ``num_objects`` with a zero box.

    Args:
        correct_mat_file: ``corre_vcoco.npy`` (29 x 80) giving valid (verb, object)
            pairs; without it every pair is valid.
    """

    ALLOW_NO_OBJECT = True
    METAINFO = dict(
        classes=coco_objects()[1],
        verbs=tuple(a['name'] for a in vcoco_action_roles()),
        dataset='vcoco',
    )

    def __init__(self, *args, correct_mat_file: str | None = None, **kwargs) -> None:
        self.correct_mat_file = correct_mat_file
        super().__init__(*args, **kwargs)

    @cached_property
    def _vocab(self) -> HOIVocab:
        if self.correct_mat_file is None:
            return vcoco_vocab()
        path = Path(self.correct_mat_file)
        if not path.is_absolute() and self.data_root:
            path = Path(self.data_root) / path
        mat = np.load(path)
        expected = (len(vcoco_action_roles()), len(coco_objects()[0]))
        if mat.shape != expected:
            raise AnnotationFormatError(str(path), f'correct matrix has shape {mat.shape}, '
                                        f'expected {expected} (verbs x objects)')
        return vcoco_vocab(mat)

    @property
    def vocab(self) -> HOIVocab:
        return self._vocab
