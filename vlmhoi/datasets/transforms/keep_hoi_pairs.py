"""Make box-selecting mmdet transforms (crops, filters) keep HOI pairs consistent."""
from __future__ import annotations

import numpy as np
from mmcv.transforms import BaseTransform, Compose
from mmdet.registry import TRANSFORMS

DROPPED = -2  # new index of a box the inner transforms removed (-1 already means "no object")


@TRANSFORMS.register_module()
class KeepHOIPairs(BaseTransform):
    """Run ``transforms`` and re-index ``gt_hoi_pairs`` to the boxes they kept.

    mmdet's ``RandomCrop`` and friends filter ``gt_bboxes`` and ``gt_bboxes_labels``
    with the same mask and keep the order. During the inner transforms the labels are
    replaced by box ids, which tells which boxes survived; pairs that lost their subject
    or object are removed, as the reference HOI loaders do after a crop. Use it only
    around transforms that select boxes, not around ones that read label values.
    """

    def __init__(self, transforms: list[dict]) -> None:
        # build from mmdet's registry so mmdet transforms resolve outside a Runner too
        self.transforms = Compose([TRANSFORMS.build(t) if isinstance(t, dict) else t
                                   for t in transforms])

    def transform(self, results: dict) -> dict | None:
        labels = results['gt_bboxes_labels']
        num_boxes = len(labels)
        results['gt_bboxes_labels'] = np.arange(num_boxes, dtype=np.int64)
        results = self.transforms(results)
        if results is None:
            return None
        kept = results['gt_bboxes_labels']
        results['gt_bboxes_labels'] = labels[kept]
        new_index = np.full(num_boxes, DROPPED, dtype=np.int64)
        new_index[kept] = np.arange(len(kept))
        pairs = results['gt_hoi_pairs']
        sub = new_index[pairs[:, 0]]
        obj = np.where(pairs[:, 1] >= 0, new_index[np.maximum(pairs[:, 1], 0)], -1)
        keep = (sub != DROPPED) & (obj != DROPPED)
        results['gt_hoi_pairs'] = np.stack([sub, obj], axis=1)[keep].reshape(-1, 2)
        results['gt_hoi_verbs'] = results['gt_hoi_verbs'][keep]
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(transforms={self.transforms})'
