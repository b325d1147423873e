"""Base error of churnops: the CLI prints these as one line, with no traceback."""


class ChurnopsError(Exception):
    """An error whose message is meant for the user as it is."""
