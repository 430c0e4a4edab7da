# The paper model set up for V-COCO (differences to muren_r50.py only).
_base_ = ['./muren_r50.py']

num_queries = 100  # V-COCO uses 100 queries (MUREN / VLM-HOI Sec. 4)
num_verbs = 29  # V-COCO action-role classes (docs/design_notes.md)

model = dict(
    num_queries=num_queries,
    # VLM-HOI Sec. 4: "CNN frozen" on V-COCO (MUREN main.py --freeze): stem + 4 stages
    backbone=dict(frozen_stages=4),
    # the reference shares one attentive fusion module per branch across layers on V-COCO
    decoder=dict(share_fusion=True),
    # pairs without object get their own class (reference: --num_obj_classes 81)
    bbox_head=dict(num_verbs=num_verbs, no_object_class=True),
    # V-COCO has no fixed pair list: point correct_mat at the dataset's corre_vcoco.npy
    # (29 x 80); left at None every (verb, object) pair is valid. Output as the reference
    # generate_vcoco_official.py: every query with all 29 action-role scores (no top-k);
    # its optional NMS defaults (--thres_nms 0.7 --nms_alpha 1 --nms_beta 0.5)
    test_cfg=dict(dataset_vocab=None, correct_mat=None, output='all_queries',
                  nms_thr=0.7, nms_alpha=1.0, nms_beta=0.5))
