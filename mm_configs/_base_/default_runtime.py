# Runtime shared by all configs: mmdet scope, the vlmhoi components, logging, checkpoints.
default_scope = 'mmdet'
# the modules that register the components (vlmhoi.REGISTRATION_MODULES); importing
# `vlmhoi` alone registers nothing, so that evaluation starts without torch
custom_imports = dict(
    imports=['vlmhoi.datasets', 'vlmhoi.engine', 'vlmhoi.evaluation.metrics', 'vlmhoi.models',
             'vlmhoi.tracking'],
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
# MLflowTrackingHook (vlmhoi/tracking/hook.py): starts the MLflow run after the checkpoint is
# loaded (a resumed run continues its MLflow run), uploads metrics JSON, reports, curves
custom_hooks = [dict(type='StopOnNonFiniteLossHook', interval=1),
                dict(type='MLflowTrackingHook')]

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

# MLflow tracking of every tools/train.py and tools/test.py run (vlmhoi/tracking/; README).
# tracking_uri: None -> $MLFLOW_TRACKING_URI, else the embedded SQLite store
# <user cache>/mlflow/mlruns.db (vlmhoi/tracking/uri.py); a value here wins over both.
# $MLFLOW_RUN_ID logs into that existing run; $VLMHOI_MLFLOW_TAGS (JSON) adds tags.
mlflow = dict(
    enabled=True,
    tracking_uri=None,
    experiment='vlmhoi',
    run_name=None,
    artifact_location=None,  # None: next to a SQLite store, or the server's choice
    tags=dict(),
    log_checkpoints=False,   # True: upload the last checkpoint at the end of training
    pr_curves=8)             # PR-curve PNGs of the categories with the most test instances
vis_backends = [dict(type='LocalVisBackend'), dict(type='HOIMLflowVisBackend')]
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
