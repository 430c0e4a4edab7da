"""``HOIMLflowVisBackend``: mmengine's ``MLflowVisBackend`` with what it lacks.

* the run is opened lazily, when :class:`~vlmhoi.tracking.hook.MLflowTrackingHook` starts
  it after the checkpoint is loaded, so a resumed run continues the MLflow run whose id the
  checkpoint carries (``meta['mlflow_run_id']``) -- or the run of ``$MLFLOW_RUN_ID``;
* on a run that already has history, metric points at or below a key's last logged step
  are skipped (a resume repeats the iterations after its checkpoint): steps stay unique;
* param values are redacted and cut to MLflow's length limit; a param that changes on
  resume (``train_cfg.max_epochs``) keeps its first value, the change is tagged
  ``resume.changed_params``; ``launch.count`` counts the launches that logged into the run
  (a resume keeps the first launch's provenance tags);
* validation timings are logged as ``val/time`` and ``val/data_time`` so they do not
  collide with the per-iteration ``time`` / ``data_time``;
* ``MlflowClient`` calls only (no process-global active run), so several runners in one
  process do not interfere.

Settings come from the config's ``mlflow`` section (``_base_/default_runtime.py``):
``enabled``, ``tracking_uri``, ``experiment``, ``run_name``, ``artifact_location``,
``tags``, ``log_checkpoints``, ``pr_curves``. Tracking URI resolution and the
environment contract: :mod:`vlmhoi.tracking.uri`.
"""
from __future__ import annotations

import json
import math
import os
import time
from typing import Any

from mmengine.config import Config
from mmengine.logging import MMLogger, print_log
from mmengine.registry import VISBACKENDS
from mmengine.visualization import MLflowVisBackend

from .params import MAX_TAG_LENGTH, clip, config_params
from .redact import redact
from .uri import (
    RUN_ID_ENV,
    check_reachable,
    ensure_experiment,
    env_tags,
    resolve_tracking_uri,
)

DEFAULT_SETTINGS = dict(enabled=True, tracking_uri=None, experiment='vlmhoi', run_name=None,
                        artifact_location=None, tags={}, log_checkpoints=False, pr_curves=8)
#: per-iteration keys that the validation log repeats; logged as ``val/<key>`` there
TIMING_KEYS = ('time', 'data_time')
#: the number of launches (tools/train.py, resumes included) that logged into the run
LAUNCH_TAG = 'launch.count'
BATCH_LIMIT = 100  # params / tags / metrics per log_batch call (MLflow's limit)


def _chunks(items: list, size: int = BATCH_LIMIT):
    for i in range(0, len(items), size):
        yield items[i:i + size]


@VISBACKENDS.register_module()
class HOIMLflowVisBackend(MLflowVisBackend):
    """MLflow backend of the project; see the module docstring. ``save_dir`` is unused."""

    def __init__(self, save_dir: str | None = None, **settings: Any) -> None:
        super().__init__(save_dir or '')
        unknown = set(settings) - set(DEFAULT_SETTINGS)
        if unknown:
            raise ValueError(f'HOIMLflowVisBackend: unknown settings {sorted(unknown)}; '
                             f'known: {sorted(DEFAULT_SETTINGS)}')
        self.settings = dict(DEFAULT_SETTINGS, **settings)
        self.phase = 'train'
        self.resume_run_id: str | None = None
        self.start_info: dict[str, Any] = {}
        self.run_id: str | None = None
        self.last_run_id: str | None = None
        self.client = None
        self._mlflow = None
        self._floor: dict[str, float] | None = None
        self.skipped_points = 0

    # -- configuration and start ------------------------------------------------------
    def add_config(self, config: Config, **kwargs) -> None:
        """Keep the config and read its ``mlflow`` section; the run starts later."""
        self.cfg = config
        section = config.get('mlflow') or {}
        unknown = set(section) - set(DEFAULT_SETTINGS)
        if unknown:
            raise ValueError(f'config key mlflow: unknown settings {sorted(unknown)}; known: '
                             f'{sorted(DEFAULT_SETTINGS)}')
        self.settings.update(section)
        if self.settings['enabled']:  # fail before the model and data are built
            check_reachable(resolve_tracking_uri(self.settings['tracking_uri'])[0])

    @property
    def active(self) -> bool:
        """True once a run is open (only on rank 0, only when enabled)."""
        return self.run_id is not None

    def start(self, params: dict[str, str] | None = None, tags: dict[str, str] | None = None,
              ) -> str | None:
        """Open (or reopen) the run with ``params`` and ``tags``; returns its id."""
        self.start_info = dict(params=params or {}, tags=tags or {})
        self.experiment  # noqa: B018  (force_init_env: runs _init_env once)
        return self.run_id

    def _init_env(self) -> None:
        if not self.settings['enabled']:
            return
        import mlflow
        from mlflow.exceptions import MlflowException
        from mlflow.tracking import MlflowClient

        self._mlflow = mlflow
        # mlflow's import creates handlers; reopen MMLogger file streams it left closed
        for handler in MMLogger.get_current_instance().handlers:
            if getattr(handler, 'stream', 1) is None or getattr(handler.stream, 'closed', False):
                handler.stream = open(handler.baseFilename, 'a')  # noqa: SIM115
        uri, source = resolve_tracking_uri(self.settings['tracking_uri'])
        self.tracking_uri, self.uri_source = uri, source
        check_reachable(uri)
        self.client = client = MlflowClient(tracking_uri=uri)
        env_run = os.environ.get(RUN_ID_ENV)
        if env_run and self.resume_run_id and env_run != self.resume_run_id:
            print_log(f'MLflow: ${RUN_ID_ENV}={env_run} wins over the run id of the resumed '
                      f'checkpoint ({self.resume_run_id})', logger='current', level=30)
        run_id = env_run or self.resume_run_id
        try:
            if run_id:
                run = client.get_run(run_id)
                client.update_run(run_id, status='RUNNING')
                self._floor = {}
            else:
                exp_id = ensure_experiment(client, uri, self.settings['experiment'],
                                           self.settings['artifact_location'])
                run = client.create_run(exp_id, run_name=self.settings['run_name'])
        except MlflowException as err:
            origin = f'${RUN_ID_ENV}' if env_run else 'the resumed checkpoint'
            what = f'run {run_id} (from {origin})' if run_id else 'the experiment / run'
            raise RuntimeError(f'MLflow ({source} tracking URI {redact(uri)}): cannot open '
                               f'{what}: {redact(str(err))[:500]}') from None
        self.run_id, self.experiment_id = run.info.run_id, run.info.experiment_id
        self.last_run_id = self.run_id
        self.artifact_uri = run.info.artifact_uri
        self._log_start(run, resumed=bool(run_id))
        print_log(f'MLflow: {"continuing" if run_id else "new"} run {self.run_id} '
                  f'(experiment {self.experiment_id}) at {redact(uri)} ({source}); UI: '
                  f'mlflow ui --backend-store-uri {redact(uri)}', logger='current')

    def _log_start(self, run: Any, resumed: bool) -> None:
        from mlflow.entities import Param, RunTag

        params = dict(self.start_info['params'])
        if getattr(self, 'cfg', None) is not None:
            params.update(config_params(self.cfg.to_dict()))
        tags = {**{str(k): str(v) for k, v in (self.settings['tags'] or {}).items()},
                **env_tags(), **self.start_info['tags']}
        launches = int(run.data.tags.get(LAUNCH_TAG, '0')) + 1
        if resumed:
            old = run.data.params
            changed = {k: [old[k], v] for k, v in params.items() if k in old and old[k] != v}
            params = {k: v for k, v in params.items() if k not in old}
            if launches > 1:  # a run of an earlier launch: keep its first provenance
                tags = {k: v for k, v in tags.items() if k not in run.data.tags}
            if changed:
                tags['resume.changed_params'] = json.dumps(changed)
        tags[LAUNCH_TAG] = str(launches)
        tags = {k: clip(v, MAX_TAG_LENGTH) for k, v in tags.items()}
        for part in _chunks([Param(k, v) for k, v in params.items()]):
            self.client.log_batch(self.run_id, params=part)
        for part in _chunks([RunTag(k, v) for k, v in tags.items()]):
            self.client.log_batch(self.run_id, tags=part)
        if getattr(self, 'cfg', None) is not None:
            self.client.log_text(self.run_id, redact(self.cfg.pretty_text), 'config.py')

    # -- metrics ----------------------------------------------------------------------
    def add_scalar(self, name: str, value: Any, step: int = 0, **kwargs) -> None:
        self.add_scalars({name: value}, step=step)

    def add_scalars(self, scalar_dict: dict, step: int = 0, file_path: str | None = None,
                    **kwargs) -> None:
        """Log ``scalar_dict`` at ``step`` (see the module docstring for renaming and
        skipping); does nothing before the hook started the run or when disabled."""
        if not self.active:
            return
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        metrics = []
        for key, value in scalar_dict.items():
            if self.phase == 'val' and key in TIMING_KEYS:
                key = f'val/{key}'
            try:
                value = float(value)
            except (TypeError, ValueError):
                continue  # strings such as hico/mode: in the metrics JSON artifact
            if step <= self._history_floor(key):
                self.skipped_points += 1
                continue
            metrics.append(Metric(key, value, now, step))
        for part in _chunks(metrics, 1000):
            self.client.log_batch(self.run_id, metrics=part)

    def _history_floor(self, key: str) -> float:
        """The last step ``key`` had before this launch (-inf for a new run)."""
        if self._floor is None:
            return -math.inf
        if key not in self._floor:
            history = self.client.get_metric_history(self.run_id, key)
            self._floor[key] = max((m.step for m in history), default=-math.inf)
        return self._floor[key]

    def add_image(self, name: str, image: Any, step: int = 0, **kwargs) -> None:
        if self.active:
            self.client.log_image(self.run_id, image, f'images/step_{step}_{name}')

    # -- artifacts and end ------------------------------------------------------------
    def log_artifact(self, path: str, artifact_dir: str | None = None) -> None:
        if self.active:
            self.client.log_artifact(self.run_id, str(path), artifact_dir)

    def end(self, status: str = 'FINISHED') -> None:
        """Mark the run ``status`` (FINISHED / FAILED / KILLED); later logging is ignored."""
        if not self.active:
            return
        if self.skipped_points:
            self.client.set_tag(self.run_id, 'resume.skipped_metric_points',
                                str(self.skipped_points))
        self.client.set_terminated(self.run_id, status)
        self.run_id = None

    def close(self) -> None:
        """Called by the visualizer at the end (LoggerHook.after_run)."""
        self.end('FINISHED')
