"""Key layouts of COCO-pretrained DETR checkpoints, read into mmdet's DETR layout.

Two layouts are accepted:

* ``mmdet``: mmdet 3.x ``DETR`` state dicts (``backbone.*``, ``neck.convs.0.conv.*``,
  ``encoder.layers.N.*``, ``decoder.layers.N.*``, ``decoder.post_norm.*``,
  ``query_embedding.weight``, ``bbox_head.fc_cls`` / ``reg_ffn`` / ``fc_reg``);
* ``facebook``: the facebookresearch/detr checkpoints (``model`` of ``detr-r50-*.pth``),
  which the QPIC / CDN / MUREN conversion scripts start from.

The facebookresearch names (its ``models/detr.py``, ``models/transformer.py``,
``models/backbone.py``) map one to one onto mmdet's: ``backbone.0.body.`` (a torchvision
ResNet inside ``IntermediateLayerGetter``) is mmdet's ``backbone.`` with the same layer
names (its ``FrozenBatchNorm2d`` has no ``num_batches_tracked``); ``input_proj`` is the
1x1 conv of ``ChannelMapper``; in every encoder / decoder layer ``self_attn`` and
``multihead_attn`` are ``torch.nn.MultiheadAttention`` modules, as the ``attn`` inside
mmcv's ``MultiheadAttention`` wrapper, so the fused ``in_proj_weight`` / ``in_proj_bias``
(q, k, v stacked) and ``out_proj`` copy unchanged; ``linear1`` / ``linear2`` are the two
linears of mmcv's ``FFN`` and ``norm1..3`` its ``norms.0..2`` (post-norm order in both);
``transformer.decoder.norm`` is ``decoder.post_norm`` (the encoder has no final norm in
either); ``bbox_embed.layers.0..2`` are ``reg_ffn.layers.0.0``, ``reg_ffn.layers.1`` and
``fc_reg``. The classifier differs: ``class_embed`` has 92 rows indexed by COCO category
id (91 = max id + 1, then "no object"), mmdet's ``fc_cls`` 81 rows in contiguous COCO
order with background last; the rows of the 80 COCO ids and the last row are kept (as
the facebookresearch repository's own Detectron2 converter, ``d2/converter.py``, does).
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from torch import Tensor

from vlmhoi.vocab import coco_objects

_FB_LAYER = re.compile(r'^transformer\.(encoder|decoder)\.layers\.(\d+)\.(\w+)\.(.+)$')
_FB_SUBMODULES = {
    'self_attn': 'self_attn.attn', 'multihead_attn': 'cross_attn.attn',
    'linear1': 'ffn.layers.0.0', 'linear2': 'ffn.layers.1',
    'norm1': 'norms.0', 'norm2': 'norms.1', 'norm3': 'norms.2',
}
_FB_RULES = [
    (re.compile(r'^backbone\.0\.body\.(.+)$'), r'backbone.\1'),
    (re.compile(r'^input_proj\.(weight|bias)$'), r'neck.convs.0.conv.\1'),
    (re.compile(r'^query_embed\.weight$'), 'query_embedding.weight'),
    (re.compile(r'^transformer\.decoder\.norm\.(weight|bias)$'), r'decoder.post_norm.\1'),
    (re.compile(r'^class_embed\.(weight|bias)$'), r'bbox_head.fc_cls.\1'),
    (re.compile(r'^bbox_embed\.layers\.0\.(weight|bias)$'), r'bbox_head.reg_ffn.layers.0.0.\1'),
    (re.compile(r'^bbox_embed\.layers\.1\.(weight|bias)$'), r'bbox_head.reg_ffn.layers.1.\1'),
    (re.compile(r'^bbox_embed\.layers\.2\.(weight|bias)$'), r'bbox_head.fc_reg.\1'),
]
LAYOUTS = ('auto', 'mmdet', 'facebook')


def detect_layout(state: Mapping[str, Tensor]) -> str | None:
    """``'facebook'``, ``'mmdet'`` or None (neither) from the keys of a state dict."""
    if any(k.startswith('transformer.') for k in state):
        return 'facebook'
    if any(k.startswith('decoder.layers.') for k in state):
        return 'mmdet'
    return None


def facebook_key_to_mmdet(key: str) -> str:
    """The mmdet DETR name of a facebookresearch DETR key (unknown keys unchanged)."""
    if m := _FB_LAYER.match(key):
        part, layer, sub, rest = m.groups()
        if sub in _FB_SUBMODULES:
            return f'{part}.layers.{layer}.{_FB_SUBMODULES[sub]}.{rest}'
        return key
    for pattern, repl in _FB_RULES:
        if pattern.match(key):
            return pattern.sub(repl, key)
    return key


def coco91_rows_to_mmdet(rows: Tensor) -> Tensor:
    """facebookresearch classifier rows (COCO id 0..90 + "no object") -> 80 + background."""
    ids = list(coco_objects()[0])
    return rows[[*ids, rows.size(0) - 1]].clone()


def facebook_to_mmdet(state: Mapping[str, Tensor]) -> dict[str, Tensor]:
    """A facebookresearch DETR state dict in mmdet's DETR layout.

    The classifier is re-indexed only when it has the COCO-id layout (max COCO id + 2
    rows); any other size is passed on unchanged (the mapping reports the mismatch).
    """
    coco_rows = max(coco_objects()[0]) + 2
    out = {}
    for key, value in state.items():
        new = facebook_key_to_mmdet(key)
        if new.startswith('bbox_head.fc_cls.') and value.size(0) == coco_rows:
            value = coco91_rows_to_mmdet(value)
        out[new] = value
    return out
