"""Two workers (two separate sweeps/run.py commands, as on two machines) share one grid
study on a real PostgreSQL server: every grid point x seed runs exactly once; the trial
of a worker killed with SIGKILL is retried by the other after the heartbeat grace
period; re-running the command resumes and runs nothing."""
from __future__ import annotations

import subprocess
import time
from collections import Counter

import optuna
import pytest
from optuna.trial import TrialState

from vlmhoi.sweeps.storage import open_storage

from .conftest import (
    ROOT,
    kill_worker_during_trial,
    mlflow_client,
    run_sweep,
    sweep_cmd,
    sweep_env,
    write_study,
)

pytestmark = pytest.mark.slow


def test_two_workers_share_a_postgres_study(tmp_path, postgres_url):
    study_file = write_study(tmp_path)
    cmd = sweep_cmd(study_file, tmp_path, '--seeds', '0', '1', '--storage', postgres_url,
                    epoch_s=1.0)

    def load() -> optuna.Study:
        return optuna.load_study(study_name='quad', storage=open_storage(postgres_url))

    env = sweep_env()
    first = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120     # the second machine joins an existing study
    while 'quad' not in optuna.study.get_all_study_names(open_storage(postgres_url)):
        assert time.monotonic() < deadline and first.poll() is None, first.stdout.read()
        time.sleep(0.5)
    second = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    killed = kill_worker_during_trial(first, load)
    out, _ = second.communicate(timeout=300)
    assert second.returncode == 0, out[-3000:]
    assert 'secret-pw' not in out and 'sweeper:***@127.0.0.1' in out
    trials = load().get_trials()
    assert trials[killed].state == TrialState.FAIL
    retry = [t for t in trials if t.system_attrs.get('failed_trial') == killed]
    assert len(retry) == 1 and retry[0].state == TrialState.COMPLETE
    assert retry[0].params == trials[killed].params
    assert retry[0].system_attrs['grid_id'] == trials[killed].system_attrs['grid_id']
    assert f'retry of trial {killed}' in out
    client = mlflow_client(tmp_path)
    assert client.get_run(trials[killed].user_attrs['mlflow_run_id']).info.status == 'FAILED'
    retry_run = client.get_run(retry[0].user_attrs['mlflow_run_id'])
    assert retry_run.data.tags['vlmhoi.retry_of'] == str(killed)
    assert retry_run.info.status == 'FINISHED'
    # the retry started only after the grace period of the killed trial's last heartbeat
    assert (retry[0].datetime_start - trials[killed].datetime_start).total_seconds() >= 3
    done = Counter((t.params['lr'], t.params['seed']) for t in trials
                   if t.state == TrialState.COMPLETE)
    assert done == {(lr, s): 1 for lr in (1e-4, 1e-3) for s in (0, 1)}
    assert len(trials) == 5          # 4 grid points, 1 killed and retried
    start = time.monotonic()
    again = run_sweep(cmd)
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(load().get_trials()) == 5, time.monotonic() - start
