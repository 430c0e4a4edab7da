"""Print a study's trials (number, state, params, value, seconds) and its best value.

    python sweeps/status.py STUDY [--storage URL] [--study-dir DIR]

STUDY is a study name (or a study file, whose name is used). Without ``--storage`` the
study's default SQLite file ``work_dirs/sweeps/<name>/optuna.db`` is read; a missing file
is an error, never a new empty database.
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import optuna  # noqa: E402

from vlmhoi.sweeps import storage as st  # noqa: E402
from vlmhoi.sweeps.spec import StudyError  # noqa: E402
from vlmhoi.sweeps.study import DEFAULT_ROOT  # noqa: E402
from vlmhoi.sweeps.summary import print_summary  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('study', help='study name (or study file)')
    p.add_argument('--storage', help='Optuna storage URL')
    p.add_argument('--study-dir', type=Path, help='default: work_dirs/sweeps/<name>')
    args = p.parse_args(argv)
    name = Path(args.study).stem if args.study.endswith('.py') else args.study
    url = args.storage or st.default_storage_url(args.study_dir or DEFAULT_ROOT / name)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings('ignore', category=optuna.exceptions.ExperimentalWarning)
    try:
        storage = st.open_storage(url, create=False)
        names = optuna.study.get_all_study_names(storage)
        if name not in names:
            raise StudyError(f'no study {name!r} in {st.redact(url)} '
                             f'(studies there: {sorted(names) or "none"})')
        study = optuna.load_study(study_name=name, storage=storage)
    except StudyError as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    print(f'storage {st.redact(url)}')
    print_summary(study)
    return 0


if __name__ == '__main__':
    sys.exit(main())
