# VLM-HOI, ResNet-50, V-COCO: muren_r50_vcoco.py (100 queries, frozen CNN, lr 4e-5) plus the
# ITM distillation loss from a frozen BLIP ITM teacher, as vlmhoi_r50_hico.py:
#   python tools/build_teacher_cache.py mm_configs/vlmhoi_r50_vcoco.py   (once, on a GPU)
#   python tools/train.py mm_configs/vlmhoi_r50_vcoco.py
_base_ = ['./muren_r50_vcoco.py', './_base_/teachers/blip_itm_base.py']

itm_alpha = 1.0        # margin alpha of Eq. 4 (Table 3)
itm_weight = 1.0       # Eq. 6
# Eq. 4's negative term is linear in the score; the default score (itm_logodds) is signed,
# so the linear term would reward ever more negative scores by raising the verb
# probabilities of unmatched queries. max(0, E - 0) penalises only the negatives the teacher
# scores as matching, and equals Eq. 4 for scores >= 0 (itm_prob) (docs/itm_loss.md).
itm_neg_margin = 0.0
model = dict(bbox_head=dict(
    extra_losses=[dict(
        type='ITMDistillLoss', alpha=itm_alpha, loss_weight=itm_weight,
        neg_margin=itm_neg_margin,
        dataset_vocab='vcoco', correct_mat={{_base_.correct_mat_path}},
        score_source='cache')]))
teacher = dict(dtype='float16', device='cuda', score='itm_logodds')  # Sec. 4, fp16 on GPU
teacher_cache = dict(prompt_form='full')  # Eq. 2
