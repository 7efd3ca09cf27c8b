"""Undo: a command's audit rows replayed backwards, as new audited changes.

The gateway (``pmtool/storage/gateway.py``) writes the trail; this module reads it
back. Nothing is deleted from the history: undoing writes new rows, and marks the
command as undone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NamedTuple

from pmtool.core.errors import Conflict, Refused
from pmtool.storage.gateway import Gateway, audit_text, entity_table, from_audit
from pmtool.storage.reader import Row
from pmtool.storage.tables import Table


class UndoResult(NamedTuple):
    command_id: int
    summary: str
    changes: int
    actor: str


def _depth(gw: Gateway, command: Row, cache: dict[int, int]) -> int:
    """How many undos deep a command is: 0 for ordinary work, 1 for an undo of it, 2 for
    a redo (the undo of that undo), and so on. Even depths carry the work's effect."""
    path: list[int] = []
    command_id = int(command["id"])
    undo_of = command["undo_of"]
    while undo_of is not None and command_id not in cache:
        path.append(command_id)
        command_id = int(undo_of)
        found = gw.reader.tuples("SELECT undo_of FROM command WHERE id = :id", {"id": command_id})
        undo_of = found[0][0] if found else None
    base = cache.setdefault(command_id, 0)
    for steps, undone_id in enumerate(reversed(path), start=1):
        cache[undone_id] = base + steps
    return cache[int(command["id"])]


def _work_of(gw: Gateway, command: Row) -> Row:
    """The ordinary command at the root of a chain of undos and redos."""
    root = command
    while root["undo_of"] is not None:
        root = gw.reader.rows(
            "SELECT id, summary, undo_of FROM command WHERE id = :id", {"id": root["undo_of"]}
        )[0]
    return root


def _newest_first(gw: Gateway, actor: str | None) -> Iterator[Row]:
    mine = "" if actor is None else " WHERE actor = :actor"
    sql = f"SELECT id, actor, summary, undo_of, undone_by FROM command{mine} ORDER BY id DESC"
    columns = ("id", "actor", "summary", "undo_of", "undone_by")
    for values in gw.reader.stream(sql, {"actor": actor}):
        yield dict(zip(columns, values, strict=True))


def undo_last_command(gw: Gateway, *, anyone: bool = False) -> UndoResult:
    """Revert your newest change not yet undone (``anyone``: whoever made it).

    A change is ordinary work or a redo; undos are taken back by redo. Refuses, writing
    nothing, when a later command changed the same fields, or when the command touched
    something this pmtool cannot replay.
    """
    depths: dict[int, int] = {}
    target = next(
        (
            command
            for command in _newest_first(gw, None if anyone else gw.actor)
            if command["undone_by"] is None and _depth(gw, command, depths) % 2 == 0
        ),
        None,
    )
    if target is None:
        if not anyone and any(
            command["undone_by"] is None and _depth(gw, command, depths) % 2 == 0
            for command in _newest_first(gw, None)
        ):
            raise Refused(
                f"nothing of yours ({gw.actor}) to undo; `pmtool undo --anyone` undoes "
                "the newest command of anyone"
            )
        raise Refused("nothing to undo")
    gw.summary = f"undo #{target['id']}: {target['summary']}"
    return _revert(gw, target)


def redo_last_undo(gw: Gateway) -> UndoResult:
    """Take back your newest undo (and, repeated, the ones before it).

    Only while nothing else of yours came after the undos: a redo after new work would
    replay changes into a state they were not made in.
    """
    depths: dict[int, int] = {}
    for command in _newest_first(gw, gw.actor):
        depth = _depth(gw, command, depths)
        if depth % 2 == 1:
            if command["undone_by"] is None:
                work = _work_of(gw, command)
                gw.summary = f"redo #{work['id']}: {work['summary']}"
                return _revert(gw, command)
            continue  # an undo already redone
        if depth == 0 and command["undone_by"] is None:
            break  # new work since the undos: nothing to redo
    raise Refused(f"nothing of yours ({gw.actor}) to redo: redo follows an undo")


def _revert(gw: Gateway, target: Row) -> UndoResult:
    """Write the opposite of every change ``target`` made, newest first, and mark it."""
    entries = gw.reader.rows(
        "SELECT entity, entity_id, action, field, old, new FROM audit "
        "WHERE command_id = :c ORDER BY id DESC",
        {"c": target["id"]},
    )
    gw.undo_of = target["id"]
    reverted_creations: set[tuple[str, str]] = set()
    changes = 0
    for entry in entries:
        if entry["action"] == "note":
            continue
        table = entity_table(entry["entity"])
        if table is None:
            raise Refused(
                f"cannot undo #{target['id']}: it changed a {entry['entity']}, which this "
                "pmtool cannot replay; nothing was changed"
            )
        changes += 1
        key = _entity_key(table, entry["entity_id"])
        if entry["action"] == "delete":
            snapshot = json.loads(entry["old"] or "{}")
            gw.insert(
                table.name,
                {n: _opened(gw, v) for n, v in snapshot.items() if n in table.kinds},
            )
            continue
        identity = (entry["entity"], entry["entity_id"])
        if entry["action"] == "create":
            if identity in reverted_creations:
                continue  # one entry per field; the row is already gone
            if not _exists(gw, table, key):
                raise Conflict(
                    f"cannot undo #{target['id']}: the {entry['entity']} it created is gone"
                )
            # Undoing a creation deletes the row: the trail keeps every value it had.
            reverted_creations.add(identity)
            gw.delete(table.name, key)
            continue
        field = entry["field"]
        current = gw.reader.tuples(
            f'SELECT "{field}" FROM {table.name} WHERE "{table.key}" = :key', {"key": key}
        )
        if not current:
            raise Conflict(f"cannot undo #{target['id']}: the {entry['entity']} it changed is gone")
        kind = table.kinds[field]
        if audit_text(kind, current[0][0]) != gw.open_audit(entry["new"]):
            raise Conflict(
                f"cannot undo #{target['id']}: {entry['entity']} {entry['entity_id']} "
                f"{field} was changed since"
            )
        gw.update(table.name, key, {field: from_audit(kind, gw.open_audit(entry["old"]))})
    if gw.command_id is None:
        raise Refused(
            f"command #{target['id']} ({target['summary']}) changed nothing that can be undone"
        )
    gw.mark_undone(target["id"])
    return UndoResult(target["id"], target["summary"], changes, target["actor"])


def _opened(gw: Gateway, value: Any) -> Any:
    """A value of a deleted row's snapshot, a sealed personal value opened."""
    if isinstance(value, dict) and "personal" in value:
        return json.loads(gw.open_audit(json.dumps(value)) or "null")
    return value


def _entity_key(table: Table, entity_id: str) -> Any:
    return int(entity_id) if table.kinds[table.key] == "int" else entity_id


def _exists(gw: Gateway, table: Table, key: Any) -> bool:
    return bool(
        gw.reader.tuples(f'SELECT 1 FROM {table.name} WHERE "{table.key}" = :key', {"key": key})
    )
