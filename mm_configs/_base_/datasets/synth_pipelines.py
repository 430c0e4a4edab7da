# Augmentation for the synthetic world (tools/make_synth.py, default 256-pixel images):
# flip and a mild multi-scale resize around the native size. The random-crop branch of
# the DETR recipe (hoi_pipelines.py) is left out for the short CPU schedule, where the
# from-scratch model needs every iteration on whole scenes (benchmark/learning_check.py).
synth_train_scales = [(192, 320), (224, 320), (256, 320), (288, 320)]
synth_test_scale = (256, 320)

synth_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadHOIAnnotations'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomChoiceResize', scales=synth_train_scales, keep_ratio=True),
    dict(type='PackHOIInputs'),
]
synth_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=synth_test_scale, keep_ratio=True),
    dict(type='LoadHOIAnnotations'),
    dict(type='PackHOIInputs'),
]
