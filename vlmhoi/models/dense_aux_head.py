"""A dense auxiliary head on the encoder memory (a DETR convergence aid, training only).

Co-DETR (Zong et al., "DETRs with Collaborative Hybrid Assignments Training", ICCV 2023)
speeds up DETR training by attaching one-to-many dense heads (ATSS / FCOS style) to the
encoder output: every feature location near an object gets a target, so the backbone and
the encoder receive dense supervision from the first iteration instead of a few
Hungarian-matched queries. This head is the FCOS variant of that idea (Tian et al.,
"FCOS", ICCV 2019, center sampling) for HOI data:

* a token is positive for a ground-truth box when its centre lies inside the box and
  within ``center_radius`` strides of the box centre (the smallest such box wins);
* per token: object-class logits (sigmoid focal loss over ``num_objects`` classes, person
  included), a box (normalised cxcywh, L1 + GIoU on positives), and for tokens assigned to
  a person the multi-hot verbs that person does in any of its pairs (focal loss).

It adds losses ``loss_dense_cls``, ``loss_dense_bbox``, ``loss_dense_iou``,
``loss_dense_verb`` and nothing at inference (the detector does not call it in
``predict``), so test-time outputs and cost are the paper model's.
"""
from __future__ import annotations

import torch
from mmdet.models.layers.transformer import MLP
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy, bbox_xyxy_to_cxcywh
from mmengine.model import BaseModule, bias_init_with_prob
from torch import Tensor, nn

from .hoi_targets import _as_tensor


@MODELS.register_module()
class DenseAuxHead(BaseModule):
    """Dense class / box / verb predictions on the encoder memory, training losses only.

    Args:
        embed_dims: encoder feature size.
        num_objects: object classes (person = index 0).
        num_verbs: verb classes.
        center_radius: FCOS center-sampling radius in feature strides.
        prior_prob: initial sigmoid probability of the class and verb logits.
        loss_cls, loss_verb, loss_bbox, loss_iou: mmdet loss configs.
    """

    def __init__(self, embed_dims: int, num_objects: int, num_verbs: int,
                 center_radius: float = 1.5, prior_prob: float = 0.01,
                 loss_cls: dict | None = None, loss_verb: dict | None = None,
                 loss_bbox: dict | None = None, loss_iou: dict | None = None,
                 init_cfg: dict | None = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_objects, self.num_verbs = num_objects, num_verbs
        self.center_radius, self.prior_prob = center_radius, prior_prob
        self.cls = nn.Linear(embed_dims, num_objects)
        self.verb = nn.Linear(embed_dims, num_verbs)
        self.box = MLP(embed_dims, embed_dims, 4, 2)
        focal = dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25, loss_weight=1.0)
        self.loss_cls = MODELS.build(loss_cls or focal)
        self.loss_verb = MODELS.build(loss_verb or focal)
        self.loss_bbox = MODELS.build(loss_bbox or dict(type='L1Loss', loss_weight=2.5))
        self.loss_iou = MODELS.build(loss_iou or dict(type='GIoULoss', loss_weight=1.0))

    def init_weights(self) -> None:
        super().init_weights()
        for layer in (self.cls, self.verb):
            nn.init.constant_(layer.bias, bias_init_with_prob(self.prior_prob))

    def targets(self, feat_hw: tuple[int, int], data_sample) -> tuple[Tensor, ...]:
        """Per-token targets of one image: box index (HW,) (-1 = negative), class (HW,),
        normalised cxcywh box (HW, 4) and verbs (HW, V)."""
        h, w = feat_hw
        pad_h, pad_w = data_sample.metainfo['batch_input_shape']
        img_h, img_w = data_sample.metainfo['img_shape'][:2]
        gt = data_sample.gt_instances
        boxes = _as_tensor(gt.bboxes).float()
        labels = gt.labels.long()
        stride_y, stride_x = pad_h / h, pad_w / w
        ys = (torch.arange(h, dtype=torch.float32, device=boxes.device) + 0.5) * stride_y
        xs = (torch.arange(w, dtype=torch.float32, device=boxes.device) + 0.5) * stride_x
        cy, cx = [t.reshape(-1, 1) for t in torch.meshgrid(ys, xs, indexing='ij')]
        num = boxes.size(0)
        verbs = boxes.new_zeros(num, self.num_verbs)
        if 'gt_hoi' in data_sample and len(data_sample.gt_hoi) and num:
            hoi = data_sample.gt_hoi
            verbs.index_add_(0, hoi.sub_ids.long(), hoi.verb_labels.float())
            verbs.clamp_(max=1.0)
        if num == 0:
            empty = torch.full((h * w,), -1, dtype=torch.long, device=boxes.device)
            return empty, empty, boxes.new_zeros(h * w, 4), boxes.new_zeros(h * w,
                                                                             self.num_verbs)
        ctr = bbox_xyxy_to_cxcywh(boxes)
        inside = ((cx >= boxes[:, 0]) & (cx <= boxes[:, 2]) & (cy >= boxes[:, 1])
                  & (cy <= boxes[:, 3]))                                     # (HW, N)
        near = ((cx - ctr[:, 0]).abs() <= self.center_radius * stride_x) & \
               ((cy - ctr[:, 1]).abs() <= self.center_radius * stride_y)
        area = (ctr[:, 2] * ctr[:, 3]).expand(h * w, -1)
        area = torch.where(inside & near, area, area.new_tensor(float('inf')))
        best_area, best = area.min(dim=1)
        assigned = torch.where(torch.isfinite(best_area), best, torch.full_like(best, -1))
        factor = boxes.new_tensor([img_w, img_h, img_w, img_h])
        norm = bbox_xyxy_to_cxcywh(boxes / factor)
        safe = assigned.clamp(min=0)
        return assigned, labels[safe], norm[safe], verbs[safe]

    def loss(self, memory: Tensor, memory_mask: Tensor | None, feat_hw: tuple[int, int],
             batch_data_samples: SampleList) -> dict[str, Tensor]:
        """Dense losses of the encoder memory (B, HW, C); ``memory_mask`` (B, HW) True at
        padding, whose tokens are ignored."""
        b, hw, _ = memory.shape
        per_image = [self.targets(feat_hw, ds) for ds in batch_data_samples]
        assigned, labels, boxes, verbs = (torch.stack(t) for t in zip(*per_image))
        valid = torch.ones(b, hw, dtype=torch.bool, device=memory.device) \
            if memory_mask is None else ~memory_mask
        pos = (assigned >= 0) & valid
        num_pos = max(float(pos.sum()), 1.0)
        cls_t = torch.where(pos, labels, torch.full_like(labels, self.num_objects))
        losses = dict(loss_dense_cls=self.loss_cls(
            self.cls(memory[valid]), cls_t[valid], avg_factor=num_pos))
        pred_boxes = self.box(memory[pos]).sigmoid()
        losses['loss_dense_bbox'] = self.loss_bbox(pred_boxes, boxes[pos], avg_factor=num_pos)
        losses['loss_dense_iou'] = self.loss_iou(bbox_cxcywh_to_xyxy(pred_boxes),
                                                 bbox_cxcywh_to_xyxy(boxes[pos]),
                                                 avg_factor=num_pos)
        person = pos & (labels == 0)
        losses['loss_dense_verb'] = self.loss_verb(
            self.verb(memory[person]), verbs[person],
            avg_factor=max(float(verbs[person].sum()), 1.0))
        return losses
