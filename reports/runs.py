"""The runs a report reads, found in MLflow by the tags and params the suite logs.

* evaluation runs: ``tools/test.py`` runs (tag ``run_type=test``) and the sweep trials
  (tag ``vlmhoi.role=trial``, their last-epoch evaluation), with the summary params of
  ``vlmhoi.tracking.params`` (``method``, ``world``, ``dataset``, ``teacher``, ``alpha``,
  ``prompt_form``, ``seed``, ...) and the tag ``vlmhoi.scale`` (``demo`` for demo-scale
  runs);
* training runs (``run_type=train``): learning curves, the per-epoch metric history;
* benchmark runs (experiment ``vlmhoi-benchmarks``, tag ``vlmhoi.table``): one parent run
  per benchmark call, one child run per variant;
* tool runs (experiment ``vlmhoi-tools``): figures (tag ``vlmhoi.figure``) and checks
  (tag ``vlmhoi.check``).

Only runs MLflow calls FINISHED count. Nothing here imports training code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import mlflow
from mlflow.entities import ViewType

FINISHED = "attributes.status = 'FINISHED'"
TAG_SCALE = 'vlmhoi.scale'
TAG_TABLE = 'vlmhoi.table'
TAG_ROLE = 'vlmhoi.role'
TAG_PARAM = 'vlmhoi.param.'
TAG_FIGURE = 'vlmhoi.figure'
TAG_CHECK = 'vlmhoi.check'
TAG_PARENT = 'mlflow.parentRunId'
BENCHMARK_EXPERIMENT = 'vlmhoi-benchmarks'
TOOLS_EXPERIMENT = 'vlmhoi-tools'
PAGE = 1000


@dataclass(frozen=True)
class Run:
    """What the report needs of one MLflow run."""
    run_id: str
    name: str
    start_time: int
    params: dict[str, str]
    tags: dict[str, str]
    metrics: dict[str, float]
    experiment: str = ''

    @property
    def scale(self) -> str:
        return self.tags.get(TAG_SCALE, 'full')

    def param(self, key: str, default: str = 'none') -> str:
        return self.params.get(key, default)


@dataclass
class RunStore:
    """An MLflow store, read once: every finished run of every experiment."""
    uri: str
    runs: list[Run] = field(default_factory=list)
    client: mlflow.MlflowClient | None = field(default=None, repr=False)

    @classmethod
    def open(cls, uri: str) -> RunStore:
        client = mlflow.MlflowClient(uri)
        store = cls(uri, client=client)
        experiments = client.search_experiments(view_type=ViewType.ACTIVE_ONLY)
        names = {e.experiment_id: e.name for e in experiments}
        if names:
            token = None
            while True:
                page = client.search_runs(list(names), FINISHED, max_results=PAGE,
                                          page_token=token)
                store.runs += [_run(r, names) for r in page]
                token = page.token
                if not token:
                    break
        store.runs.sort(key=lambda r: r.start_time)
        store._seed_tests_from_training()
        return store

    def _seed_tests_from_training(self) -> None:
        """A test run's seed is that of the training run it evaluated (tag
        ``source_run_id``): ``tools/test.py`` draws a fresh seed of its own, which says
        nothing about the model."""
        by_id = {r.run_id: r for r in self.runs}
        for run in self.runs:
            train = by_id.get(run.tags.get('source_run_id', ''))
            if run.tags.get('run_type') == 'test' and train and 'seed' in train.params:
                run.params['seed'] = train.params['seed']

    # -- selections ----------------------------------------------------------------------
    def evaluations(self, metric: str) -> list[Run]:
        """Test runs and completed sweep trials that logged ``metric``."""
        return [r for r in self.runs if metric in r.metrics and (
            r.tags.get('run_type') == 'test'
            or (r.tags.get(TAG_ROLE) == 'trial'
                and r.tags.get('vlmhoi.trial_state', 'COMPLETE') == 'COMPLETE'))]

    def test_runs(self, metric: str) -> list[Run]:
        return [r for r in self.evaluations(metric) if r.tags.get('run_type') == 'test']

    def trials(self, table: str, metric: str) -> list[Run]:
        return [r for r in self.evaluations(metric)
                if r.tags.get(TAG_ROLE) == 'trial' and r.tags.get(TAG_TABLE) == table]

    def source_training_run(self, test_run: Run) -> Run | None:
        """The training run whose checkpoint a test run evaluated (tag ``source_run_id``)."""
        rid = test_run.tags.get('source_run_id')
        return next((r for r in self.runs if r.run_id == rid), None)

    def latest_benchmark(self, table: str) -> tuple[Run | None, list[Run]]:
        """The newest benchmark parent run of ``table`` and its variant child runs."""
        parents = [r for r in self.runs if r.experiment == BENCHMARK_EXPERIMENT
                   and r.tags.get(TAG_TABLE) == table and TAG_PARENT not in r.tags]
        if not parents:
            return None, []
        parent = parents[-1]
        return parent, [r for r in self.runs if r.tags.get(TAG_PARENT) == parent.run_id]

    def latest_tool_run(self, tag: str, value: str) -> Run | None:
        found = self.tool_runs(tag, value)
        return found[-1] if found else None

    def tool_runs(self, tag: str, value: str) -> list[Run]:
        """The newest tool run tagged ``tag=value`` per run name and ``teachers`` param
        (e.g. one Fig. 5 run per teacher), oldest first."""
        newest: dict[tuple[str, str], Run] = {}
        for run in self.runs:
            if run.experiment == TOOLS_EXPERIMENT and run.tags.get(tag) == value:
                newest[(run.name, run.params.get('teachers', ''))] = run
        return sorted(newest.values(), key=lambda r: r.start_time)

    # -- contents --------------------------------------------------------------------------
    def history(self, run_id: str, key: str) -> list[tuple[int, float]]:
        """``(step, value)`` of a metric, one value per step (the last logged)."""
        points = {}
        for m in sorted(self.client.get_metric_history(run_id, key), key=lambda m: m.timestamp):
            points[m.step] = m.value
        return sorted(points.items())

    def artifacts(self, run_id: str, folder: str = '') -> list[str]:
        """Every artifact path of a run under ``folder`` (recursive)."""
        out = []
        for info in self.client.list_artifacts(run_id, folder or None):
            out += self.artifacts(run_id, info.path) if info.is_dir else [info.path]
        return out

    def download(self, run_id: str, path: str, dst: Path) -> Path:
        dst.mkdir(parents=True, exist_ok=True)
        return Path(mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=path,
                                                        dst_path=str(dst),
                                                        tracking_uri=self.uri))


def _run(r, names: dict[str, str]) -> Run:
    return Run(run_id=r.info.run_id, name=r.data.tags.get('mlflow.runName', r.info.run_id),
               start_time=r.info.start_time or 0, params=dict(r.data.params),
               tags=dict(r.data.tags), metrics=dict(r.data.metrics),
               experiment=names.get(r.info.experiment_id, ''))
