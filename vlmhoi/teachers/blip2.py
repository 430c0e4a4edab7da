"""BLIP-2 image-text matching teacher (transformers ``Blip2ForImageTextRetrieval``, ITM head).

``Blip2ForImageTextRetrieval`` defaults to the contrastive (ITC) score; this teacher always
uses the ITM path (``use_image_text_matching_head=True``): the learned query tokens and the
text go through the Q-Former together, the queries cross-attend to the image, and the ITM head
averaged over the query positions gives (no-match, match) logits.

Efficient scoring: the ViT runs once per image; the Q-Former then runs once per *batch of
texts* against that image's embeddings (1, P, D), which its cross-attention broadcasts over
the batch (its keys and values are projected once per image). The text part differs per
text, so the Q-Former itself cannot be shared. The checkpoint must have a Q-Former with text input
(``qformer_config.use_qformer_text_input=True``, as ``Salesforce/blip2-itm-vit-g`` has).
"""
from __future__ import annotations

from pathlib import Path

import torch
from transformers import Blip2ForImageTextRetrieval

from .base import ITM_SCORE_MODES, TEACHERS, ItmHeadTeacher, itm_scores
from .loading import TeacherModelMismatchError, read_config


@TEACHERS.register_module()
class Blip2ItmTeacher(ItmHeadTeacher):
    """Frozen BLIP-2 ITM teacher. Score modes: ``itm_logodds`` (default), ``itm_prob``,
    ``itm_nomatch_logit``. Arguments: see :class:`~vlmhoi.teachers.base.HOITeacher`."""

    SCORE_MODES = ITM_SCORE_MODES
    DEFAULT_SCORE = 'itm_logodds'
    MODEL_CLASS = Blip2ForImageTextRetrieval
    MODEL_TYPES = ('blip-2',)
    HUB_EXAMPLE = 'Salesforce/blip2-itm-vit-g'

    def load_model(self, model_dir: Path, dtype: torch.dtype) -> torch.nn.Module:
        """Refuse a Q-Former without text input before loading (its ITM path cannot run)."""
        config = read_config(model_dir)
        qformer = config.get('qformer_config') or {}
        if config.get('model_type') in self.MODEL_TYPES and not qformer.get(
                'use_qformer_text_input', False):
            raise TeacherModelMismatchError(
                f'{type(self).__name__}: {model_dir / "config.json"} has a Q-Former without text '
                'input (qformer_config.use_qformer_text_input is not true), so it has no ITM '
                f'path; use an ITM checkpoint such as {self.HUB_EXAMPLE}')
        return super().load_model(model_dir, dtype)

    @property
    def num_query_tokens(self) -> int:
        return self.model.query_tokens.shape[1]

    def encode_images(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """pixel_values (B, 3, H, W) -> ViT output image_embeds (B, P, D)."""
        return self.model.vision_model(pixel_values=pixel_values).last_hidden_state

    def itm_logits(self, image_embeds: torch.Tensor, tokens: dict) -> torch.Tensor:
        """One image's embeds (1, P, D) x N tokenised texts -> ITM logits (N, 2), query-mean."""
        model, count = self.model, tokens['input_ids'].shape[0]
        queries = model.query_tokens.expand(count, -1, -1)                      # (N, Q, H)
        query_mask = torch.ones(queries.shape[:2], dtype=tokens['attention_mask'].dtype,
                                device=queries.device)
        mask = torch.cat([query_mask, tokens['attention_mask']], dim=1)         # (N, Q + L)
        embeds = model.embeddings(input_ids=tokens['input_ids'], query_embeds=queries)
        hidden = model.qformer(query_embeds=embeds, query_length=self.num_query_tokens,
                               attention_mask=mask, encoder_hidden_states=image_embeds,
                               encoder_attention_mask=None).last_hidden_state
        hidden = hidden[:, :self.num_query_tokens].to(model.itm_head.weight.dtype)
        return model.itm_head(hidden).mean(dim=1)

    def _pair_forward(self, pixel_values: torch.Tensor, tokens: dict) -> torch.Tensor:
        ids, mask = tokens['input_ids'], tokens['attention_mask']
        image_token = self.model.config.image_token_index
        if image_token is not None:  # the model strips the processor's image-token prefix
            prefix = torch.full((ids.shape[0], self.num_query_tokens), image_token,
                                dtype=ids.dtype, device=ids.device)
            ids, mask = torch.cat([prefix, ids], 1), torch.cat([torch.ones_like(prefix), mask], 1)
        out = self.model(pixel_values=pixel_values, input_ids=ids, attention_mask=mask,
                         use_image_text_matching_head=True)
        return itm_scores(out.logits_per_image, self.score_mode)
