# Baseline: MUREN-style HOI detector, ResNet-50, 64 queries, HICO-DET (no ITM loss).
#   python tools/train.py mm_configs/muren_r50_hico.py
_base_ = [
    '_base_/models/muren_r50.py',
    '_base_/datasets/hico_det.py',
    '_base_/schedules/adamw_100e.py',
    '_base_/default_runtime.py',
]

# Initialised from COCO DETR-R50 (paper Sec. 4) through the registered DetrPretrained
# initialiser: put mmdet's model-zoo DETR-R50 checkpoint at this path, or the
# facebookresearch detr-r50-e632da11.pth the reference repos start from (layout='auto'
# reads either, vlmhoi/models/detr_layouts.py); set init_cfg=None to start without it.
detr_checkpoint = 'data/pretrained/detr_r50_8xb2-150e_coco.pth'
model = dict(init_cfg=dict(_delete_=True, type='DetrPretrained',  # base: init_cfg=None
                           checkpoint=detr_checkpoint, layout='auto'))
