# VLM-HOI, ResNet-50, V-COCO.
#
# PLACEHOLDER until step 4 lands: this is exactly the baseline muren_r50_vcoco.py; the
# ITM distillation loss (paper Eq. 3-4, 6) is NOT part of this config yet.
_base_ = ['./muren_r50_vcoco.py']
