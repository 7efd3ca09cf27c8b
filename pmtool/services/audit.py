"""Undo: a command's audit rows replayed backwards, as new audited changes.

The gateway (``pmtool/storage/gateway.py``) writes the trail; this module reads it
back. Nothing is deleted from the history: undoing writes new rows, and marks the
command as undone.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from pmtool.core.errors import Conflict, Refused
from pmtool.storage.gateway import Gateway, audit_text, entity_table, from_audit
from pmtool.storage.tables import Table


class UndoResult(NamedTuple):
    command_id: int
    summary: str
    changes: int
    actor: str


def undo_last_command(gw: Gateway, *, anyone: bool = False) -> UndoResult:
    """Revert your newest command not yet undone (``anyone``: whoever made it).

    Refuses, writing nothing, when a later command changed the same fields, or when the
    command touched something this pmtool cannot replay.
    """
    mine = "" if anyone else " AND actor = :actor"
    found = gw.reader.rows(
        "SELECT id, actor, summary FROM command WHERE undo_of IS NULL AND undone_by IS NULL"
        f"{mine} ORDER BY id DESC LIMIT 1",
        {"actor": gw.actor},
    )
    if not found:
        if not anyone and gw.reader.tuples(
            "SELECT 1 FROM command WHERE undo_of IS NULL AND undone_by IS NULL LIMIT 1"
        ):
            raise Refused(
                f"nothing of yours ({gw.actor}) to undo; `pmtool undo --anyone` undoes "
                "the newest command of anyone"
            )
        raise Refused("nothing to undo")
    target = found[0]
    entries = gw.reader.rows(
        "SELECT entity, entity_id, action, field, old, new FROM audit "
        "WHERE command_id = :c ORDER BY id DESC",
        {"c": target["id"]},
    )
    gw.summary = f"undo #{target['id']}: {target['summary']}"
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
            gw.insert(table.name, {n: v for n, v in snapshot.items() if n in table.kinds})
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
        if audit_text(kind, current[0][0]) != entry["new"]:
            raise Conflict(
                f"cannot undo #{target['id']}: {entry['entity']} {entry['entity_id']} "
                f"{field} was changed since"
            )
        gw.update(table.name, key, {field: from_audit(kind, entry["old"])})
    if gw.command_id is None:
        raise Refused(
            f"command #{target['id']} ({target['summary']}) changed nothing that can be undone"
        )
    gw.mark_undone(target["id"])
    return UndoResult(target["id"], target["summary"], changes, target["actor"])


def _entity_key(table: Table, entity_id: str) -> Any:
    return int(entity_id) if table.kinds[table.key] == "int" else entity_id


def _exists(gw: Gateway, table: Table, key: Any) -> bool:
    return bool(
        gw.reader.tuples(f'SELECT 1 FROM {table.name} WHERE "{table.key}" = :key', {"key": key})
    )
