"""HOI prediction head and set-prediction loss (QPIC / CDN / MUREN style).

Predictions for every decoder layer: human box and object box (sigmoid cxcywh, normalised
by ``img_shape`` as in mmdet's DETR) from the human and object branches, object class
logits (``num_objects`` + optional "no object" class + background) from the object
branch, multi-label verb logits from the interaction branch.

Loss of one layer (paper Eq. 5, ``L_HOI = 2.5 L1 + 1 GIoU + 1 L_obj_cls + 1 L_verb_cls``;
weights are the ``loss_weight`` of each loss config): the Hungarian assignment is computed
per layer (auxiliary losses on every layer, prefix ``d{i}.`` as mmdet's DETR head), then

* object CE over all queries, background weighted by ``eos_coef`` (weighted mean, exactly
  ``F.cross_entropy(..., weight)`` of the reference);
* verb focal loss (mmdet ``FocalLoss`` on the multi-hot targets; for 0/1 targets it equals
  the reference ``_neg_loss``: alpha on positives, 1 - alpha on negatives, gamma 2) divided
  by the number of positive verb labels (at least 1);
* human box L1 / GIoU on matched queries divided by the number of GT pairs (averaged over
  processes); object box L1 / GIoU only on matched pairs that have an object, divided by
  their count (reference: ``exist.sum() + 1e-4``; here clamped to at least 1).

Log-only values of the last layer (no gradient, keys without 'loss' so mmengine's
``parse_losses`` does not add them): ``obj_class_error`` and ``obj_cardinality_error``, as
QPIC's criterion logs them (:meth:`HOIHead.matching_diagnostics`).

``loss_and_assign`` also returns the last layer's predictions and Hungarian assignment;
``extra_losses`` (e.g. the ITM distillation loss) are called with exactly those:
``module(predictions, assignments, batch_data_samples) -> dict of losses``, where
``predictions`` holds ``obj_logits`` (B, Q, K), ``verb_logits`` (B, Q, V), ``sub_boxes`` and
``obj_boxes`` (B, Q, 4) with gradient, and ``assignments`` one mmdet ``AssignResult`` per image.
"""
from __future__ import annotations

import copy
from collections.abc import Sequence

import torch
from mmdet.models.layers.transformer import MLP
from mmdet.models.task_modules.assigners import AssignResult
from mmdet.registry import MODELS, TASK_UTILS
from mmdet.structures import SampleList
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy
from mmdet.utils import reduce_mean
from mmengine.model import BaseModule, bias_init_with_prob
from mmengine.structures import InstanceData
from torch import Tensor, nn

from .hoi_targets import hoi_targets
from .spatial_prior import boxes_around_reference

DEFAULT_ASSIGNER = dict(type='HOIHungarianAssigner', match_costs=[
    dict(type='HOIObjClassCost', weight=1.0), dict(type='HOIVerbClassCost', weight=1.0),
    dict(type='HOIBoxL1Cost', weight=2.5), dict(type='HOIGIoUCost', weight=1.0)])


@MODELS.register_module()
class HOIHead(BaseModule):
    """Box, object-class and verb predictions of the three decoder branches, and the loss.

    Args:
        num_objects: real object classes (80 for HICO-DET / V-COCO).
        num_verbs: verb classes (117 HICO-DET, 29 V-COCO action-roles).
        embed_dims: decoder feature size.
        no_object_class: add a "no object" class at index ``num_objects`` for pairs without
            an object (V-COCO; the reference's ``num_obj_classes=81``).
        num_reg_fcs: hidden layers of the box MLPs (DETR: 2, i.e. a 3-layer MLP).
        eos_coef: CE weight of the background class.
        loss_obj_cls, loss_verb_cls, loss_bbox, loss_iou: mmdet loss configs.
        extra_losses: configs of extra loss modules called on the last layer (see module doc).
        num_query_groups: Group-DETR groups of the decoder's training queries (``HOIDecoder``
            ``num_groups``): the Q' training queries are split into this many equal groups,
            each assigned one-to-one on its own, and each loss is the mean over groups.
            Extra losses see group 0. 1 = off (paper).
        verb_prior_prob: initialise the verb classifier's bias to this sigmoid probability
            (RetinaNet's focal-loss prior, Lin et al. ICCV 2017, Sec. 4.1), so the first
            iterations are not dominated by the 117 verb negatives of every query. None =
            PyTorch's default init (paper / reference code).
        train_cfg: ``dict(assigner=...)``; defaults to MUREN's matcher costs.
        test_cfg: kwargs of ``HOIPostProcessor`` (``max_per_img``, ``dataset_vocab``,
            ``correct_mat``, ``triplet_nms``, ...).
    """

    def __init__(self,
                 num_objects: int,
                 num_verbs: int,
                 embed_dims: int,
                 no_object_class: bool = False,
                 num_reg_fcs: int = 2,
                 eos_coef: float = 0.1,
                 loss_obj_cls: dict | None = None,
                 loss_verb_cls: dict | None = None,
                 loss_bbox: dict | None = None,
                 loss_iou: dict | None = None,
                 extra_losses: Sequence[dict] | None = None,
                 num_query_groups: int = 1,
                 verb_prior_prob: float | None = None,
                 train_cfg: dict | None = None,
                 test_cfg: dict | None = None,
                 init_cfg: dict | None = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_objects = num_objects
        self.num_verbs = num_verbs
        self.no_object_class = no_object_class
        self.num_obj_logits = num_objects + 1 + int(no_object_class)
        self.obj_cls = nn.Linear(embed_dims, self.num_obj_logits)
        self.verb_cls = nn.Linear(embed_dims, num_verbs)
        self.sub_bbox_mlp = MLP(embed_dims, embed_dims, 4, num_reg_fcs + 1)
        self.obj_bbox_mlp = MLP(embed_dims, embed_dims, 4, num_reg_fcs + 1)

        class_weight = [1.0] * (self.num_obj_logits - 1) + [eos_coef]
        self.register_buffer('obj_class_weight', torch.tensor(class_weight), persistent=False)
        obj_cfg = dict(loss_obj_cls or dict(type='CrossEntropyLoss', use_sigmoid=False,
                                            loss_weight=1.0))
        obj_cfg['class_weight'] = class_weight
        self.loss_obj_cls = MODELS.build(obj_cfg)
        self.loss_verb_cls = MODELS.build(loss_verb_cls or dict(
            type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.5, loss_weight=1.0))
        self.loss_bbox = MODELS.build(loss_bbox or dict(type='L1Loss', loss_weight=2.5))
        self.loss_iou = MODELS.build(loss_iou or dict(type='GIoULoss', loss_weight=1.0))
        self.extra_losses = nn.ModuleList(MODELS.build(c) for c in (extra_losses or []))
        self.num_query_groups = num_query_groups
        if verb_prior_prob is not None and not 0.0 < verb_prior_prob < 1.0:
            raise ValueError(f'verb_prior_prob must be in (0, 1), got {verb_prior_prob}')
        self.verb_prior_prob = verb_prior_prob

        train_cfg = dict(train_cfg or {})
        self.assigner = TASK_UTILS.build(copy.deepcopy(train_cfg.get('assigner',
                                                                     DEFAULT_ASSIGNER)))
        self.postprocessor = TASK_UTILS.build(dict(
            type='HOIPostProcessor', num_objects=num_objects, num_verbs=num_verbs,
            no_object_class=no_object_class, **dict(test_cfg or {})))

    def init_weights(self) -> None:
        """Default init, then the verb-bias prior when ``verb_prior_prob`` is set."""
        super().init_weights()
        if self.verb_prior_prob is not None:
            nn.init.constant_(self.verb_cls.bias, bias_init_with_prob(self.verb_prior_prob))

    def forward(self, human_states: Tensor, object_states: Tensor,
                interaction_states: Tensor, human_ref: Tensor | None = None,
                object_ref: Tensor | None = None) -> dict[str, Tensor]:
        """Branch features (L, B, Q, C) -> ``obj_logits`` (L, B, Q, K), ``verb_logits``
        (L, B, Q, V), ``sub_boxes`` / ``obj_boxes`` (L, B, Q, 4) normalised cxcywh.

        ``human_ref`` / ``object_ref`` (B, Q, 2): reference points of the decoder's spatial
        prior; box centres are then predicted relative to them (in logit space)."""
        return dict(obj_logits=self.obj_cls(object_states),
                    verb_logits=self.verb_cls(interaction_states),
                    sub_boxes=boxes_around_reference(self.sub_bbox_mlp(human_states), human_ref),
                    obj_boxes=boxes_around_reference(self.obj_bbox_mlp(object_states), object_ref))

    def get_targets(self, batch_data_samples: SampleList) -> list[InstanceData]:
        """Normalised GT pairs per image (see :func:`hoi_targets`)."""
        targets = [hoi_targets(ds, self.num_objects) for ds in batch_data_samples]
        for ds, t in zip(batch_data_samples, targets):
            if not self.no_object_class and not bool(t.obj_exists.all()):
                raise ValueError(
                    f"{ds.metainfo.get('img_path', '?')}: gt_hoi has pairs without object "
                    f'(obj label {self.num_objects}); set HOIHead(no_object_class=True)')
        return targets

    def assign(self, predictions: dict[str, Tensor], targets: list[InstanceData],
               batch_data_samples: SampleList) -> list[AssignResult]:
        """Hungarian assignment of one layer's predictions (B, Q, ...) per image."""
        results = []
        for i, (t, ds) in enumerate(zip(targets, batch_data_samples)):
            pred = InstanceData(obj_logits=predictions['obj_logits'][i].detach(),
                                verb_logits=predictions['verb_logits'][i].detach(),
                                sub_bboxes=predictions['sub_boxes'][i].detach(),
                                obj_bboxes=predictions['obj_boxes'][i].detach())
            results.append(self.assigner.assign(pred, t, img_meta=ds.metainfo))
        return results

    def loss(self, human_states: Tensor, object_states: Tensor, interaction_states: Tensor,
             batch_data_samples: SampleList, **refs: Tensor) -> dict[str, Tensor]:
        """Losses of all layers (last one unprefixed, others ``d{i}.``) plus extra losses."""
        return self.loss_and_assign(human_states, object_states, interaction_states,
                                    batch_data_samples, **refs)[0]

    def loss_and_assign(
            self, human_states: Tensor, object_states: Tensor, interaction_states: Tensor,
            batch_data_samples: SampleList, **refs: Tensor
    ) -> tuple[dict[str, Tensor], dict[str, Tensor], list[AssignResult]]:
        """Losses, the last layer's predictions and its assignment (one per image);
        ``refs``: ``human_ref`` / ``object_ref`` of the decoder's spatial prior, if any."""
        outs = self(human_states, object_states, interaction_states, **refs)
        targets = self.get_targets(batch_data_samples)
        device = outs['obj_logits'].device
        num_pairs = torch.tensor(float(sum(len(t) for t in targets)), device=device)
        num_pairs = reduce_mean(num_pairs).clamp(min=1).item()
        num_layers = outs['obj_logits'].size(0)
        losses: dict[str, Tensor] = {}
        for layer in range(num_layers):
            prefix = '' if layer == num_layers - 1 else f'd{layer}.'
            for g, preds in enumerate(self.split_groups({k: v[layer] for k, v in outs.items()})):
                group_assigns = self.assign(preds, targets, batch_data_samples)
                if g == 0:
                    first, assigns = preds, group_assigns
                for k, v in self.loss_by_assign(preds, targets, group_assigns,
                                                num_pairs).items():
                    v = v / self.num_query_groups
                    losses[prefix + k] = losses[prefix + k] + v if g else v
        preds = first
        losses.update(self.matching_diagnostics(preds, targets, assigns))
        for module in self.extra_losses:
            losses.update(module(preds, assigns, batch_data_samples))
        return losses, preds, assigns

    def split_groups(self, preds: dict[str, Tensor]) -> list[dict[str, Tensor]]:
        """One layer's predictions (B, G x Q, ...) -> G dicts of (B, Q, ...)."""
        g = self.num_query_groups
        total = preds['obj_logits'].size(1)
        if total % g:
            raise ValueError(f'{total} queries do not split into {g} query groups')
        return [{k: v[:, i * (total // g):(i + 1) * (total // g)] for k, v in preds.items()}
                for i in range(g)]

    @torch.no_grad()
    def matching_diagnostics(self, preds: dict[str, Tensor], targets: list[InstanceData],
                             assigns: list[AssignResult]) -> dict[str, Tensor]:
        """Log-only values of one layer, as QPIC's ``SetCriterionHOI`` logs them.

        ``obj_class_error``: 100 - top-1 accuracy (%) of the matched queries' object class
        (100 when nothing is matched, as QPIC's ``accuracy`` on empty targets);
        ``obj_cardinality_error``: mean over images of |number of queries whose top object
        class is not background - number of GT pairs|. Detached, and their keys do not
        contain 'loss', so mmengine's ``parse_losses`` logs them without adding them to
        the loss.
        """
        obj_logits = preds['obj_logits'].detach()
        correct, matched = obj_logits.new_zeros(()), 0
        for i, (a, t) in enumerate(zip(assigns, targets)):
            q = (a.gt_inds > 0).nonzero(as_tuple=True)[0]
            correct += (obj_logits[i, q].argmax(-1) == t.obj_labels[a.gt_inds[q] - 1]).sum()
            matched += len(q)
        class_error = 100 - 100 * correct / matched if matched else obj_logits.new_tensor(100.)
        card_pred = (obj_logits.argmax(-1) != self.num_obj_logits - 1).sum(1).float()
        card_gt = obj_logits.new_tensor([float(len(t)) for t in targets])
        return dict(obj_class_error=class_error,
                    obj_cardinality_error=(card_pred - card_gt).abs().mean())

    def loss_by_assign(self, preds: dict[str, Tensor], targets: list[InstanceData],
                       assigns: list[AssignResult], num_pairs: float) -> dict[str, Tensor]:
        """Losses of one layer's predictions (B, Q, ...) given its assignment."""
        obj_logits, verb_logits = preds['obj_logits'], preds['verb_logits']
        obj_t = obj_logits.new_full(obj_logits.shape[:2], self.num_obj_logits - 1,
                                    dtype=torch.long)
        verb_t = torch.zeros_like(verb_logits)
        box_p, box_t, exists = {'sub': [], 'obj': []}, {'sub': [], 'obj': []}, []
        for i, (a, t) in enumerate(zip(assigns, targets)):
            q = (a.gt_inds > 0).nonzero(as_tuple=True)[0]
            g = a.gt_inds[q] - 1
            obj_t[i, q] = t.obj_labels[g]
            verb_t[i, q] = t.verb_labels[g].to(verb_t.dtype)
            for name in ('sub', 'obj'):
                box_p[name].append(preds[f'{name}_boxes'][i, q])
                box_t[name].append(getattr(t, f'{name}_bboxes')[g])
            exists.append(t.obj_exists[g])

        obj_t = obj_t.flatten()
        losses = dict(
            loss_obj_cls=self.loss_obj_cls(
                obj_logits.flatten(0, 1), obj_t,
                avg_factor=self.obj_class_weight[obj_t].sum().item()),
            loss_verb_cls=self.loss_verb_cls(
                verb_logits.flatten(0, 1), verb_t.flatten(0, 1),
                avg_factor=max(verb_t.eq(1).sum().item(), 1)))
        ex = torch.cat(exists).to(obj_logits.dtype)
        num_obj = max(ex.sum().item(), 1.0)
        for name, weight, avg in (('sub', None, num_pairs), ('obj', ex, num_obj)):
            p, t = torch.cat(box_p[name]), torch.cat(box_t[name])
            w4 = None if weight is None else weight.unsqueeze(1).expand(-1, 4)
            losses[f'loss_{name}_bbox'] = self.loss_bbox(p, t, weight=w4, avg_factor=avg)
            losses[f'loss_{name}_iou'] = self.loss_iou(
                bbox_cxcywh_to_xyxy(p), bbox_cxcywh_to_xyxy(t), weight=weight, avg_factor=avg)
        return losses

    def predict(self, human_states: Tensor, object_states: Tensor, interaction_states: Tensor,
                batch_data_samples: SampleList, rescale: bool = True,
                **refs: Tensor) -> list[tuple[InstanceData, InstanceData]]:
        """Last layer -> per image (``pred_instances``, ``pred_hoi``) (see HOIPostProcessor)."""
        outs = self(human_states[-1:], object_states[-1:], interaction_states[-1:], **refs)
        return [self.postprocessor(outs['obj_logits'][0, i], outs['verb_logits'][0, i],
                                   outs['sub_boxes'][0, i], outs['obj_boxes'][0, i],
                                   ds.metainfo, rescale=rescale)
                for i, ds in enumerate(batch_data_samples)]
