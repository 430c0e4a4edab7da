# Schedule for the small detector trained from scratch on the synthetic world: the
# paper's AdamW recipe (adamw_100e.py) with the backbone at the full learning rate
# (nothing is pretrained), a 5x higher rate than the paper's 1e-4 for the small model
# (benchmark/overfit_check.py memorises 8 images at 1e-3 without dropout), and 12 epochs
# (about 15 minutes on 2 CPU cores, benchmark/learning_check.py) with the 10x drop
# after epoch 10, after a linear warm-up.
_base_ = ['./adamw_100e.py']

max_epochs = 12
lr_drop_epoch = 10
train_cfg = dict(max_epochs=max_epochs, val_interval=4)
optim_wrapper = dict(
    optimizer=dict(lr=5e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=1.0)}))
# linear warm-up over the first epoch, from 1% of the lr, stepped every iteration
# (mmengine converts the epoch range with the loader length: 250 iterations on the
# default 1000-image world at batch 4, the same schedule as by_epoch=False, end=250)
warmup_epochs = 1
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=warmup_epochs,
         convert_to_iter_based=True),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[lr_drop_epoch], gamma=0.1)
]
