# VLM-HOI, ResNet-50, HICO-DET: the baseline muren_r50_hico.py trained with the ITM
# distillation loss from a frozen BLIP ITM teacher, L = L_HOI + L_ITM (paper Eq. 6), with
# Eq. 4 through the differentiable relaxation of DESIGN.md section 2
# (vlmhoi/models/itm_relaxation.py). Teacher scores come from the cache:
#   python tools/build_teacher_cache.py mm_configs/vlmhoi_r50_hico.py   (once, on a GPU)
#   python tools/train.py mm_configs/vlmhoi_r50_hico.py
# The teacher weights: huggingface-cli download Salesforce/blip-itm-base-coco, or a local
# save_pretrained folder in teacher.model_path; training stops at start-up without them.
_base_ = ['./muren_r50_hico.py', './_base_/teachers/blip_itm_base.py']

itm_alpha = 1.0        # margin alpha of Eq. 4 (Table 3 ablates 0 / 1 / 2; the paper uses 1)
itm_weight = 1.0       # Eq. 6 adds L_ITM with weight 1
# Eq. 4's negative term is linear in the score; the default score (itm_logodds) is signed,
# so the linear term would reward ever more negative scores by raising the verb
# probabilities of unmatched queries. max(0, E - 0) penalises only the negatives the teacher
# scores as matching, and equals Eq. 4 for scores >= 0 (itm_prob) (docs/itm_loss.md).
itm_neg_margin = 0.0
model = dict(bbox_head=dict(extra_losses=[dict(
    type='ITMDistillLoss', alpha=itm_alpha, loss_weight=itm_weight,
    neg_margin=itm_neg_margin, dataset_vocab='hico',
    score_source='cache')]))  # 'online': the teacher scores every step (the paper's way)
# Sec. 4: BLIP ITM base (COCO), frozen; fp16 on the GPU as the published code runs it.
# On a CPU machine: --cfg-options teacher.dtype=float32 teacher.device=cpu
teacher = dict(dtype='float16', device='cuda', score='itm_logodds')
teacher_cache = dict(prompt_form='full')  # Eq. 2 "A person <verb> a <object>" (Table 4)
