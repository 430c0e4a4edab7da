# MUREN HOI detector, the paper model (ResNet-50 DETR + three-branch relational decoder).
# Sources: MUREN = Kim, Jung, Cho, "Relational Context Learning for Human-Object
# Interaction Detection", CVPR 2023 (Sec. 3 method, Sec. 4 "Implementation details") and
# its code (github.com/OreoChocolate/MUREN, main.py defaults); VLM-HOI = the paper this
# suite reproduces (its Eq. 5 fixes the loss weights, its Sec. 4 the query numbers).
# Sizes are variables of this file; a derived config that changes one must also override
# the model fields that use it (mmengine evaluates this file once).

embed_dims = 256  # DETR hidden size (MUREN Sec. 4; main.py --hidden_dim 256)
num_heads = 8  # attention heads (main.py --nheads 8)
ffn_dims = 2048  # FFN hidden size (main.py --dim_feedforward 2048)
dropout = 0.1  # transformer dropout (main.py --dropout 0.1)
num_enc_layers = 6  # encoder layers (MUREN Sec. 4: 6 encoder / 6 decoder layers)
num_dec_layers = 6  # decoder layers per branch
num_queries = 64  # HICO-DET (MUREN / VLM-HOI Sec. 4; V-COCO uses 100)
num_objects = 80  # COCO objects, contiguous index (docs/design_notes.md)
num_verbs = 117  # HICO-DET verbs (V-COCO: 29 action-roles)

_attn = dict(embed_dims=embed_dims, num_heads=num_heads, dropout=dropout, batch_first=True)
_ffn = dict(embed_dims=embed_dims, feedforward_channels=ffn_dims, num_fcs=2,
            ffn_drop=dropout, act_cfg=dict(type='ReLU', inplace=True))

model = dict(
    type='HOIDetector',
    num_queries=num_queries,
    # COCO DETR initialisation (MUREN / VLM-HOI Sec. 4 "initialised from DETR trained on
    # COCO"): set in the top config, e.g.
    # init_cfg=dict(type='DetrPretrained', checkpoint='data/pretrained/detr_r50_coco.pth')
    init_cfg=None,
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],  # ImageNet statistics, as DETR
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=1),
    backbone=dict(
        type='ResNet',
        depth=50,  # ResNet-50 (MUREN Sec. 4)
        num_stages=4,
        out_indices=(3, ),  # C5 only, stride 32, as DETR
        frozen_stages=1,  # DETR freezes the stem and the first stage
        norm_cfg=dict(type='BN', requires_grad=False),  # frozen BN, as DETR
        norm_eval=True,
        style='pytorch',
        init_cfg=None),  # weights come from the COCO DETR checkpoint
    neck=dict(
        type='ChannelMapper',  # DETR's 1x1 input projection 2048 -> embed_dims
        in_channels=[2048],
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
        # MURE (MUREN Sec. 3.2): same head count / FFN size / dropout as the decoder,
        # the reference hard-codes 8 heads and 2048
        relation_cfg=dict(num_heads=num_heads, feedforward_channels=ffn_dims,
                          dropout=dropout),
        share_fusion=False),  # attentive fusion (Sec. 3.3) per layer; V-COCO shares it
    positional_encoding=dict(num_feats=embed_dims // 2, normalize=True),  # DETR sine
    bbox_head=dict(
        type='HOIHead',
        num_objects=num_objects,
        num_verbs=num_verbs,
        embed_dims=embed_dims,
        no_object_class=False,  # True for V-COCO (pairs without object)
        num_reg_fcs=2,  # 3-layer box MLPs, as DETR
        eos_coef=0.1,  # background weight of the object CE (main.py --eos_coef)
        # VLM-HOI Eq. 5: L_HOI = 2.5 L1 + 1 GIoU + 1 L_obj_cls + 1 L_verb_cls
        # (MUREN's main.py uses --verb_loss_coef 2; Eq. 5 says 1: muren_exact_r50_hico.py)
        loss_obj_cls=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
        # focal loss of QPIC/CDN/MUREN, alpha 0.5 (main.py --alpha), gamma 2
        loss_verb_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.5,
                           loss_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=2.5),
        loss_iou=dict(type='GIoULoss', loss_weight=1.0)),
    train_cfg=dict(
        assigner=dict(
            type='HOIHungarianAssigner',
            # matcher costs (main.py --set_cost_obj_class 1 --set_cost_verb_class 1
            # --set_cost_bbox 2.5 --set_cost_giou 1); box costs take the max of the human
            # and object terms as the reference matcher
            match_costs=[
                dict(type='HOIObjClassCost', weight=1.0),
                dict(type='HOIVerbClassCost', weight=1.0),
                dict(type='HOIBoxL1Cost', weight=2.5, combine='max'),
                dict(type='HOIGIoUCost', weight=1.0, combine='max'),
            ])),
    test_cfg=dict(
        output='topk',  # HICO-DET: the evaluator's top-k triplets (V-COCO: 'all_queries')
        max_per_img=100,  # top-100 triplets per image (HICO-DET evaluation protocol)
        dataset_vocab='hico',  # validity of (verb, object) pairs: the 600 HICO-DET HOIs
        triplet_nms=False,  # MUREN evaluates with --use_nms_filter; off by default here
        nms_thr=0.6, nms_alpha=0.7, nms_beta=0.7,  # MUREN main.py NMS defaults
        nms_iou='pixel',  # the reference pairwise_nms' +1 pixel areas ('continuous': mmdet)
        clip_boxes=False))  # the reference does not clip predicted boxes to the image
