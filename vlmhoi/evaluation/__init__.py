"""HOI evaluation: HICO-DET and V-COCO metrics and the numpy evaluators behind them.

The numpy core (``hico_eval``, ``vcoco_eval`` and helpers) needs no torch; the two
``BaseMetric`` wrappers register into ``mmdet.registry.METRICS``.
"""
from vlmhoi.evaluation.hico_det_metric import HICODetMetric
from vlmhoi.evaluation.hico_eval import HICOEvalResult, evaluate_hico
from vlmhoi.evaluation.hico_gt import HICOGroundTruth, hico_gt_from_entries, load_hico_gt
from vlmhoi.evaluation.vcoco_eval import VCOCOEvalResult, evaluate_vcoco, evaluate_vcoco_predictions
from vlmhoi.evaluation.vcoco_gt import VCOCOGroundTruth, load_vcoco_gt, vcoco_gt_from_data
from vlmhoi.evaluation.vcoco_metric import VCOCOMetric
from vlmhoi.hoi_format_errors import AnnotationFormatError, HOIFormatError, PredictionFormatError

__all__ = [
    'AnnotationFormatError', 'HICODetMetric', 'HICOEvalResult', 'HICOGroundTruth',
    'HOIFormatError', 'PredictionFormatError', 'VCOCOEvalResult', 'VCOCOGroundTruth',
    'VCOCOMetric', 'evaluate_hico', 'evaluate_vcoco', 'evaluate_vcoco_predictions',
    'hico_gt_from_entries', 'load_hico_gt', 'load_vcoco_gt', 'vcoco_gt_from_data',
]
