# The detection pre-training at demo scale (tools/demo.py, tools/demo_profile.yaml): the
# recipe of detr_tiny_synth_pretrain.py on a quarter of its world (1,000 training images
# instead of 4,000; same seed, renderer and schedule: 3 epochs, drop after 2), so that
# building it fits the demo's 30-minute budget (750 iterations, ~5 min on 2 CPU cores,
# against ~20 min). Its own cache entry (the key hashes this config). The demo's HOI runs
# load it with --cfg-options model.init_cfg.pretrain_config=<this file>.
_base_ = ['./detr_tiny_synth_pretrain.py']

pretrain_world = dict(seed=1000, n_train=1000, n_test=100, size=256)
