"""MLflow tracking of every ``tools/train.py`` and ``tools/test.py`` run.

Importing this package (``custom_imports`` of ``_base_/default_runtime.py``) registers
:class:`HOIMLflowVisBackend` (mmengine ``VISBACKENDS``) and :class:`MLflowTrackingHook`
(mmengine ``HOOKS``). Models never import it. Where runs go: :mod:`.uri`; what a run
records: :mod:`.params`, :mod:`.hook` (metric keys, artifacts); secrets: :mod:`.redact`.
"""
from .backend import DEFAULT_SETTINGS, HOIMLflowVisBackend
from .hook import META_KEY, RUN_JSON, MLflowTrackingHook, find_backend, tracked_run
from .redact import RedactingFilter, install_redaction, redact
from .uri import (
    RUN_ID_ENV,
    TAGS_ENV,
    TRACKING_URI_ENV,
    default_tracking_uri,
    resolve_tracking_uri,
)

__all__ = ['DEFAULT_SETTINGS', 'META_KEY', 'RUN_ID_ENV', 'RUN_JSON', 'TAGS_ENV',
           'TRACKING_URI_ENV', 'HOIMLflowVisBackend', 'MLflowTrackingHook', 'RedactingFilter',
           'default_tracking_uri', 'find_backend', 'install_redaction', 'redact',
           'resolve_tracking_uri', 'tracked_run']
