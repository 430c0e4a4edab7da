"""The mmengine metrics; importing this module registers them in ``mmdet.registry.METRICS``.

Kept apart from the numpy evaluators so that evaluating a file needs no training stack.
"""
from vlmhoi.evaluation.hico_det_metric import HICODetMetric
from vlmhoi.evaluation.vcoco_metric import VCOCOMetric

__all__ = ['HICODetMetric', 'VCOCOMetric']
