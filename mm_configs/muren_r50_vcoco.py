# Baseline: MUREN-style HOI detector, ResNet-50, V-COCO: 100 queries, frozen CNN and
# lr 4e-5 (paper Sec. 4), no ITM loss.
_base_ = [
    '_base_/models/muren_r50_vcoco.py',
    '_base_/datasets/vcoco.py',
    '_base_/schedules/adamw_100e.py',
    '_base_/default_runtime.py',
]

# COCO DETR-R50 initialisation as in muren_r50_hico.py (mmdet or facebookresearch layout)
detr_checkpoint = 'data/pretrained/detr_r50_8xb2-150e_coco.pth'
model = dict(
    init_cfg=dict(_delete_=True, type='DetrPretrained', checkpoint=detr_checkpoint,
                  layout='auto'),
    test_cfg=dict(correct_mat={{_base_.correct_mat_path}}))
optim_wrapper = dict(optimizer=dict(lr=4e-5))  # paper Sec. 4: V-COCO lr 4e-5
