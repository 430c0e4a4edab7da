"""One generated image with its annotation, as the writers and statistics consume it."""
from __future__ import annotations

from dataclasses import dataclass

from . import world
from .scene import Scene

SPLITS = ('train', 'test')
# Part of every random stream's seed. 'corpus' is the teachers' caption corpus
# (``corpus.py``): never written as a detector split, its images disjoint by construction.
SPLIT_CODE = {'train': 0, 'test': 1, 'corpus': 2}
IMAGE_DIR = {'train': 'images/train2015', 'test': 'images/test2015'}


@dataclass
class ImageRecord:
    """A generated image: split, ids, file name and its sampled scene."""

    split: str
    index: int                                  # 0-based position in its split
    scene: Scene

    @property
    def img_id(self) -> int:
        """Image id, unique across splits; also the number in the file name."""
        offset = world.TEST_IMAGE_ID_OFFSET if self.split == 'test' else 0
        return offset + self.index + 1

    @property
    def file_name(self) -> str:
        pattern = world.TEST_FILE_PATTERN if self.split == 'test' else world.TRAIN_FILE_PATTERN
        return pattern.format(self.img_id)

    @property
    def image_dir(self) -> str:
        return IMAGE_DIR[self.split]

    def ann_id(self, box_index: int) -> int:
        """COCO annotation id of box ``box_index`` (unique over the whole world)."""
        return self.img_id * world.ANN_IDS_PER_IMAGE + box_index + 1
