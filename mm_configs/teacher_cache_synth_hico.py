# The teacher-score cache of the synthetic world's training images, scored by the embedded
# BLIP ITM teacher (python tools/make_synth.py --out data/synth --seed 0; python
# tools/train_teacher.py), every text of the `full` prompt vocabulary:
#   python tools/build_teacher_cache.py mm_configs/teacher_cache_synth_hico.py [--shard I/N]
_base_ = ['_base_/datasets/synth_hico.py', '_base_/teachers/embedded_blip_itm.py']
