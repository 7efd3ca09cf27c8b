"""The schema revision this code was written for, known without importing Alembic.

``KNOWN_REVISIONS`` lists the Alembic revisions in order; a test checks it against
``db/versions`` so that a new migration cannot be forgotten here.
"""

from __future__ import annotations

from pmtool.core.errors import StorageError

KNOWN_REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008")
HEAD_REVISION = KNOWN_REVISIONS[-1]


def check_revision(current: str | None, where: str) -> None:
    """Refuse a database that is not ours, behind the code, or ahead of it."""
    if current is None:
        raise StorageError(
            f"{where} is not a pmtool database (it has no schema version): point --db or "
            "PMTOOL_DB at your pmtool database, or run `pmtool init` to create a new one"
        )
    if current == HEAD_REVISION:
        return
    if current in KNOWN_REVISIONS:
        raise StorageError(
            f"the database at {where} is at schema {current}, this pmtool needs "
            f"{HEAD_REVISION}: run `pmtool db upgrade` (it backs the file up first)"
        )
    raise StorageError(
        f"the database at {where} was written by a newer pmtool (schema {current}, this "
        f"one knows up to {HEAD_REVISION}): upgrade pmtool (pip install -U pmtool)"
    )
