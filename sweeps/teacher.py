"""The teacher of the ITM loss: BLIP, CLIP, BLIP-2 (registry names of vlmhoi.teachers).

Limit the grid to the teachers this machine has with --param teacher=blip,clip.

    python sweeps/run.py sweeps/teacher.py --synth --seeds 0 1 --param teacher=blip
"""
from vlmhoi.cache_dir import user_cache_dir
from vlmhoi.sweeps import Param, StudySpec

# choice -> the keys of the config's top-level teacher section it sets (the loss, the cache
# and its pipeline step read that one section; vlmhoi/engine/itm_teacher_link.py). The score
# mode follows the teacher kind: ITM log-odds for the BLIP family, cosine for CLIP
# (DESIGN.md section 2). The embedded BLIP and CLIP teachers of tools/train_teacher.py live
# in the user cache dir; there is no embedded BLIP-2, so on the synthetic world run
# --param teacher=blip,clip.
CACHE = user_cache_dir('teachers')   # tools/train_teacher.py saves the embedded ones here
TEACHERS = {
    'blip': {'teacher.type': 'BlipItmTeacher', 'teacher.score': 'itm_logodds',
             'teacher.model_path': f'{CACHE}/embedded_blip_itm'},
    'blip2': {'teacher.type': 'Blip2ItmTeacher', 'teacher.score': 'itm_logodds',
              'teacher.model_path': f'{CACHE}/embedded_blip2_itm'},
    'clip': {'teacher.type': 'ClipTeacher', 'teacher.score': 'cosine',
             'teacher.model_path': f'{CACHE}/embedded_clip'},
}

STUDY = StudySpec(
    name='teacher',
    table='teacher',
    params=(Param('teacher', overrides=TEACHERS),),
    metric='hico/mAP_full',
    prepare_script='tools/build_teacher_cache.py',  # the trial's cache (found if finished)
    direction='maximize',
    pruning=False,
)
