"""The MUREN-style HOI detector on mmdet's DETR pipeline.

``extract_feat`` (mmdet ResNet + ChannelMapper) -> ``pre_transformer`` (padding masks and
sine positional encoding, unchanged from mmdet's DETR) -> ``forward_encoder`` (mmdet's
``DetrTransformerEncoder``) -> ``pre_decoder`` -> ``forward_decoder`` (``HOIDecoder``: the
three branches own their queries) -> ``HOIHead``.
"""
from __future__ import annotations

import copy

from mmdet.models.detectors import DETR
from mmdet.models.layers import DetrTransformerEncoder, SinePositionalEncoding
from mmdet.registry import MODELS, WEIGHT_INITIALIZERS
from mmdet.structures import SampleList
from torch import Tensor, nn

from .detr_init import DETR_INIT, DetrLoadReport, init_cfg_entries
from .hoi_decoder import HOIDecoder


@MODELS.register_module()
class HOIDetector(DETR):
    """DETR-style HOI detector (backbone, neck, encoder from mmdet; HOI decoder and head).

    Takes the arguments of mmdet's ``DETR`` (``backbone``, ``neck``, ``encoder``,
    ``decoder``, ``positional_encoding``, ``bbox_head``, ``num_queries``, ``train_cfg``,
    ``test_cfg``, ``data_preprocessor``, ``init_cfg``); ``decoder`` holds the kwargs of
    ``HOIDecoder`` except ``num_queries``. COCO DETR initialisation:
    ``init_cfg=dict(type='DetrPretrained', checkpoint=..., layout='auto')`` (mmdet or
    facebookresearch DETR checkpoints), applied after all other initialisation.

    ``loss`` reads ``data_sample.gt_hoi`` and ``metainfo['img_shape']``; ``predict`` fills
    ``pred_instances`` and ``pred_hoi`` of every data sample (see docs/design_notes.md).
    """

    def __init__(self, *args, aux_head: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # training-only dense head on the encoder memory (DenseAuxHead); None = paper model
        self.aux_head = MODELS.build(aux_head) if aux_head else None
        if self.decoder.num_groups != self.bbox_head.num_query_groups:
            raise ValueError(f'decoder.num_groups ({self.decoder.num_groups}) != '
                             f'bbox_head.num_query_groups ({self.bbox_head.num_query_groups})'
                             ': set both from one config variable (Group-DETR)')
        self.detr_load_report: DetrLoadReport | None = None

    def _init_layers(self) -> None:
        """Positional encoding and encoder as mmdet's DETR; the HOI decoder."""
        self.positional_encoding = SinePositionalEncoding(**self.positional_encoding)
        self.encoder = DetrTransformerEncoder(**self.encoder)
        decoder_cfg = copy.deepcopy(dict(self.decoder))
        decoder_cfg.pop('type', None)
        self.decoder = HOIDecoder(num_queries=self.num_queries, **decoder_cfg)
        self.embed_dims = self.encoder.embed_dims
        if self.decoder.embed_dims != self.embed_dims:
            raise ValueError(f'decoder embed_dims {self.decoder.embed_dims} != encoder '
                             f'embed_dims {self.embed_dims}')
        if self.positional_encoding.num_feats * 2 != self.embed_dims:
            raise ValueError(f'positional_encoding.num_feats must be embed_dims / 2 = '
                             f'{self.embed_dims // 2}, got {self.positional_encoding.num_feats}')

    def init_weights(self) -> None:
        """Children's init (backbone/decoder), xavier for the encoder, then the
        ``DetrPretrained`` entries of ``init_cfg``, built from ``WEIGHT_INITIALIZERS``.

        mmengine's ``BaseModule.init_weights`` applies every ``init_cfg`` entry other than
        ``Pretrained`` *before* the children's own init, which would overwrite the DETR
        weights; so those entries are held back and applied last.
        """
        cfgs = init_cfg_entries(self.init_cfg)
        detr_cfgs = [dict(c) for c in cfgs if c.get('type') == DETR_INIT]
        self.init_cfg = [c for c in cfgs if c.get('type') != DETR_INIT] or None
        try:
            super(DETR, self).init_weights()  # mmengine BaseModule semantics
        finally:
            self.init_cfg = cfgs or None
        for p in self.encoder.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
        for cfg in detr_cfgs:  # the registered DetrPretrainedInit
            WEIGHT_INITIALIZERS.build(cfg)(self)

    def pre_decoder(self, memory: Tensor) -> tuple[dict, dict]:
        """The decoder owns its queries: only the memory is passed on."""
        return dict(memory=memory), dict()

    def pre_transformer(self, img_feats, batch_data_samples=None) -> tuple[dict, dict]:
        """mmdet's DETR inputs, plus the feature map's (H, W) for the decoder."""
        encoder_inputs, decoder_inputs = super().pre_transformer(img_feats, batch_data_samples)
        decoder_inputs['spatial_shape'] = tuple(img_feats[-1].shape[-2:])
        return encoder_inputs, decoder_inputs

    def forward_decoder(self, memory: Tensor, memory_mask: Tensor, memory_pos: Tensor,
                        spatial_shape: tuple[int, int] | None = None) -> dict[str, Tensor]:
        """-> ``human_states``, ``object_states``, ``interaction_states`` (L, B, Q, C),
        plus ``human_ref`` / ``object_ref`` (B, Q, 2) with the decoder's spatial prior."""
        out = self.decoder(memory, memory_mask=memory_mask, memory_pos=memory_pos,
                           spatial_shape=spatial_shape)
        result = dict(human_states=out['human'], object_states=out['object'],
                      interaction_states=out['interaction'])
        result.update({k: out[k] for k in ('human_ref', 'object_ref') if k in out})
        return result

    def loss(self, batch_inputs: Tensor, batch_data_samples: SampleList) -> dict[str, Tensor]:
        """DETR's loss (``forward_transformer`` steps spelled out to keep the encoder
        memory), plus the dense auxiliary head's losses when there is one."""
        img_feats = self.extract_feat(batch_inputs)
        encoder_inputs, decoder_inputs = self.pre_transformer(img_feats, batch_data_samples)
        encoder_outputs = self.forward_encoder(**encoder_inputs)
        tmp_decoder_inputs, head_inputs = self.pre_decoder(**encoder_outputs)
        decoder_inputs.update(tmp_decoder_inputs)
        head_inputs.update(self.forward_decoder(**decoder_inputs))
        losses = self.bbox_head.loss(**head_inputs, batch_data_samples=batch_data_samples)
        if self.aux_head is not None:
            losses.update(self.aux_head.loss(
                encoder_outputs['memory'], encoder_inputs['feat_mask'],
                decoder_inputs['spatial_shape'], batch_data_samples))
        return losses

    def parse_losses(self, losses: dict[str, Tensor]) -> tuple[Tensor, dict[str, Tensor]]:
        """mmengine's ``parse_losses``, except that the ``log_only_keys`` of the head's
        extra losses (e.g. ``loss_itm_pos`` / ``loss_itm_neg``, the parts of ``loss_itm``)
        are logged but not added to the total a second time."""
        log_only = {k for m in self.bbox_head.extra_losses
                    for k in getattr(m, 'log_only_keys', ())}
        loss, log_vars = super().parse_losses(
            {k: v for k, v in losses.items() if k not in log_only})
        for k in log_only:
            if k in losses:
                log_vars[k] = losses[k].detach().mean()
        return loss, log_vars

    def predict(self, batch_inputs: Tensor, batch_data_samples: SampleList,
                rescale: bool = True) -> SampleList:
        """Set ``pred_instances`` and ``pred_hoi`` on every data sample."""
        img_feats = self.extract_feat(batch_inputs)
        head_inputs = self.forward_transformer(img_feats, batch_data_samples)
        results = self.bbox_head.predict(**head_inputs, batch_data_samples=batch_data_samples,
                                         rescale=rescale)
        for data_sample, (pred_instances, pred_hoi) in zip(batch_data_samples, results):
            data_sample.pred_instances = pred_instances
            data_sample.pred_hoi = pred_hoi
        return batch_data_samples
