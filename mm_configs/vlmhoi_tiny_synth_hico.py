# VLM-HOI on the embedded synthetic world: muren_tiny_synth_hico.py plus the ITM
# distillation loss (Eq. 4, relaxed; Eq. 6) from the embedded BLIP-architecture teacher
# trained on the world's caption corpus (tools/train_teacher.py), scores from the cache:
#   python tools/make_synth.py --out data/synth --seed 0
#   python tools/train_teacher.py
#   python tools/build_teacher_cache.py mm_configs/vlmhoi_tiny_synth_hico.py
#   python tools/train.py mm_configs/vlmhoi_tiny_synth_hico.py
# Prompt form, alpha, teacher and score mode are plain keys: --cfg-options
# teacher_cache.prompt_form=verb model.bbox_head.extra_losses.0.alpha=2 teacher.score=itm_prob
_base_ = ['./muren_tiny_synth_hico.py', './_base_/teachers/embedded_blip_itm.py']

itm_alpha = 1.0        # margin alpha of Eq. 4 (the paper's default; Table 3)
itm_weight = 1.0       # Eq. 6
# Eq. 4's negative term is linear in the score; the default score (itm_logodds) is signed,
# so the linear term would reward ever more negative scores by raising the verb
# probabilities of unmatched queries. max(0, E - 0) penalises only the negatives the teacher
# scores as matching, and equals Eq. 4 for scores >= 0 (itm_prob) (docs/itm_loss.md).
itm_neg_margin = 0.0
model = dict(bbox_head=dict(extra_losses=[dict(
    type='ITMDistillLoss', alpha=itm_alpha, loss_weight=itm_weight,
    neg_margin=itm_neg_margin, dataset_vocab='hico', score_source='cache')]))
teacher_cache = dict(prompt_form='full')  # Eq. 2
