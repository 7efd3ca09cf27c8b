"""The fast read route: plain SQL over the views, no ORM objects.

SQLite is read through the standard library's ``sqlite3`` (a few milliseconds to
import); PostgreSQL through psycopg. Neither imports SQLAlchemy.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from pmtool.core.errors import StorageError
from pmtool.storage import schema
from pmtool.storage import sqlite as sqlite_files
from pmtool.storage.location import DatabaseLocation

Row = dict[str, Any]
STREAM_BATCH = 500


class Reader(Protocol):
    dialect: str

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]: ...

    def tuples(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Sequence[Any]]: ...

    def stream(
        self, sql: str, params: Mapping[str, Any] | None = None
    ) -> Iterator[Sequence[Any]]: ...

    def close(self) -> None: ...


class SqliteReader:
    dialect = "sqlite"

    def __init__(self, connection: sqlite3.Connection, where: str) -> None:
        self._connection = connection
        self._where = where

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        cursor = self._execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]

    def tuples(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Sequence[Any]]:
        return self._execute(sql, params).fetchall()

    def stream(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[Sequence[Any]]:
        """Rows as the database produces them: long lists never sit in memory whole."""
        cursor = self._execute(sql, params)
        while batch := cursor.fetchmany(STREAM_BATCH):
            yield from batch

    def _execute(self, sql: str, params: Mapping[str, Any] | None) -> sqlite3.Cursor:
        try:
            return self._connection.execute(sql, params or {})
        except sqlite3.Error as exc:
            raise sqlite_files.translate_error(exc, self._where) from exc

    def close(self) -> None:
        self._connection.close()


class PsycopgReader:
    """The same interface over a PostgreSQL connection (team mode), through psycopg.

    Queries are written once with ``:name`` parameters; they become ``%(name)s``.
    """

    dialect = "postgresql"

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        cursor = self._connection.execute(_pyformat(sql), dict(params or {}))
        names = [column.name for column in cursor.description or ()]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]

    def tuples(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Sequence[Any]]:
        return list(self._connection.execute(_pyformat(sql), dict(params or {})).fetchall())

    def stream(self, sql: str, params: Mapping[str, Any] | None = None) -> Iterator[Sequence[Any]]:
        cursor = self._connection.execute(_pyformat(sql), dict(params or {}))
        while batch := cursor.fetchmany(STREAM_BATCH):
            yield from batch

    def close(self) -> None:
        self._connection.close()


_NAMED_PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def _pyformat(sql: str) -> str:
    return _NAMED_PARAMETER.sub(r"%(\1)s", sql.replace("%", "%%"))


def connect_postgres(location: DatabaseLocation) -> Any:
    """A psycopg connection for a ``postgresql[+psycopg]://`` URL."""
    try:
        import psycopg
    except ImportError as exc:
        raise StorageError(
            "a PostgreSQL database needs psycopg: pip install 'pmtool[postgres]'"
        ) from exc
    scheme, _, rest = location.url.partition("://")
    if not scheme.startswith("postgres"):
        raise StorageError(f"{location.describe()}: only SQLite files and PostgreSQL URLs work")
    try:
        # UTC sessions: times pmtool writes as text without a zone mean UTC, as on SQLite.
        return psycopg.connect(f"postgresql://{rest}", options="-c TimeZone=UTC")
    except psycopg.Error as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StorageError(f"cannot connect to {location.describe()}: {first_line}") from exc


def open_reader(location: DatabaseLocation) -> Reader:
    """A reader on a database at the schema this code knows, or a StorageError."""
    if location.file is None:
        server_reader = PsycopgReader(connect_postgres(location))
        try:
            found = server_reader.rows("SELECT version_num FROM alembic_version")
        except Exception as exc:
            server_reader.close()
            raise StorageError(f"cannot read {location.describe()}: {exc}") from exc
        try:
            schema.check_revision(found[0]["version_num"] if found else None, location.describe())
        except StorageError:
            server_reader.close()
            raise
        return server_reader
    connection = sqlite_files.connect(location.file)
    try:
        revision = sqlite_files.read_revision(connection)
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise sqlite_files.translate_error(exc, location.file) from exc
    try:
        schema.check_revision(revision, location.file)
    except StorageError:
        connection.close()
        raise
    return SqliteReader(connection, location.file)


@contextmanager
def reading(location: DatabaseLocation) -> Iterator[Reader]:
    """A reader for one command, closed afterwards."""
    reader = open_reader(location)
    try:
        yield reader
    finally:
        reader.close()
