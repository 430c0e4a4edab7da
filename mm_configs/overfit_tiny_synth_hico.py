# Overfit check (benchmark/overfit_check.py, tests/tools/test_overfit.py): the small
# detector of muren_tiny_synth_hico.py trained and evaluated on the same few training
# images, without augmentation or dropout, at a constant learning rate after a short
# warm-up. A pipeline that can learn reaches a high mAP; one that cannot (broken targets,
# matching, losses or post-processing) stays near 0. Point it at a world with the options
# of vlmhoi.synth.world_cfg_options with eval_ann / eval_img of the training split.
_base_ = ['./muren_tiny_synth_hico_scratch.py']

overfit_epochs = 100  # 200 iterations on 8 images at batch 4 (overfit_check.py --iters)
warmup_iters = 20  # 10% of the run
overfit_lr = 1e-3  # 2x the synthetic schedule's 5e-4: 64 mAP in 200 iterations (measured)
no_dropout = 0.0  # memorising, not generalising

# no augmentation: the evaluation pipeline plus the annotations (loaded before the resize)
overfit_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadHOIAnnotations'),
    dict(type='Resize', scale={{_base_.synth_test_scale}}, keep_ratio=True),
    dict(type='PackHOIInputs'),
]
train_dataloader = dict(batch_size=4, sampler=dict(type='DefaultSampler', shuffle=True),
                        dataset=dict(pipeline=overfit_pipeline))
train_cfg = dict(max_epochs=overfit_epochs, val_interval=overfit_epochs)
optim_wrapper = dict(optimizer=dict(lr=overfit_lr))
param_scheduler = [  # no lr drop
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=warmup_iters)]
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=overfit_epochs))

_attn = dict(dropout=no_dropout)
model = dict(
    encoder=dict(layer_cfg=dict(self_attn_cfg=_attn, ffn_cfg=dict(ffn_drop=no_dropout))),
    decoder=dict(layer_cfg=dict(self_attn_cfg=_attn, cross_attn_cfg=_attn,
                                ffn_cfg=dict(ffn_drop=no_dropout)),
                 relation_cfg=dict(dropout=no_dropout)))
