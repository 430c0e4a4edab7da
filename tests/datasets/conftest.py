"""A hand-written two-image HOI data set in the QPIC format, written to tmp_path."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from PIL import Image

W, H = 64, 48

HICO_ENTRIES = [
    {'file_name': 'a.jpg', 'img_id': 1,
     'annotations': [{'bbox': [1, 2, 20, 40], 'category_id': 1},
                     {'bbox': [30, 10, 60, 30], 'category_id': 2},
                     {'bbox': [40, 30, 64, 48], 'category_id': 53}],
     'hoi_annotation': [{'subject_id': 0, 'object_id': 1, 'category_id': 37},
                        {'subject_id': 0, 'object_id': 1, 'category_id': 77},
                        {'subject_id': 0, 'object_id': 2, 'category_id': 24}]},
    {'file_name': 'b.jpg', 'img_id': 2,
     'annotations': [{'bbox': [0, 0, 10, 10], 'category_id': 1}],
     'hoi_annotation': []},
]


def write_set(root: Path, entries: list, name: str = 'ann.json') -> Path:
    img_dir = root / 'images'
    img_dir.mkdir(parents=True, exist_ok=True)
    for e in entries:
        if isinstance(e, dict) and isinstance(e.get('file_name'), str):
            Image.new('RGB', (W, H), (90, 120, 150)).save(img_dir / e['file_name'])
    ann = root / name
    ann.write_text(json.dumps(entries))
    return ann


@pytest.fixture
def hico_entries() -> list:
    return copy.deepcopy(HICO_ENTRIES)
