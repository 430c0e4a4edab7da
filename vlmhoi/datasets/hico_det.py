"""HICO-DET in the QPIC / CDN / GEN-VLKT / MUREN annotation format."""
from __future__ import annotations

from mmdet.registry import DATASETS

from ..vocab import HOIVocab, hico_vocab
from .base_hoi_dataset import BaseHOIDataset


@DATASETS.register_module()
class HICODetDataset(BaseHOIDataset):
    """``annotations/{trainval,test}_hico.json`` + ``images/{train,test}2015/``.

    117 verbs (file ids 1..117), 80 COCO objects, 600 valid HOI categories.
    """

    METAINFO = dict(
        classes=hico_vocab().object_names,
        verbs=hico_vocab().verb_names,
        dataset='hico',
    )

    @property
    def vocab(self) -> HOIVocab:
        return hico_vocab()
