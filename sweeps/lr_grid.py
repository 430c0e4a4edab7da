"""A grid over the learning rate only: a sweep on any config (the baselines included),
and the plumbing check of the tiny synthetic world (tests/sweeps, the README demo).

    python sweeps/run.py sweeps/lr_grid.py --config mm_configs/muren_tiny_synth_hico.py \
        --synth --seeds 0 1 --workers 2
"""
from vlmhoi.sweeps import Param, StudySpec

STUDY = StudySpec(
    name='lr_grid',
    table='lr_grid',
    params=(Param('lr', key='optim_wrapper.optimizer.lr', choices=(1e-4, 1e-3)),),
    metric='hico/mAP_full',
    direction='maximize',
    pruning=False,
    config='mm_configs/muren_tiny_synth_hico.py',
)
