"""The ITM term of the published VLM-HOI code (VLM-HOI/cvpr ``SetCriterion.loss_itm``),
reproduced for comparison (DESIGN.md section 7); never a default.

Per image b of the batch:

1. each query's verb is the argmax of its verb sigmoids, its object the argmax of its
   object logits over the real object classes ("no object" / background left out here:
   they have no name to put in a sentence);
2. the verb texts (``"person " + first word of the verb``) and the object names (``_`` as
   spaces) are made unique sets (sorted here: the reference iterates Python sets, whose
   order of strings changes between processes) and split into positives and negatives by
   membership in the image's ground-truth verbs and objects (not by the assignment);
3. positive verb texts are zipped pairwise with positive object names into sentences,
   negatives likewise (``zip`` stops at the shorter list);
4. the score of a set of sentences is the mean over them of ``itm_score[..., 0]`` (the
   no-match logit) of the teacher, on the raw image.

``pos`` is the sum over images of their positive score, ``neg`` the sum over the first
``reference_neg_images`` (4) images of their negative score, and the loss is
``max(0, neg - pos - margin) / batch_size`` (margin 1). Every input to the teacher comes
from argmax indices and raw pixels, so the result is a constant with respect to every
detector parameter: ``loss_itm`` has no autograd graph (a test proves it).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from mmdet.structures import SampleList
from torch import Tensor

from ..teachers.prompts import normalise_name

if TYPE_CHECKING:
    from .itm_distill_loss import ITMDistillLoss

REFERENCE_SCORE = 'itm_nomatch_logit'  # what ``itm_score[..., 0]`` is in transformers' BLIP


def reference_sentences(verb_ids: list[int], obj_ids: list[int], gt_verbs: set[int],
                        gt_objs: set[int], verb_names: tuple[str, ...],
                        obj_names: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Positive and negative sentences of one image (steps 2-3 of the module doc)."""
    verbs = {v: 'person ' + normalise_name(verb_names[v]).split(' ')[0] for v in verb_ids}
    objs = {o: normalise_name(obj_names[o]) for o in obj_ids}
    pos_v = sorted({t for v, t in verbs.items() if v in gt_verbs})
    neg_v = sorted({t for v, t in verbs.items() if v not in gt_verbs} - set(pos_v))
    pos_o = sorted({t for o, t in objs.items() if o in gt_objs})
    neg_o = sorted({t for o, t in objs.items() if o not in gt_objs} - set(pos_o))
    return ([f'{v} {o}' for v, o in zip(pos_v, pos_o)],
            [f'{v} {o}' for v, o in zip(neg_v, neg_o)])


def reference_itm(loss: ITMDistillLoss, obj_logits: Tensor, verb_logits: Tensor,
                  batch_data_samples: SampleList) -> dict[str, Tensor]:
    """``loss_itm`` and its parts as the published code computes them."""
    from ..teachers.cache_builder import load_rgb
    vocab, device = loss.hoi_vocab, obj_logits.device
    verb_ids = verb_logits.sigmoid().argmax(-1)                     # (B, Q)
    obj_ids = obj_logits[..., :loss.num_objects].argmax(-1)         # (B, Q)
    pos = neg = torch.zeros((), device=device)
    for b, ds in enumerate(batch_data_samples):
        gt = ds.gt_hoi
        gt_verbs = {int(v) for v in gt.verb_labels.nonzero(as_tuple=True)[1].tolist()}
        gt_objs = {int(o) for o in gt.obj_labels.tolist() if int(o) < loss.num_objects}
        pos_s, neg_s = reference_sentences(verb_ids[b].tolist(), obj_ids[b].tolist(),
                                           gt_verbs, gt_objs, vocab.verb_names,
                                           vocab.object_names)
        image = [load_rgb(ds.metainfo['img_path'])]
        if pos_s:
            pos = pos + loss.teacher.score(image, pos_s).mean().to(device)
        if neg_s and b < loss.reference_neg_images:
            neg = neg + loss.teacher.score(image, neg_s).mean().to(device)
    batch = max(len(batch_data_samples), 1)
    value = (neg - pos - loss.reference_margin).clamp(min=0) / batch
    return dict(loss_itm=loss.loss_weight * value, loss_itm_pos=pos.detach(),
                loss_itm_neg=neg.detach())
