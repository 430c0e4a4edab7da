"""Table 4: the prompt form of the ITM sentences (verb / object / full).

    python sweeps/run.py sweeps/table4_prompt.py --synth --seeds 0 1 2
"""
from vlmhoi.sweeps import Param, StudySpec

ITM = 'model.bbox_head.extra_losses.0'   # the ITMDistillLoss entry of the HOI head

STUDY = StudySpec(
    name='table4_prompt',
    table='table4',
    params=(Param('prompt', key=f'{ITM}.prompt_form', choices=('verb', 'object', 'full')),),
    metric='hico/mAP_full',
    direction='maximize',
    pruning=False,
)
