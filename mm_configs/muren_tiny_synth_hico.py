# The small MUREN-style detector (muren_tiny.py) on the synthetic HOI world in HICO-DET
# format (python tools/make_synth.py --out data/synth --seed 0), initialised from the cached
# detection pre-training of detr_tiny_synth_pretrain.py: the embedded analog of the
# paper's COCO-DETR start (MUREN / VLM-HOI Sec. 4). Backbone, encoder, every decoder branch
# (with its SMCA prior), box MLPs and object classifier are loaded; the relational
# context, fusions and verb classifier start fresh. Build the pre-training once (about 20
# min on 2 CPU cores, cached under the user's cache dir; training says so if it is missing):
#   python tools/pretrain_detector.py mm_configs/detr_tiny_synth_pretrain.py
# From scratch: muren_tiny_synth_hico_scratch.py (or --cfg-options model.init_cfg=None).
# Both measured in docs/learning.md; schedule: adamw_synth_pretrained.py (4 epochs).
_base_ = [
    '_base_/models/muren_tiny.py',
    '_base_/datasets/synth_hico.py',
    '_base_/schedules/adamw_synth_pretrained.py',
    '_base_/default_runtime.py',
]

pretrain_config = 'mm_configs/detr_tiny_synth_pretrain.py'
model = dict(init_cfg=dict(_delete_=True, type='DetrPretrained',
                           pretrain_config=pretrain_config))

default_hooks = dict(logger=dict(interval=25), checkpoint=dict(interval=1))
