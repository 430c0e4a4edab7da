# The paper's teacher: BLIP ITM base (COCO retrieval fine-tune), frozen, and its score cache.
# Keys: vlmhoi/teachers/cache_config.py; build the cache with
#   python tools/build_teacher_cache.py CONFIG [--shard I/N]
teacher = dict(
    type='BlipItmTeacher',
    model_path='Salesforce/blip-itm-base-coco',  # a local save_pretrained folder or hub id
    score='itm_logodds',      # itm_logodds | itm_prob | itm_nomatch_logit
    dtype='float32',          # float16 / bfloat16 on a GPU
    device='cpu',
    text_batch_size=64,       # texts per text-encoder forward
    image_batch_size=8)       # images per vision forward
teacher_cache = dict(
    root=None,                # None: $VLMHOI_CACHE or ~/.cache/vlmhoi, then teacher_scores/
    prompt_form='full',       # full | verb | object | natural | reference_code
    split='train',            # rows = the images of train_dataloader.dataset
    batch_size=8)             # images scored, then stored and marked done, per step
