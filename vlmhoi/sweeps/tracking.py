"""MLflow side of a study: one parent run per study, one child run per trial.

The trial's run is created here (a child of the study's run: tag ``mlflow.parentRunId``)
with the tags the report generator looks runs up by, and tools/train.py logs into it
(``MLFLOW_RUN_ID`` / ``MLFLOW_TRACKING_URI`` in its environment, the tags again in
``VLMHOI_MLFLOW_TAGS``). Tags in the sweep's own ``VLMHOI_MLFLOW_TAGS`` (e.g.
``{"vlmhoi.scale": "demo"}`` from tools/demo.py) go onto the study's run and every trial's
run too; the study's own tags win over them.
"""
from __future__ import annotations

import json
import time
from typing import Any

import optuna
from mlflow.entities import RunStatus
from mlflow.tracking import MlflowClient
from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID, MLFLOW_RUN_NAME

from vlmhoi.tracking.uri import ensure_experiment, env_tags

from .storage import redact

TAG_STUDY = 'vlmhoi.study'
TAG_TRIAL = 'vlmhoi.trial'
TAG_SEED = 'vlmhoi.seed'
TAG_TABLE = 'vlmhoi.table'
TAG_ROLE = 'vlmhoi.role'
TAG_PARAM = 'vlmhoi.param.'
TAG_RETRY_OF = 'vlmhoi.retry_of'
TAG_STATE = 'vlmhoi.trial_state'
TAG_VALUE_SOURCE = 'vlmhoi.metric_source'
ATTR_PARENT_RUN = 'mlflow_parent_run_id'
ENV_TAGS = 'VLMHOI_MLFLOW_TAGS'
PARENT_WAIT_S = 60
PARENT_POLL_S = 0.5
INIT_ATTEMPTS = 3
INIT_RETRY_S = 2.0
STATUS_OF_STATE = {'COMPLETE': RunStatus.FINISHED, 'PRUNED': RunStatus.KILLED,
                   'FAIL': RunStatus.FAILED}


class StudyTracker:
    """The study's MLflow experiment and parent run at ``uri``."""

    def __init__(self, uri: str, experiment: str) -> None:
        self.uri = uri
        self.client = MlflowClient(tracking_uri=uri)
        for attempt in range(INIT_ATTEMPTS):
            try:   # a new SQLite store is migrated on first use: two workers may race there
                self.experiment_id = ensure_experiment(self.client, uri, experiment)
                return
            except Exception:
                if attempt + 1 == INIT_ATTEMPTS:
                    raise
                time.sleep(INIT_RETRY_S)


    def parent_run(self, study, table: str | None, storage_url: str) -> str:
        """The study's parent run id (kept in the study's user attrs; made once)."""
        run_id = study.user_attrs.get(ATTR_PARENT_RUN)
        if run_id:
            return run_id
        tags = {**env_tags(), TAG_STUDY: study.study_name, TAG_ROLE: 'study',
                TAG_TABLE: table or '', MLFLOW_RUN_NAME: study.study_name,
                'optuna.storage': redact(storage_url)}
        run = self.client.create_run(self.experiment_id, tags=tags)
        study.set_user_attr(ATTR_PARENT_RUN, run.info.run_id)
        return run.info.run_id

    def wait_parent_run(self, study, table: str | None, storage_url: str) -> str:
        """The parent run that the study's creator makes; made here if the creator died
        before making it (none after PARENT_WAIT_S)."""
        deadline = time.monotonic() + PARENT_WAIT_S
        while time.monotonic() < deadline:
            run_id = optuna.load_study(study_name=study.study_name,
                                       storage=study._storage).user_attrs.get(ATTR_PARENT_RUN)
            if run_id:
                return run_id
            time.sleep(PARENT_POLL_S)
        return self.parent_run(study, table, storage_url)

    def trial_tags(self, study_name: str, parent: str, number: int, seed: int,
                   table: str | None, params: dict[str, Any],
                   retry_of: int | None) -> dict[str, str]:
        tags = {**env_tags(), MLFLOW_PARENT_RUN_ID: parent,
                MLFLOW_RUN_NAME: f'{study_name}-trial{number}',
                TAG_STUDY: study_name, TAG_TRIAL: str(number), TAG_SEED: str(seed),
                TAG_TABLE: table or '', TAG_ROLE: 'trial'}
        tags.update({TAG_PARAM + k: str(v) for k, v in params.items()})
        if retry_of is not None:
            tags[TAG_RETRY_OF] = str(retry_of)
        return tags

    def start_trial(self, tags: dict[str, str], params: dict[str, Any]) -> str:
        run = self.client.create_run(self.experiment_id, tags=tags)
        for k, v in params.items():
            self.client.log_param(run.info.run_id, f'sweep.{k}', v)
        return run.info.run_id

    def end_trial(self, run_id: str, state: str, value: float | None,
                  source: str | None) -> None:
        self.client.set_tag(run_id, TAG_STATE, state)
        if source:
            self.client.set_tag(run_id, TAG_VALUE_SOURCE, source)
        if value is not None:
            self.client.log_metric(run_id, 'sweep/objective', value)
        self.client.set_terminated(run_id, RunStatus.to_string(STATUS_OF_STATE[state]))

    def mark_study(self, parent: str, finished: bool, best: float | None) -> None:
        """The parent run is RUNNING while the study has work left, FINISHED when not."""
        if best is not None:
            self.client.log_metric(parent, 'sweep/best', best)
        status = RunStatus.FINISHED if finished else RunStatus.RUNNING
        self.client.update_run(parent, status=RunStatus.to_string(status))

    def trial_env(self, run_id: str, tags: dict[str, str]) -> dict[str, str]:
        """Environment of the training subprocess: log into run ``run_id``."""
        return {'MLFLOW_TRACKING_URI': self.uri, 'MLFLOW_RUN_ID': run_id,
                ENV_TAGS: json.dumps(tags)}
