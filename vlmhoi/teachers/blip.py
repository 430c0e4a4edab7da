"""BLIP image-text matching teacher (transformers ``BlipForImageTextRetrieval``, ITM head).

Efficient scoring (DESIGN.md section 6): the ViT runs once per image; its output
``image_embeds`` (1, 1+P, D) is passed as ``encoder_hidden_states`` to ``text_encoder`` with
``encoder_attention_mask=None``, so the cross-attention keys / values are computed once per
image. The texts go in *packed* (:mod:`vlmhoi.teachers.packing`): k texts per sequence, with a
block-diagonal self-attention mask and positions restarting per text, k chosen so that a pack
is no longer than the 1+P image tokens. A padded batch of N would make every cross-attention
matmul copy the image keys and values N times (41 % of the BLIP-base text side on CPU). The
ITM logits equal N full forwards (tested). An all-ones image mask (what the full forward
passes) masks nothing, so leaving it out changes no value.

**[CLS] vs [ENC]:** BLIP's original code replaces the first token by ``[ENC]`` for ITM;
transformers' ``BlipForImageTextRetrieval.forward`` does not, it feeds the tokenizer's ids as
they are (``[CLS]`` first) and reads the ITM head at position 0. The logits differ between
the two. This teacher does what transformers does, in both the batched and the per-pair path,
so its scores are those of the transformers model as published on the hub.
"""
from __future__ import annotations

from collections.abc import Sequence

import torch
from transformers import BlipForImageTextRetrieval

from .base import ITM_SCORE_MODES, TEACHERS, ItmHeadTeacher, itm_scores
from .packing import block_diagonal_mask, pack_tokens, texts_per_pack


@TEACHERS.register_module()
class BlipItmTeacher(ItmHeadTeacher):
    """Frozen BLIP ITM teacher. Score modes: ``itm_logodds`` (default), ``itm_prob``,
    ``itm_nomatch_logit``. Arguments: see :class:`~vlmhoi.teachers.base.HOITeacher`."""

    SCORE_MODES = ITM_SCORE_MODES
    DEFAULT_SCORE = 'itm_logodds'
    MODEL_CLASS = BlipForImageTextRetrieval
    MODEL_TYPES = ('blip',)
    HUB_EXAMPLE = 'Salesforce/blip-itm-base-coco'

    def encode_images(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """pixel_values (B, 3, H, W) -> ViT output image_embeds (B, 1+P, D)."""
        return self.model.vision_model(pixel_values=pixel_values).last_hidden_state

    @property
    def image_tokens(self) -> int:
        """1+P: the ViT's output length ([CLS] and one token per patch)."""
        vision = self.model.config.vision_config
        return (vision.image_size // vision.patch_size) ** 2 + 1

    def tokenize(self, texts: Sequence[str]) -> dict[str, torch.Tensor]:
        """Padded ``input_ids`` / ``attention_mask`` (N, L), plus the texts packed G to a
        sequence (``packed_*``, see :func:`~vlmhoi.teachers.packing.pack_tokens`) and the
        packs' block-diagonal mask ``packed_mask`` (G, 1, S, S) in the teacher's dtype."""
        tokens = super().tokenize(texts)
        group = texts_per_pack(self.image_tokens, tokens['input_ids'].shape[1])
        tokens.update(pack_tokens(tokens['input_ids'], tokens['attention_mask'], group))
        tokens['packed_mask'] = block_diagonal_mask(tokens['packed_segments'], self.torch_dtype)
        return tokens

    def itm_logits(self, image_embeds: torch.Tensor, tokens: dict) -> torch.Tensor:
        """One image's embeds (1, 1+P, D) x N tokenised, packed texts -> ITM logits (N, 2)."""
        hidden = self.model.text_encoder(
            input_ids=tokens['packed_ids'], attention_mask=tokens['packed_mask'],
            position_ids=tokens['packed_positions'], encoder_hidden_states=image_embeds,
            encoder_attention_mask=None).last_hidden_state                     # (G, S, D)
        return self.model.itm_head(hidden.flatten(0, 1)[tokens['packed_starts']])

    def _pair_forward(self, pixel_values: torch.Tensor, tokens: dict) -> torch.Tensor:
        out = self.model(input_ids=tokens['input_ids'], attention_mask=tokens['attention_mask'],
                         pixel_values=pixel_values, use_itm_head=True)
        return itm_scores(out.itm_score, self.score_mode)
