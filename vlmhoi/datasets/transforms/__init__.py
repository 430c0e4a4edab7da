"""Pipeline transforms that keep human-object pairs consistent with the boxes, and the one
that attaches the teacher-score row of a sample."""
from .keep_hoi_pairs import KeepHOIPairs
from .load_hoi_annotations import LoadHOIAnnotations
from .load_teacher_scores import LoadTeacherScores
from .pack_hoi_inputs import PackHOIInputs

__all__ = ['KeepHOIPairs', 'LoadHOIAnnotations', 'LoadTeacherScores', 'PackHOIInputs']
