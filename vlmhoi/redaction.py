"""Secrets never reach MLflow or the log: passwords in URLs are masked.

``postgresql://user:secret@host/db`` becomes ``postgresql://user:***@host/db`` (any scheme:
``mysql+pymysql://``, ``http://``, ...), and ``password=...`` / ``token=...`` pairs of a query
string or a DSN are masked too. :func:`redact` is applied to every param value, tag value
and the config artifact the tracking backend writes, and :class:`RedactingFilter` to every
record of the run's log (the config mmengine prints at start-up included). Light module:
no mlflow, no torch.
"""
from __future__ import annotations

import logging
import re
from typing import Any

MASK = '***'
#: ``scheme://user:password@`` -- the password is everything between the user's ``:`` and
#: the last ``@`` before the host
_URL_PASSWORD = re.compile(r'(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]*):(?P<pw>[^\s/]*)@')
#: ``password=...`` in a query string or a libpq / ODBC style DSN
_KEY_VALUE_SECRET = re.compile(
    r'(?P<key>\b(?:password|passwd|pwd|secret|token|api_key)=)(?P<val>[^&\s;,\'"]+)',
    re.IGNORECASE)


def redact(text: Any) -> Any:
    """``text`` with URL passwords and ``password=`` values masked; non-strings unchanged."""
    if not isinstance(text, str):
        return text
    text = _URL_PASSWORD.sub(lambda m: f"{m.group('head')}:{MASK}@", text)
    return _KEY_VALUE_SECRET.sub(lambda m: m.group('key') + MASK, text)


class RedactingFilter(logging.Filter):
    """A logging filter that applies :func:`redact` to the formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def install_redaction(logger: logging.Logger) -> logging.Logger:
    """Add one :class:`RedactingFilter` to ``logger`` (idempotent); returns ``logger``."""
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    return logger
