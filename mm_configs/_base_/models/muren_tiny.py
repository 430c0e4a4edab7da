# A small MUREN HOI detector for the embedded synthetic HOI world (CPU, no downloads):
# the paper model of muren_r50.py (losses, matcher, post-processing unchanged) at a size
# that trains on a few cores. ResNet-18 with 32 base channels (a quarter of the standard
# width), 64-d transformer, 2 encoder / 3 decoder layers, 16 queries (the synthetic
# scenes hold a few people and objects each). Trained from scratch in 10 CPU minutes, it
# adds two convergence aids the paper model does not have (both off in muren_r50.py;
# measured one by one in docs/learning.md): SMCA's spatially modulated cross-attention
# and the focal-loss prior on the verb classifier; and it drops dropout.
_base_ = ['./muren_r50.py']

embed_dims = 64
num_heads = 4
ffn_dims = 256
dropout = 0.0  # 0.1 in the paper; a 5-epoch schedule from scratch does not overfit
# SMCA (Gao et al., ICCV 2021): Gaussian cross-attention around a reference point per
# query, initial width 0.2 of the image side (a person is 0.3-0.5 of it in this world)
spatial_prior = dict(init_scale=0.2, max_scale=1.0)
verb_prior_prob = 0.01  # RetinaNet's prior (Lin et al. 2017, Sec. 4.1) on the verb logits
num_queries = 16
backbone_base_channels = 32
# three ResNet-18 stages, read at C4 (stride 16): 16 x 16 tokens on a 256-pixel image
# locate hand-held objects better than DETR's C5 (8 x 8) and cost less
backbone_stages = 3
backbone_out_channels = 4 * backbone_base_channels  # C4 width of a basic-block ResNet

_attn = dict(embed_dims=embed_dims, num_heads=num_heads, dropout=dropout, batch_first=True)
_ffn = dict(embed_dims=embed_dims, feedforward_channels=ffn_dims, ffn_drop=dropout)

model = dict(
    num_queries=num_queries,
    backbone=dict(
        depth=18,
        base_channels=backbone_base_channels,
        num_stages=backbone_stages,
        strides=(1, 2, 2),
        dilations=(1, 1, 1),
        out_indices=(backbone_stages - 1, ),
        frozen_stages=-1,  # trained from scratch: nothing pretrained to keep
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False),
    neck=dict(in_channels=[backbone_out_channels], out_channels=embed_dims),
    encoder=dict(num_layers=2, layer_cfg=dict(self_attn_cfg=_attn, ffn_cfg=_ffn)),
    decoder=dict(
        num_layers=3,
        layer_cfg=dict(self_attn_cfg=_attn, cross_attn_cfg=_attn, ffn_cfg=_ffn),
        relation_cfg=dict(num_heads=num_heads, feedforward_channels=ffn_dims,
                          dropout=dropout),
        spatial_prior=spatial_prior),
    positional_encoding=dict(num_feats=embed_dims // 2),
    bbox_head=dict(embed_dims=embed_dims, verb_prior_prob=verb_prior_prob))
