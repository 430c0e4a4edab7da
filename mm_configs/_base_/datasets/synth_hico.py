# The embedded synthetic HOI world in HICO-DET format:
#   python tools/make_synth.py --out data/synth --seed 0
_base_ = ['./hico_det.py', './synth_pipelines.py']

data_root = 'data/synth/'
train_pipeline = {{_base_.synth_train_pipeline}}
test_pipeline = {{_base_.synth_test_pipeline}}
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(
    ann_file=data_root + 'annotations/test_hico.json',
    train_ann_file=data_root + 'annotations/trainval_hico.json')
test_evaluator = val_evaluator
