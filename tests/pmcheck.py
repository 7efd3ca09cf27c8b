"""Assertions the CLI tests share: how a refusal looks, and what the database holds.

The database is read past pmtool, so a test sees what is really stored: with the
standard library's sqlite3, or with psycopg when the test runs on PostgreSQL (the
conftest calls :func:`use_server`). Values from the server come back in SQLite's
stored forms (ISO text for dates and times, 0/1 for booleans), so one assertion holds
on both backends.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from click.testing import Result


def error_line(result: Result, exit_code: int, *fragments: str) -> str:
    """The one ``Error: ...`` line of a failed command (click's usage lines may precede it)."""
    assert result.exit_code == exit_code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    return errors[0]


def refused(result: Result, exit_code: int, *fragments: str) -> str:
    """A refusal from pmtool itself: exactly one line on stderr, nothing on stdout."""
    line = error_line(result, exit_code, *fragments)
    assert result.stderr == line + "\n", result.stderr
    assert result.stdout == ""
    return line


_server: list[str] = []  # the PostgreSQL URL of the running test, if it runs on one


def use_server(url: str | None) -> None:
    """Read the test's database on this PostgreSQL server (None: back to SQLite files)."""
    _server.clear()
    if url is not None:
        _server.append(url)


def _as_sqlite_stores(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _server_connection() -> Any:
    """A psycopg connection to the running test's server database."""
    import psycopg

    _scheme, _, rest = _server[0].partition("://")
    return psycopg.connect(f"postgresql://{rest}")


def _server_query(statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    with _server_connection() as connection:
        cursor = connection.execute(statement.replace("%", "%%").replace("?", "%s"), params)
        rows = cursor.fetchall() if cursor.description else []
        return [tuple(_as_sqlite_stores(value) for value in row) for row in rows]


def on_server() -> bool:
    """Whether the running test's database is on PostgreSQL."""
    return bool(_server)


def execute(path: Path, *statements: str) -> None:
    """Change the database past pmtool (as someone with the file or a server login could).

    The statements run in one transaction; the backend's own error is raised as it is.
    """
    if _server:
        with _server_connection() as connection:
            for statement in statements:
                connection.execute(statement.replace("%", "%%"))
        return
    connection = sqlite3.connect(path)
    try:
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


def assert_intact(path: Path) -> None:
    """SQLite's own integrity check; a server checks its pages itself, so it must answer."""
    if _server:
        assert _server_query("SELECT 1", ()) == [(1,)]
        return
    assert query(path, "PRAGMA integrity_check") == [("ok",)]


def records(path: Path, statement: str) -> list[dict[str, Any]]:
    """Rows as dicts by column name, on either backend (values as SQLite stores them)."""
    if _server:
        with _server_connection() as connection:
            cursor = connection.execute(statement.replace("%", "%%"))
            names = [column.name for column in cursor.description or ()]
            return [
                dict(zip(names, map(_as_sqlite_stores, row), strict=True))
                for row in cursor.fetchall()
            ]
    connection = sqlite3.connect(path)
    try:
        cursor = connection.execute(statement)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        connection.close()


def query(path: Path, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    if _server:
        return _server_query(statement, params)
    assert path.exists(), f"no database at {path}"
    connection = sqlite3.connect(path)
    try:
        return connection.execute(statement, params).fetchall()
    finally:
        connection.close()


def count(path: Path, table: str) -> int:
    return int(query(path, f"SELECT COUNT(*) FROM {table}")[0][0])


def dump(path: Path) -> str | None:
    """Everything in the database as text (None when there is no file)."""
    if _server:
        tables = _server_query(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' ORDER BY table_name",
            (),
        )
        return "\n".join(
            f"{table}: {sorted(map(repr, _server_query(f'SELECT * FROM {table}', ())))}"
            for (table,) in tables
        )
    if not path.exists():
        return None
    connection = sqlite3.connect(path)
    try:
        return "\n".join(connection.iterdump())
    finally:
        connection.close()


def ok(result: Result) -> str:
    """The output of a command that must succeed."""
    assert result.exit_code == 0, (result.exit_code, result.output)
    return result.output
