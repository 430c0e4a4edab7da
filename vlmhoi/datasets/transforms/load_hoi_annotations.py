"""Turn a data-info dict's boxes and HOI pairs into pipeline arrays."""
from __future__ import annotations

import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS
from mmdet.structures.bbox import HorizontalBoxes


@TRANSFORMS.register_module()
class LoadHOIAnnotations(BaseTransform):
    """Adds ``gt_bboxes``, ``gt_bboxes_labels``, ``gt_ignore_flags`` (as mmdet's
    ``LoadAnnotations`` does) plus ``gt_hoi_pairs`` (P, 2) box indices (object -1 = none)
    and ``gt_hoi_verbs`` (P, num_verbs) multi-hot."""

    def transform(self, results: dict) -> dict:
        instances = results['instances']
        boxes = np.array([i['bbox'] for i in instances], dtype=np.float32).reshape(-1, 4)
        results['gt_bboxes'] = HorizontalBoxes(boxes)
        results['gt_bboxes_labels'] = np.array([i['bbox_label'] for i in instances],
                                               dtype=np.int64)
        results['gt_ignore_flags'] = np.array([bool(i['ignore_flag']) for i in instances],
                                              dtype=bool)
        hois = results['hois']
        results['gt_hoi_pairs'] = np.array([[h['subject'], h['object']] for h in hois],
                                           dtype=np.int64).reshape(-1, 2)
        verbs = np.zeros((len(hois), results['num_verbs']), dtype=np.float32)
        for row, hoi in enumerate(hois):
            verbs[row, hoi['verbs']] = 1.0
        results['gt_hoi_verbs'] = verbs
        return results
