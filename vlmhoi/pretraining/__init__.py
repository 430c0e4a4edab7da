"""Detection pre-training on a separate synthetic world, built once and cached.

The embedded analog of the COCO-pretrained DETR the paper's models start from: a config
such as ``mm_configs/detr_tiny_synth_pretrain.py`` names the world (``pretrain_world``)
and the detector (``SmcaDETR``); ``build_pretraining`` generates that world, trains the
detector with mmengine's Runner and stores its weights under the user's cache dir, keyed
by the renderer's sources and the config (:mod:`vlmhoi.pretraining.cache`). HOI configs
load the result with ``init_cfg=dict(type='DetrPretrained', pretrain_config=CONFIG)``.
"""
from .cache import (
    BOX_MAP_KEY,
    cached_checkpoint,
    checkpoint_path,
    pretrain_configs_of,
    pretraining_dir,
    pretraining_key,
    read_manifest,
)

__all__ = ['BOX_MAP_KEY', 'build_pretraining', 'cached_checkpoint', 'checkpoint_path',
           'pretrain_configs_of', 'pretraining_dir', 'pretraining_key', 'read_manifest']


def __getattr__(name: str):
    if name == 'build_pretraining':  # the Runner-based builder, imported when used
        from .build import build_pretraining
        return build_pretraining
    raise AttributeError(name)
