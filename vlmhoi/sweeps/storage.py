"""Optuna storage of a study: a SQLite file by default, any RDB URL (PostgreSQL) to share.

Every storage is an ``RDBStorage`` with a heartbeat: a worker that dies (killed, machine
lost) stops beating, and after ``grace_period`` seconds the next worker that looks fails
its trial and ``RetryHeartbeatStaleTrialCallback`` (Optuna's ``RetryFailedTrialCallback``,
renamed in 4.9) puts the same parameters (and GridSampler's ``grid_id``) back as a
WAITING trial.
"""
from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

import optuna
from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback
from optuna.trial import FrozenTrial

from .spec import StudyError

SQLITE_TIMEOUT_S = 60          # several worker processes on one SQLite file wait for the lock
HEARTBEAT_INTERVAL_S = 30
GRACE_PERIOD_S = 120
MAX_RETRY = 2                  # a trial is retried at most this often (killed or failed)
HEALTH_TIMEOUT_S = 5
OPEN_ATTEMPTS = 3
PG_DRIVER = 'postgresql+psycopg'


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***`` (printed output, tags)."""
    from sqlalchemy.engine import make_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a database URL (an http tracking URI): strip user info
        if '@' in url and '://' in url:
            scheme, rest = url.split('://', 1)
            return f'{scheme}://***@{rest.rsplit("@", 1)[1]}'
        return url


def default_storage_url(study_dir: Path) -> str:
    return f'sqlite:///{(study_dir / "optuna.db").resolve()}'


def sqlite_path(url: str) -> Path | None:
    return Path(url[len('sqlite:///'):]) if url.startswith('sqlite:///') else None


def open_storage(url: str, heartbeat_interval: int = HEARTBEAT_INTERVAL_S,
                 grace_period: int = GRACE_PERIOD_S, max_retry: int = MAX_RETRY,
                 create: bool = True, on_retry=None) -> RDBStorage:
    """Connect to ``url`` (``StudyError`` when it cannot be reached). ``create=False``:
    a SQLite file that does not exist is an error instead of a new empty database.
    ``on_retry(study, failed_trial)`` runs before a stale trial is put back."""
    path, shown = sqlite_path(url), redact(url)
    engine_kwargs = {}
    if path is not None:
        if not create and not path.is_file():
            raise StudyError(f'no study storage at {path}')
        path.parent.mkdir(parents=True, exist_ok=True)
        engine_kwargs = {'connect_args': {'timeout': SQLITE_TIMEOUT_S}}
    elif url.startswith('postgresql'):
        engine_kwargs = {'pool_pre_ping': True}
        if url.startswith('postgresql://'):     # the driver the project installs (psycopg 3)
            url = PG_DRIVER + url[len('postgresql'):]
    retry = RetryHeartbeatStaleTrialCallback(max_retry=max_retry)

    def stale(study: optuna.Study, trial: FrozenTrial) -> None:
        if on_retry is not None:
            on_retry(study, trial)
        retry(study, trial)

    for attempt in range(OPEN_ATTEMPTS):
        try:
            return RDBStorage(url, engine_kwargs=engine_kwargs,
                              heartbeat_interval=heartbeat_interval, grace_period=grace_period,
                              heartbeat_stale_trial_callback=stale)
        except ImportError as err:
            raise StudyError(f'storage {shown}: the database driver is not installed '
                             f'({err.__cause__ or err}); for PostgreSQL: pip install '
                             '"psycopg[binary]"') from err
        except Exception as err:  # sqlalchemy's OperationalError, ArgumentError, ...
            # two workers creating the tables of a new database at once: one try more
            if attempt + 1 < OPEN_ATTEMPTS and 'already exists' in str(err):
                time.sleep(1.0)
                continue
            text = str(err).strip()
            first = text.splitlines()[0] if text else type(err).__name__
            raise StudyError(f'cannot open the study storage {shown}: {first}') from err


def retry_failed(study: optuna.Study, max_retry: int = MAX_RETRY) -> list[int]:
    """Put every FAILED trial that no other trial retries back as WAITING (resume)."""
    trials = study.get_trials(deepcopy=False)
    handled = {n for t in trials for n in t.system_attrs.get('retry_history', [])}
    retry = RetryHeartbeatStaleTrialCallback(max_retry=max_retry)
    out = []
    for t in trials:
        if t.state == optuna.trial.TrialState.FAIL and t.number not in handled:
            before = len(study.get_trials(deepcopy=False))
            retry(study, t)
            if len(study.get_trials(deepcopy=False)) > before:
                out.append(t.number)
    return out


def check_tracking(uri: str) -> None:
    """``StudyError`` when the MLflow tracking server at ``uri`` does not answer."""
    if uri.startswith(('http://', 'https://')):
        try:
            with urllib.request.urlopen(uri.rstrip('/') + '/health', timeout=HEALTH_TIMEOUT_S):
                pass
        except (urllib.error.URLError, OSError) as err:
            raise StudyError(f'MLflow tracking server {redact(uri)} is not reachable '
                             f'({getattr(err, "reason", err)}); start it or pass another '
                             '--tracking-uri') from err
    elif uri.startswith('sqlite:///'):
        parent = Path(uri[len('sqlite:///'):]).parent
        existing = next((p for p in (parent, *parent.parents) if p.exists()), None)
        if existing is None or not existing.is_dir():
            raise StudyError(f'MLflow tracking store {uri}: {existing} is not a directory')
