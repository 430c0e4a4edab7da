# VLM-HOI, ResNet-50, HICO-DET.
#
# PLACEHOLDER until step 4 lands: this is exactly the baseline muren_r50_hico.py. The ITM
# distillation loss from the frozen BLIP teacher (paper Eq. 3-4, L = L_HOI + L_ITM,
# Eq. 6) is NOT part of this config yet; results trained with it are baseline results.
_base_ = ['./muren_r50_hico.py']
