"""Pack images, boxes and HOI pairs into ``DetDataSample``s for the detector."""
from __future__ import annotations

import numpy as np
import torch
from mmdet.datasets.transforms import PackDetInputs
from mmdet.registry import TRANSFORMS
from mmengine.structures import InstanceData

from .load_teacher_scores import TEACHER_SCORES_KEY


@TRANSFORMS.register_module()
class PackHOIInputs(PackDetInputs):
    """``PackDetInputs`` plus ``data_sample.gt_hoi``: an ``InstanceData`` with one row per
    (subject, object) pair: ``sub_bboxes``, ``obj_bboxes`` (zeros when there is no
    object), ``obj_labels`` (``num_objects`` when there is no object), ``verb_labels``
    (multi-hot), ``sub_ids`` and ``obj_ids`` (box indices, -1 = no object).

    With ``LoadTeacherScores`` earlier in the pipeline, ``data_sample.teacher_scores`` is
    the sample's (T,) float32 tensor of teacher scores (a data field: it moves with
    ``.to(device)``; column t is text t of the cache's prompt vocabulary)."""

    def __init__(self, meta_keys: tuple[str, ...] = (
            'img_id', 'file_name', 'img_path', 'ori_shape', 'img_shape', 'scale_factor',
            'flip', 'flip_direction')) -> None:
        super().__init__(meta_keys=meta_keys)

    def transform(self, results: dict) -> dict:
        packed = super().transform(results)
        if TEACHER_SCORES_KEY in results:
            packed['data_samples'].teacher_scores = torch.as_tensor(
                np.asarray(results[TEACHER_SCORES_KEY], dtype=np.float32))
        if 'gt_hoi_pairs' not in results:
            return packed
        if 'gt_ignore_flags' in results and results['gt_ignore_flags'].any():
            raise ValueError(f'{results.get("img_path")}: ignored boxes are not supported '
                             'for HOI pairs')
        boxes = results['gt_bboxes'].tensor if len(results['gt_bboxes']) else \
            torch.zeros((0, 4))
        labels = torch.as_tensor(results['gt_bboxes_labels'], dtype=torch.long)
        pairs = torch.as_tensor(results['gt_hoi_pairs'], dtype=torch.long)
        sub_ids, obj_ids = pairs[:, 0], pairs[:, 1]
        has_obj = obj_ids >= 0
        safe_obj = obj_ids.clamp(min=0)
        obj_bboxes = torch.zeros((len(pairs), 4))
        obj_labels = torch.full((len(pairs),), int(results['num_objects']), dtype=torch.long)
        if has_obj.any():
            obj_bboxes[has_obj] = boxes[safe_obj[has_obj]].float()
            obj_labels[has_obj] = labels[safe_obj[has_obj]]
        gt_hoi = InstanceData()
        gt_hoi.sub_bboxes = boxes[sub_ids].float().reshape(-1, 4)
        gt_hoi.obj_bboxes = obj_bboxes
        gt_hoi.obj_labels = obj_labels
        gt_hoi.verb_labels = torch.as_tensor(np.asarray(results['gt_hoi_verbs']),
                                             dtype=torch.float32)
        gt_hoi.sub_ids = sub_ids
        gt_hoi.obj_ids = obj_ids
        packed['data_samples'].gt_hoi = gt_hoi
        return packed
