"""The one write path: audited inserts, updates and deletes in one transaction.

Every change a service makes goes through a :class:`Gateway`: it writes the row, and in
the same transaction the command row (who, when, which command line) and one audit row
per changed field (old and new value), chained by a hash that `pmtool db check`
verifies. No service can forget the audit rows, and undo can replay any command
backwards. Values of personal columns go to the trail sealed with the person's key
(``storage/personal.py``), so that erasing a person never touches the trail. Updates
check the row's ``version`` (optimistic concurrency): a stale version is refused as a
conflict and nothing is written.

SQLite runs on the standard library (``sqlite3``, ``BEGIN IMMEDIATE`` so that writers
queue instead of failing halfway); PostgreSQL on psycopg with the same SQL, ``?``
placeholders translated and an advisory lock in place of ``BEGIN IMMEDIATE``. Neither
imports SQLAlchemy or SQLModel.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from pmtool.core import clock
from pmtool.core.errors import Conflict, PmError, Refused, StorageError
from pmtool.core.values import iso_date, iso_timestamp, parse_timestamp
from pmtool.storage import personal, schema
from pmtool.storage import sqlite as sqlite_files
from pmtool.storage.location import DatabaseLocation
from pmtool.storage.reader import Reader, SqliteReader
from pmtool.storage.tables import BY_ENTITY, FACT_TABLES, TABLES, Kind, Table

try:  # the built-in SHA-256: hashlib would load OpenSSL first (~2 ms per command)
    from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]  # Python 3.12+
except ImportError:  # pragma: no cover - depends on the Python version
    try:
        from _sha256 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
    except ImportError:
        from hashlib import sha256  # type: ignore[assignment,unused-ignore]

# Any number: all pmtool writers of one PostgreSQL database take this advisory lock.
_POSTGRES_WRITE_LOCK = 7_146_001


def to_database(kind: Kind, value: Any, dialect: str) -> Any:
    """A Python value (or its ISO text) as the column stores it."""
    if value is None:
        return None
    if kind == "datetime":
        moment = parse_timestamp(value.replace("Z", "+00:00") if isinstance(value, str) else value)
        if dialect == "sqlite":
            # The form SQLAlchemy wrote before the gateway existed: keep one format.
            return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return moment
    if kind == "date":
        day = date.fromisoformat(value) if isinstance(value, str) else value
        return day.isoformat() if dialect == "sqlite" else day
    if kind == "bool":
        return int(bool(value)) if dialect == "sqlite" else bool(value)
    if kind == "float":
        return float(value)
    if kind == "int":
        return int(value)
    return value


def audit_text(kind: Kind, value: Any) -> str | None:
    """A value (Python or as stored) as audit text: JSON, ISO dates, None for NULL."""
    if value is None:
        return None
    if kind == "datetime":
        return json.dumps(iso_timestamp(value))
    if kind == "date":
        return json.dumps(iso_date(value))
    if kind == "bool":
        return json.dumps(bool(value))
    if kind == "float":
        return json.dumps(float(value))
    return json.dumps(value)


def from_audit(kind: Kind, text: str | None) -> Any:
    """Audit text back to a Python value (undo writes old values again)."""
    if text is None:
        return None
    value = json.loads(text)
    if value is None:
        return None
    if kind == "datetime":
        return parse_timestamp(str(value).replace("Z", "+00:00"))
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "bool":
        return bool(value)
    if kind == "float":
        return float(value)
    return value


def chain_hash(previous: str, row: tuple[Any, ...]) -> str:
    """The audit chain: SHA-256 over the previous link and this row's content.

    ``row`` is (command_id, at, actor, entity, entity_id, action, field, old, new); the
    time is normalised to ISO seconds so SQLite text and PostgreSQL timestamps agree.
    """
    command_id, at, *rest = row
    content = json.dumps([int(command_id), iso_timestamp(at), *rest], ensure_ascii=True)
    return sha256(f"{previous}\x1e{content}".encode()).hexdigest()


class Gateway:
    """The audited writes of one command, inside one open transaction."""

    def __init__(
        self, connection: Any, reader: Reader, *, dialect: str, actor: str, summary: str
    ) -> None:
        self._connection = connection
        self.reader = reader  # reads inside the same transaction see this command's writes
        self.dialect = dialect
        self.actor = actor
        self.summary = summary
        self.undo_of: int | None = None
        self.command_id: int | None = None
        self._at: str | datetime | None = None
        self._last_link: str | None = None
        self._secrets: dict[str, bytes] = {}  # personal keys this command used

    # -- rows ------------------------------------------------------------------------

    def insert(self, table_name: str, values: Mapping[str, Any]) -> Any:
        """Insert a row and audit each of its values; returns the row's key."""
        table = TABLES[table_name]
        row = dict(values)
        if "version" in table.kinds:
            row.setdefault("version", 1)
        self._check_columns(table, row)
        names = list(row)
        sql = (
            f"INSERT INTO {table.name} ({', '.join(_quoted(n) for n in names)}) "
            f"VALUES ({', '.join('?' for _ in names)}) RETURNING {_quoted(table.key)}"
        )
        params = tuple(to_database(table.kinds[n], row[n], self.dialect) for n in names)
        key = self._execute(sql, params).fetchone()[0]
        self._audit(
            [
                (
                    table.entity,
                    str(key),
                    "create",
                    name,
                    None,
                    self._trail_value(table, key, name, audit_text(table.kinds[name], value)),
                )
                for name, value in row.items()
                if value is not None
                and not (table.generated_key and name == table.key)
                and name not in table.unaudited
            ]
        )
        return key

    def update(
        self,
        table_name: str,
        key: Any,
        changes: Mapping[str, Any],
        *,
        version: int | None = None,
        what: str | None = None,
        erasing: bool = False,
    ) -> dict[str, tuple[Any, Any]]:
        """Change some columns of one row; returns {column: (old, new)} of real changes.

        ``version`` is the version the caller read: if the row has moved on since, the
        update is refused with a Conflict and nothing is written. ``erasing`` (only from
        :meth:`erase_personal`): the new values are tombstones, kept in the clear.
        """
        table = TABLES[table_name]
        self._check_columns(table, changes)
        label = what or f"{table.entity} {key}"
        names = list(changes)
        found = self._execute(
            f"SELECT {', '.join(_quoted(n) for n in names)}, version FROM {table.name} "
            f"WHERE {_quoted(table.key)} = ?",
            (key,),
        ).fetchone()
        if found is None:
            raise Conflict(f"{label} was removed by someone else; nothing was changed")
        current_version = int(found[-1])
        if version is not None and version != current_version:
            raise Conflict(f"{label} was changed by someone else since you read it; reload it")
        changed: dict[str, tuple[Any, Any]] = {}
        for name, old in zip(names, found, strict=False):
            kind = table.kinds[name]
            if audit_text(kind, old) != audit_text(kind, changes[name]):
                changed[name] = (old, changes[name])
        if not changed:
            return {}
        assignments = ", ".join(f"{_quoted(n)} = ?" for n in changed)
        params = tuple(
            to_database(table.kinds[n], new, self.dialect) for n, (_, new) in changed.items()
        )
        cursor = self._execute(
            f"UPDATE {table.name} SET {assignments}, version = version + 1 "
            f"WHERE {_quoted(table.key)} = ? AND version = ?",
            (*params, key, current_version),
        )
        if cursor.rowcount != 1:
            raise Conflict(f"{label} was changed by someone else at the same time; try again")
        self._audit(
            [
                (
                    table.entity,
                    str(key),
                    "update",
                    name,
                    self._trail_value(table, key, name, audit_text(table.kinds[name], old)),
                    audit_text(table.kinds[name], new)
                    if erasing
                    else self._trail_value(table, key, name, audit_text(table.kinds[name], new)),
                )
                for name, (old, new) in changed.items()
                if name not in table.unaudited
            ]
        )
        return changed

    def delete(self, table_name: str, key: Any) -> None:
        """Delete one row; the trail keeps every value it had (undo puts it back)."""
        table = TABLES[table_name]
        found = self.reader.rows(
            f"SELECT * FROM {table.name} WHERE {_quoted(table.key)} = :key", {"key": key}
        )
        if not found:
            raise Conflict(f"the {table.entity} {key} was removed by someone else")
        snapshot = {
            name: json.loads(self._trail_value(table, key, name, text) or "null")
            if (text := audit_text(table.kinds[name], value))
            else None
            for name, value in found[0].items()
            if name in table.kinds
        }
        self._execute(f"DELETE FROM {table.name} WHERE {_quoted(table.key)} = ?", (key,))
        self._audit([(table.entity, str(key), "delete", None, json.dumps(snapshot), None)])

    def insert_facts(
        self,
        table_name: str,
        columns: tuple[str, ...],
        rows: list[tuple[Any, ...]],
        *,
        conflict: tuple[str, ...],
        update: tuple[str, ...] = (),
    ) -> int:
        """Insert many rows of a fact table (``FACT_TABLES``) in one statement, unaudited.

        Values must be as the column stores them already (no conversion per value: this
        is the bulk path). A row whose ``conflict`` columns exist already is left alone,
        or has its ``update`` columns set from the new row. Returns the rows changed.
        """
        table = FACT_TABLES[table_name]
        self._check_columns(table, dict.fromkeys(columns))
        on_conflict = (
            "DO UPDATE SET " + ", ".join(f"{_quoted(n)} = excluded.{_quoted(n)}" for n in update)
            if update
            else "DO NOTHING"
        )
        if not rows:
            return 0
        return self._execute_many(
            f"INSERT INTO {table.name} ({', '.join(_quoted(n) for n in columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)}) "
            f"ON CONFLICT ({', '.join(_quoted(n) for n in conflict)}) {on_conflict}",
            rows,
        )

    def note(self, entity: str, entity_id: Any, field: str, text: str) -> None:
        """Record a fact that is not a column change (e.g. a WIP limit overridden)."""
        self._audit([(entity, str(entity_id), "note", field, None, json.dumps(text))])

    def erase_personal(
        self, table_name: str, key: Any, tombstones: Mapping[str, Any], *, what: str
    ) -> dict[str, tuple[Any, Any]]:
        """Erase a row's personal data for good (GDPR Art. 17).

        The personal columns get ``tombstones`` (e.g. "forgotten #12" or None), the old
        values go to the trail sealed as always, and then the row's key is deleted, so
        no earlier or later audit row of this person can be opened again. The trail
        itself is not touched: it stays append-only and its chain verifies. The caller
        scrubs the file after the commit (:func:`personal.scrub`).
        """
        table = TABLES[table_name]
        if set(tombstones) != set(table.personal):
            raise ValueError(f"erasing {table.name} needs a tombstone for each personal column")
        changed = self.update(table_name, key, tombstones, what=what, erasing=True)
        subject = personal.subject_of(table.entity, key)
        self._execute("DELETE FROM personal_key WHERE subject = ?", (subject,))
        self._secrets.pop(subject, None)
        self.note(table.entity, key, "personal data", "erased")
        return changed

    def open_audit(self, text: str | None) -> str | None:
        """Audit text as written, a sealed personal value opened (undo replays it).

        Refused when the person's key is gone: erased data cannot come back.
        """
        if not personal.is_sealed(text):
            return text
        assert text is not None
        subject = personal.sealed_subject(text)
        secret = self._secret(subject, create=False)
        if secret is None:
            raise Refused(
                f"the personal data of {subject.replace(':', ' #')} was erased; a change "
                "that held it cannot be replayed; nothing was changed"
            )
        return personal.unseal(secret, text)

    def _trail_value(self, table: Table, key: Any, name: str, text: str | None) -> str | None:
        """What the trail keeps of a value: personal values sealed with the row's key."""
        if text is None or name not in table.personal or personal.is_sealed(text):
            return text
        subject = personal.subject_of(table.entity, key)
        secret = self._secret(subject, create=True)
        assert secret is not None
        return personal.seal(secret, subject, text)

    def _secret(self, subject: str, *, create: bool) -> bytes | None:
        if subject in self._secrets:
            return self._secrets[subject]
        found = self._execute(
            "SELECT secret FROM personal_key WHERE subject = ?", (subject,)
        ).fetchone()
        if found is not None:
            secret = bytes.fromhex(found[0])
        elif create:
            secret = personal.new_secret()
            self._execute(
                "INSERT INTO personal_key (subject, secret, created_at) VALUES (?, ?, ?)",
                (subject, secret.hex(), to_database("datetime", clock.utcnow(), self.dialect)),
            )
        else:
            return None
        self._secrets[subject] = secret
        return secret

    def mark_undone(self, command_id: int) -> None:
        """Mark an earlier command as undone by this one (its own rows exist by now)."""
        if self.command_id is None:
            raise RuntimeError("an undo writes its own changes before marking the command")
        cursor = self._execute(
            "UPDATE command SET undone_by = ? WHERE id = ? AND undone_by IS NULL",
            (self.command_id, command_id),
        )
        if cursor.rowcount != 1:
            raise Conflict(f"command #{command_id} was undone by someone else meanwhile")

    # -- the trail -------------------------------------------------------------------

    def _audit(
        self, entries: list[tuple[str, str, str, str | None, str | None, str | None]]
    ) -> None:
        if not entries:
            return
        command_id = self._command_id()
        if self._last_link is None:
            found = self._execute(
                "SELECT chain FROM audit WHERE chain IS NOT NULL ORDER BY id DESC LIMIT 1", ()
            ).fetchone()
            self._last_link = found[0] if found else ""
        rows = []
        for entity, entity_id, action, field, old, new in entries:
            content = (command_id, self._at, self.actor, entity, entity_id, action, field, old, new)
            self._last_link = chain_hash(self._last_link, content)
            rows.append((*content, self._last_link))
        self._execute_many(
            "INSERT INTO audit (command_id, at, actor, entity, entity_id, action, field, old, "
            "new, chain) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def _command_id(self) -> int:
        if self.command_id is None:
            self._at = to_database("datetime", clock.utcnow(), self.dialect)
            found = self._execute(
                "INSERT INTO command (at, actor, summary, undo_of) VALUES (?, ?, ?, ?) "
                "RETURNING id",
                (self._at, self.actor, self.summary, self.undo_of),
            ).fetchone()
            self.command_id = int(found[0])
        return self.command_id

    # -- SQL ---------------------------------------------------------------------------

    def _execute(self, sql: str, params: tuple[Any, ...]) -> Any:
        if self.dialect != "sqlite":
            sql = sql.replace("?", "%s")
        return self._connection.execute(sql, params)

    def _execute_many(self, sql: str, rows: list[tuple[Any, ...]]) -> int:
        """Run one statement per row; returns how many rows it changed in all."""
        if self.dialect == "sqlite":
            return int(self._connection.executemany(sql, rows).rowcount)
        with self._connection.cursor() as cursor:
            cursor.executemany(sql.replace("?", "%s"), rows)
            return int(cursor.rowcount)

    @staticmethod
    def _check_columns(table: Table, values: Mapping[str, Any]) -> None:
        unknown = set(values) - set(table.kinds)
        if unknown:
            raise ValueError(f"{table.name} has no column {sorted(unknown)[0]!r}")


def _quoted(name: str) -> str:
    return f'"{name}"'


def entity_table(entity: str) -> Table | None:
    """The table an audit entity names, or None if this pmtool cannot replay it."""
    return BY_ENTITY.get(entity)


@contextmanager
def writing(location: DatabaseLocation, *, actor: str, summary: str) -> Iterator[Gateway]:
    """One command's writes: all of them are committed together, or none."""
    if location.file is not None:
        with _sqlite_unit(location.file, actor=actor, summary=summary) as gateway:
            yield gateway
    else:
        with _postgres_unit(location, actor=actor, summary=summary) as gateway:
            yield gateway


@contextmanager
def _sqlite_unit(path: str, *, actor: str, summary: str) -> Iterator[Gateway]:
    connection = sqlite_files.connect(path)
    try:
        try:
            # Take the write lock first, so two writers queue on busy_timeout instead
            # of one failing halfway through its transaction.
            connection.execute("BEGIN IMMEDIATE")
            schema.check_revision(sqlite_files.read_revision(connection), path)
        except sqlite3.Error as exc:
            raise sqlite_files.translate_error(exc, path) from exc
        gateway = Gateway(
            connection,
            SqliteReader(connection, path),
            dialect="sqlite",
            actor=actor,
            summary=summary,
        )
        try:
            yield gateway
            connection.execute("COMMIT")
        except sqlite3.IntegrityError as exc:
            raise Conflict(f"refused by the database: {_first_line(exc)}") from exc
        except sqlite3.Error as exc:
            raise sqlite_files.translate_error(exc, path) from exc
    finally:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        connection.close()


@contextmanager
def _postgres_unit(location: DatabaseLocation, *, actor: str, summary: str) -> Iterator[Gateway]:
    import psycopg

    from pmtool.storage.reader import PsycopgReader, connect_postgres

    connection = connect_postgres(location)
    try:
        try:
            # Wait for another writer as long as SQLite would, then give up cleanly.
            timeout_ms = int(sqlite_files.lock_timeout_s() * 1000)
            connection.execute(f"SET LOCAL lock_timeout = {timeout_ms}")
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (_POSTGRES_WRITE_LOCK,))
            found = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except psycopg.errors.LockNotAvailable as exc:
            raise Conflict(
                f"the database {location.describe()} stayed locked by another writer for "
                f"{sqlite_files.lock_timeout_s():g} s; nothing was changed, try again"
            ) from exc
        except psycopg.Error as exc:
            raise StorageError(f"cannot write {location.describe()}: {_first_line(exc)}") from exc
        schema.check_revision(found[0] if found else None, location.describe())
        gateway = Gateway(
            connection,
            PsycopgReader(connection),
            dialect="postgresql",
            actor=actor,
            summary=summary,
        )
        try:
            yield gateway
            connection.commit()
        except psycopg.errors.IntegrityError as exc:
            raise Conflict(f"refused by the database: {_first_line(exc)}") from exc
        except psycopg.errors.InsufficientPrivilege as exc:
            raise StorageError(
                f"cannot write {location.describe()}: {_first_line(exc)}"
                " (this login may only read); nothing was changed"
            ) from exc
        except psycopg.Error as exc:
            if isinstance(exc, PmError):
                raise
            raise StorageError(f"database error: {_first_line(exc)}") from exc
    finally:
        connection.rollback()
        connection.close()


def _first_line(error: object) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def verify_audit_chain(reader: Reader) -> tuple[int, str | None]:
    """Recompute the audit trail's hash chain: (rows checked, the first problem or None).

    Rows written before the chain existed (schema 0001) have none and come first; after
    the first chained row every row must carry the link that its content and its
    predecessor give, so an edited, inserted or deleted row shows.
    """
    previous = ""
    checked = 0
    chained = False
    for row in reader.stream(
        "SELECT id, command_id, at, actor, entity, entity_id, action, field, old, new, chain "
        "FROM audit ORDER BY id"
    ):
        audit_id, link = row[0], row[-1]
        if link is None:
            if chained:
                return checked, f"audit row {audit_id} has no chain link (rows were altered)"
            continue
        chained = True
        expected = chain_hash(previous, tuple(row[1:-1]))
        if link != expected:
            return checked, f"audit row {audit_id} does not match its chain (rows were altered)"
        previous = link
        checked += 1
    return checked, None
