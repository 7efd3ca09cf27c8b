"""Creating and upgrading the schema with Alembic, and file backups around it."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from pmtool.core import clock
from pmtool.core.errors import Conflict, StorageError
from pmtool.resources import migrations_dir
from pmtool.storage import schema
from pmtool.storage import sqlite as sqlite_files
from pmtool.storage.engine import dispose_engines, get_engine
from pmtool.storage.location import DatabaseLocation

if TYPE_CHECKING:
    from alembic.config import Config


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def current_revision(location: DatabaseLocation) -> str | None:
    if location.path is not None:
        file_connection = sqlite_files.connect(location.path)
        try:
            return sqlite_files.read_revision(file_connection)
        except sqlite3.DatabaseError as exc:
            raise sqlite_files.translate_error(exc, location.path) from exc
        finally:
            file_connection.close()
    from pmtool.storage.reader import connect_postgres

    # psycopg directly: a server that is down is then the usual one-line error.
    server = connect_postgres(location)
    try:
        if server.execute("SELECT to_regclass('alembic_version')").fetchone()[0] is None:
            return None
        found = server.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if found is None else str(found[0])
    finally:
        server.close()


def upgrade(location: DatabaseLocation, target: str = "head") -> None:
    """Run the migrations up to ``target`` on an open engine connection."""
    from alembic import command
    from sqlalchemy import exc as sa_exc

    config = _alembic_config()
    if location.path is None:
        current_revision(location)  # a server that cannot be reached: one clear line
    try:
        with get_engine(location).connect() as connection:
            if location.path is not None:
                # SQLite alters a table by rebuilding it, which foreign keys would block.
                # They can only be switched off outside a transaction; checked before commit.
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, target)
                if location.path is not None:
                    dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if dangling:
                        raise StorageError(
                            f"the upgrade to {target} would leave {len(dangling)} rows pointing "
                            "at missing rows; nothing was changed"
                        )
    except sqlite3.Error as exc:
        raise sqlite_files.translate_error(exc, location.describe()) from exc
    except sa_exc.DBAPIError as exc:
        if isinstance(exc.orig, sqlite3.Error):
            raise sqlite_files.translate_error(exc.orig, location.describe()) from exc
        first_line = str(exc.orig).splitlines()[0] if str(exc.orig) else type(exc.orig).__name__
        raise StorageError(
            f"the upgrade to {target} failed, nothing was changed: {first_line}"
        ) from exc
    finally:
        dispose_engines()


def initialise(location: DatabaseLocation) -> bool:
    """Create the database with the current schema; False if it already was current.

    A file is built beside the target and moved into place whole, so an interrupted
    init leaves no file or a complete database; an empty file (an earlier interrupted
    init, or `touch`) is initialised. Nothing but a regular file is ever touched.
    """
    if location.path is None:
        if current_revision(location) is not None:
            schema.check_revision(current_revision(location), location.describe())
            return False
        upgrade(location)
        return True
    path = location.path
    if sqlite_files.is_regular_file(path):
        if path.stat().st_size > 0:
            return _already_there(location)
    elif location.is_default:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        with sqlite_files.new_file_beside(path, replace_empty=True) as building:
            build_schema(building)
    except Conflict:
        # Another init finished first: fine if it made a pmtool database.
        if sqlite_files.is_regular_file(path) and path.stat().st_size > 0:
            return _already_there(location)
        raise
    return True


def _already_there(location: DatabaseLocation) -> bool:
    revision = current_revision(location)
    if revision is None:
        raise StorageError(
            f"{location.path} is an SQLite file but not a pmtool database; choose another path"
        )
    schema.check_revision(revision, location.describe())
    return False


def build_schema(path: Path) -> None:
    """The current schema in a new, empty file that pmtool created."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as exc:
        raise sqlite_files.translate_error(exc, path) from exc
    finally:
        connection.close()
    upgrade(DatabaseLocation(f"sqlite:///{path}", str(path)))


def upgrade_with_backup(location: DatabaseLocation) -> tuple[str | None, str, Path | None]:
    """Upgrade to head after backing the file up. Returns (from, to, backup path)."""
    revision = current_revision(location)
    if revision is None:
        raise StorageError(f"{location.describe()} has no pmtool schema; run `pmtool init`")
    if revision not in schema.KNOWN_REVISIONS:
        schema.check_revision(revision, location.describe())
    if revision == schema.HEAD_REVISION:
        return revision, revision, None
    backup_path = None
    if location.path is not None:
        stamp = clock.utcnow().strftime("%Y%m%dT%H%M%SZ")
        backup_path = location.path.with_name(f"{location.path.name}.{revision}-{stamp}.bak")
        attempt = 1
        while os.path.lexists(backup_path):  # an upgrade interrupted this very second
            attempt += 1
            name = f"{location.path.name}.{revision}-{stamp}-{attempt}.bak"
            backup_path = location.path.with_name(name)
        backup_to(location, backup_path)
    upgrade(location)
    return revision, schema.HEAD_REVISION, backup_path


def backup_to(location: DatabaseLocation, target: Path) -> None:
    """A consistent copy of a SQLite database (the online backup API), mode 0600.

    The copy is written beside ``target`` and moved there when complete, so a failed
    or interrupted backup leaves nothing at ``target``.
    """
    if location.path is None:
        raise StorageError("backups of server databases are made with the server's tools (pg_dump)")
    if os.path.lexists(target):
        if not os.path.exists(target):
            raise StorageError(
                f"{target} is a symbolic link to a missing file; choose a new file name"
            )
        raise StorageError(f"{target} exists already; choose a new file name")
    source = sqlite_files.connect(location.path)
    try:
        try:
            revision = sqlite_files.read_revision(source)
        except sqlite3.Error as exc:
            raise sqlite_files.translate_error(exc, location.path) from exc
        if revision is None:
            raise StorageError(f"{location.path} is not a pmtool database")
        with sqlite_files.new_file_beside(target) as building:
            _copy(source, location.path, building, target)
    finally:
        source.close()


def _copy(source: sqlite3.Connection, source_path: Path, building: Path, target: Path) -> None:
    """Copy ``source`` into the new file ``building``; errors name the file at fault."""
    try:
        destination = sqlite3.connect(building)
    except sqlite3.Error as exc:
        raise sqlite_files.translate_error(exc, target) from exc
    try:
        source.backup(destination)
    except sqlite3.Error as exc:
        # A locked or damaged source is the source's fault; a full disk, a read-only
        # folder or an I/O error while writing is the backup's.
        source_at_fault = any(
            fragment in str(exc)
            for fragment in ("locked", "busy", "malformed", "not a database", "encrypted")
        )
        raise sqlite_files.translate_error(exc, source_path if source_at_fault else target) from exc
    finally:
        destination.close()


def _check_backup(source: sqlite3.Connection, source_file: Path) -> None:
    """Refuse a backup that is not a whole pmtool database of a schema this code knows."""
    try:
        revision = sqlite_files.read_revision(source)
    except sqlite3.DatabaseError as exc:
        raise sqlite_files.translate_error(exc, source_file) from exc
    if revision is None:
        raise StorageError(f"{source_file} is not a pmtool database")
    if revision not in schema.KNOWN_REVISIONS:
        schema.check_revision(revision, str(source_file))
    try:
        problems = [row[0] for row in source.execute("PRAGMA integrity_check(5)")]
        dangling = source.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"{source_file} is damaged ({exc}); nothing was restored") from exc
    if problems != ["ok"]:
        raise StorageError(
            f"{source_file} is damaged (integrity check: {problems[0]}); nothing was restored"
        )
    if dangling:
        raise StorageError(
            f"{source_file} is damaged ({len(dangling)} rows point at missing rows); "
            "nothing was restored"
        )


def restore_from(location: DatabaseLocation, source_file: Path) -> Path | None:
    """Replace the database with a backup, after checking the backup whole and backing
    up the current one."""
    if location.path is None:
        raise StorageError(
            "restoring server databases is done with the server's tools (pg_restore)"
        )
    if not source_file.is_file():
        raise StorageError(f"no backup file at {source_file}")
    holds_data = sqlite_files.is_regular_file(location.path) and location.path.stat().st_size > 0
    source = sqlite_files.connect(source_file, wal=False)
    try:
        _check_backup(source, source_file)
        if not holds_data:
            with sqlite_files.new_file_beside(location.path, replace_empty=True) as building:
                _copy(source, source_file, building, location.path)
            return None
        stamp = clock.utcnow().strftime("%Y%m%dT%H%M%SZ")
        safety_copy = location.path.with_name(f"{location.path.name}.before-restore-{stamp}.bak")
        backup_to(location, safety_copy)
        dispose_engines()
        destination = sqlite_files.connect(location.path)
        try:
            source.backup(destination)
        except sqlite3.Error as exc:
            raise sqlite_files.translate_error(exc, location.path) from exc
        finally:
            destination.close()
        return safety_copy
    finally:
        source.close()
