"""The one error type of the published-data files."""


class PublishedDataError(ValueError):
    """A published-data file is malformed; the message names the file and the entry."""
