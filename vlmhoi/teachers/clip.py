"""CLIP teacher (transformers ``CLIPModel``): cosine of image and text embeddings.

Efficient scoring: the text tower depends only on the text, so each vocabulary is embedded
once into a table (T, E) of L2-normalised text embeddings, cached per vocabulary; scoring a
batch of images is then one vision forward and one matrix product (B, E) x (E, T).

``logit_scale=True`` multiplies the cosine by the model's learned scale ``exp(logit_scale)``
(what ``CLIPModel`` puts into ``logits_per_image``); the identity records the choice. In
transformers 5.x ``get_image_features`` / ``get_text_features`` return a model output whose
``pooler_output`` is the projected embedding.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import torch
from transformers import CLIPModel

from .base import TEACHERS, HOITeacher

TEXT_TABLE_CACHE_SIZE = 4  # vocabularies (prompt forms) whose text table is kept


@TEACHERS.register_module()
class ClipTeacher(HOITeacher):
    """Frozen CLIP teacher. Score mode: ``cosine`` (optionally times the logit scale).

    Args:
        logit_scale: multiply the cosine by ``exp(model.logit_scale)``.
        others: see :class:`~vlmhoi.teachers.base.HOITeacher`.
    """

    SCORE_MODES = ('cosine',)
    DEFAULT_SCORE = 'cosine'
    MODEL_CLASS = CLIPModel
    MODEL_TYPES = ('clip',)
    HUB_EXAMPLE = 'openai/clip-vit-base-patch32'

    def __init__(self, model_path: str, score: str | None = None, dtype: str = 'float32',
                 device: str = 'cpu', text_batch_size: int = 64, image_batch_size: int = 8,
                 logit_scale: bool = False):
        super().__init__(model_path, score, dtype, device, text_batch_size, image_batch_size)
        self.use_logit_scale = bool(logit_scale)
        self._text_tables: OrderedDict[tuple[str, ...], torch.Tensor] = OrderedDict()

    def identity(self) -> dict:
        return {**super().identity(), 'logit_scale': self.use_logit_scale}

    def scale(self) -> float:
        """The factor applied to the cosine: ``exp(logit_scale)`` or 1."""
        return float(self.model.logit_scale.exp()) if self.use_logit_scale else 1.0

    def encode_images(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """pixel_values (B, 3, H, W) -> normalised image embeddings (B, E) float32."""
        feats = self.model.get_image_features(pixel_values=pixel_values).pooler_output.float()
        return feats / feats.norm(dim=-1, keepdim=True)

    @torch.no_grad()
    def text_table(self, texts: Sequence[str]) -> torch.Tensor:
        """Normalised text embeddings (T, E) float32 of a vocabulary, cached per vocabulary."""
        key = tuple(texts)
        if key not in self._text_tables:
            parts = [self.model.get_text_features(**tokens).pooler_output.float()
                     for tokens in self.text_batches(key)]
            table = torch.cat(parts)
            self._text_tables[key] = table / table.norm(dim=-1, keepdim=True)
            while len(self._text_tables) > TEXT_TABLE_CACHE_SIZE:
                self._text_tables.popitem(last=False)
        self._text_tables.move_to_end(key)
        return self._text_tables[key]

    def score_encoded(self, encoded: torch.Tensor, texts: Sequence[str]) -> torch.Tensor:
        """Image embeddings (B, E) x T texts -> cosine (B, T) float32 CPU (times the scale)."""
        return (encoded @ self.text_table(texts).T * self.scale()).cpu()

    def _pair_forward(self, pixel_values: torch.Tensor, tokens: dict) -> torch.Tensor:
        out = self.model(input_ids=tokens['input_ids'], attention_mask=tokens['attention_mask'],
                         pixel_values=pixel_values)
        if self.use_logit_scale:
            return out.logits_per_image[:, 0].float()
        return (out.image_embeds.float() * out.text_embeds.float()).sum(dim=-1)
