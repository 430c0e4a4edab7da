"""The teacher of the ITM loss: BLIP, CLIP, BLIP-2 (registry names of vlmhoi.teachers).

Limit the grid to the teachers this machine has with --param teacher=blip,clip.

    python sweeps/run.py sweeps/teacher.py --synth --seeds 0 1 --param teacher=blip
"""
from vlmhoi.sweeps import Param, StudySpec

ITM = 'model.bbox_head.extra_losses.0'   # the ITMDistillLoss entry of the HOI head

# choice -> the teacher config keys it sets (the score mode follows the teacher kind:
# ITM log-odds for the BLIP family, cosine for CLIP; DESIGN.md section 2)
TEACHERS = {
    'blip': {f'{ITM}.teacher.type': 'BLIPTeacher', f'{ITM}.teacher.score': 'itm_logodds'},
    'blip2': {f'{ITM}.teacher.type': 'BLIP2Teacher', f'{ITM}.teacher.score': 'itm_logodds'},
    'clip': {f'{ITM}.teacher.type': 'CLIPTeacher', f'{ITM}.teacher.score': 'cosine'},
}

STUDY = StudySpec(
    name='teacher',
    table='teacher',
    params=(Param('teacher', overrides=TEACHERS),),
    metric='hico/mAP_full',
    direction='maximize',
    pruning=False,
)
