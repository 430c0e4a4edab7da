"""Sweep studies (Optuna) over the training config: study definitions, the trial
objective that runs ``tools/train.py`` as a subprocess, storage, and status tables.
The study files and command-line entry points live in ``sweeps/``."""
from .spec import SEED_KEY, Param, StudyError, StudySpec, available_studies, load_spec

__all__ = ['SEED_KEY', 'Param', 'StudyError', 'StudySpec', 'available_studies', 'load_spec']
