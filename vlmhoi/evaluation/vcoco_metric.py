"""``VCOCOMetric``: V-COCO AP_role (Scenario 1 / 2) as an mmengine metric."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from mmdet.registry import METRICS
from mmengine.evaluator import BaseMetric

from vlmhoi.evaluation.pred_format import (
    dump_predictions,
    flatten_array_entries,
    order_entries,
    sample_to_arrays,
)
from vlmhoi.evaluation.vcoco_dets import exchange_to_detections, image_id_of
from vlmhoi.evaluation.vcoco_eval import evaluate_vcoco
from vlmhoi.evaluation.vcoco_from_qpic import load_vcoco_images, official_from_qpic
from vlmhoi.evaluation.vcoco_gt import VCOCOGroundTruth, load_vcoco_gt, vcoco_gt_from_data
from vlmhoi.vocab import vcoco_vocab


@METRICS.register_module()
class VCOCOMetric(BaseMetric):
    """Official ``vsrl_eval.py`` role AP; keys ``AP_role_S1``, ``AP_role_S2``, ``AP_agent``.

    Args:
        ann_file: QPIC-format ``test_vcoco.json`` (image order and ids).
        vsrl_annot_file: official ``vcoco_test.json``.
        coco_annot_file: ``instances_vcoco_all_2014.json``.
        split_file: ``vcoco_test.ids``. Without the three official files the ground truth
            is derived from ``ann_file`` (``vcoco_from_qpic``; key ``gt_source`` says so).
        correct_mat_file: ``corre_vcoco.npy`` (29 x 80 or 29 x 81); default: all valid.
        outfile: if set, the predictions are also written there in the exchange format.
    """

    default_prefix = 'vcoco'

    def __init__(self, ann_file: str, vsrl_annot_file: str | None = None,
                 coco_annot_file: str | None = None, split_file: str | None = None,
                 correct_mat_file: str | None = None,
                 outfile: str | None = None, collect_device: str = 'cpu',
                 prefix: str | None = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.ann_file = ann_file
        self.official_files = (vsrl_annot_file, coco_annot_file, split_file)
        given = sum(f is not None for f in self.official_files)
        if given not in (0, 3):
            raise ValueError('give all of vsrl_annot_file, coco_annot_file, split_file or none')
        self.correct_mat = None if correct_mat_file is None else np.load(correct_mat_file)
        self.outfile = outfile
        self.vocab = vcoco_vocab()
        self._gt: VCOCOGroundTruth | None = None
        #: the last evaluation (per-category rows, PR curves) for reports (vlmhoi.tracking)
        self.last_result = None
        self._images: list[dict] | None = None

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Keep each image's predictions as an exchange-format entry held as arrays (with
        ``output='all_queries'`` an image has 100 x 29 scores)."""
        for sample in data_samples:
            self.results.append(sample_to_arrays(sample, self.vocab, allow_no_object=True))

    def compute_metrics(self, results: list) -> dict[str, Any]:
        """Evaluate with the function ``tools/eval_hoi.py --dataset vcoco`` uses."""
        if self._gt is None:
            self._images = load_vcoco_images(self.ann_file)
            self._gt = load_vcoco_gt(*self.official_files) if self.official_files[0] else \
                vcoco_gt_from_data(*official_from_qpic(self._images, self.ann_file),
                                   source=self.ann_file)
        names = [e['file_name'] for e in self._images]
        entries = order_entries(results, names, 'model outputs')
        if self.outfile:
            dump_predictions(entries, Path(self.outfile))
        flat = flatten_array_entries(entries, self.vocab, 'model outputs', allow_no_object=True)
        mat = np.ones((self.vocab.num_verbs, self.vocab.num_objects)) \
            if self.correct_mat is None else self.correct_mat
        dets = exchange_to_detections(flat, [image_id_of(e) for e in self._images], self.vocab,
                                      mat, self._gt.action_names, self._gt.role_names,
                                      'model outputs')
        result = evaluate_vcoco(self._gt, dets)
        self.last_result = result
        gt_source = 'official' if self.official_files[0] else 'derived from ann_file'
        return dict(result.metrics, gt_source=gt_source)
