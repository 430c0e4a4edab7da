# A small MUREN HOI detector for the embedded synthetic HOI world (CPU, no downloads):
# the architecture of muren_r50.py at a size that trains on a few cores.
# ResNet-18 with 32 base channels (a quarter of the channels of the standard ResNet-18),
# 64-d transformer, 2 encoder / 3 decoder layers, 16 queries (the synthetic scenes hold
# a few people and objects each). Losses, matcher and post-processing as the paper model.

embed_dims = 64
num_heads = 4
ffn_dims = 256
dropout = 0.1
num_enc_layers = 2
num_dec_layers = 3
num_queries = 16
num_objects = 80  # the synthetic world uses the real COCO / HICO-DET vocabularies
num_verbs = 117
backbone_base_channels = 32
# three ResNet-18 stages, read at C4 (stride 16): 16 x 16 tokens on a 256-pixel image
# locate hand-held objects better than DETR's C5 (8 x 8) and cost less
backbone_stages = 3
backbone_out_channels = 4 * backbone_base_channels  # C4 width of a basic-block ResNet

_attn = dict(embed_dims=embed_dims, num_heads=num_heads, dropout=dropout, batch_first=True)
_ffn = dict(embed_dims=embed_dims, feedforward_channels=ffn_dims, num_fcs=2,
            ffn_drop=dropout, act_cfg=dict(type='ReLU', inplace=True))

model = dict(
    type='HOIDetector',
    num_queries=num_queries,
    init_cfg=None,  # trained from scratch on the synthetic world
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=1),
    backbone=dict(
        type='ResNet',
        depth=18,
        base_channels=backbone_base_channels,
        num_stages=backbone_stages,
        strides=(1, 2, 2),
        dilations=(1, 1, 1),
        out_indices=(backbone_stages - 1, ),
        frozen_stages=-1,  # nothing pretrained to keep
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        style='pytorch',
        init_cfg=None),
    neck=dict(
        type='ChannelMapper',
        in_channels=[backbone_out_channels],
        kernel_size=1,
        out_channels=embed_dims,
        act_cfg=None,
        norm_cfg=None,
        num_outs=1),
    encoder=dict(num_layers=num_enc_layers,
                 layer_cfg=dict(self_attn_cfg=_attn, ffn_cfg=_ffn)),
    decoder=dict(
        num_layers=num_dec_layers,
        layer_cfg=dict(self_attn_cfg=_attn, cross_attn_cfg=_attn, ffn_cfg=_ffn),
        relation_cfg=dict(num_heads=num_heads, feedforward_channels=ffn_dims,
                          dropout=dropout),
        share_fusion=False),
    positional_encoding=dict(num_feats=embed_dims // 2, normalize=True),
    bbox_head=dict(
        type='HOIHead',
        num_objects=num_objects,
        num_verbs=num_verbs,
        embed_dims=embed_dims,
        no_object_class=False,
        num_reg_fcs=2,
        eos_coef=0.1,
        loss_obj_cls=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
        loss_verb_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.5,
                           loss_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=2.5),
        loss_iou=dict(type='GIoULoss', loss_weight=1.0)),
    train_cfg=dict(
        assigner=dict(
            type='HOIHungarianAssigner',
            match_costs=[
                dict(type='HOIObjClassCost', weight=1.0),
                dict(type='HOIVerbClassCost', weight=1.0),
                dict(type='HOIBoxL1Cost', weight=2.5, combine='max'),
                dict(type='HOIGIoUCost', weight=1.0, combine='max'),
            ])),
    test_cfg=dict(max_per_img=100, dataset_vocab='hico', triplet_nms=False))
