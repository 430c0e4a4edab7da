"""Study definitions: what a sweep varies, how it reaches the config, what it optimises.

A study file (``sweeps/table3_margin.py``, ...) is a small Python file that defines
``STUDY = StudySpec(...)``. Each ``Param`` names a trial parameter, its values (a grid
or categorical ``choices``; or a float range for TPE) and the ``--cfg-options`` key(s)
it sets. The seed is not a ``Param``: ``run.py --seeds`` gives the list, and in a grid
study every grid point x seed is one trial (the seed is a grid dimension).
"""
from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import optuna

SAMPLERS = ('grid', 'tpe')
DIRECTIONS = ('maximize', 'minimize')
SEED_PARAM = 'seed'
# mmengine's Runner takes ``randomness=dict(seed=...)`` (default None): configs need not
# spell the key out, so it is exempt from the key check that every Param key passes
SEED_KEY = 'randomness.seed'
DEFAULT_TRAIN_SCRIPT = 'tools/train.py'
STUDY_DIR = Path(__file__).resolve().parents[2] / 'sweeps'


class StudyError(ValueError):
    """A study definition, a command-line choice or a config does not fit: a clear message."""


@dataclass(frozen=True)
class Param:
    """One trial parameter.

    ``key``: the config key that receives the value (``a.b.0.c``, mmengine
    ``--cfg-options`` syntax). ``overrides``: instead of ``key``, a mapping choice ->
    {config key: value} for a choice that sets several keys (a teacher). ``choices``:
    the grid values (or categorical values for TPE); ``low`` / ``high`` / ``log``: a
    float range (TPE only).
    """
    name: str
    key: str | None = None
    choices: tuple | None = None
    low: float | None = None
    high: float | None = None
    log: bool = False
    overrides: Mapping[Any, Mapping[str, Any]] | None = None

    def __post_init__(self) -> None:
        if (self.key is None) == (self.overrides is None):
            raise StudyError(f'param {self.name!r}: give exactly one of key= or overrides=')
        if self.overrides is not None and self.choices is None:
            object.__setattr__(self, 'choices', tuple(self.overrides))
        if (self.choices is None) == (self.low is None or self.high is None):
            raise StudyError(f'param {self.name!r}: give choices= or both low= and high=')
        if self.overrides is not None and set(self.choices) - set(self.overrides):
            raise StudyError(f'param {self.name!r}: choices {sorted(self.choices)} have no '
                             f'overrides for {sorted(set(self.choices) - set(self.overrides))}')

    def cfg_overrides(self, value: Any) -> dict[str, Any]:
        """{config key: value} that this parameter's ``value`` sets."""
        if self.overrides is not None:
            return dict(self.overrides[value])
        return {self.key: value}

    def keys(self) -> list[str]:
        if self.overrides is not None:
            return sorted({k for o in self.overrides.values() for k in o})
        return [self.key]

    def suggest(self, trial: optuna.Trial) -> Any:
        if self.choices is not None:
            return trial.suggest_categorical(self.name, list(self.choices))
        return trial.suggest_float(self.name, self.low, self.high, log=self.log)


@dataclass(frozen=True)
class StudySpec:
    """A sweep study. ``metric``: the key read back from the trial's run (last epoch's
    value is the objective, per-epoch values are reported for pruning); ``table``: the
    paper table the study feeds (MLflow tag ``vlmhoi.table``)."""
    name: str
    params: tuple[Param, ...]
    metric: str
    direction: str = 'maximize'
    sampler: str = 'grid'
    pruning: bool = False
    table: str | None = None
    config: str = 'mm_configs/vlmhoi_tiny_synth_hico.py'
    n_trials: int | None = None            # TPE: trials of the study (all workers together)
    prune_startup_trials: int = 2          # MedianPruner: trials before any pruning
    prune_warmup_epochs: int = 1           # MedianPruner: epochs before a trial can be pruned
    train_script: str = DEFAULT_TRAIN_SCRIPT
    # run before each trial's training with the same config and overrides (e.g. the
    # teacher-score cache of the trial's teacher and prompt form; the tool finds a finished
    # cache and returns at once); None: nothing to prepare
    prepare_script: str | None = None
    source: str = field(default='', compare=False)

    def __post_init__(self) -> None:
        where = self.source or self.name
        if self.sampler not in SAMPLERS:
            raise StudyError(f'{where}: sampler must be one of {SAMPLERS}, got {self.sampler!r}')
        if self.direction not in DIRECTIONS:
            raise StudyError(f'{where}: direction must be one of {DIRECTIONS}, '
                             f'got {self.direction!r}')
        names = [p.name for p in self.params]
        if len(set(names)) != len(names) or SEED_PARAM in names:
            raise StudyError(f'{where}: parameter names must be unique and not '
                             f'{SEED_PARAM!r} (the seed comes from --seeds): {names}')
        if self.sampler == 'grid' and any(p.choices is None for p in self.params):
            raise StudyError(f'{where}: a grid study needs choices= for every parameter')
        if self.sampler == 'tpe' and not self.n_trials:
            raise StudyError(f'{where}: a TPE study needs n_trials')

    def restricted(self, values: Mapping[str, list]) -> StudySpec:
        """This study with the given parameters limited to ``values`` (``--param``)."""
        by_name = {p.name: p for p in self.params}
        unknown = set(values) - set(by_name)
        if unknown:
            raise StudyError(f'{self.source}: --param names {sorted(unknown)} are not '
                             f'parameters of study {self.name!r} ({sorted(by_name)})')
        params = []
        for p in self.params:
            if p.name not in values:
                params.append(p)
                continue
            if p.choices is None:
                raise StudyError(f'{self.source}: --param {p.name}: not a choice parameter')
            allowed = {str(c): c for c in p.choices}
            bad = [v for v in values[p.name] if str(v) not in allowed]
            if bad:
                raise StudyError(f'{self.source}: --param {p.name}: {bad} not among the '
                                 f'choices {list(p.choices)}')
            chosen = tuple(allowed[str(v)] for v in values[p.name])
            params.append(Param(p.name, p.key, chosen, overrides=p.overrides))
        return StudySpec(**{**self.__dict__, 'params': tuple(params)})

    def grid(self, seeds: list[int]) -> dict[str, list]:
        """GridSampler search space: every parameter's choices and the seeds."""
        return {**{p.name: list(p.choices) for p in self.params}, SEED_PARAM: list(seeds)}

    def grid_points(self, seeds: list[int]) -> list[dict[str, Any]]:
        space = self.grid(seeds)
        return [dict(zip(space, combo)) for combo in itertools.product(*space.values())]

    def cfg_overrides(self, values: Mapping[str, Any], seed: int) -> dict[str, Any]:
        """{config key: value} of one trial's parameters and seed."""
        out: dict[str, Any] = {}
        for p in self.params:
            out.update(p.cfg_overrides(values[p.name]))
        out[SEED_KEY] = seed
        return out


def available_studies() -> list[str]:
    return sorted(p.stem for p in STUDY_DIR.glob('*.py')
                  if p.stem not in ('run', 'status', '__init__'))


def load_spec(study: str) -> StudySpec:
    """The ``STUDY`` of a study file, given as a path or as a name in ``sweeps/``."""
    path = Path(study)
    if not path.is_file():
        candidate = STUDY_DIR / f'{study}.py'
        if path.suffix or not candidate.is_file():
            raise StudyError(f'unknown study {study!r}: no such file, and not a study in '
                             f'{STUDY_DIR} (available: {", ".join(available_studies())})')
        path = candidate
    module_spec = importlib.util.spec_from_file_location(f'vlmhoi_study_{path.stem}', path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    spec = getattr(module, 'STUDY', None)
    if not isinstance(spec, StudySpec):
        raise StudyError(f'{path}: a study file must define STUDY = StudySpec(...); '
                         f'found {type(spec).__name__}')
    return StudySpec(**{**spec.__dict__, 'source': str(path)})
