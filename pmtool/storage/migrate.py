"""Creating and upgrading the schema with Alembic, and file backups around it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from pmtool.core import clock
from pmtool.core.errors import StorageError
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
    from sqlalchemy import inspect, text

    with get_engine(location).connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return None if found is None else str(found)


def upgrade(location: DatabaseLocation, target: str = "head") -> None:
    """Run the migrations up to ``target`` on an open engine connection."""
    from alembic import command
    from sqlalchemy import exc as sa_exc

    config = _alembic_config()
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
    """Create the database with the current schema; False if it already was current."""
    if location.path is not None:
        if location.path.exists():
            revision = current_revision(location)
            if revision is not None:
                schema.check_revision(revision, str(location.path))
                return False
            if location.path.stat().st_size > 0:
                raise StorageError(
                    f"{location.path} is an SQLite file but not a pmtool database; "
                    "choose another path"
                )
        else:
            if location.is_default:
                location.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            sqlite_files.create_private_file(location.path)
    elif current_revision(location) is not None:
        schema.check_revision(current_revision(location), location.describe())
        return False
    try:
        upgrade(location)
    except Exception:
        if location.path is not None and current_revision(location) is None:
            location.path.unlink(missing_ok=True)  # leave no half-made database behind
        raise
    return True


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
        backup_to(location, backup_path)
    upgrade(location)
    return revision, schema.HEAD_REVISION, backup_path


def backup_to(location: DatabaseLocation, target: Path) -> None:
    """A consistent copy of a SQLite database (the online backup API), mode 0600."""
    if location.path is None:
        raise StorageError("backups of server databases are made with the server's tools (pg_dump)")
    if target.exists():
        raise StorageError(f"{target} exists already; choose a new file name")
    source = sqlite_files.connect(location.path)
    try:
        if sqlite_files.read_revision(source) is None:
            raise StorageError(f"{location.path} is not a pmtool database")
        sqlite_files.create_private_file(target)
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    except sqlite3.Error as exc:
        target.unlink(missing_ok=True)
        raise sqlite_files.translate_error(exc, location.path) from exc
    finally:
        source.close()


def restore_from(location: DatabaseLocation, source_file: Path) -> Path | None:
    """Replace the database with a backup, after backing up the current one."""
    if location.path is None:
        raise StorageError(
            "restoring server databases is done with the server's tools (pg_restore)"
        )
    if not source_file.is_file():
        raise StorageError(f"no backup file at {source_file}")
    source = sqlite_files.connect(source_file, wal=False)
    try:
        try:
            revision = sqlite_files.read_revision(source)
        except sqlite3.DatabaseError as exc:
            raise sqlite_files.translate_error(exc, source_file) from exc
        if revision is None:
            raise StorageError(f"{source_file} is not a pmtool database")
        if revision not in schema.KNOWN_REVISIONS:
            schema.check_revision(revision, str(source_file))
        safety_copy = None
        if location.path.exists():
            stamp = clock.utcnow().strftime("%Y%m%dT%H%M%SZ")
            safety_copy = location.path.with_name(
                f"{location.path.name}.before-restore-{stamp}.bak"
            )
            backup_to(location, safety_copy)
        else:
            sqlite_files.create_private_file(location.path)
        dispose_engines()
        destination = sqlite_files.connect(location.path)
        try:
            source.backup(destination)
        finally:
            destination.close()
        return safety_copy
    finally:
        source.close()
