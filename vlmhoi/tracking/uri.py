"""The tracking URI rules of :mod:`vlmhoi.mlflow_uri`, under the tracking package's name
(that module is kept free of torch and mmengine so that the report generator can use the
same rules without importing training code)."""
from vlmhoi.mlflow_uri import (  # noqa: F401
    ARTIFACTS_DIR,
    DEFAULT_STORE,
    REACH_TIMEOUT_S,
    RUN_ID_ENV,
    TAGS_ENV,
    TRACKING_URI_ENV,
    check_reachable,
    default_tracking_uri,
    ensure_experiment,
    env_tags,
    experiment_artifact_location,
    resolve_tracking_uri,
    sqlite_path,
)
