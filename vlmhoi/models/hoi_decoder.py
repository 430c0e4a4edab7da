"""MUREN's three-branch HOI decoder with relational context after every layer.

Paper Sec. 3 / Fig. 2: three parallel DETR decoders (human, object, interaction), each
with its own learned queries. After every layer the three branch features of each query
slot go through the multiplex relation embedding module (``MultiplexRelationContext``) and
the resulting context is fused back into each branch by an ``AttentiveFusion``. The
post-normalised output of every layer is returned for the auxiliary losses.

Reference behaviour kept (github.com/OreoChocolate/MUREN, ``TransformerDecoderThreeBranch``):
* one relational-context module shared by all layers;
* one fusion module per branch and per layer, or one per branch shared by all layers
  (``share_fusion=True``, what the reference does on V-COCO);
* branch queries are positional queries (``query_pos``), the content starts at zero;
* the un-normalised fused features go to the next layer, a per-branch LayerNorm is applied
  to the returned intermediate outputs.
Decoder layers are mmdet's ``DetrTransformerDecoderLayer`` (same post-norm DETR layer).
"""
from __future__ import annotations

import copy

import torch
from mmcv.cnn import build_norm_layer
from mmdet.models.layers import DetrTransformerDecoderLayer
from mmdet.registry import MODELS
from mmengine.model import BaseModule, ModuleList
from torch import Tensor, nn

from .attentive_fusion import AttentiveFusion
from .relational_context import MultiplexRelationContext

BRANCHES = ('human', 'object', 'interaction')


@MODELS.register_module()
class HOIDecoder(BaseModule):
    """Human / object / interaction decoder branches coupled by MUREN's relational context.

    Args:
        num_layers: decoder layers per branch.
        layer_cfg: config of one ``DetrTransformerDecoderLayer`` (shared by the branches).
        num_queries: query slots; each branch has its own ``nn.Embedding(num_queries, C)``.
        relation_cfg: kwargs of ``MultiplexRelationContext`` except ``embed_dims``
            (``num_heads``, ``feedforward_channels``, ``dropout``).
        share_fusion: one fusion module per branch for all layers instead of one per layer.
        post_norm_cfg: normalisation applied to each returned layer output.
    """

    def __init__(self,
                 num_layers: int,
                 layer_cfg: dict,
                 num_queries: int,
                 relation_cfg: dict,
                 share_fusion: bool = False,
                 post_norm_cfg: dict | None = None,
                 init_cfg: dict | None = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_layers = num_layers
        self.num_queries = num_queries
        self.share_fusion = share_fusion
        self.layers = nn.ModuleDict({
            name: ModuleList([DetrTransformerDecoderLayer(**copy.deepcopy(layer_cfg))
                              for _ in range(num_layers)])
            for name in BRANCHES})
        self.embed_dims = self.layers['human'][0].embed_dims
        c = self.embed_dims
        self.query_embeddings = nn.ModuleDict(
            {name: nn.Embedding(num_queries, c) for name in BRANCHES})
        self.relational_context = MultiplexRelationContext(embed_dims=c, **relation_cfg)
        num_fusions = 1 if share_fusion else num_layers
        self.fusions = nn.ModuleDict({
            name: ModuleList([AttentiveFusion(c) for _ in range(num_fusions)])
            for name in BRANCHES})
        post_norm_cfg = post_norm_cfg or dict(type='LN')
        self.post_norms = nn.ModuleDict(
            {name: build_norm_layer(post_norm_cfg, c)[1] for name in BRANCHES})

    def init_weights(self) -> None:
        """Xavier-uniform for every matrix except the query embeddings (as MUREN/DETR)."""
        super().init_weights()
        for name, p in self.named_parameters():
            if p.dim() > 1 and not name.startswith('query_embeddings.'):
                nn.init.xavier_uniform_(p)

    def forward(self,
                memory: Tensor,
                memory_mask: Tensor | None = None,
                memory_pos: Tensor | None = None) -> dict[str, Tensor]:
        """Decode the encoder memory (B, HW, C).

        Args:
            memory: encoder output.
            memory_mask: (B, HW) bool, True at padded positions.
            memory_pos: (B, HW, C) positional encoding of the memory.

        Returns:
            ``{'human', 'object', 'interaction'}`` -> (num_layers, B, Q, C) post-normed
            outputs of every layer.
        """
        b = memory.size(0)
        query_pos = {n: e.weight.unsqueeze(0).expand(b, -1, -1)
                     for n, e in self.query_embeddings.items()}
        states = {n: torch.zeros_like(p) for n, p in query_pos.items()}
        outputs: dict[str, list[Tensor]] = {n: [] for n in BRANCHES}
        for i in range(self.num_layers):
            for n in BRANCHES:
                states[n] = self.layers[n][i](
                    states[n], key=memory, value=memory, query_pos=query_pos[n],
                    key_pos=memory_pos, key_padding_mask=memory_mask)
            context = self.relational_context(
                states['human'], states['object'], states['interaction'],
                memory, memory_pos=memory_pos, memory_mask=memory_mask)
            fusion_idx = 0 if self.share_fusion else i
            for n in BRANCHES:
                states[n] = self.fusions[n][fusion_idx](states[n], context)
                outputs[n].append(self.post_norms[n](states[n]))
        return {n: torch.stack(outputs[n]) for n in BRANCHES}
