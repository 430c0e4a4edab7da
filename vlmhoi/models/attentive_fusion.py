"""MUREN's attentive fusion: gate the multiplex relation context into one branch.

Paper Sec. 3.3 ("attentive fusion module"): ``f' = f + sigma(MLP_a([f, c])) * MLP_c([f, c])``
where ``f`` is the branch feature and ``c`` the multiplex relation context of the same query
slot. Mirrors ``ATFmodule`` of the reference repo, with sizes from the config.
"""
from __future__ import annotations

import torch
from mmdet.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn


@MODELS.register_module()
class AttentiveFusion(BaseModule):
    """Channel-wise gated residual update of a branch feature with the relation context.

    Args:
        embed_dims: feature size of branch features and context.
    """

    def __init__(self, embed_dims: int, init_cfg: dict | None = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.gate = nn.Sequential(
            nn.Linear(2 * embed_dims, embed_dims), nn.ReLU(inplace=True),
            nn.Linear(embed_dims, embed_dims), nn.Sigmoid())
        self.update = nn.Sequential(
            nn.Linear(2 * embed_dims, embed_dims), nn.ReLU(inplace=True),
            nn.Linear(embed_dims, embed_dims), nn.LayerNorm(embed_dims))

    def forward(self, feat: Tensor, context: Tensor) -> Tensor:
        """``feat`` and ``context`` (..., C) -> fused feature (..., C)."""
        joint = torch.cat([feat, context], dim=-1)
        return feat + self.gate(joint) * self.update(joint)
