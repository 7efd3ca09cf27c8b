"""The fast read route: plain SQL over the views, no ORM objects.

SQLite is read through the standard library's ``sqlite3`` (a few milliseconds to
import); other databases through a SQLAlchemy Core connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from pmtool.errors import StorageError
from pmtool.storage import schema
from pmtool.storage import sqlite as sqlite_files
from pmtool.storage.location import DatabaseLocation

Row = dict[str, Any]


class Reader(Protocol):
    dialect: str

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]: ...

    def tuples(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Sequence[Any]]: ...

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

    def _execute(self, sql: str, params: Mapping[str, Any] | None) -> sqlite3.Cursor:
        try:
            return self._connection.execute(sql, params or {})
        except sqlite3.Error as exc:
            raise sqlite_files.translate_error(exc, self._where) from exc

    def close(self) -> None:
        self._connection.close()


class SqlAlchemyReader:
    """The same interface over a server database (team mode)."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine

        self._engine = create_engine(url)
        self.dialect = self._engine.dialect.name
        self._connection = self._engine.connect()

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        from sqlalchemy import text

        result = self._connection.execute(text(sql), dict(params or {}))
        return [dict(row._mapping) for row in result]

    def tuples(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Sequence[Any]]:
        from sqlalchemy import text

        return [tuple(row) for row in self._connection.execute(text(sql), dict(params or {}))]

    def close(self) -> None:
        self._connection.close()
        self._engine.dispose()


def open_reader(location: DatabaseLocation) -> Reader:
    """A reader on a database at the schema this code knows, or a StorageError."""
    if location.file is None:
        try:
            server_reader = SqlAlchemyReader(location.url)
            found = server_reader.rows("SELECT version_num FROM alembic_version")
        except Exception as exc:
            raise StorageError(f"cannot read {location.describe()}: {exc}") from exc
        schema.check_revision(found[0]["version_num"] if found else None, location.describe())
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
