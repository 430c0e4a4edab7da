# Detection pre-training of the small detector (backbone, encoder, decoder, box and class
# heads) on a separate synthetic world: disjoint images from the same renderer, boxes
# only, no HOI labels. The embedded analog of the COCO-pretrained DETR that the paper's
# models start from (MUREN / VLM-HOI Sec. 4); HOI configs load it with
#   init_cfg=dict(type='DetrPretrained', pretrain_config='mm_configs/detr_tiny_synth_pretrain.py')
# Built once and cached under the user's cache dir with a content key (renderer sources,
# this config): python tools/pretrain_detector.py mm_configs/detr_tiny_synth_pretrain.py
# Every shape is read from muren_tiny.py, so the weights fit the HOI detector by construction.
_base_ = [
    '_base_/models/muren_tiny.py',
    '_base_/datasets/synth_pipelines.py',
    '_base_/default_runtime.py',
]

# the pre-training world (vlmhoi.synth.generate_world arguments): a seed no HOI world of
# the suite uses, train split for training, test split for the box mAP printed at the end
pretrain_world = dict(seed=1000, n_train=4000, n_test=200, size=256)
num_classes = 80  # COCO objects, contiguous index, background last (as DETR)

model = dict(
    _delete_=True,
    type='SmcaDETR',
    num_queries={{_base_.model.num_queries}},
    data_preprocessor={{_base_.model.data_preprocessor}},
    backbone={{_base_.model.backbone}},
    neck={{_base_.model.neck}},
    encoder={{_base_.model.encoder}},
    decoder=dict(
        num_layers={{_base_.model.decoder.num_layers}},
        layer_cfg={{_base_.model.decoder.layer_cfg}},
        spatial_prior={{_base_.model.decoder.spatial_prior}},
        return_intermediate=True),
    positional_encoding={{_base_.model.positional_encoding}},
    bbox_head=dict(
        type='SmcaDETRHead',
        num_classes=num_classes,
        embed_dims={{_base_.model.bbox_head.embed_dims}},
        num_reg_fcs={{_base_.model.bbox_head.num_reg_fcs}},
        # DETR's losses (Carion et al. 2020, Sec. 4 / mmdet detr_r50_8xb2-150e_coco.py)
        loss_cls=dict(type='CrossEntropyLoss', bg_cls_weight=0.1, use_sigmoid=False,
                      loss_weight=1.0, class_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=5.0),
        loss_iou=dict(type='GIoULoss', loss_weight=2.0)),
    train_cfg=dict(assigner=dict(type='HungarianAssigner', match_costs=[
        dict(type='ClassificationCost', weight=1.0),
        dict(type='BBoxL1Cost', weight=5.0, box_format='xywh'),
        dict(type='IoUCost', iou_mode='giou', weight=2.0)])),
    test_cfg=dict(max_per_img={{_base_.model.num_queries}}))

# replaced by the cached world's folder when tools/pretrain_detector.py builds it
data_root = 'data/synth_detection/'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomChoiceResize', scales={{_base_.synth_train_scales}}, keep_ratio=True),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale={{_base_.synth_test_scale}}, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                                          'scale_factor')),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='CocoDataset', data_root=data_root,
                 ann_file='annotations/instances_train.json',
                 data_prefix=dict(img='images/train2015/'),
                 filter_cfg=dict(filter_empty_gt=False), pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='CocoDataset', data_root=data_root,
                 ann_file='annotations/instances_test.json',
                 data_prefix=dict(img='images/test2015/'), test_mode=True,
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='CocoMetric', ann_file=data_root + 'annotations/instances_test.json',
                     metric='bbox')
test_evaluator = val_evaluator

# the HOI schedule's recipe (adamw_synth_10min.py: lr 1e-3, clip 1.0, backbone at full lr,
# warm-up over the first epoch), 3 epochs of the 4,000-image world with the drop after 2
max_epochs = 3
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=max_epochs)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4),
    clip_grad=dict(max_norm=1.0, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[2],
         gamma=0.1)
]
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=1, max_keep_ckpts=1))
mlflow = dict(experiment='vlmhoi-pretrain')
