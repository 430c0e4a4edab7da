# muren_tiny_synth_hico.py initialised from the cached detection pre-training of
# detr_tiny_synth_pretrain.py (the embedded analog of the paper's COCO-DETR start, MUREN /
# VLM-HOI Sec. 4): backbone, encoder, every decoder branch (with its SMCA prior), box MLPs
# and object classifier; the relational context, fusions and verb classifier start fresh.
# Build the pre-training once (about 20 min on 2 CPU cores, cached):
#   python tools/pretrain_detector.py mm_configs/detr_tiny_synth_pretrain.py
# Measured against the from-scratch config in docs/learning.md.
_base_ = ['./muren_tiny_synth_hico.py']

pretrain_config = 'mm_configs/detr_tiny_synth_pretrain.py'
model = dict(init_cfg=dict(_delete_=True, type='DetrPretrained',
                           pretrain_config=pretrain_config))
