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
from .spatial_prior import GaussianSpatialPrior, token_grid

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
        num_groups: Group-DETR query groups in training (Chen et al., "Group DETR: Fast DETR
            Training with Group-Wise One-to-Many Assignment", ICCV 2023): ``num_groups`` x
            ``num_queries`` query slots, self-attention only within a group, each group
            matched one-to-one on its own by the head. Inference uses group 0 only, so
            the model's outputs and cost at test time do not change. 1 = off (paper).
        spatial_prior: kwargs of ``GaussianSpatialPrior`` (SMCA, ``spatial_prior.py``) to
            modulate every branch's cross-attention around a per-query reference point;
            the outputs then include ``human_ref`` / ``object_ref`` (B, Q', 2) that the head
            predicts box centres relative to. None = off (paper).
    """

    def __init__(self,
                 num_layers: int,
                 layer_cfg: dict,
                 num_queries: int,
                 relation_cfg: dict,
                 share_fusion: bool = False,
                 post_norm_cfg: dict | None = None,
                 num_groups: int = 1,
                 spatial_prior: dict | None = None,
                 init_cfg: dict | None = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_groups < 1:
            raise ValueError(f'num_groups must be >= 1, got {num_groups}')
        self.num_layers = num_layers
        self.num_queries = num_queries
        self.num_groups = num_groups
        self.share_fusion = share_fusion
        self.layers = nn.ModuleDict({
            name: ModuleList([DetrTransformerDecoderLayer(**copy.deepcopy(layer_cfg))
                              for _ in range(num_layers)])
            for name in BRANCHES})
        self.embed_dims = self.layers['human'][0].embed_dims
        c = self.embed_dims
        self.query_embeddings = nn.ModuleDict(
            {name: nn.Embedding(num_queries * num_groups, c) for name in BRANCHES})
        self.relational_context = MultiplexRelationContext(embed_dims=c, **relation_cfg)
        num_fusions = 1 if share_fusion else num_layers
        self.fusions = nn.ModuleDict({
            name: ModuleList([AttentiveFusion(c) for _ in range(num_fusions)])
            for name in BRANCHES})
        num_heads = self.layers['human'][0].cross_attn.num_heads
        self.spatial_priors = None if spatial_prior is None else nn.ModuleDict({
            name: GaussianSpatialPrior(c, num_heads, **spatial_prior) for name in BRANCHES})
        post_norm_cfg = post_norm_cfg or dict(type='LN')
        self.post_norms = nn.ModuleDict(
            {name: build_norm_layer(post_norm_cfg, c)[1] for name in BRANCHES})

    def init_weights(self) -> None:
        """Xavier-uniform for every matrix except the query embeddings (as MUREN/DETR)."""
        super().init_weights()
        for name, p in self.named_parameters():
            if p.dim() > 1 and not name.startswith('query_embeddings.'):
                nn.init.xavier_uniform_(p)
        if self.spatial_priors is not None:
            for prior in self.spatial_priors.values():
                prior.reset_parameters()

    def group_attn_mask(self, groups: int, device: torch.device) -> Tensor | None:
        """(Q', Q') bool self-attention mask, True where a query may not look (other
        groups); None for one group."""
        if groups == 1:
            return None
        group_of = torch.arange(self.num_queries * groups, device=device) // self.num_queries
        return group_of[:, None] != group_of[None, :]

    def forward(self,
                memory: Tensor,
                memory_mask: Tensor | None = None,
                memory_pos: Tensor | None = None,
                spatial_shape: tuple[int, int] | None = None) -> dict[str, Tensor]:
        """Decode the encoder memory (B, HW, C).

        Args:
            memory: encoder output.
            memory_mask: (B, HW) bool, True at padded positions.
            memory_pos: (B, HW, C) positional encoding of the memory.
            spatial_shape: (H, W) of the memory's feature map (needed by the spatial prior).

        Returns:
            ``{'human', 'object', 'interaction'}`` -> (num_layers, B, Q', C) post-normed
            outputs of every layer; Q' = ``num_groups`` x Q in training, else Q. With the
            spatial prior also ``human_ref`` / ``object_ref`` (B, Q', 2).
        """
        b = memory.size(0)
        groups = self.num_groups if self.training else 1
        slots = self.num_queries * groups
        query_pos = {n: e.weight[:slots].unsqueeze(0).expand(b, -1, -1)
                     for n, e in self.query_embeddings.items()}
        self_attn_mask = self.group_attn_mask(groups, memory.device)
        states = {n: torch.zeros_like(p) for n, p in query_pos.items()}
        outputs: dict[str, list[Tensor]] = {n: [] for n in BRANCHES}
        refs, grid = {}, None
        if self.spatial_priors is not None:
            if spatial_shape is None:
                raise ValueError('HOIDecoder(spatial_prior=...) needs spatial_shape')
            grid = token_grid(spatial_shape, memory_mask, b, memory.device)
            refs = {n: self.spatial_priors[n].reference(query_pos[n]) for n in BRANCHES}
        for i in range(self.num_layers):
            for n in BRANCHES:
                cross_mask, padding = None, memory_mask
                if grid is not None:  # padding folded into the additive mask
                    cross_mask = self.spatial_priors[n].attn_bias(states[n], refs[n], grid,
                                                                  memory_mask)
                    padding = None
                states[n] = self.layers[n][i](
                    states[n], key=memory, value=memory, query_pos=query_pos[n],
                    key_pos=memory_pos, key_padding_mask=padding,
                    self_attn_mask=self_attn_mask, cross_attn_mask=cross_mask)
            context = self.relational_context(
                states['human'], states['object'], states['interaction'],
                memory, memory_pos=memory_pos, memory_mask=memory_mask)
            fusion_idx = 0 if self.share_fusion else i
            for n in BRANCHES:
                states[n] = self.fusions[n][fusion_idx](states[n], context)
                outputs[n].append(self.post_norms[n](states[n]))
        out = {n: torch.stack(outputs[n]) for n in BRANCHES}
        if refs:
            out.update(human_ref=refs['human'], object_ref=refs['object'])
        return out
