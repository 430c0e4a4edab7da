"""HOI datasets (HICO-DET, V-COCO) and their pipeline transforms."""
from .base_hoi_dataset import BaseHOIDataset
from .hico_det import HICODetDataset
from .hoi_annotation_error import HOIAnnotationError
from .transforms import KeepHOIPairs, LoadHOIAnnotations, PackHOIInputs
from .vcoco import VCOCODataset

__all__ = ['BaseHOIDataset', 'HICODetDataset', 'HOIAnnotationError', 'KeepHOIPairs',
           'LoadHOIAnnotations', 'PackHOIInputs', 'VCOCODataset']
