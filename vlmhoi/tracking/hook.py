"""``MLflowTrackingHook``: starts the run of :class:`HOIMLflowVisBackend` with the runner's
facts and uploads the artifacts; the run id travels with the checkpoint.

Metric keys (what ``MlflowClient.get_metric_history(run_id, key)`` reads back):

* per iteration, ``step`` = global iteration (1-based; mmengine's LoggerHook):
  ``loss``, every loss term (``loss_obj_cls``, ``loss_verb_cls``, ``loss_sub_bbox``, ...,
  ``d<i>.loss_*`` of the decoder layers, ``loss_itm``, ``loss_itm_pos``,
  ``loss_itm_neg`` when the ITM loss is on), ``lr``, ``base_lr``, ``grad_norm``, ``time``,
  ``data_time``, ``obj_class_error``, ``obj_cardinality_error``;
* per validation epoch, ``step`` = epoch (1-based): the evaluator's keys as mmengine logs
  them, in percent: ``hico/mAP_full``, ``hico/mAP_rare``, ``hico/mAP_non_rare``,
  ``hico/mAP_full_ko``, ``hico/mAP_rare_ko``, ``hico/mAP_non_rare_ko``,
  ``hico/mean_max_recall[_ko]``, ``hico/num_*``; ``vcoco/AP_role_S1``,
  ``vcoco/AP_role_S2``, ``vcoco/AP_agent``, ``vcoco/num_*``; ``val/time``,
  ``val/data_time``;
* a ``tools/test.py`` run (tag ``run_type=test``) logs the same evaluator keys once, at
  ``step`` = the epoch of the tested checkpoint.

Artifacts: ``config.py``; ``metrics/<val_epoch_NNN|test>.json``;
``reports/<val_epoch_NNN|test>/<prefix>_categories.csv`` (every evaluation) and
``<prefix>_pr/pr_*.png`` (test runs and the last epoch; ``mlflow.pr_curves`` categories
with the most test instances); ``learning_curve.png``; ``logs/`` (the run's log and
``scalars.json``); ``checkpoints/`` (the last checkpoint, if ``mlflow.log_checkpoints``).

The run id is stored as ``checkpoint['meta']['mlflow_run_id']`` and written to
``<work_dir>/mlflow_run.json`` (``run_id``, ``tracking_uri`` (password masked),
``experiment_id``, ``artifact_uri``). Only rank 0 logs.
"""
from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from .artifacts import plot_learning_curve, write_metrics_json, write_reports
from .params import provenance_tags, summary_params
from .redact import install_redaction, redact

META_KEY = 'mlflow_run_id'
RUN_JSON = 'mlflow_run.json'
BACKEND_NAME = 'HOIMLflowVisBackend'
LOCAL_DIR = 'mlflow'  # <log_dir>/mlflow: local copies of the uploaded reports


def find_backend(runner: Any, name: str = BACKEND_NAME) -> Any:
    """The runner's MLflow backend on rank 0, else None."""
    if not is_main_process():
        return None
    return runner.visualizer.get_backend(name)


@contextlib.contextmanager
def tracked_run(runner: Any) -> Iterator[None]:
    """Mark the MLflow run FAILED (KILLED on Ctrl-C) when the body raises."""
    try:
        yield
    except BaseException as err:
        backend = find_backend(runner)
        if backend is not None:
            backend.end('KILLED' if isinstance(err, KeyboardInterrupt) else 'FAILED')
        raise


@HOOKS.register_module()
class MLflowTrackingHook(Hook):
    """See the module docstring. ``priority`` NORMAL: its ``after_run`` uploads before
    ``LoggerHook`` (BELOW_NORMAL) closes the visualizer, which ends the run."""

    priority = 'NORMAL'

    def __init__(self, backend_name: str = BACKEND_NAME) -> None:
        self.backend_name = backend_name
        self.checkpoint_epoch: int | None = None
        self.source_run_id: str | None = None
        self.run_type = 'train'

    def _backend(self, runner: Any) -> Any:
        return find_backend(runner, self.backend_name)

    def _active(self, runner: Any) -> Any:
        backend = self._backend(runner)
        return backend if backend is not None and backend.active else None

    # -- the run id and the checkpoint ---------------------------------------------------
    def before_run(self, runner: Any) -> None:
        install_redaction(runner.logger)

    def after_load_checkpoint(self, runner: Any, checkpoint: dict) -> None:
        meta = checkpoint.get('meta') or {}
        self.checkpoint_epoch = meta.get('epoch')
        run_id = meta.get(META_KEY)
        backend = self._backend(runner)
        if backend is None or run_id is None:
            return
        if getattr(runner, '_resume', False):
            backend.resume_run_id = run_id
        else:
            self.source_run_id = run_id  # a test run / fine-tuning of a tracked checkpoint

    def before_save_checkpoint(self, runner: Any, checkpoint: dict) -> None:
        backend = self._backend(runner)
        if backend is not None and backend.last_run_id:
            checkpoint.setdefault('meta', {})[META_KEY] = backend.last_run_id

    # -- start ----------------------------------------------------------------------------
    def _start(self, runner: Any, run_type: str) -> None:
        backend = self._backend(runner)
        if backend is None or backend.last_run_id is not None:
            return
        self.run_type = run_type
        params = summary_params(runner.cfg, run_type, seed=runner.seed,
                                world_size=runner.world_size)
        tags = dict(provenance_tags(), run_type=run_type, work_dir=str(runner.work_dir))
        if self.source_run_id:
            tags['source_run_id'] = self.source_run_id
        if run_type == 'test':
            tags['checkpoint'] = redact(str(runner.cfg.get('load_from')))
            tags['checkpoint_epoch'] = str(self.checkpoint_epoch)
        run_id = backend.start(params, tags)
        if run_id is None:
            return
        info = dict(run_id=run_id, tracking_uri=redact(backend.tracking_uri),
                    experiment_id=backend.experiment_id, artifact_uri=backend.artifact_uri)
        Path(runner.work_dir, RUN_JSON).write_text(json.dumps(info, indent=2))

    def before_train(self, runner: Any) -> None:
        self._start(runner, 'train')

    def before_test(self, runner: Any) -> None:
        self._start(runner, 'test')

    def before_train_epoch(self, runner: Any) -> None:
        backend = self._backend(runner)
        if backend is not None:
            backend.phase = 'train'

    def before_val_epoch(self, runner: Any) -> None:
        backend = self._backend(runner)
        if backend is not None:
            backend.phase = 'val'

    # -- metrics and artifacts --------------------------------------------------------------
    def after_val_epoch(self, runner: Any, metrics: dict | None = None) -> None:
        backend = self._active(runner)
        if backend is None or metrics is None:
            return  # the LoggerHook logs the scalars (step = epoch)
        epoch = runner.epoch
        self._upload_evaluation(runner, backend, metrics, f'val_epoch_{epoch:03d}', epoch,
                                runner.val_evaluator, final=epoch >= runner.max_epochs)

    def after_test_epoch(self, runner: Any, metrics: dict | None = None) -> None:
        backend = self._active(runner)
        if backend is None or metrics is None:
            return
        step = self.checkpoint_epoch or 0
        backend.add_scalars(metrics, step=step)  # mmengine logs no test scalars
        self._upload_evaluation(runner, backend, metrics, 'test', step,
                                runner.test_evaluator, final=True)

    def _upload_evaluation(self, runner: Any, backend: Any, metrics: dict, name: str,
                           epoch: int, evaluator: Any, final: bool) -> None:
        local = Path(runner.log_dir, LOCAL_DIR)
        path = write_metrics_json(metrics, local / 'metrics' / f'{name}.json', epoch=epoch,
                                  run_type=self.run_type)
        backend.log_artifact(path, 'metrics')
        pr = int(backend.settings['pr_curves']) if final else 0
        out = local / 'reports' / name
        for report in write_reports(evaluator.metrics, out, pr):
            sub = report.parent.relative_to(local)
            backend.log_artifact(report, str(sub))

    def after_run(self, runner: Any) -> None:
        backend = self._active(runner)
        if backend is None:
            return
        log_dir = Path(runner.log_dir)
        if self.run_type == 'train':
            curve = plot_learning_curve(backend.client, backend.run_id,
                                        log_dir / LOCAL_DIR / 'learning_curve.png')
            if curve is not None:
                backend.log_artifact(curve)
        for path in (log_dir / f'{runner.timestamp}.log', log_dir / 'vis_data' / 'scalars.json'):
            if path.is_file():
                backend.log_artifact(path, f'logs/{runner.timestamp}')
        last = Path(runner.work_dir, 'last_checkpoint')
        if self.run_type == 'train' and backend.settings['log_checkpoints'] and last.is_file():
            backend.log_artifact(last.read_text().strip(), 'checkpoints')
