"""Assertions the CLI tests share: how a refusal looks, and what the database holds.

The database is read with the standard library's sqlite3, past pmtool, so a test sees
what is really stored.
"""

from __future__ import annotations

import sqlite3
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


def query(path: Path, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    assert path.exists(), f"no database at {path}"
    connection = sqlite3.connect(path)
    try:
        return connection.execute(statement, params).fetchall()
    finally:
        connection.close()


def count(path: Path, table: str) -> int:
    return int(query(path, f"SELECT COUNT(*) FROM {table}")[0][0])


def dump(path: Path) -> str | None:
    """Everything in the database as SQL text (None when there is no file)."""
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
