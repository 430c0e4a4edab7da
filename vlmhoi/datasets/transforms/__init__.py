"""Pipeline transforms that keep human-object pairs consistent with the boxes."""
from .keep_hoi_pairs import KeepHOIPairs
from .load_hoi_annotations import LoadHOIAnnotations
from .pack_hoi_inputs import PackHOIInputs

__all__ = ['KeepHOIPairs', 'LoadHOIAnnotations', 'PackHOIInputs']
