"""Opening SQLite files: one place for the pragmas and the errors users can meet."""

from __future__ import annotations

import os
import sqlite3
from typing import TYPE_CHECKING

from pmtool.core.errors import Conflict, StorageError

if TYPE_CHECKING:
    from pathlib import Path

BUSY_TIMEOUT_MS = 10_000
_PRAGMAS = (
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA secure_delete=ON",
)


def create_private_file(path: Path) -> None:
    """Create an empty database file readable only by its owner (health data inside)."""
    if not path.parent.is_dir():
        raise StorageError(f"cannot create {path}: the folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK):
        raise StorageError(f"cannot create {path}: the folder {path.parent} is not writable")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def connect(path: str | Path, *, wal: bool = True) -> sqlite3.Connection:
    """Open an existing database file with pmtool's pragmas.

    Autocommit mode: callers say ``BEGIN IMMEDIATE`` for writes themselves, so that
    two writers queue on the busy timeout instead of failing halfway.
    """
    if not os.path.exists(path):
        raise StorageError(
            f"no pmtool database at {path}: run `pmtool init` (or `pmtool demo`) to create "
            "one, or point --db/PMTOOL_DB at an existing one"
        )
    try:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in _PRAGMAS:
            connection.execute(pragma)
        if wal:
            mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal" and os.access(path, os.W_OK):
                connection.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError as exc:
        folder = os.path.dirname(os.path.abspath(path))
        if "unable to open" in str(exc) and not os.access(folder, os.W_OK):
            return _connect_frozen(path)
        raise translate_error(exc, path) from exc
    except sqlite3.DatabaseError as exc:
        raise translate_error(exc, path) from exc
    return connection


def _connect_frozen(path: str | Path) -> sqlite3.Connection:
    """Read a database in a folder nobody can write to (a WAL database needs its -shm
    file there): nothing can change it, so SQLite may read it as immutable."""
    import pathlib

    try:
        connection = sqlite3.connect(
            f"{pathlib.Path(path).absolute().as_uri()}?mode=ro&immutable=1",
            uri=True,
            isolation_level=None,
            check_same_thread=False,
        )
        connection.execute("PRAGMA foreign_keys=ON")
    except sqlite3.DatabaseError as exc:
        raise translate_error(exc, path) from exc
    return connection


def translate_error(exc: sqlite3.Error, path: Path | str) -> Exception:
    """A one-line message for the SQLite errors a user can cause."""
    text = str(exc)
    if "file is not a database" in text or "file is encrypted" in text:
        return StorageError(
            f"{path} is not an SQLite database (is --db pointing at the right file?)"
        )
    if "database is locked" in text or "database is busy" in text:
        return Conflict(
            f"the database {path} stayed locked by another writer for "
            f"{BUSY_TIMEOUT_MS // 1000} s; nothing was changed, try again"
        )
    if "readonly" in text or "read-only" in text:
        return StorageError(f"the database {path} is read-only here; nothing was changed")
    if "unable to open" in text:
        return StorageError(f"cannot open the database {path} (check the folder and permissions)")
    if "disk" in text and ("full" in text or "I/O" in text):
        return StorageError(f"cannot write the database {path}: {text}")
    return StorageError(f"database error in {path}: {text}")


def read_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None
