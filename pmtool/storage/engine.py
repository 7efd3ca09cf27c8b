"""One SQLAlchemy engine per process and database, with SQLite's pragmas and locking."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from pmtool.storage import sqlite as sqlite_files
from pmtool.storage.location import DatabaseLocation

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

_engines: dict[str, Engine] = {}


def get_engine(location: DatabaseLocation) -> Engine:
    engine = _engines.get(location.url)
    if engine is None:
        engine = _engines[location.url] = _create_engine(location)
    return engine


def _create_engine(location: DatabaseLocation) -> Engine:
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    if location.path is None:
        return create_engine(location.url, pool_pre_ping=True)

    path = location.path

    def open_connection() -> sqlite3.Connection:
        return sqlite_files.connect(path)

    # NullPool: a CLI command uses one connection; TUI workers open their own.
    engine = create_engine("sqlite://", creator=open_connection, poolclass=NullPool)

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        # Take the write lock at the start, so two writers queue on busy_timeout
        # instead of one failing halfway through its transaction.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def dispose_engines() -> None:
    """Close pooled connections and forget the engines (tests, TUI exit, restore)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
