"""``HICODetMetric``: HICO-DET mAP as an mmengine metric (registered in mmdet's METRICS)."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from mmdet.registry import METRICS
from mmengine.evaluator import BaseMetric

from vlmhoi.evaluation.hico_eval import MODES, evaluate_hico
from vlmhoi.evaluation.hico_gt import HICOGroundTruth, load_hico_gt
from vlmhoi.evaluation.pred_format import dump_predictions, order_entries, sample_to_entry
from vlmhoi.vocab import hico_vocab


@METRICS.register_module()
class HICODetMetric(BaseMetric):
    """mAP Full / Rare / Non-Rare, Default and Known-Object (keys in ``evaluate_hico``).

    Args:
        ann_file: test annotations (QPIC-format ``test_hico.json``).
        train_ann_file: training annotations, for the rare split.
        correct_mat_file: ``corre_hico.npy`` (117 x 80); default: the 600 HICO-DET HOIs.
        mode: ``'reference'`` (QPIC / CDN / MUREN ``hico_eval.py``), ``'genvlkt'``
            (GEN-VLKT's ``hico_eval_triplet.py``) or ``'official'`` (MATLAB protocol).
        max_per_image: triplets kept per image in reference and genvlkt mode.
        outfile: if set, the predictions are also written there in the exchange format.
    """

    default_prefix = 'hico'

    def __init__(self, ann_file: str, train_ann_file: str, correct_mat_file: str | None = None,
                 mode: str = 'reference', max_per_image: int | None = 100,
                 outfile: str | None = None, collect_device: str = 'cpu',
                 prefix: str | None = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if mode not in MODES:
            raise ValueError(f'mode must be one of {MODES}, got {mode!r}')
        self.ann_file, self.train_ann_file = ann_file, train_ann_file
        self.correct_mat = None if correct_mat_file is None else np.load(correct_mat_file)
        self.mode, self.max_per_image, self.outfile = mode, max_per_image, outfile
        self.vocab = hico_vocab()
        self._gt: HICOGroundTruth | None = None
        #: the last evaluation (per-category rows, PR curves) for reports (vlmhoi.tracking)
        self.last_result = None

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Keep each image's predictions as an exchange-format entry."""
        for sample in data_samples:
            self.results.append(sample_to_entry(sample, self.vocab))

    def compute_metrics(self, results: list) -> dict[str, Any]:
        """Evaluate with :func:`evaluate_hico`, the function ``tools/eval_hoi.py`` uses."""
        if self._gt is None:
            self._gt = load_hico_gt(self.ann_file, self.train_ann_file, self.vocab)
        entries = order_entries(results, self._gt.file_names, 'model outputs')
        if self.outfile:
            dump_predictions(entries, Path(self.outfile))
        result = evaluate_hico(self._gt, entries, mode=self.mode, correct_mat=self.correct_mat,
                               max_per_image=self.max_per_image, source='model outputs')
        self.last_result = result
        return dict(result.metrics)
