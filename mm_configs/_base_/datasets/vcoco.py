# V-COCO in the QPIC/CDN/GEN-VLKT/MUREN layout (COCO 2014 images); see docs/datasets.md.
_base_ = ['./hoi_pipelines.py']

dataset_type = 'VCOCODataset'
data_root = 'data/v-coco/'
correct_mat_file = 'annotations/corre_vcoco.npy'
correct_mat_path = data_root + correct_mat_file  # also the model's validity mask

train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/trainval_vcoco.json',
        correct_mat_file=correct_mat_file,
        data_prefix=dict(img='images/train2014/'),
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
        ann_file='annotations/test_vcoco.json',
        correct_mat_file=correct_mat_file,
        data_prefix=dict(img='images/val2014/'),
        test_mode=True,
        pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader

# AP_role Scenario 1 / 2 with the official files (s-gupta/v-coco data/ folder).
val_evaluator = dict(
    type='VCOCOMetric',
    ann_file=data_root + 'annotations/test_vcoco.json',
    vsrl_annot_file=data_root + 'data/vcoco/vcoco_test.json',
    coco_annot_file=data_root + 'data/instances_vcoco_all_2014.json',
    split_file=data_root + 'data/splits/vcoco_test.ids',
    correct_mat_file=correct_mat_path)
test_evaluator = val_evaluator
