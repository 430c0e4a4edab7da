"""Error types of the evaluation layer (defined in ``vlmhoi.hoi_format_errors``)."""
from vlmhoi.hoi_format_errors import AnnotationFormatError, HOIFormatError, PredictionFormatError

__all__ = ['AnnotationFormatError', 'HOIFormatError', 'PredictionFormatError']
