"""One-to-one matching of HOI queries to ground-truth (human, object, verbs) pairs."""
from __future__ import annotations

import torch
from mmdet.models.task_modules.assigners import AssignResult, HungarianAssigner
from mmdet.registry import TASK_UTILS
from mmengine.structures import InstanceData


@TASK_UTILS.register_module()
class HOIHungarianAssigner(HungarianAssigner):
    """mmdet's ``HungarianAssigner`` over HOI pairs.

    mmdet's ``assign`` does the work: the weighted ``match_costs`` (e.g.
    ``HOIObjClassCost``, ``HOIVerbClassCost``, ``HOIBoxL1Cost``, ``HOIGIoUCost``) are summed
    into a (num_queries, num_pairs) matrix and solved with scipy's ``linear_sum_assignment``.
    The result follows mmdet: ``gt_inds[q] = 0`` for an unmatched query, ``k + 1`` when
    query ``q`` is matched to GT pair ``k``; ``labels[q]`` is that pair's object label (-1
    when unmatched). This subclass only supplies what mmdet reads and HOI pairs name
    differently: ``gt_instances.labels`` (the pairs' ``obj_labels``).
    """

    @torch.no_grad()
    def assign(self, pred_instances: InstanceData, gt_instances: InstanceData,
               img_meta: dict | None = None, **kwargs) -> AssignResult:
        """Match the ``pred_instances`` queries to the ``gt_instances`` pairs."""
        if 'labels' not in gt_instances:
            gt_instances = InstanceData(**dict(gt_instances.items()),
                                        labels=gt_instances.obj_labels.long())
        return super().assign(pred_instances, gt_instances, img_meta=img_meta, **kwargs)


def matched_pairs(assign_result: AssignResult) -> tuple[torch.Tensor, torch.Tensor]:
    """(query indices, GT pair indices) of the matched queries of one image."""
    query_idx = (assign_result.gt_inds > 0).nonzero(as_tuple=True)[0]
    return query_idx, assign_result.gt_inds[query_idx] - 1
