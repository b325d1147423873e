"""Errors raised by drift checks; the CLI prints them as one line."""

from churnops.errors import ChurnopsError


class DriftError(ChurnopsError, ValueError):
    """A current window, reference or drift setting is invalid."""
