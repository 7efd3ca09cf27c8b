"""`pmtool db copy`: move a whole workspace between SQLite and PostgreSQL, verified.

The target is brought to the current schema by the migrations, then every table is
copied row by row, ids included, in the order the foreign keys need, inside one
transaction. Before that transaction commits, each table's row count and a checksum of
its content are compared with the source, and the audit trail's hash chain is
recomputed on the target: a copy that does not match is rolled back, so the target is
either a faithful copy or holds no rows. A SQLite target is built beside its path and
moved into place only when it is whole.

Values travel by column kind (read from the target's declared column types), so dates,
times and booleans keep their meaning between SQLite's text and PostgreSQL's types.
Standard library and psycopg only, like the rest of the write path.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmtool.core.errors import Conflict, StorageError
from pmtool.storage import schema
from pmtool.storage import sqlite as sqlite_files
from pmtool.storage.gateway import audit_text, sha256, to_database, verify_audit_chain
from pmtool.storage.location import DatabaseLocation
from pmtool.storage.reader import Reader, open_reader
from pmtool.storage.tables import Kind

_BATCH = 1000
_NOT_COPIED = frozenset({"alembic_version"})  # the target's own, written by its migrations


@dataclass
class TableCopy:
    name: str
    rows: int
    checksum: str


@dataclass
class CopyReport:
    source: str
    target: str
    tables: list[TableCopy] = field(default_factory=list)
    audit_rows_checked: int = 0

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)


@dataclass(frozen=True)
class _Column:
    name: str
    kind: Kind
    is_json: bool = False


@dataclass(frozen=True)
class _TableShape:
    name: str
    columns: tuple[_Column, ...]
    parents: frozenset[str]  # tables its foreign keys point at (itself excluded)
    self_references: tuple[str, ...]  # columns pointing at its own rows (task.parent_id)
    serial: str | None  # the key column a PostgreSQL sequence feeds


def copy_database(source: DatabaseLocation, target: DatabaseLocation) -> CopyReport:
    """Copy every row of ``source`` into the empty database ``target`` and verify it."""
    if source.url == target.url or (source.file and source.file == target.file):
        raise StorageError("the source and the target are the same database")
    with _reader(source) as source_reader:
        revision = source_reader.tuples("SELECT version_num FROM alembic_version")
        schema.check_revision(revision[0][0] if revision else None, source.describe())
        report = CopyReport(source.describe(), target.describe())
        if target.path is None:
            _copy_to_server(source_reader, target, report)
        else:
            _copy_to_file(source_reader, target.path, report)
    return report


@contextmanager
def _reader(location: DatabaseLocation) -> Iterator[Reader]:
    reader = open_reader(location)
    try:
        yield reader
    finally:
        reader.close()


def _copy_to_file(source: Reader, path: Path, report: CopyReport) -> None:
    import sqlite3

    from pmtool.storage.migrate import build_schema

    if sqlite_files.is_regular_file(path) and path.stat().st_size > 0:
        raise Conflict(f"{path} already exists: copy into a new file (or move that one away)")
    with sqlite_files.new_file_beside(path, replace_empty=True) as building:
        build_schema(building)
        connection = sqlite_files.connect(building)
        try:
            connection.execute("BEGIN IMMEDIATE")
            # Foreign keys are checked when the copy commits, not row by row.
            connection.execute("PRAGMA defer_foreign_keys = ON")
            _copy_rows(source, _SqliteTarget(connection), report)
            connection.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StorageError(f"cannot copy into {path}: {exc}") from exc
        finally:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            connection.close()


def _copy_to_server(source: Reader, target: DatabaseLocation, report: CopyReport) -> None:
    import psycopg

    from pmtool.storage.migrate import current_revision, upgrade
    from pmtool.storage.reader import PsycopgReader, connect_postgres

    found = current_revision(target)
    if found is None:
        upgrade(target)
    else:
        schema.check_revision(found, target.describe())
    connection = connect_postgres(target)
    try:
        target_side = _ServerTarget(connection, PsycopgReader(connection))
        occupied = [name for name in target_side.table_names() if target_side.count(name)]
        if occupied:
            raise Conflict(
                f"{target.describe()} already holds a workspace (rows in {', '.join(occupied)}):"
                " copy into an empty database"
            )
        try:
            _copy_rows(source, target_side, report)
            connection.commit()
        except psycopg.Error as exc:
            raise StorageError(f"cannot copy into {target.describe()}: {exc}") from exc
    finally:
        connection.rollback()
        connection.close()


class _SqliteTarget:
    dialect = "sqlite"

    def __init__(self, connection: Any) -> None:
        from pmtool.storage.reader import SqliteReader

        self.connection = connection
        self.reader: Reader = SqliteReader(connection, "the copy")

    def table_names(self) -> list[str]:
        return _table_names(self.reader)

    def shape(self, table: str) -> _TableShape:
        info = self.reader.tuples(f"PRAGMA table_info({_quoted(table)})")
        columns = tuple(_column(str(row[1]), str(row[2])) for row in info)
        references = self.reader.tuples(f"PRAGMA foreign_key_list({_quoted(table)})")
        return _TableShape(
            table,
            columns,
            frozenset(str(row[2]) for row in references if row[2] != table),
            tuple(str(row[3]) for row in references if row[2] == table),
            next((str(row[1]) for row in info if row[5] == 1), None),
        )

    def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        names = ", ".join(_quoted(column) for column in columns)
        marks = ", ".join("?" for _ in columns)
        self.connection.executemany(
            f"INSERT INTO {_quoted(table)} ({names}) VALUES ({marks})", rows
        )

    def execute(self, sql: str, params: tuple[Any, ...]) -> None:
        self.connection.execute(sql, params)

    def count(self, table: str) -> int:
        return int(self.reader.tuples(f"SELECT COUNT(*) FROM {_quoted(table)}")[0][0])

    def finish_table(self, shape: _TableShape) -> None:
        """Nothing to do: SQLite's rowids continue after the highest id copied."""


class _ServerTarget(_SqliteTarget):
    dialect = "postgresql"

    def __init__(self, connection: Any, reader: Reader) -> None:
        self.connection = connection
        self.reader = reader

    def shape(self, table: str) -> _TableShape:
        columns = tuple(
            _column(str(row[0]), str(row[1]))
            for row in self.reader.tuples(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = :table "
                "ORDER BY ordinal_position",
                {"table": table},
            )
        )
        references = self.reader.tuples(
            "SELECT kcu.column_name, ccu.table_name "
            "FROM information_schema.table_constraints tc "
            "JOIN information_schema.key_column_usage kcu "
            "  ON kcu.constraint_name = tc.constraint_name "
            "  AND kcu.constraint_schema = tc.constraint_schema "
            "JOIN information_schema.constraint_column_usage ccu "
            "  ON ccu.constraint_name = tc.constraint_name "
            "  AND ccu.constraint_schema = tc.constraint_schema "
            "WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema() "
            "AND tc.table_name = :table",
            {"table": table},
        )
        serial = self.reader.tuples(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = :table "
            "AND (column_default LIKE 'nextval(%%' OR is_identity = 'YES')",
            {"table": table},
        )
        return _TableShape(
            table,
            columns,
            frozenset(str(row[1]) for row in references if row[1] != table),
            tuple(str(row[0]) for row in references if row[1] == table),
            str(serial[0][0]) if serial else None,
        )

    def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        names = ", ".join(_quoted(column) for column in columns)
        marks = ", ".join("%s" for _ in columns)
        with self.connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {_quoted(table)} ({names}) VALUES ({marks})", rows)

    def execute(self, sql: str, params: tuple[Any, ...]) -> None:
        self.connection.execute(sql.replace("?", "%s"), params)

    def finish_table(self, shape: _TableShape) -> None:
        """Move the table's sequence past the ids copied, so new rows get fresh ones."""
        if shape.serial is None:
            return
        column, table = _quoted(shape.serial), _quoted(shape.name)
        self.connection.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), "
            f"COALESCE((SELECT MAX({column}) FROM {table}), 1), "
            f"(SELECT COUNT(*) FROM {table}) > 0)",
            (shape.name, shape.serial),
        )


def _column(name: str, declared: str) -> _Column:
    """A column's kind from its declared type on either backend."""
    upper = declared.upper()
    if "BOOL" in upper:
        kind: Kind = "bool"
    elif "TIMESTAMP" in upper or "DATETIME" in upper:
        kind = "datetime"
    elif upper.startswith("DATE"):
        kind = "date"
    elif "INT" in upper:
        kind = "int"
    elif any(word in upper for word in ("FLOAT", "DOUBLE", "REAL", "NUMERIC", "DECIMAL")):
        kind = "float"
    else:
        kind = "text"
    return _Column(name, kind, is_json="JSON" in upper)


def _copy_rows(source: Reader, target: _SqliteTarget, report: CopyReport) -> None:
    shapes = {name: target.shape(name) for name in target.table_names()}
    missing = sorted(set(_table_names(source)) - set(shapes))
    if missing:
        raise StorageError(f"the target has no table {missing[0]}: is it at the same schema?")
    for shape in _in_dependency_order(shapes):
        copied = _copy_table(source, target, shape)
        report.tables.append(copied)
    checked, problem = verify_audit_chain(target.reader)
    if problem is not None:
        raise StorageError(f"the copy's audit trail does not verify: {problem}; nothing was kept")
    report.audit_rows_checked = checked


def _table_names(reader: Reader) -> list[str]:
    """The pmtool tables of a database (its own Alembic bookkeeping left out)."""
    from pmtool.storage.reader import SqliteReader

    if isinstance(reader, SqliteReader):
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    else:
        sql = (
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    return [str(row[0]) for row in reader.tuples(sql) if row[0] not in _NOT_COPIED]


def _in_dependency_order(shapes: dict[str, _TableShape]) -> list[_TableShape]:
    """Parents before children; a cycle between tables is a schema this copy cannot order."""
    ordered: list[_TableShape] = []
    placed: set[str] = set()
    waiting = dict(sorted(shapes.items()))
    while waiting:
        ready = [name for name, shape in waiting.items() if shape.parents <= placed]
        if not ready:
            raise StorageError(f"cannot order the tables {', '.join(waiting)} for copying")
        for name in ready:
            ordered.append(waiting.pop(name))
            placed.add(name)
    return ordered


def _copy_table(source: Reader, target: _SqliteTarget, shape: _TableShape) -> TableCopy:
    names = [column.name for column in shape.columns]
    key = shape.serial or names[0]
    select = ", ".join(_quoted(name) for name in names)
    deferred = [names.index(column) for column in shape.self_references]
    convert = _converter(shape.columns, target.dialect)
    source_digest = _Digest(shape.columns)
    later: list[tuple[Any, ...]] = []
    batch: list[tuple[Any, ...]] = []
    for row in source.stream(f"SELECT {select} FROM {_quoted(shape.name)} ORDER BY {key}"):
        source_digest.add(row)
        values = convert(row)
        if deferred and any(values[index] is not None for index in deferred):
            # Rows pointing at rows of their own table are linked once all exist.
            later.append(values)
            values = tuple(None if i in deferred else v for i, v in enumerate(values))
        batch.append(values)
        if len(batch) >= _BATCH:
            target.insert(shape.name, names, batch)
            batch = []
    if batch:
        target.insert(shape.name, names, batch)
    key_index = names.index(key)
    for values in later:
        assignments = ", ".join(f"{_quoted(names[i])} = ?" for i in deferred)
        target.execute(
            f"UPDATE {_quoted(shape.name)} SET {assignments} WHERE {_quoted(key)} = ?",
            (*(values[i] for i in deferred), values[key_index]),
        )
    target.finish_table(shape)
    target_digest = _Digest(shape.columns)
    for row in target.reader.stream(f"SELECT {select} FROM {_quoted(shape.name)}"):
        target_digest.add(row)
    if (target_digest.rows, target_digest.value()) != (source_digest.rows, source_digest.value()):
        raise StorageError(
            f"table {shape.name} differs after copying ({source_digest.rows} rows read, "
            f"{target_digest.rows} written); nothing was kept"
        )
    return TableCopy(shape.name, source_digest.rows, source_digest.value())


def _converter(
    columns: Sequence[_Column], dialect: str
) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    def convert(row: Sequence[Any]) -> tuple[Any, ...]:
        values = []
        for column, value in zip(columns, row, strict=True):
            if column.is_json and value is not None and not isinstance(value, str):
                value = json.dumps(value)
            values.append(to_database(column.kind, value, dialect))
        return tuple(values)

    return convert


class _Digest:
    """An order-independent checksum of a table's rows, the same on both backends."""

    def __init__(self, columns: Sequence[_Column]) -> None:
        self.columns = columns
        self.rows = 0
        self._row_hashes: list[str] = []

    def add(self, row: Sequence[Any]) -> None:
        texts = []
        for column, value in zip(self.columns, row, strict=True):
            if column.is_json and isinstance(value, str):
                value = json.loads(value)
            texts.append(audit_text(column.kind, value))
        self._row_hashes.append(sha256(json.dumps(texts).encode()).hexdigest())
        self.rows += 1

    def value(self) -> str:
        whole = sha256()
        for row_hash in sorted(self._row_hashes):
            whole.update(row_hash.encode())
        return str(whole.hexdigest())


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
