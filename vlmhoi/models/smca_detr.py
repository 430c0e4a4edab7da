"""A plain DETR object detector with the HOI decoder's spatial prior, for detection
pre-training (the embedded world's analog of the paper's COCO-pretrained DETR).

The paper's models start from DETR trained on COCO (MUREN / VLM-HOI Sec. 4), copied into
the HOI detector by ``DetrPretrained`` (:mod:`vlmhoi.models.detr_init`). The embedded
world has no such checkpoint, and a plain DETR from scratch learns too slowly on a CPU,
so the pre-training detector is mmdet's ``DETR`` with the one convergence aid the small
HOI detector also uses: SMCA's Gaussian cross-attention around a reference point per
query (:mod:`vlmhoi.models.spatial_prior`), with box centres predicted relative to it.
Its state dict is mmdet's DETR layout plus ``decoder.spatial_prior.*``, which
``DetrPretrained`` copies into the spatial prior of every HOI decoder branch, exactly as
it copies the decoder layers.
"""
from __future__ import annotations

import copy

import torch
from mmdet.models.dense_heads import DETRHead
from mmdet.models.detectors import DETR
from mmdet.models.layers import (
    DetrTransformerDecoder,
    DetrTransformerEncoder,
    SinePositionalEncoding,
)
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import InstanceList
from torch import Tensor, nn

from .spatial_prior import GaussianSpatialPrior, boxes_around_reference, token_grid


class SmcaDetrDecoder(DetrTransformerDecoder):
    """mmdet's ``DetrTransformerDecoder`` whose cross-attention is modulated by a
    ``GaussianSpatialPrior`` (the same per-layer bias as one ``HOIDecoder`` branch).

    Args:
        spatial_prior: kwargs of ``GaussianSpatialPrior`` except ``embed_dims`` /
            ``num_heads`` (taken from the layers).
        **kwargs: those of ``DetrTransformerDecoder`` (``num_layers``, ``layer_cfg``,
            ``post_norm_cfg``, ``return_intermediate``).
    """

    def __init__(self, spatial_prior: dict, **kwargs) -> None:
        super().__init__(**kwargs)
        self.spatial_prior = GaussianSpatialPrior(
            self.embed_dims, self.layers[0].cross_attn.num_heads, **spatial_prior)

    def forward(self, query: Tensor, key: Tensor, value: Tensor, query_pos: Tensor,
                key_pos: Tensor, key_padding_mask: Tensor | None,
                spatial_shape: tuple[int, int], **kwargs) -> tuple[Tensor, Tensor]:
        """(B, Q, C) queries over the (B, HW, C) memory -> post-normed outputs of every
        layer (L, B, Q, C) and the reference points (B, Q, 2)."""
        grid = token_grid(spatial_shape, key_padding_mask, query.size(0), query.device)
        ref = self.spatial_prior.reference(query_pos)
        outputs = []
        for layer in self.layers:
            bias = self.spatial_prior.attn_bias(query, ref, grid, key_padding_mask)
            query = layer(query, key=key, value=value, query_pos=query_pos, key_pos=key_pos,
                          key_padding_mask=None, cross_attn_mask=bias, **kwargs)
            outputs.append(self.post_norm(query))
        return torch.stack(outputs), ref


@MODELS.register_module()
class SmcaDETRHead(DETRHead):
    """mmdet's ``DETRHead`` with box centres relative to the decoder's reference points
    (``references`` (B, Q, 2)); classification, matching and losses unchanged.

    ``loss_cls.bg_cls_weight`` (DETR's relative weight of the "no object" class) is turned
    into the loss's per-class weights here, as ``DETRHead`` does only for itself.
    """

    def __init__(self, num_classes: int, *args, loss_cls: dict | None = None,
                 **kwargs) -> None:
        loss_cls = dict(loss_cls or dict(type='CrossEntropyLoss', bg_cls_weight=0.1,
                                         use_sigmoid=False, loss_weight=1.0,
                                         class_weight=1.0))
        bg_cls_weight = loss_cls.pop('bg_cls_weight', None)
        if bg_cls_weight is not None:
            weight = float(loss_cls.get('class_weight', 1.0))
            loss_cls['class_weight'] = [weight] * num_classes + [float(bg_cls_weight)]
        super().__init__(num_classes, *args, loss_cls=loss_cls, **kwargs)
        self.bg_cls_weight = bg_cls_weight or 0

    def forward(self, hidden_states: Tensor,
                references: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """(L, B, Q, C) -> class scores (L, B, Q, K + 1), boxes (L, B, Q, 4) cxcywh."""
        logits = self.fc_reg(self.activate(self.reg_ffn(hidden_states)))
        return self.fc_cls(hidden_states), boxes_around_reference(logits, references)

    def loss(self, hidden_states: Tensor, batch_data_samples: SampleList,
             references: Tensor | None = None) -> dict:
        """DETR's Hungarian losses of every decoder layer."""
        gts: InstanceList = [s.gt_instances for s in batch_data_samples]
        metas = [s.metainfo for s in batch_data_samples]
        return self.loss_by_feat(*self(hidden_states, references), gts, metas)

    def predict(self, hidden_states: Tensor, batch_data_samples: SampleList,
                rescale: bool = True, references: Tensor | None = None) -> InstanceList:
        """Detections of the last decoder layer."""
        metas = [s.metainfo for s in batch_data_samples]
        outs = self(hidden_states[-1:], references)
        return self.predict_by_feat(*outs, batch_img_metas=metas, rescale=rescale)


@MODELS.register_module()
class SmcaDETR(DETR):
    """mmdet's ``DETR`` with ``SmcaDetrDecoder``: ``decoder`` takes the kwargs of
    ``DetrTransformerDecoder`` plus ``spatial_prior``; ``bbox_head`` is an ``SmcaDETRHead``.
    """

    def _init_layers(self) -> None:
        self.positional_encoding = SinePositionalEncoding(**self.positional_encoding)
        self.encoder = DetrTransformerEncoder(**self.encoder)
        decoder_cfg = copy.deepcopy(dict(self.decoder))
        decoder_cfg.pop('type', None)
        self.decoder = SmcaDetrDecoder(**decoder_cfg)
        self.embed_dims = self.encoder.embed_dims
        self.query_embedding = nn.Embedding(self.num_queries, self.embed_dims)

    def init_weights(self) -> None:
        """DETR's init (xavier for every encoder / decoder matrix), then the spatial
        prior's own init (zero scale weights, the configured initial width)."""
        super().init_weights()
        self.decoder.spatial_prior.reset_parameters()

    def pre_transformer(self, img_feats, batch_data_samples=None) -> tuple[dict, dict]:
        """mmdet's DETR inputs, plus the feature map's (H, W) for the spatial prior."""
        encoder_inputs, decoder_inputs = super().pre_transformer(img_feats, batch_data_samples)
        decoder_inputs['spatial_shape'] = tuple(img_feats[-1].shape[-2:])
        return encoder_inputs, decoder_inputs

    def forward_decoder(self, query: Tensor, query_pos: Tensor, memory: Tensor,
                        memory_mask: Tensor, memory_pos: Tensor,
                        spatial_shape: tuple[int, int]) -> dict[str, Tensor]:
        """-> ``hidden_states`` (L, B, Q, C) and ``references`` (B, Q, 2)."""
        hidden_states, references = self.decoder(
            query=query, key=memory, value=memory, query_pos=query_pos, key_pos=memory_pos,
            key_padding_mask=memory_mask, spatial_shape=spatial_shape)
        return dict(hidden_states=hidden_states, references=references)
