# The synthetic world in V-COCO format; it shares the HICO-format images, so the image
# folders are images/train2015 and images/test2015 (tools/make_synth.py).
_base_ = ['./vcoco.py', './synth_pipelines.py']

data_root = 'data/synth/'
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
