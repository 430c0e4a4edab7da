"""MUREN's multiplex relation embedding (MURE): the relational context of one decoder layer.

Paper: Kim et al., "Relational Context Learning for Human-Object Interaction Detection",
CVPR 2023, Sec. 3.2 (multiplex relation embedding module). Given the human, object and
interaction features of the same query slot after a decoder layer it builds

* unary relations: self-attention over the three branch tokens,
* pairwise relations: an MLP on each pair of unary tokens (human-object, human-interaction,
  object-interaction), then self-attention over the three pair tokens,
* the ternary relation: an MLP on the concatenation of the three branch features,

then lets the ternary token attend to the unary tokens, the result attend to the pairwise
tokens, and that attend to the encoder memory (image context). The output is the
*multiplex relation context*, one vector per query slot, that the attentive fusion feeds
back into every branch.

Follows the reference ``MURE`` module of github.com/OreoChocolate/MUREN; differences: batch
first tensors (mmdet convention); sizes come from the config (the reference hard-codes
256 / 8 heads / 2048); the self-attention blocks are mmdet's ``DetrTransformerEncoderLayer``
(same post-norm computation as the reference ``TransformerEncoderLayer``).
"""
from __future__ import annotations

import torch
from mmdet.models.layers import DetrTransformerEncoderLayer
from mmdet.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn

from .cross_attention_layer import CrossAttentionLayer


def relation_mlp(in_dims: int, embed_dims: int) -> nn.Sequential:
    """Linear -> ReLU -> Linear -> LayerNorm, the relation embedding MLP of MUREN."""
    return nn.Sequential(
        nn.Linear(in_dims, embed_dims), nn.ReLU(inplace=True),
        nn.Linear(embed_dims, embed_dims), nn.LayerNorm(embed_dims))


@MODELS.register_module()
class MultiplexRelationContext(BaseModule):
    """Unary / pairwise / ternary relation embeddings -> multiplex relation context.

    Args:
        embed_dims: feature size of the decoder branches and of the encoder memory.
        num_heads: heads of every attention block inside the module.
        feedforward_channels: FFN hidden size of every attention block.
        dropout: dropout of every attention block.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 feedforward_channels: int,
                 dropout: float = 0.1,
                 init_cfg: dict | None = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.embed_dims = embed_dims
        attn = dict(embed_dims=embed_dims, num_heads=num_heads, dropout=dropout,
                    batch_first=True)
        ffn = dict(embed_dims=embed_dims, feedforward_channels=feedforward_channels,
                   num_fcs=2, ffn_drop=dropout, act_cfg=dict(type='ReLU', inplace=True))
        cross = dict(embed_dims=embed_dims, num_heads=num_heads,
                     feedforward_channels=feedforward_channels, dropout=dropout)

        self.ternary_mlp = relation_mlp(3 * embed_dims, embed_dims)
        self.pair_mlps = nn.ModuleDict({
            name: relation_mlp(2 * embed_dims, embed_dims)
            for name in ('human_object', 'human_interaction', 'object_interaction')})
        self.unary_self_attn = DetrTransformerEncoderLayer(
            self_attn_cfg=dict(attn), ffn_cfg=dict(ffn))
        self.pairwise_self_attn = DetrTransformerEncoderLayer(
            self_attn_cfg=dict(attn), ffn_cfg=dict(ffn))
        self.ternary_to_unary = CrossAttentionLayer(**cross)
        self.ternary_to_pairwise = CrossAttentionLayer(**cross)
        self.context_to_memory = CrossAttentionLayer(**cross)

    def relation_embeddings(self, human: Tensor, obj: Tensor,
                            interaction: Tensor) -> dict[str, Tensor]:
        """Unary (N, 3, C), pairwise (N, 3, C) and ternary (N, 1, C) tokens, N = B * Q."""
        c = self.embed_dims
        ternary = self.ternary_mlp(torch.cat([human, obj, interaction], dim=-1))
        unary_in = torch.stack([human, obj, interaction], dim=2).reshape(-1, 3, c)
        unary = self.unary_self_attn(unary_in, query_pos=None, key_padding_mask=None)
        u_h, u_o, u_i = unary.unbind(dim=1)
        pairs = [self.pair_mlps['human_object'](torch.cat([u_h, u_o], dim=-1)),
                 self.pair_mlps['human_interaction'](torch.cat([u_h, u_i], dim=-1)),
                 self.pair_mlps['object_interaction'](torch.cat([u_o, u_i], dim=-1))]
        pairwise = self.pairwise_self_attn(
            torch.stack(pairs, dim=1), query_pos=None, key_padding_mask=None)
        return dict(unary=unary, pairwise=pairwise, ternary=ternary.reshape(-1, 1, c))

    def forward(self,
                human: Tensor,
                obj: Tensor,
                interaction: Tensor,
                memory: Tensor,
                memory_pos: Tensor | None = None,
                memory_mask: Tensor | None = None) -> Tensor:
        """Branch features (B, Q, C) and encoder memory (B, HW, C) -> context (B, Q, C)."""
        b, q, c = human.shape
        rel = self.relation_embeddings(human, obj, interaction)
        # ternary attends to unary, then to pairwise tokens: (B*Q, 1, C)
        context = self.ternary_to_unary(rel['ternary'], rel['unary'])
        context = self.ternary_to_pairwise(context, rel['pairwise'])
        # the relation-aware query of every slot attends to the image context
        context = context.reshape(b, q, c)
        return self.context_to_memory(context, memory, key_pos=memory_pos,
                                      key_padding_mask=memory_mask)
