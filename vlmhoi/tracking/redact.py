"""Secret masking of :mod:`vlmhoi.redaction`, under the tracking package's name (that
module is kept light so that the report generator can mask URLs the same way)."""
from vlmhoi.redaction import MASK, RedactingFilter, install_redaction, redact  # noqa: F401
