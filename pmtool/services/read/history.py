"""The audit trail as readable rows: what changed, when, by whom, in which command."""

from __future__ import annotations

import json
from typing import Any

from pmtool.core.values import decode, iso_timestamp
from pmtool.services import resolve
from pmtool.storage import personal
from pmtool.storage.reader import Reader, Row

HISTORY_FIELDS = (
    "id",
    "at",
    "actor",
    "command",
    "summary",
    "entity",
    "action",
    "field",
    "old",
    "new",
)


# A created row is shown once, by its title or name; ranks are bookkeeping.
_SHOWN_CHANGES = """
    (a.action <> 'create' OR a.field IN ('title', 'name', 'value'))
    AND (a.field IS NULL OR a.field <> 'rank')
"""


# Foreign keys in the trail are shown by name: (label, table, SQL for the name).
_REFERENCES = {
    "sprint_id": ("sprint", "SELECT id, name FROM sprint"),
    "assignee_id": ("assignee", "SELECT id, name FROM member"),
    "parent_id": (
        "parent",
        "SELECT t.id, p.key || '-' || t.number FROM task t JOIN project p ON p.id = t.project_id",
    ),
}


def _reference_names(reader: Reader, rows: list[Row]) -> dict[tuple[str, str], str]:
    wanted: dict[str, set[int]] = {}
    for row in rows:
        if row["field"] in _REFERENCES:
            for value in (row["old"], row["new"]):
                if value is not None:
                    wanted.setdefault(row["field"], set()).add(int(decode(value)))
    names: dict[tuple[str, str], str] = {}
    for field, ids in wanted.items():
        sql = _REFERENCES[field][1]
        for found_id, name in reader.tuples(sql):
            if found_id in ids:
                names[(field, str(found_id))] = name
    return names


def _shown(value: str | None) -> Any:
    if personal.is_sealed(value):
        return personal.SHOWN_SEALED
    decoded = decode(value)
    if isinstance(decoded, list):
        return ", ".join(str(item) for item in decoded)
    return decoded


def history(
    reader: Reader,
    *,
    task_key: str | None = None,
    limit: int = 50,
    include_personal: bool = False,
) -> list[Row]:
    """Newest first. Task ids are shown as their keys; undone commands are marked.

    Personal values (sealed in the trail) show as "(personal)"; ``include_personal``
    opens those whose person has not been forgotten.
    """
    conditions = [_SHOWN_CHANGES]
    params: dict[str, Any] = {"limit": limit}
    if task_key is not None:
        conditions.append("a.entity = 'task' AND a.entity_id = :entity_id")
        params["entity_id"] = str(resolve.task_id_any(reader, task_key))
    # SQLite: compare as integers so the primary-key index is used; elsewhere as text,
    # because entity ids of settings are not numbers.
    if reader.dialect == "sqlite":
        id_match = "{alias}.id = CAST(a.entity_id AS INTEGER)"
    else:
        id_match = "CAST({alias}.id AS TEXT) = a.entity_id"
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    rows = reader.rows(
        f"""
        SELECT a.id, a.at, a.actor, a.command_id, c.summary, c.undone_by, a.entity,
               a.entity_id, a.action, a.field, a.old, a.new,
               p.key || '-' || t.number AS task_key, pr.key AS project_key,
               s.name AS sprint_name, m.name AS member_name
        FROM audit a
        JOIN command c ON c.id = a.command_id
        LEFT JOIN task t ON a.entity = 'task' AND {id_match.format(alias="t")}
        LEFT JOIN project p ON p.id = t.project_id
        LEFT JOIN project pr ON a.entity = 'project' AND {id_match.format(alias="pr")}
        LEFT JOIN sprint s ON a.entity = 'sprint' AND {id_match.format(alias="s")}
        LEFT JOIN member m ON a.entity = 'member' AND {id_match.format(alias="m")}
        {where}
        ORDER BY a.id DESC LIMIT :limit
        """,
        params,
    )
    if include_personal:
        _open_sealed(reader, rows)
    names = _reference_names(reader, rows)
    gone = _removed_names(reader, rows)
    result: list[Row] = []
    for row in rows:
        name = (
            row["task_key"]
            or gone.get((row["entity"], row["entity_id"]))
            or row["project_key"]
            or row["sprint_name"]
            or row["member_name"]
            or row["entity_id"]
        )
        summary = row["summary"] + (" (undone)" if row["undone_by"] else "")
        result.append(
            {
                "id": row["id"],
                "at": iso_timestamp(row["at"]),
                "actor": row["actor"],
                "command": row["command_id"],
                "summary": summary,
                "entity": f"{row['entity']} {name}",
                "action": row["action"],
                "field": None
                if row["action"] == "create"
                else _REFERENCES.get(row["field"], (row["field"],))[0],
                "old": _removed_value(row["old"])
                if row["action"] == "delete"
                else names.get((row["field"], row["old"]), _shown(row["old"])),
                "new": names.get((row["field"], row["new"]), _shown(row["new"])),
            }
        )
    return result


def _open_sealed(reader: Reader, rows: list[Row]) -> None:
    """Replace sealed values by what they hold, where the person's key still exists."""
    for row in rows:
        for side in ("old", "new"):
            if personal.is_sealed(row[side]):
                row[side] = personal.open_for_reading(reader, row[side]) or row[side]
        if row["action"] == "delete" and row["old"]:
            snapshot = decode(row["old"])
            if isinstance(snapshot, dict):
                for name, value in snapshot.items():
                    if isinstance(value, dict) and "personal" in value:
                        opened = personal.open_for_reading(reader, json.dumps(value))
                        snapshot[name] = decode(opened) if opened else personal.SHOWN_SEALED
                row["old"] = json.dumps(snapshot)


def _removed_names(reader: Reader, rows: list[Row]) -> dict[tuple[str, str], str]:
    """Names of rows that no longer exist (a creation undone), read from the trail.

    Tasks get their key back from the project and number they were created with;
    sprints, members and projects their name.
    """
    missing = {
        (row["entity"], row["entity_id"])
        for row in rows
        if not (row["task_key"] or row["project_key"] or row["sprint_name"] or row["member_name"])
        and row["entity"] in ("task", "sprint", "member", "project")
    }
    names: dict[tuple[str, str], str] = {}
    for entity, entity_id in missing:
        created = {
            field: decode(new)
            for field, new in reader.tuples(
                "SELECT field, new FROM audit WHERE entity = :e AND entity_id = :id "
                "AND action = 'create' AND field IN ('project_id', 'number', 'name', 'key')",
                {"e": entity, "id": entity_id},
            )
        }
        if entity == "task" and "number" in created:
            project = reader.tuples(
                "SELECT key FROM project WHERE id = :id", {"id": created.get("project_id")}
            )
            if project:
                names[(entity, entity_id)] = f"{project[0][0]}-{created['number']}"
        elif isinstance(created.get("name"), dict):
            names[(entity, entity_id)] = f"#{entity_id}"  # a person: the name is sealed
        elif created.get("key") or created.get("name"):
            names[(entity, entity_id)] = str(created.get("key") or created.get("name"))
    return names


def _removed_value(snapshot_text: str | None) -> Any:
    """A deleted row as what people know it by (its title or name), not a row dump."""
    snapshot = decode(snapshot_text)
    if not isinstance(snapshot, dict):
        return snapshot
    for field in ("title", "name", "value", "key"):
        if isinstance(snapshot.get(field), dict):
            return personal.SHOWN_SEALED
        if snapshot.get(field) is not None:
            return snapshot[field]
    return None
