# Runtime shared by all configs: mmdet scope, the vlmhoi components, logging, checkpoints.
default_scope = 'mmdet'
# the modules that register the components (vlmhoi.REGISTRATION_MODULES); importing
# `vlmhoi` alone registers nothing, so that evaluation starts without torch
custom_imports = dict(
    imports=['vlmhoi.datasets', 'vlmhoi.engine', 'vlmhoi.evaluation.metrics', 'vlmhoi.models'],
    allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='DetVisualizationHook'))
# DETR engine.py: stop with the loss dict printed when the loss is not finite
# (vlmhoi/engine/finite_loss_hook.py; mmdet's CheckInvalidLossHook checks every 50 iters)
custom_hooks = [dict(type='StopOnNonFiniteLossHook', interval=1)]

# The Runner with the project's runner-level settings (vlmhoi/engine/hoi_runner.py).
runner_type = 'HOIRunner'

env_cfg = dict(
    # subnormal floats flushed to zero before the model is built (vlmhoi/engine/
    # flush_denormal.py): on CPU they slowed the small model's training up to 5x (issue 7)
    flush_denormal=True,
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # gloo works on CPU; GPU jobs may set nccl with --cfg-options env_cfg.dist_cfg.backend=nccl
    dist_cfg=dict(backend='nccl'))

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='DetLocalVisualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=True)

log_level = 'INFO'
load_from = None
resume = False
# Checkpoints are read with torch.load(weights_only=True) and an allow-list of the types
# mmengine stores (vlmhoi/engine/checkpoint_loading.py). True (or --trust-checkpoint)
# lets the checkpoint this run loads be unpickled in full if the allow-list refuses it:
# only for files you trust, unpickling can run arbitrary code.
trust_checkpoint = False
