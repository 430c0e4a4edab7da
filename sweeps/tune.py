"""TPE over the ITM margin alpha, the ITM loss weight and the learning rate, with
MedianPruner on the per-epoch metric (one seed per trial).

    python sweeps/run.py sweeps/tune.py --synth --workers 2
"""
from vlmhoi.sweeps import Param, StudySpec

ITM = 'model.bbox_head.extra_losses.0'   # the ITMDistillLoss entry of the HOI head

STUDY = StudySpec(
    name='tune',
    table='tune',
    params=(
        Param('alpha', key=f'{ITM}.alpha', low=0.0, high=2.0),
        Param('itm_weight', key=f'{ITM}.loss_weight', low=0.1, high=10.0, log=True),
        Param('lr', key='optim_wrapper.optimizer.lr', low=1e-5, high=1e-3, log=True),
    ),
    metric='hico/mAP_full',
    prepare_script='tools/build_teacher_cache.py',  # the trial's cache (found if finished)
    direction='maximize',
    sampler='tpe',
    n_trials=20,
    pruning=True,
    prune_startup_trials=3,
    prune_warmup_epochs=1,
)
