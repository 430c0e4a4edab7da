# The synthetic world in V-COCO format; it shares the HICO-format images, so the image
# folders are images/train2015 and images/test2015 (tools/make_synth.py).
_base_ = ['./vcoco.py', './synth_pipelines.py']

data_root = 'data/synth/'
correct_mat_path = data_root + 'annotations/corre_vcoco.npy'
train_pipeline = {{_base_.synth_train_pipeline}}
test_pipeline = {{_base_.synth_test_pipeline}}
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img='images/train2015/'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img='images/test2015/'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader

# tools/make_synth.py writes the official V-COCO files under v-coco/data/
val_evaluator = dict(
    ann_file=data_root + 'annotations/test_vcoco.json',
    vsrl_annot_file=data_root + 'v-coco/data/vcoco/vcoco_test.json',
    coco_annot_file=data_root + 'v-coco/data/instances_vcoco_all_2014.json',
    split_file=data_root + 'v-coco/data/splits/vcoco_test.ids',
    correct_mat_file=correct_mat_path)
test_evaluator = val_evaluator
