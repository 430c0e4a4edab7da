"""Turn one image's HOI head outputs into ``pred_instances`` + ``pred_hoi`` (design notes).

As the reference post-processing (QPIC / CDN / MUREN ``PostProcessHOI`` + evaluator):
per query the object label is the arg-max of the softmax without the background column,
the triplet score of (query, verb) is ``sigmoid(verb) * p(object)``, boxes are
``cxcywh -> xyxy`` times the original image size, not clipped to the image. Then, by
``output``:

* ``'topk'`` (HICO-DET, the evaluator's ``__init__``): triplets whose (verb, object) pair
  is invalid under the validity matrix (``correct_mat``) are dropped, the best
  ``max_per_img`` remain (stable sort over the query-major list, as the reference's
  ``list.sort``); optionally the pairwise triplet NMS of CDN / MUREN follows, grouped by
  (object label, verb);
* ``'all_queries'`` (V-COCO, ``generate_vcoco_official.py``): every query with all its
  action-role scores (invalid ones 0), in query order; the optional NMS there groups by
  object label and ranks a query by its best score.

Switches with the reference behaviour as default (docs/fidelity.md): ``nms_iou``
(``'pixel'`` +1 convention / ``'continuous'``), ``clip_boxes`` (False / True).
"""
from __future__ import annotations

import numpy as np
import torch
from mmdet.registry import TASK_UTILS
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy
from mmengine.structures import InstanceData
from torch import Tensor

from .hoi_triplet_nms import IOU_CONVENTIONS, triplet_nms

OUTPUTS = ('topk', 'all_queries')


def load_correct_mat(num_objects: int, num_verbs: int, dataset_vocab: str | None = None,
                     correct_mat: str | np.ndarray | None = None) -> np.ndarray:
    """The (num_verbs, num_objects) 0/1 validity matrix; all ones when nothing is given.

    ``correct_mat`` (a ``corre_*.npy`` path or an array) wins over ``dataset_vocab``
    (``'hico'``: the 600 HICO-DET categories; ``'vcoco'``: needs ``correct_mat``).
    """
    source = 'all-valid default'
    if correct_mat is not None:
        source = str(correct_mat) if isinstance(correct_mat, str) else 'correct_mat array'
        mat = np.load(correct_mat) if isinstance(correct_mat, str) else np.asarray(correct_mat)
    elif dataset_vocab == 'hico':
        from vlmhoi.vocab import hico_vocab
        mat, source = hico_vocab().correct_mat(), "dataset_vocab='hico'"
    elif dataset_vocab is not None:
        raise ValueError(f'dataset_vocab={dataset_vocab!r}: only "hico" has a fixed pair list;'
                         ' for V-COCO pass correct_mat=<path to corre_vcoco.npy>')
    else:
        mat = np.ones((num_verbs, num_objects))
    if mat.shape != (num_verbs, num_objects):
        raise ValueError(f'validity matrix from {source} has shape {mat.shape}, expected '
                         f'(num_verbs, num_objects) = ({num_verbs}, {num_objects})')
    return (mat > 0).astype(np.float32)


@TASK_UTILS.register_module()
class HOIPostProcessor:
    """Scores, validity mask, top-k or all queries, optional triplet NMS, box rescaling.

    Args:
        num_objects: real object classes (the logits have ``num_objects + 1`` columns, or
            ``+ 2`` with ``no_object_class``).
        num_verbs: verb classes.
        no_object_class: the head has a "no object" class at index ``num_objects`` (V-COCO);
            it is always valid and its pairs keep a meaningless object box.
        max_per_img: triplets kept per image (``output='topk'``).
        dataset_vocab / correct_mat: where the validity matrix comes from (see
            :func:`load_correct_mat`).
        subject_label: object label written for the human boxes (COCO person = 0).
        triplet_nms, nms_thr, nms_alpha, nms_beta: pairwise triplet NMS (off by default;
            MUREN's defaults 0.6 / 0.7 / 0.7; CDN uses 0.7 / 1.0 / 0.5).
        output: ``'topk'`` (HICO-DET) or ``'all_queries'`` (V-COCO), see the module doc.
        nms_iou: ``'pixel'`` (the reference's +1 convention) or ``'continuous'``.
        clip_boxes: clip boxes to the image (the reference does not).
    """

    def __init__(self, num_objects: int, num_verbs: int, no_object_class: bool = False,
                 max_per_img: int = 100, dataset_vocab: str | None = None,
                 correct_mat: str | np.ndarray | None = None, subject_label: int = 0,
                 triplet_nms: bool = False, nms_thr: float = 0.6, nms_alpha: float = 0.7,
                 nms_beta: float = 0.7, output: str = 'topk', nms_iou: str = 'pixel',
                 clip_boxes: bool = False) -> None:
        if output not in OUTPUTS:
            raise ValueError(f'output must be one of {OUTPUTS}, got {output!r}')
        if nms_iou not in IOU_CONVENTIONS:
            raise ValueError(f'nms_iou must be one of {IOU_CONVENTIONS}, got {nms_iou!r}')
        mat = load_correct_mat(num_objects, num_verbs, dataset_vocab, correct_mat)
        if no_object_class:
            mat = np.concatenate([mat, np.ones((num_verbs, 1), dtype=mat.dtype)], axis=1)
        self.correct_mat = torch.from_numpy(mat)  # (V, K) K = predictable object labels
        self.num_verbs = num_verbs
        self.max_per_img = max_per_img
        self.subject_label = subject_label
        self.use_nms = triplet_nms
        self.nms_cfg = dict(thr=nms_thr, alpha=nms_alpha, beta=nms_beta, iou=nms_iou)
        self.output, self.clip_boxes = output, clip_boxes

    @staticmethod
    def boxes_to_pixels(boxes: Tensor, img_meta: dict, rescale: bool = True,
                        clip: bool = False) -> Tensor:
        """Normalised cxcywh -> x1y1x2y2 pixels of the input image, or with ``rescale`` of
        the original image (``ori_shape`` as the reference's ``orig_size``; without it the
        input size divided by ``scale_factor`` = (w_scale, h_scale)); ``clip`` clips to
        the image."""
        by_ori = rescale and 'ori_shape' in img_meta
        h, w = img_meta['ori_shape' if by_ori else 'img_shape'][:2]
        out = bbox_cxcywh_to_xyxy(boxes) * boxes.new_tensor([w, h, w, h])
        if rescale and not by_ori:
            scale = out.new_tensor(img_meta['scale_factor']).repeat(2)
            h, w = h / float(scale[1]), w / float(scale[0])
            out = out / scale
        if clip:
            out[:, 0::2].clamp_(min=0, max=w)
            out[:, 1::2].clamp_(min=0, max=h)
        return out

    @torch.no_grad()
    def __call__(self, obj_logits: Tensor, verb_logits: Tensor, sub_boxes: Tensor,
                 obj_boxes: Tensor, img_meta: dict,
                 rescale: bool = True) -> tuple[InstanceData, InstanceData]:
        """One image: logits (Q, K+1) / (Q, V), boxes (Q, 4) normalised cxcywh.

        Returns ``pred_instances`` (``bboxes`` (2Q, 4): Q subjects then Q objects,
        ``labels``, ``scores``) and ``pred_hoi`` (``sub_ids``, ``obj_ids``, ``verb_labels``,
        ``scores``): best first (``'topk'``) or query by query (``'all_queries'``).
        """
        q = obj_logits.size(0)
        if obj_logits.size(1) != self.correct_mat.size(1) + 1:
            raise ValueError(f'obj_logits has {obj_logits.size(1)} columns, the validity '
                             f'matrix allows {self.correct_mat.size(1)} labels + background')
        obj_scores, obj_labels = obj_logits.softmax(-1)[:, :-1].max(-1)
        verb_scores = verb_logits.sigmoid() * obj_scores.unsqueeze(1)  # (Q, V)
        valid = self.correct_mat.to(verb_scores.device)[:, obj_labels].t() > 0  # (Q, V)
        subs = self.boxes_to_pixels(sub_boxes, img_meta, rescale, self.clip_boxes)
        objs = self.boxes_to_pixels(obj_boxes, img_meta, rescale, self.clip_boxes)
        if self.output == 'all_queries':
            query, verb, scores = self._all_queries(verb_scores * valid, obj_labels, subs, objs)
        else:
            query, verb, scores = self._top_k(verb_scores, valid, obj_labels, subs, objs)
        pred_instances = InstanceData(
            bboxes=torch.cat([subs, objs]),
            labels=torch.cat([obj_labels.new_full((q,), self.subject_label), obj_labels]),
            scores=torch.cat([obj_scores, obj_scores]))
        pred_hoi = InstanceData(sub_ids=query, obj_ids=query + q, verb_labels=verb,
                                scores=scores)
        return pred_instances, pred_hoi

    def _top_k(self, verb_scores: Tensor, valid: Tensor, obj_labels: Tensor, subs: Tensor,
               objs: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        flat_valid = valid.flatten().nonzero(as_tuple=True)[0]
        cand_scores = verb_scores.flatten()[flat_valid]
        k = min(self.max_per_img, cand_scores.numel())
        top_scores, top = torch.sort(cand_scores, descending=True, stable=True)
        top_scores, top = top_scores[:k], top[:k]
        flat = flat_valid[top]
        query, verb = flat // self.num_verbs, flat % self.num_verbs
        if self.use_nms and k > 0:
            groups = obj_labels[query] * self.num_verbs + verb
            keep = triplet_nms(subs[query], objs[query], top_scores, groups, **self.nms_cfg)
            keep = keep[torch.sort(top_scores[keep], descending=True, stable=True)[1]]
            query, verb, top_scores = query[keep], verb[keep], top_scores[keep]
        return query, verb, top_scores

    def _all_queries(self, scores: Tensor, obj_labels: Tensor, subs: Tensor, objs: Tensor
                     ) -> tuple[Tensor, Tensor, Tensor]:
        queries = torch.arange(scores.size(0), device=scores.device)
        if self.use_nms and queries.numel() > 0:
            queries = triplet_nms(subs, objs, scores.max(1)[0], obj_labels, **self.nms_cfg)
        n_verb = scores.size(1)
        query = queries.repeat_interleave(n_verb)
        verb = torch.arange(n_verb, device=scores.device).repeat(queries.numel())
        return query, verb, scores[queries].flatten()
