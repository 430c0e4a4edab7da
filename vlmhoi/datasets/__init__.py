"""HOI datasets (HICO-DET, V-COCO) and their pipeline transforms."""
from ..hoi_format_errors import AnnotationFormatError
from .base_hoi_dataset import BaseHOIDataset
from .hico_det import HICODetDataset
from .transforms import KeepHOIPairs, LoadHOIAnnotations, PackHOIInputs
from .vcoco import VCOCODataset

__all__ = ['AnnotationFormatError', 'BaseHOIDataset', 'HICODetDataset', 'KeepHOIPairs',
           'LoadHOIAnnotations', 'PackHOIInputs', 'VCOCODataset']
