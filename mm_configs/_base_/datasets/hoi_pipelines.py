# DETR-style HOI augmentation (QPIC / CDN / MUREN `make_hico_transforms`): random flip,
# ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4), then either a multi-scale
# resize or resize -> random crop -> multi-scale resize. Built from mmdet's transforms;
# `KeepHOIPairs` keeps human-object pairs consistent with the boxes a crop keeps. Scales
# are (short side, max long side) as in DETR.
train_scales = [(480, 1333), (512, 1333), (544, 1333), (576, 1333), (608, 1333),
                (640, 1333), (672, 1333), (704, 1333), (736, 1333), (768, 1333),
                (800, 1333)]
crop_pre_scales = [(400, 1333), (500, 1333), (600, 1333)]
crop_size = (384, 600)
test_scale = (800, 1333)

# torchvision ColorJitter(0.4, 0.4, 0.4) of the reference (MUREN datasets/hico.py): each
# factor uniform in [1 - 0.4, 1 + 0.4], applied as a blend with black (brightness), with
# the mean grey level (contrast) and with the greyscale image (saturation), in a random
# order. mmdet's Brightness / Contrast / Color (mmcv adjust_brightness / adjust_contrast /
# adjust_color) are these same blends; RandomChoice over the six orders gives
# torchvision's random order. Differences: mmdet rounds the sampled factor to one decimal
# (0.6, 0.7, ..., 1.4, the two ends half as likely; torchvision samples continuously),
# and mmcv truncates the blended uint8 values where PIL rounds (at most 1 grey level).
# docs/fidelity.md, "Training".
jitter = 0.4  # MUREN / CDN / QPIC: T.ColorJitter(.4, .4, .4)
_jitter = [dict(type=t, prob=1.0, min_mag=1 - jitter, max_mag=1 + jitter)
           for t in ('Brightness', 'Contrast', 'Color')]
_orders = [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)]
color_jitter = dict(type='RandomChoice',
                    transforms=[[_jitter[i] for i in order] for order in _orders])

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadHOIAnnotations'),
    dict(type='RandomFlip', prob=0.5),
    color_jitter,
    dict(
        type='RandomChoice',
        transforms=[
            [dict(type='RandomChoiceResize', scales=train_scales, keep_ratio=True)],
            [
                dict(type='RandomChoiceResize', scales=crop_pre_scales, keep_ratio=True),
                dict(type='KeepHOIPairs', transforms=[
                    dict(type='RandomCrop', crop_type='absolute_range',
                         crop_size=crop_size, allow_negative_crop=True)]),
                dict(type='RandomChoiceResize', scales=train_scales, keep_ratio=True),
            ],
        ]),
    dict(type='PackHOIInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=test_scale, keep_ratio=True),
    dict(type='LoadHOIAnnotations'),
    dict(type='PackHOIInputs'),
]
