"""HOI evaluation: the numpy evaluators of HICO-DET and V-COCO, and their mmengine metrics.

Importing this package (or any evaluator module) loads numpy only, never torch, mmcv or
mmdet, so ``tools/eval_hoi.py`` starts fast. The two ``BaseMetric`` wrappers live in
``vlmhoi.evaluation.metrics`` (registered in ``mmdet.registry.METRICS`` when that module is
imported, e.g. through a config's ``custom_imports``); ``HICODetMetric`` / ``VCOCOMetric``
as attributes of this package import it on first use.
"""
from __future__ import annotations

import importlib
from typing import Any

from vlmhoi.evaluation.hico_eval import MODES, HICOEvalResult, evaluate_hico
from vlmhoi.evaluation.hico_gt import HICOGroundTruth, hico_gt_from_entries, load_hico_gt
from vlmhoi.evaluation.vcoco_eval import VCOCOEvalResult, evaluate_vcoco, evaluate_vcoco_predictions
from vlmhoi.evaluation.vcoco_gt import VCOCOGroundTruth, load_vcoco_gt, vcoco_gt_from_data
from vlmhoi.hoi_format_errors import AnnotationFormatError, HOIFormatError, PredictionFormatError

_METRICS = ('HICODetMetric', 'VCOCOMetric')

__all__ = [
    'MODES', 'AnnotationFormatError', 'HICODetMetric', 'HICOEvalResult', 'HICOGroundTruth',
    'HOIFormatError', 'PredictionFormatError', 'VCOCOEvalResult', 'VCOCOGroundTruth',
    'VCOCOMetric', 'evaluate_hico', 'evaluate_vcoco', 'evaluate_vcoco_predictions',
    'hico_gt_from_entries', 'load_hico_gt', 'load_vcoco_gt', 'vcoco_gt_from_data',
]


def __getattr__(name: str) -> Any:
    if name in _METRICS:
        return getattr(importlib.import_module('vlmhoi.evaluation.metrics'), name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
