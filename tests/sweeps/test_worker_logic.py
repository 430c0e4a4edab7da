"""The worker loop's decisions on real Optuna studies (in-memory storage): when to ask
for a trial, when to wait for others' running trials, and which trial lost a race for
its grid point."""
from __future__ import annotations

from types import SimpleNamespace

import optuna
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState, create_trial

from vlmhoi.sweeps import Param, StudySpec
from vlmhoi.sweeps.worker import duplicate_of, next_action

SPEC = StudySpec('s', (Param('lr', key='optim_wrapper.optimizer.lr', choices=(0.1, 0.2)),),
                 metric='m')
CTX = SimpleNamespace(spec=SPEC, seeds=[0])        # 2 grid points


def trial(state: TrialState, grid_id: int, **user_attrs):
    return create_trial(state=state, value=1.0 if state == TrialState.COMPLETE else None,
                        params={'lr': 0.1}, distributions={'lr': FloatDistribution(0, 1)},
                        system_attrs={'grid_id': grid_id}, user_attrs=user_attrs)


def test_next_action_runs_waits_and_stops():
    study = optuna.create_study()
    assert next_action(study, CTX) == 'run'
    study.add_trial(trial(TrialState.COMPLETE, 0))
    assert next_action(study, CTX) == 'run'               # grid point 1 untaken
    running = study.ask()
    study._storage.set_trial_system_attr(running._trial_id, 'grid_id', 1)
    assert next_action(study, CTX) == 'wait'              # all taken, one still running
    study.add_trial(trial(TrialState.WAITING, 1))         # its retry, put back
    assert next_action(study, CTX) == 'run'
    study2 = optuna.create_study()
    study2.add_trial(trial(TrialState.COMPLETE, 0))
    study2.add_trial(trial(TrialState.FAIL, 1))           # failed, retried only on resume
    assert next_action(study2, CTX) == 'done'


def test_the_later_trial_of_a_grid_point_is_the_duplicate():
    study = optuna.create_study()
    first, second = study.ask(), study.ask()
    for t in (first, second):
        study._storage.set_trial_system_attr(t._trial_id, 'grid_id', 1)
    assert duplicate_of(study, second.number) == first.number
    assert duplicate_of(study, first.number) is None       # the earlier one runs
    study.add_trial(trial(TrialState.FAIL, 0))
    retry = study.ask()                                    # a retry of a failed point
    study._storage.set_trial_system_attr(retry._trial_id, 'grid_id', 0)
    assert duplicate_of(study, retry.number) is None
