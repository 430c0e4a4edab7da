"""One-to-one matching of HOI queries to ground-truth (human, object, verbs) pairs."""
from __future__ import annotations

import torch
from mmdet.models.task_modules.assigners import AssignResult, HungarianAssigner
from mmdet.registry import TASK_UTILS
from mmengine.structures import InstanceData
from scipy.optimize import linear_sum_assignment


@TASK_UTILS.register_module()
class HOIHungarianAssigner(HungarianAssigner):
    """mmdet's ``HungarianAssigner`` over HOI pairs.

    The weighted ``match_costs`` (e.g. ``HOIObjClassCost``, ``HOIVerbClassCost``,
    ``HOIBoxL1Cost``, ``HOIGIoUCost``) are summed into a (num_queries, num_pairs) matrix
    and solved with scipy's ``linear_sum_assignment``. The result follows mmdet:
    ``gt_inds[q] = 0`` for an unmatched query, ``k + 1`` when query ``q`` is matched to GT
    pair ``k``; ``labels[q]`` is that pair's object label (-1 when unmatched).
    """

    @torch.no_grad()
    def assign(self, pred_instances: InstanceData, gt_instances: InstanceData,
               img_meta: dict | None = None, **kwargs) -> AssignResult:
        """Match the ``pred_instances`` queries to the ``gt_instances`` pairs."""
        num_preds = len(pred_instances.obj_logits)
        num_gts = len(gt_instances.obj_labels)
        device = pred_instances.obj_logits.device
        gt_inds = torch.zeros(num_preds, dtype=torch.long, device=device)
        labels = torch.full((num_preds,), -1, dtype=torch.long, device=device)
        if num_gts == 0 or num_preds == 0:
            return AssignResult(num_gts=num_gts, gt_inds=gt_inds, max_overlaps=None,
                                labels=labels)
        cost = torch.stack([
            mc(pred_instances=pred_instances, gt_instances=gt_instances, img_meta=img_meta)
            for mc in self.match_costs]).sum(dim=0)
        rows, cols = linear_sum_assignment(cost.detach().float().cpu().numpy())
        rows = torch.as_tensor(rows, dtype=torch.long, device=device)
        cols = torch.as_tensor(cols, dtype=torch.long, device=device)
        gt_inds[rows] = cols + 1
        labels[rows] = gt_instances.obj_labels.long()[cols]
        return AssignResult(num_gts=num_gts, gt_inds=gt_inds, max_overlaps=None,
                            labels=labels)


def matched_pairs(assign_result: AssignResult) -> tuple[torch.Tensor, torch.Tensor]:
    """(query indices, GT pair indices) of the matched queries of one image."""
    query_idx = (assign_result.gt_inds > 0).nonzero(as_tuple=True)[0]
    return query_idx, assign_result.gt_inds[query_idx] - 1
