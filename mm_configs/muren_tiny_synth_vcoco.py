# The small MUREN-style detector trained from scratch on the synthetic world in V-COCO
# format (29 action-role classes, roles without object).
_base_ = [
    '_base_/models/muren_tiny.py',
    '_base_/datasets/synth_vcoco.py',
    '_base_/schedules/adamw_synth_10min.py',
    '_base_/default_runtime.py',
]

model = dict(
    bbox_head=dict(num_verbs=29, no_object_class=True),  # V-COCO action-roles
    # every query with all action-role scores, as the reference generate_vcoco_official.py
    # (docs/fidelity.md)
    test_cfg=dict(dataset_vocab=None, correct_mat={{_base_.correct_mat_path}},
                  output='all_queries'))
default_hooks = dict(logger=dict(interval=25), checkpoint=dict(interval=1))
