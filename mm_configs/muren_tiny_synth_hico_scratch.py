# The small MUREN-style detector (muren_tiny.py) trained from scratch on the synthetic
# HOI world in HICO-DET format (python tools/make_synth.py --out data/synth --seed 0): the
# reference of the detection pre-training in docs/learning.md (muren_tiny_synth_hico.py
# starts from it), and what the test suite trains (no pre-training to build).
_base_ = [
    '_base_/models/muren_tiny.py',
    '_base_/datasets/synth_hico.py',
    '_base_/schedules/adamw_synth_10min.py',
    '_base_/default_runtime.py',
]

default_hooks = dict(logger=dict(interval=25), checkpoint=dict(interval=1))
