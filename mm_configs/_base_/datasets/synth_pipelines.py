# Augmentation for the synthetic world (tools/make_synth.py, default 256-pixel images):
# the DETR recipe of hoi_pipelines.py scaled to the image size: flip, multi-scale
# resize around the native size, or a pair-consistent random crop then resize.
synth_train_scales = [(192, 320), (224, 320), (256, 320), (288, 320)]
synth_crop_size = (160, 224)
synth_test_scale = (256, 320)

synth_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadHOIAnnotations'),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='RandomChoice',
        prob=[0.7, 0.3],
        transforms=[
            [dict(type='RandomChoiceResize', scales=synth_train_scales, keep_ratio=True)],
            [
                dict(type='KeepHOIPairs', transforms=[
                    dict(type='RandomCrop', crop_type='absolute_range',
                         crop_size=synth_crop_size, allow_negative_crop=True)]),
                dict(type='RandomChoiceResize', scales=synth_train_scales, keep_ratio=True),
            ],
        ]),
    dict(type='PackHOIInputs'),
]
synth_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=synth_test_scale, keep_ratio=True),
    dict(type='LoadHOIAnnotations'),
    dict(type='PackHOIInputs'),
]
