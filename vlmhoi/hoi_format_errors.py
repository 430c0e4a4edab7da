"""The error types for bad HOI input files: each names the file, the image and the entry.

Shared by the datasets (annotation files) and the evaluation layer (annotation and
prediction files), so one kind of bad input always raises one kind of error.
"""
from __future__ import annotations


class HOIFormatError(ValueError):
    """A ground-truth or prediction file that does not follow its documented format."""

    def __init__(self, source: str, problem: str, image_index: int | None = None,
                 file_name: str | None = None, entry: str | None = None) -> None:
        self.source = source
        self.problem = problem
        self.image_index = image_index
        self.file_name = file_name
        self.entry = entry
        where = [str(source)]
        if image_index is not None or file_name:
            label = 'image' if image_index is None else f'image {image_index}'
            where.append(label + (f' ({file_name!r})' if file_name else ''))
        if entry is not None:
            where.append(entry)
        super().__init__(': '.join(where) + ': ' + problem)


class PredictionFormatError(HOIFormatError):
    """A prediction (exchange-format) file or model output that cannot be evaluated."""


class AnnotationFormatError(HOIFormatError):
    """A ground-truth / annotation file that cannot be evaluated against."""
