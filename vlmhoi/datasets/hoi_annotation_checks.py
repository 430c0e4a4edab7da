"""Dataset-side validation of one image entry of a QPIC-format HOI annotation file.

The format itself is checked by :mod:`vlmhoi.hoi_annotation_format` (shared with the
evaluators, so both report one bad file alike); here the checks that need the image file
follow: it exists, can be read, and every box lies inside it (within ``box_tolerance``).
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image

from ..hoi_annotation_format import check_annotation_entry
from ..hoi_format_errors import AnnotationFormatError
from ..vocab import HOIVocab

__all__ = ['check_entry']


def check_entry(file: Path, index: int, entry: object, vocab: HOIVocab, img_dir: Path,
                allow_no_object: bool, box_tolerance: float) -> tuple[int, int]:
    """Validate one image entry against the format and its image; return (width, height)."""
    check_annotation_entry(str(file), index, entry, vocab, allow_no_object)
    name = entry['file_name']
    img_path = img_dir / name
    if not img_path.is_file():
        raise AnnotationFormatError(str(file), f'image file {img_path} does not exist', index,
                                    name)
    try:
        with Image.open(img_path) as img:
            width, height = img.size
    except OSError as err:
        raise AnnotationFormatError(str(file), f'image file {img_path} cannot be read: {err}',
                                    index, name) from err
    tol = box_tolerance
    for b, box in enumerate(entry['annotations']):
        x1, y1, x2, y2 = box['bbox']
        if x1 < -tol or y1 < -tol or x2 > width + tol or y2 > height + tol:
            raise AnnotationFormatError(str(file), f'annotations[{b}] bbox {box["bbox"]} lies '
                                        f'outside the {width}x{height} image', index, name)
    return width, height
