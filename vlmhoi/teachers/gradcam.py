"""ITM Grad-CAM of a BLIP teacher: where in the image the match score of a sentence looks.

The relevance map of BLIP's own ``compute_gradcam`` (LAVIS), on transformers' model: the
cross-attention of one text-encoder layer, weighted by the positive part of its gradient
with respect to the ITM match logit, averaged over heads and over the sentence's word tokens
(``[CLS]``, ``[SEP]`` and padding left out), without the image's class token, on the ViT's
patch grid. The default layer is a middle one, ``(layers - 1) // 2`` (5 of 0..11 for BLIP
base): the last layer's cross-attention gets gradient only through token 0 (DESIGN.md
section 6), so BLIP's own code also reads a middle block.

The teacher stays frozen: the graph is built from a leaf copy of the image embeddings, so no
parameter gets a gradient.
"""
from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from .base import ITM_MATCH, ImageLike
from .blip import BlipItmTeacher


def default_layer(teacher: BlipItmTeacher) -> int:
    """A middle text-encoder layer below the last: ``(layers - 1) // 2``."""
    return (teacher.model.config.text_config.num_hidden_layers - 1) // 2


def patch_grid(teacher: BlipItmTeacher) -> tuple[int, int]:
    vision = teacher.model.config.vision_config
    side = vision.image_size // vision.patch_size
    return side, side


def itm_gradcam(teacher: BlipItmTeacher, image: ImageLike, texts: Sequence[str],
                layer: int | None = None) -> tuple[Tensor, Tensor]:
    """Relevance maps (N, h, w) on the patch grid and ITM match logits (N,) of N texts.

    Maps are >= 0 and not normalised (compare them across texts of one image).
    """
    if not isinstance(teacher, BlipItmTeacher):
        raise TypeError(f'itm_gradcam needs a BlipItmTeacher (cross-attention), got '
                        f'{type(teacher).__name__}')
    layer = default_layer(teacher) if layer is None else layer
    num_layers = teacher.model.config.text_config.num_hidden_layers
    if not 0 <= layer < num_layers:
        raise ValueError(f'itm_gradcam: layer {layer} not in 0..{num_layers - 1}')
    tokens = teacher.tokenize(texts)
    with torch.no_grad():
        embeds = teacher.encode_images(teacher.preprocess([image]))
    with torch.enable_grad():
        leaf = embeds.detach().clone().requires_grad_(True)
        out = teacher.model.text_encoder(
            input_ids=tokens['input_ids'], attention_mask=tokens['attention_mask'],
            encoder_hidden_states=leaf.expand(len(texts), -1, -1),
            output_attentions=True, return_dict=True)
        attn = out.cross_attentions[layer]                       # (N, heads, L, 1+P)
        logits = teacher.model.itm_head(out.last_hidden_state[:, 0, :])
        match = logits[:, ITM_MATCH]
        grad, = torch.autograd.grad(match.sum(), attn)
    cam = (attn.detach() * grad.clamp(min=0)).mean(1)[..., 1:]  # (N, L, P)
    words = tokens['attention_mask'].clone().float()
    words[:, 0] = 0                                               # [CLS]
    last = tokens['attention_mask'].sum(1) - 1
    words[torch.arange(len(texts)), last] = 0                     # [SEP]
    cam = (cam * words.unsqueeze(-1)).sum(1) / words.sum(1, keepdim=True).clamp(min=1)
    h, w = patch_grid(teacher)
    return cam.reshape(len(texts), h, w).float().cpu(), match.detach().float().cpu()
