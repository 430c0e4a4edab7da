"""Initialise an ``HOIDetector`` from a COCO-pretrained DETR checkpoint.

As CDN's ``convert_parameters.py`` and MUREN's released "detr-r50-pre" weights do, the
backbone, the neck (input projection) and the encoder are copied; every DETR decoder layer
(and the decoder's final LayerNorm) is copied into *each* of the human, object and
interaction branches, and so is the spatial prior of an ``SmcaDETR`` (the embedded world's
pre-training detector, :mod:`vlmhoi.models.smca_detr`); DETR's query embedding (first
``num_queries`` rows) initialises the queries of every branch; with ``map_head`` the DETR
box MLP initialises both the human and the object box MLPs and the DETR classifier the
object classifier (both have background last; with a V-COCO "no object" class the extra
row keeps its own init, as CDN inserts a fresh row). The relational context, the fusion
modules and the verb classifier have no DETR counterpart and keep their initialisation.
Source checkpoints may be in mmdet's DETR layout or in the original facebookresearch one
(``transformer.*``, ``backbone.0.body.*`` keys), which is first renamed to mmdet's
(:mod:`vlmhoi.models.detr_layouts`).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import torch
from mmdet.registry import WEIGHT_INITIALIZERS
from mmengine.logging import print_log
from mmengine.runner import CheckpointLoader
from torch import Tensor, nn

# registers the weights-only loader of local checkpoints (with its allow-list of the types
# DETR checkpoints store), also when this module is used without vlmhoi.engine
from vlmhoi.engine import checkpoint_loading  # noqa: F401

from .detr_layouts import LAYOUTS, detect_layout, facebook_to_mmdet

DETR_INIT = 'DetrPretrained'  # the registered name of DetrPretrainedInit
_BRANCH = r'(?:human|object|interaction)'
_RULES = [
    (re.compile(rf'^decoder\.layers\.{_BRANCH}\.(\d+)\.(.+)$'), r'decoder.layers.\1.\2'),
    (re.compile(rf'^decoder\.post_norms\.{_BRANCH}\.(.+)$'), r'decoder.post_norm.\1'),
    (re.compile(rf'^decoder\.query_embeddings\.{_BRANCH}\.weight$'), 'query_embedding.weight'),
    # SMCA reference points and widths of a pre-training SmcaDETR (vlmhoi.models.smca_detr)
    (re.compile(rf'^decoder\.spatial_priors\.{_BRANCH}\.(.+)$'), r'decoder.spatial_prior.\1'),
    (re.compile(r'^((?:backbone|neck|encoder)\..+)$'), r'\1'),
]
_HEAD_CLS = re.compile(r'^bbox_head\.obj_cls\.(weight|bias)$')
_HEAD_MLP = re.compile(r'^bbox_head\.(?:sub|obj)_bbox_mlp\.layers\.(\d+)\.(weight|bias)$')


@dataclass
class DetrLoadReport:
    """What a DETR checkpoint filled in: target keys loaded / missing, source keys unused."""

    loaded: dict[str, str] = field(default_factory=dict)  # target key -> source key
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A short multi-line text for the log."""
        def head(keys: list[str]) -> str:
            groups = sorted({'.'.join(k.split('.')[:2]) for k in keys})
            return ', '.join(groups) if groups else '-'
        return (f'DETR init: loaded {len(self.loaded)} tensors; missing {len(self.missing)} '
                f'({head(self.missing)}); unexpected {len(self.unexpected)} '
                f'({head(self.unexpected)}); shape mismatch {len(self.mismatched)} '
                f'{self.mismatched[:5]}')


def _mlp_source(layer: int, num_layers: int) -> str:
    """Source prefix of box-MLP layer ``layer`` in mmdet's DETRHead (reg_ffn FFN + fc_reg)."""
    if layer == num_layers - 1:
        return 'bbox_head.fc_reg'
    if layer == num_layers - 2:
        return f'bbox_head.reg_ffn.layers.{layer}'
    return f'bbox_head.reg_ffn.layers.{layer}.0'


def _source_key(key: str, map_head: bool, mlp_layers: int) -> str | None:
    for pattern, repl in _RULES:
        if pattern.match(key):
            return pattern.sub(repl, key)
    if map_head and (m := _HEAD_CLS.match(key)):
        return f'bbox_head.fc_cls.{m.group(1)}'
    if map_head and (m := _HEAD_MLP.match(key)):
        return f'{_mlp_source(int(m.group(1)), mlp_layers)}.{m.group(2)}'
    return None


def _fit(key: str, src: Tensor, dst: Tensor) -> Tensor | None:
    """The source tensor reshaped for the target, or None when shapes cannot match."""
    if src.shape == dst.shape:
        return src.clone()
    if ('.query_embeddings.' in key and src.dim() == 2 and src.size(1) == dst.size(1)
            and src.size(0) >= dst.size(0)):
        return src[:dst.size(0)].clone()  # first num_queries DETR queries (as CDN)
    if (_HEAD_CLS.match(key) and src.size(0) + 1 == dst.size(0)
            and src.shape[1:] == dst.shape[1:]):
        out = dst.detach().clone()  # extra "no object" row keeps its init; background last
        out[:src.size(0) - 1] = src[:-1]
        out[-1] = src[-1]
        return out
    return None


def map_detr_state_dict(source: Mapping[str, Tensor], target: Mapping[str, Tensor],
                        map_head: bool = True) -> tuple[dict[str, Tensor], DetrLoadReport]:
    """Map a state dict in mmdet's DETR layout onto the keys of an HOIDetector state dict."""
    mlp_layers = len({k.split('.')[3] for k in target if k.startswith('bbox_head.sub_bbox_mlp.')})
    report, mapped, used = DetrLoadReport(), {}, set()
    for key, dst in target.items():
        src_key = _source_key(key, map_head, mlp_layers)
        if src_key is None or src_key not in source:
            report.missing.append(key)
            continue
        value = _fit(key, source[src_key], dst)
        if value is None:
            report.mismatched.append(f'{key} {tuple(dst.shape)} <- {src_key} '
                                     f'{tuple(source[src_key].shape)}')
            report.missing.append(key)
            continue
        mapped[key] = value
        report.loaded[key] = src_key
        used.add(src_key)
    report.unexpected = sorted(k for k in source if k not in used)
    return mapped, report


def read_detr_state_dict(checkpoint: str, layout: str = 'auto') -> dict[str, Tensor]:
    """State dict of a DETR checkpoint file in mmdet's DETR layout.

    Read through mmengine's ``CheckpointLoader`` (so under vlmhoi's ``weights_only``
    loader for local files). ``layout``: ``'auto'`` (from the keys), ``'mmdet'`` or
    ``'facebook'``; a file that is not of the given layout is a ``ValueError``.
    """
    if layout not in LAYOUTS:
        raise ValueError(f'layout must be one of {LAYOUTS}, got {layout!r}')
    ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    state = ckpt.get('state_dict', ckpt.get('model', ckpt)) if isinstance(ckpt, dict) else ckpt
    state = {k.removeprefix('module.'): v for k, v in state.items() if torch.is_tensor(v)}
    found = detect_layout(state)
    if found is None:
        raise ValueError(f'{checkpoint}: neither an mmdet DETR checkpoint (decoder.layers.* '
                         'keys) nor a facebookresearch one (transformer.* keys)')
    if layout != 'auto' and found != layout:
        raise ValueError(f'{checkpoint}: layout={layout!r} was asked for, the keys are of '
                         f'the {found!r} layout')
    return facebook_to_mmdet(state) if found == 'facebook' else state


def load_detr_pretrained(model: nn.Module, checkpoint: str, map_head: bool = True,
                         layout: str = 'auto', logger: str = 'current') -> DetrLoadReport:
    """Load a COCO DETR checkpoint (mmdet or facebookresearch layout) into ``model``."""
    mapped, report = map_detr_state_dict(read_detr_state_dict(checkpoint, layout),
                                         model.state_dict(), map_head)
    model.load_state_dict(mapped, strict=False)
    print_log(f'{checkpoint}: {report.summary()}', logger=logger)
    return report


def init_cfg_entries(init_cfg: dict | list | None) -> list[dict]:
    """An ``init_cfg`` (None, one entry or a list of entries) as a list of entries."""
    if isinstance(init_cfg, list):
        return list(init_cfg)
    return [init_cfg] if init_cfg else []


@WEIGHT_INITIALIZERS.register_module(name=DETR_INIT)
class DetrPretrainedInit:
    """``init_cfg=dict(type='DetrPretrained', checkpoint=..., map_head=True, layout='auto')``.

    ``pretrain_config=CONFIG`` instead of ``checkpoint``: the cached result of the
    detection pre-training that config describes (``tools/pretrain_detector.py CONFIG``,
    :mod:`vlmhoi.pretraining`); missing or stale, it is an error that gives that command.
    Built by mmengine's ``initialize`` from the registry. ``HOIDetector.init_weights``
    applies it after every other initialisation (so the children's init and the xavier
    init of the encoder do not overwrite it); the report is kept in ``self.report`` and,
    when the module has that attribute, in ``module.detr_load_report``.
    """

    def __init__(self, checkpoint: str | None = None, map_head: bool = True,
                 layout: str = 'auto', pretrain_config: str | None = None) -> None:
        if layout not in LAYOUTS:
            raise ValueError(f'DetrPretrained: layout must be one of {LAYOUTS}, got {layout!r}')
        if (checkpoint is None) == (pretrain_config is None):
            raise ValueError('DetrPretrained: give exactly one of checkpoint= (a DETR '
                             'checkpoint file) and pretrain_config= (a detection '
                             f'pre-training config), got {checkpoint!r} and {pretrain_config!r}')
        self.checkpoint = checkpoint
        self.pretrain_config = pretrain_config
        self.map_head = map_head
        self.layout = layout
        self.report: DetrLoadReport | None = None
        self.wholemodule = False  # set by mmengine's initialize

    def __call__(self, module: nn.Module) -> None:
        checkpoint = self.checkpoint
        if checkpoint is None:
            from vlmhoi.pretraining import cached_checkpoint
            checkpoint = str(cached_checkpoint(self.pretrain_config))
        self.report = load_detr_pretrained(module, checkpoint, self.map_head, self.layout)
        if hasattr(module, 'detr_load_report'):
            module.detr_load_report = self.report

    def _get_init_info(self) -> str:
        source = self.checkpoint or f'the pre-training of {self.pretrain_config}'
        return f'{self.__class__.__name__}: load from {source}'
