"""BLIP image-text matching teacher (transformers ``BlipForImageTextRetrieval``, ITM head).

Efficient scoring (DESIGN.md section 6): the ViT runs once per image; its output
``image_embeds`` (1, 1+P, D) is passed as ``encoder_hidden_states`` to ``text_encoder`` for a
batch of N texts with ``encoder_attention_mask=None``. The cross-attention keys / values are
computed once from the single image and broadcast over the N texts, so the ITM logits equal N
full forwards (tested) at a fraction of the cost. An all-ones image mask (what the full
forward passes) masks nothing, so leaving it out changes no value.

**[CLS] vs [ENC]:** BLIP's original code replaces the first token by ``[ENC]`` for ITM;
transformers' ``BlipForImageTextRetrieval.forward`` does not, it feeds the tokenizer's ids as
they are (``[CLS]`` first) and reads the ITM head at position 0. The logits differ between
the two. This teacher does what transformers does, in both the batched and the per-pair path,
so its scores are those of the transformers model as published on the hub.
"""
from __future__ import annotations

import torch
from transformers import BlipForImageTextRetrieval

from .base import ITM_SCORE_MODES, TEACHERS, ItmHeadTeacher, itm_scores


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

    def itm_logits(self, image_embeds: torch.Tensor, tokens: dict) -> torch.Tensor:
        """One image's embeds (1, 1+P, D) x N tokenised texts -> ITM logits (N, 2)."""
        hidden = self.model.text_encoder(
            input_ids=tokens['input_ids'], attention_mask=tokens['attention_mask'],
            encoder_hidden_states=image_embeds, encoder_attention_mask=None).last_hidden_state
        return self.model.itm_head(hidden[:, 0, :])

    def _pair_forward(self, pixel_values: torch.Tensor, tokens: dict) -> torch.Tensor:
        out = self.model(input_ids=tokens['input_ids'], attention_mask=tokens['attention_mask'],
                         pixel_values=pixel_values, use_itm_head=True)
        return itm_scores(out.itm_score, self.score_mode)
