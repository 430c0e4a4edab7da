# Baseline: MUREN-style HOI detector, ResNet-50, 64 queries, HICO-DET (no ITM loss).
#   python tools/train.py mm_configs/muren_r50_hico.py
_base_ = [
    '_base_/models/muren_r50.py',
    '_base_/datasets/hico_det.py',
    '_base_/schedules/adamw_100e.py',
    '_base_/default_runtime.py',
]

# Initialised from COCO DETR-R50 in mmdet's key layout (paper Sec. 4): put mmdet's
# model-zoo checkpoint at this path, or set it to None to start without it.
model = dict(detr_checkpoint='data/pretrained/detr_r50_8xb2-150e_coco.pth')
