"""Tasks as rows for lists, boards and exports (read side)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from pmtool.errors import InvalidInput, NotFound
from pmtool.services.read.sprints import sprint_record
from pmtool.services.read.text import escape_json
from pmtool.services.values import iso_date, iso_timestamp, labels_from_json
from pmtool.storage.reader import Reader, Row

# The JSON fields of a task, in order. Documented in docs/json-fields.md; keep stable.
TASK_FIELDS = (
    "key", "title", "status", "points", "sprint", "assignee", "labels", "due",
    "type", "priority", "parent", "project", "created", "updated",
)  # fmt: skip

_KEY = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]{1,9})-(\d{1,9})\s*$")

_SELECT = """
SELECT key, title, status, points, sprint, assignee, labels, due, type, priority, parent,
       project, created, updated
FROM v_task
"""


def parse_key(text: str) -> tuple[str, int]:
    """``PM-12`` as (``PM``, 12)."""
    match = _KEY.match(text)
    if not match:
        raise InvalidInput(f"{text!r} is not a task key; keys look like PM-12")
    return match.group(1).upper(), int(match.group(2))


def _to_output(values: Sequence[Any]) -> Row:
    row = dict(zip(TASK_FIELDS, values, strict=True))
    labels = row["labels"]
    row["labels"] = [] if labels == "[]" else labels_from_json(labels)
    row["due"] = iso_date(row["due"])
    row["created"] = iso_timestamp(row["created"])
    row["updated"] = iso_timestamp(row["updated"])
    return row


def sprint_id_by_name(reader: Reader, project_id: int, name: str) -> int | None:
    """The sprint's id; ``current``/``active`` mean the active one; ``none`` the backlog."""
    if name.strip().lower() in ("none", "backlog", "-"):
        return None
    return int(sprint_record(reader, project_id, name)["id"])


class TaskFilter(NamedTuple):
    """Which tasks a list shows; empty means all of the project's."""

    statuses: tuple[str, ...] = ()
    sprint: str | None = None
    assignee: str | None = None
    labels: tuple[str, ...] = ()
    overdue_on: date | None = None
    text: str | None = None


def list_tasks(reader: Reader, project_id: int, **filters: Any) -> list[Row]:
    """Tasks of a project in board order (status column, then rank), filtered."""
    where, params = _where(reader, project_id, TaskFilter(**filters))
    sql = f"{_SELECT} WHERE {where} ORDER BY status_position, rank, number"
    return [_to_output(values) for values in reader.tuples(sql, params)]


# The same fields and forms as _to_output and the CLI's JSON encoder (compact
# separators, keys in TASK_FIELDS order), built by SQLite's C JSON functions: for long
# lists this is several times faster than building and encoding dicts in Python.
_SQLITE_JSON_ROW = """
SELECT json_object('key', key, 'title', title, 'status', status, 'points', points,
                   'sprint', sprint, 'assignee', assignee, 'labels', json(labels), 'due', due,
                   'type', type, 'priority', priority, 'parent', parent, 'project', project,
                   'created', strftime('%Y-%m-%dT%H:%M:%SZ', created),
                   'updated', strftime('%Y-%m-%dT%H:%M:%SZ', updated))
FROM v_task
"""


def list_tasks_json(reader: Reader, project_id: int, **filters: Any) -> list[str] | None:
    """The rows of list_tasks as JSON texts, made by the database; None where it can't.

    SQLite escapes C0 controls as Python's encoder does; DEL, C1 and bidi controls are
    escaped here, as the CLI's encoder escapes them (see read/text.py).
    """
    if reader.dialect != "sqlite":
        return None
    where, params = _where(reader, project_id, TaskFilter(**filters))
    sql = f"{_SQLITE_JSON_ROW} WHERE {where} ORDER BY status_position, rank, number"
    return [escape_json(values[0]) for values in reader.tuples(sql, params)]


def like_pattern(text: str) -> str:
    """``%text%`` for ``LIKE ... ESCAPE '\\'``: a % or _ the user typed matches itself."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(reader: Reader, project_id: int, wanted: TaskFilter) -> tuple[str, dict[str, Any]]:
    statuses, sprint, assignee = wanted.statuses, wanted.sprint, wanted.assignee
    labels, overdue_on, text = wanted.labels, wanted.overdue_on, wanted.text
    conditions = ["project_id = :project"]
    params: dict[str, Any] = {"project": project_id}
    if statuses:
        known = {
            row[0]
            for row in reader.tuples(
                "SELECT name FROM workflow_column WHERE project_id = :p", {"p": project_id}
            )
        }
        for status in statuses:
            if status not in known:
                raise InvalidInput(
                    f"no status {status!r}; the statuses are: {', '.join(sorted(known))}"
                )
        names = [f":status{index}" for index in range(len(statuses))]
        conditions.append(f"status IN ({', '.join(names)})")
        params.update({f"status{index}": status for index, status in enumerate(statuses)})
    if sprint is not None:
        sprint_id = sprint_id_by_name(reader, project_id, sprint)
        if sprint_id is None:
            conditions.append("sprint_id IS NULL")
        else:
            conditions.append("sprint_id = :sprint")
            params["sprint"] = sprint_id
    if assignee is not None:
        if assignee.strip().lower() in ("none", "-"):
            conditions.append("assignee IS NULL")
        else:
            conditions.append("lower(assignee) = lower(:assignee)")
            params["assignee"] = assignee.strip()
    for index, label in enumerate(labels):
        params[f"label{index}"] = label
        if reader.dialect == "sqlite":
            conditions.append(
                f"EXISTS (SELECT 1 FROM json_each(labels) WHERE value = :label{index})"
            )
        else:
            conditions.append(f"CAST(labels AS jsonb) ? :label{index}")
    if overdue_on is not None:
        conditions.append("due < :today AND NOT is_done")
        params["today"] = overdue_on.isoformat()
    if text:
        conditions.append("(lower(title) LIKE :text ESCAPE '\\' OR lower(key) = lower(:exact))")
        params["text"] = like_pattern(text.strip().lower())
        params["exact"] = text.strip()
    return " AND ".join(conditions), params


def task_row(reader: Reader, key: str) -> Row:
    """One task with its description and the keys of its subtasks."""
    project_key, number = parse_key(key)
    found = reader.tuples(
        f"{_SELECT} WHERE project = :project AND number = :number",
        {"project": project_key, "number": number},
    )
    if not found:
        raise NotFound(f"no task {project_key}-{number}")
    row = _to_output(found[0])
    row["description"] = reader.tuples(
        "SELECT description FROM v_task WHERE project = :p AND number = :n",
        {"p": project_key, "n": number},
    )[0][0]
    row["subtasks"] = [
        values[0]
        for values in reader.tuples(
            "SELECT key FROM v_task WHERE parent = :key ORDER BY number", {"key": row["key"]}
        )
    ]
    return row


def task_id(reader: Reader, key: str) -> int:
    project_key, number = parse_key(key)
    found = reader.tuples(
        "SELECT t.id FROM task t JOIN project p ON p.id = t.project_id "
        "WHERE p.key = :p AND t.number = :n",
        {"p": project_key, "n": number},
    )
    if not found:
        raise NotFound(f"no task {project_key}-{number}")
    return int(found[0][0])
