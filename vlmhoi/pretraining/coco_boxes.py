"""The boxes of a HICO-DET-format annotation file as COCO instances (mmdet's CocoDataset).

Detection pre-training needs boxes only: every box of every image becomes one COCO
instance with its COCO category id; the HOI pairs are not read.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from vlmhoi.vocab import coco_objects


def hico_to_coco_instances(hico_json: str | Path, image_dir: str | Path, out: str | Path,
                           class_names: Sequence[str]) -> dict:
    """Write ``out`` (COCO instances JSON) from ``hico_json``; return its counts.

    Args:
        hico_json: QPIC-style list of images (``file_name``, ``img_id``, ``annotations``
            with ``bbox`` [x1, y1, x2, y2] pixels and COCO ``category_id``).
        image_dir: folder of the images (their sizes are read from the files).
        out: where to write the JSON.
        class_names: the 80 COCO names in contiguous order, as the dataset's metainfo
            spells them (CocoDataset looks categories up by name).
    """
    hico_json, image_dir = Path(hico_json), Path(image_dir)
    ids = coco_objects()[0]
    if len(class_names) != len(ids):
        raise ValueError(f'need {len(ids)} COCO class names, got {len(class_names)}')
    images, annotations = [], []
    for entry in json.loads(hico_json.read_text()):
        path = image_dir / entry['file_name']
        with Image.open(path) as img:
            width, height = img.size
        images.append(dict(id=entry['img_id'], file_name=entry['file_name'],
                           width=width, height=height))
        for box in entry['annotations']:
            if box['category_id'] not in ids:
                raise ValueError(f"{hico_json}: image {entry['file_name']}: category_id "
                                 f"{box['category_id']} is not a COCO object id")
            x1, y1, x2, y2 = box['bbox']
            annotations.append(dict(id=len(annotations) + 1, image_id=entry['img_id'],
                                    category_id=box['category_id'],
                                    bbox=[x1, y1, x2 - x1, y2 - y1],
                                    area=(x2 - x1) * (y2 - y1), iscrowd=0))
    categories = [dict(id=i, name=n) for i, n in zip(ids, class_names)]
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(dict(images=images, annotations=annotations,
                                         categories=categories)))
    return dict(images=len(images), boxes=len(annotations))
