"""A post-norm transformer layer with cross-attention and FFN but no self-attention.

MUREN (``TransformerCrossLayer`` in the reference repo) uses this block three times inside
its relational context module: the ternary token attends to the unary tokens, the result
attends to the pairwise tokens, and that attends to the encoder memory. mmdet has no such
layer (its ``DetrTransformerDecoderLayer`` always runs self-attention first), so it is
composed here from mmcv's ``MultiheadAttention`` and ``FFN`` exactly like mmdet's DETR
layers are: ``x = LN(x + Attn(x)); x = LN(x + FFN(x))``.
"""
from __future__ import annotations

from mmcv.cnn import build_norm_layer
from mmcv.cnn.bricks.transformer import FFN, MultiheadAttention
from mmdet.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor


@MODELS.register_module()
class CrossAttentionLayer(BaseModule):
    """Cross-attention + FFN, each followed by residual and LayerNorm (batch first).

    Args:
        embed_dims: feature size.
        num_heads: attention heads.
        feedforward_channels: hidden size of the FFN.
        dropout: dropout of attention weights, attention output and FFN (DETR style).
        act_cfg: FFN activation.
        norm_cfg: normalisation layer config.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 feedforward_channels: int,
                 dropout: float = 0.1,
                 act_cfg: dict | None = None,
                 norm_cfg: dict | None = None,
                 init_cfg: dict | None = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.embed_dims = embed_dims
        self.cross_attn = MultiheadAttention(
            embed_dims=embed_dims, num_heads=num_heads, attn_drop=dropout,
            proj_drop=0.0, dropout_layer=dict(type='Dropout', drop_prob=dropout),
            batch_first=True)
        self.ffn = FFN(
            embed_dims=embed_dims, feedforward_channels=feedforward_channels, num_fcs=2,
            ffn_drop=dropout, act_cfg=act_cfg or dict(type='ReLU', inplace=True))
        norm_cfg = norm_cfg or dict(type='LN')
        self.norm_attn = build_norm_layer(norm_cfg, embed_dims)[1]
        self.norm_ffn = build_norm_layer(norm_cfg, embed_dims)[1]

    def forward(self,
                query: Tensor,
                key: Tensor,
                query_pos: Tensor | None = None,
                key_pos: Tensor | None = None,
                key_padding_mask: Tensor | None = None) -> Tensor:
        """Attend ``query`` (N, Lq, C) to ``key`` (N, Lk, C); returns (N, Lq, C).

        ``key`` also serves as value (positional encodings are added to query/key only).
        """
        query = self.cross_attn(
            query=query, key=key, value=key, query_pos=query_pos, key_pos=key_pos,
            key_padding_mask=key_padding_mask)
        query = self.norm_attn(query)
        return self.norm_ffn(self.ffn(query))
