# DETR-style HOI augmentation (QPIC / CDN / MUREN `make_hico_transforms`): random flip,
# then either a multi-scale resize or resize -> random crop -> multi-scale resize.
# Built from mmdet's transforms; `KeepHOIPairs` keeps human-object pairs consistent
# with the boxes a crop keeps. Scales are (short side, max long side) as in DETR.
train_scales = [(480, 1333), (512, 1333), (544, 1333), (576, 1333), (608, 1333),
                (640, 1333), (672, 1333), (704, 1333), (736, 1333), (768, 1333),
                (800, 1333)]
crop_pre_scales = [(400, 1333), (500, 1333), (600, 1333)]
crop_size = (384, 600)
test_scale = (800, 1333)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadHOIAnnotations'),
    dict(type='RandomFlip', prob=0.5),
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
