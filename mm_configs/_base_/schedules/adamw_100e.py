# Paper schedule (VLM-HOI Sec. 4, following MUREN / QPIC): AdamW, weight decay 1e-4,
# lr 1e-4 with the backbone at 1e-5, 100 epochs, lr x0.1 after epoch 60 (MUREN README
# `--lr_drop 60`), gradient clipping at max-norm 0.1 (MUREN main.py --clip_max_norm).
max_epochs = 100
lr = 1e-4
backbone_lr_mult = 0.1  # backbone lr 1e-5 = 0.1 x 1e-4
lr_drop_epoch = 60

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=lr, weight_decay=1e-4),
    clip_grad=dict(max_norm=0.1, norm_type=2),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=backbone_lr_mult)}))

param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[lr_drop_epoch], gamma=0.1)
]

# Paper batch: 4 images per GPU x 4 GPUs. `tools/train.py --auto-scale-lr` rescales lr
# linearly when the actual total batch differs.
auto_scale_lr = dict(enable=False, base_batch_size=16)
