"""Opening SQLite files: one place for the pragmas and the errors users can meet.

pmtool writes nothing to a file before it knows the file is a pmtool database, and it
never removes or rewrites a path it did not create itself.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pmtool.core.errors import Conflict, StorageError

if TYPE_CHECKING:
    from pathlib import Path

LOCK_TIMEOUT_ENV = "PMTOOL_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT_S = 10.0


def lock_timeout_s() -> float:
    """How long a writer waits for another one: ``PMTOOL_LOCK_TIMEOUT`` seconds, default 10.

    Also the server's ``lock_timeout``. A value that is not a positive number is ignored.
    """
    try:
        seconds = float(os.environ.get(LOCK_TIMEOUT_ENV) or DEFAULT_LOCK_TIMEOUT_S)
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT_S
    return seconds if 0 < seconds < 86_400 else DEFAULT_LOCK_TIMEOUT_S


def _pragmas() -> tuple[str, ...]:
    return (
        "PRAGMA foreign_keys=ON",
        f"PRAGMA busy_timeout={int(lock_timeout_s() * 1000)}",
        "PRAGMA secure_delete=ON",
    )


def _no_database(path: str | Path) -> StorageError:
    return StorageError(
        f"no pmtool database at {path}: run `pmtool init` (or `pmtool demo`) to create "
        "one, or point --db/PMTOOL_DB at an existing one"
    )


def is_regular_file(path: str | Path) -> bool:
    """True for a regular file, False when nothing is there; refuses anything else.

    A device, a folder, a pipe or a symbolic link to nothing is never opened, created
    over or removed.
    """
    import stat

    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        if os.path.islink(path):
            raise StorageError(
                f"{path} is a symbolic link to a missing file; choose another path"
            ) from None
        return False
    except OSError as exc:
        raise StorageError(f"cannot use {path}: {exc.strerror or exc}") from exc
    if stat.S_ISREG(mode):
        return True
    if stat.S_ISDIR(mode):
        kind = "a folder"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    elif stat.S_ISFIFO(mode):
        kind = "a named pipe"
    else:
        kind = "not a regular file"
    raise StorageError(f"{path} is {kind}, not a database file; choose another path")


def _check_folder(path: Path) -> None:
    if not path.parent.is_dir():
        raise StorageError(f"cannot create {path}: the folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK):
        raise StorageError(f"cannot create {path}: the folder {path.parent} is not writable")


def create_private_file(path: Path) -> None:
    """Create an empty database file readable only by its owner (health data inside)."""
    _check_folder(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise StorageError(f"{path} exists already; choose a new file name") from None
    except OSError as exc:
        raise StorageError(f"cannot create {path}: {exc.strerror or exc}") from exc
    os.close(fd)


@contextmanager
def new_file_beside(target: Path, *, replace_empty: bool = False) -> Iterator[Path]:
    """A new private file in ``target``'s folder that becomes ``target`` when the block ends.

    The block fills the file under a hidden temporary name; only a whole file is then
    moved into place, so a kill leaves ``target`` as it was (absent, or empty when
    ``replace_empty``). On an error the temporary file is removed and ``target`` is
    left alone. A ``target`` that appears meanwhile is never replaced.
    """
    import tempfile
    from pathlib import Path

    if os.path.islink(target) and os.path.exists(target):
        target = Path(os.path.realpath(target))
    _check_folder(target)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise StorageError(f"cannot create {target}: {exc.strerror or exc}") from exc
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        _sync(temp)
        _move_into_place(temp, target, replace_empty=replace_empty)
    except BaseException:
        for leftover in (temp, *(Path(f"{temp}{suffix}") for suffix in _SIDE_FILES)):
            leftover.unlink(missing_ok=True)
        raise
    _sync(target.parent)


_SIDE_FILES = ("-journal", "-wal", "-shm")


def _move_into_place(temp: Path, target: Path, *, replace_empty: bool) -> None:
    if replace_empty and is_regular_file(target):
        if os.stat(target).st_size != 0:
            raise Conflict(f"{target} was written by someone else meanwhile; nothing was changed")
        os.replace(temp, target)
        return
    try:
        os.link(temp, target)  # fails if target exists: never replaces a file
    except FileExistsError:
        raise Conflict(
            f"{target} was created by someone else meanwhile; nothing was changed"
        ) from None
    except OSError as exc:
        if os.path.lexists(target):
            raise Conflict(
                f"{target} was created by someone else meanwhile; nothing was changed"
            ) from exc
        os.rename(temp, target)  # a file system without hard links
        return
    temp.unlink()


def _sync(path: Path) -> None:
    """Flush a file or a folder to disk, where the platform allows it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def connect(path: str | Path, *, wal: bool = True) -> sqlite3.Connection:
    """Open an existing database file with pmtool's pragmas.

    Autocommit mode: callers say ``BEGIN IMMEDIATE`` for writes themselves, so that
    two writers queue on the busy timeout instead of failing halfway. WAL is switched
    on only in a pmtool database: a file of another program is never written to.
    A file the user may not change (or in a folder they may not write to) is opened
    read-only, so the read commands work on a database shared read-only.
    """
    if not is_regular_file(path):
        raise _no_database(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not (os.access(path, os.W_OK) and os.access(folder, os.W_OK)):
        return _connect_read_only(path)
    connection = None
    try:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in _pragmas():
            connection.execute(pragma)
        if wal and _is_pmtool_database(connection):
            mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal":
                connection.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError as exc:
        if connection is not None:
            connection.close()
        if "unable to open" in str(exc):
            return _connect_read_only(path)
        raise translate_error(exc, path) from exc
    except sqlite3.DatabaseError as exc:
        if connection is not None:
            connection.close()
        raise translate_error(exc, path) from exc
    return connection


def _is_pmtool_database(connection: sqlite3.Connection) -> bool:
    from pmtool.storage.schema import KNOWN_REVISIONS

    return read_revision(connection) in KNOWN_REVISIONS


def _connect_read_only(path: str | Path) -> sqlite3.Connection:
    """Read a database the user may not change.

    Read-only first, which sees the changes of others as they happen; a WAL database
    nobody has open has no ``-shm`` file, which a reader may not create in a folder it
    cannot write to, so then it is read as immutable: as it is at this moment.
    """
    import pathlib

    uri = pathlib.Path(path).absolute().as_uri()
    failure: sqlite3.Error | None = None
    for options in ("?mode=ro", "?mode=ro&immutable=1"):
        connection = None
        try:
            connection = sqlite3.connect(
                uri + options, uri=True, isolation_level=None, check_same_thread=False
            )
            for pragma in _pragmas()[:2]:
                connection.execute(pragma)
            connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return connection
        except sqlite3.OperationalError as exc:
            if connection is not None:
                connection.close()
            failure = exc
        except sqlite3.DatabaseError as exc:
            if connection is not None:
                connection.close()
            raise translate_error(exc, path) from exc
    assert failure is not None
    raise translate_error(failure, path) from failure


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
            f"{lock_timeout_s():g} s; nothing was changed, try again"
        )
    if "readonly" in text or "read-only" in text:
        return StorageError(
            f"the database {path} is read-only here (you cannot write the file or its "
            "folder): reading works, changing it needs write access; nothing was changed"
        )
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
