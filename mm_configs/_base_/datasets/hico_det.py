# HICO-DET in the QPIC/CDN/GEN-VLKT/MUREN layout; see docs/datasets.md to prepare it.
_base_ = ['./hoi_pipelines.py']

dataset_type = 'HICODetDataset'
data_root = 'data/hico_20160224_det/'
train_ann_file = 'annotations/trainval_hico.json'
test_ann_file = 'annotations/test_hico.json'

train_dataloader = dict(
    batch_size=4,  # paper: 4 images per GPU x 4 GPUs
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=train_ann_file,
        data_prefix=dict(img='images/train2015/'),
        filter_cfg=dict(filter_empty_gt=False),
        pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=test_ann_file,
        train_ann_file=train_ann_file,
        data_prefix=dict(img='images/test2015/'),
        test_mode=True,
        pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='HICODetMetric',
    ann_file=data_root + test_ann_file,
    train_ann_file=data_root + train_ann_file)
test_evaluator = val_evaluator
