"""Table 4: the prompt form of the ITM sentences (verb / object / full).

    python sweeps/run.py sweeps/table4_prompt.py --synth --seeds 0 1 2
"""
from vlmhoi.sweeps import Param, StudySpec

# the prompt form is named once, in the config's teacher_cache section: the loss, the
# cache and its pipeline step read it (vlmhoi/engine/itm_teacher_link.py)
STUDY = StudySpec(
    name='table4_prompt',
    table='table4',
    params=(Param('prompt', key='teacher_cache.prompt_form',
                  choices=('verb', 'object', 'full')),),
    metric='hico/mAP_full',
    prepare_script='tools/build_teacher_cache.py',  # the trial's cache (found if finished)
    direction='maximize',
    pruning=False,
)
