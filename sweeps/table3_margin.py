"""Table 3: the ITM margin alpha in {0, 1, 2} (Eq. 4), every value with each --seeds seed.

    python sweeps/run.py sweeps/table3_margin.py --synth --seeds 0 1 2 --workers 2
"""
from vlmhoi.sweeps import Param, StudySpec

ITM = 'model.bbox_head.extra_losses.0'   # the ITMDistillLoss entry of the HOI head

STUDY = StudySpec(
    name='table3_margin',
    table='table3',
    params=(Param('alpha', key=f'{ITM}.alpha', choices=(0.0, 1.0, 2.0)),),
    metric='hico/mAP_full',
    prepare_script='tools/build_teacher_cache.py',  # the trial's cache (found if finished)
    direction='maximize',
    pruning=False,              # an ablation table needs every run to its last epoch
)
