"""Errors the services raise; the interfaces turn them into messages and exit codes.

Exit codes (docs/exit-codes.md): 1 refused operation, 2 bad usage or input,
3 a status check found problems.
"""


class PmError(Exception):
    """An operation was refused: the message is shown to the user as one line."""

    exit_code = 1


class NotFound(PmError):
    """A project, task, sprint or member that does not exist."""


class Refused(PmError):
    """An illegal transition, a gate or a limit said no."""


class Conflict(PmError):
    """The data changed underneath, or another writer holds the database."""


class InvalidInput(PmError):
    """A value the user gave is malformed (bad date, negative points...)."""

    exit_code = 2


class StorageError(PmError):
    """The database cannot be opened, is not ours, or is at another schema version."""
