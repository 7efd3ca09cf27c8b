"""Tasks as rows for lists, boards and exports (read side)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, NamedTuple

from pmtool.core.errors import InvalidInput, NotFound
from pmtool.core.keys import parse_key
from pmtool.core.values import iso_date, iso_timestamp, labels_from_json
from pmtool.core.words import is_none_word
from pmtool.services import resolve
from pmtool.storage.reader import Reader, Row

# The JSON fields of a task, in order. Documented in docs/json-fields.md; keep stable.
TASK_FIELDS = (
    "key", "title", "status", "points", "sprint", "assignee", "labels", "due",
    "type", "priority", "parent", "project", "created", "updated",
)  # fmt: skip

_SELECT = """
SELECT key, title, status, points, sprint, assignee, labels, due, type, priority, parent,
       project, created, updated
FROM v_task
"""


def _to_output(values: Sequence[Any]) -> Row:
    row = dict(zip(TASK_FIELDS, values, strict=True))
    labels = row["labels"]
    row["labels"] = [] if labels == "[]" else labels_from_json(labels)
    row["due"] = iso_date(row["due"])
    row["created"] = iso_timestamp(row["created"])
    row["updated"] = iso_timestamp(row["updated"])
    return row


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
SQLITE_JSON_ROW = """
SELECT json_object('key', key, 'title', title, 'status', status, 'points', points,
                   'sprint', sprint, 'assignee', assignee, 'labels', json(labels), 'due', due,
                   'type', type, 'priority', priority, 'parent', parent, 'project', project,
                   'created', strftime('%Y-%m-%dT%H:%M:%SZ', created),
                   'updated', strftime('%Y-%m-%dT%H:%M:%SZ', updated))
FROM v_task
"""


def list_tasks_json(reader: Reader, project_id: int, **filters: Any) -> Iterator[str] | None:
    """The rows of list_tasks as JSON texts, made by the database and streamed as they
    come; None where the database can't.

    SQLite escapes C0 controls as Python's encoder does; DEL, C1 and bidi controls are
    left to the writer (``output.stream_json_array`` escapes them, see core/text.py).
    """
    if reader.dialect != "sqlite":
        return None
    where, params = _where(reader, project_id, TaskFilter(**filters))
    sql = f"{SQLITE_JSON_ROW} WHERE {where} ORDER BY status_position, rank, number"
    return (values[0] for values in reader.stream(sql, params))


def iter_tasks(reader: Reader, project_id: int, **filters: Any) -> Iterator[Row]:
    """list_tasks, streamed (CSV and JSON outputs write rows as they come)."""
    where, params = _where(reader, project_id, TaskFilter(**filters))
    sql = f"{_SELECT} WHERE {where} ORDER BY status_position, rank, number"
    return (_to_output(values) for values in reader.stream(sql, params))


def task_conditions(reader: Reader, project_id: int, **filters: Any) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (over v_task) and parameters of a filtered task list, for
    queries that read tasks in another shape (exports)."""
    return _where(reader, project_id, TaskFilter(**filters))


def iter_tasks_where(reader: Reader, where_and_order: str, params: dict[str, Any]) -> Iterator[Row]:
    """Tasks streamed for a clause from task_conditions (plus an ORDER BY)."""
    sql = f"{_SELECT} WHERE {where_and_order}"
    return (_to_output(values) for values in reader.stream(sql, params))


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
        sprint_id = resolve.sprint_id_or_backlog(reader, project_id, sprint)
        if sprint_id is None:
            conditions.append("sprint_id IS NULL")
        else:
            conditions.append("sprint_id = :sprint")
            params["sprint"] = sprint_id
    if assignee is not None:
        if is_none_word(assignee):
            conditions.append("assignee IS NULL")
        else:
            # The same resolver as `task edit --assignee`: a first name or prefix will do.
            conditions.append("assignee_id = :assignee")
            params["assignee"] = resolve.member(reader, assignee)["id"]
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
    """One task with its description, its version (for `task edit --if-version`) and the
    keys of its subtasks."""
    project_key, number = parse_key(key)
    found = reader.tuples(
        f"{_SELECT} WHERE project = :project AND number = :number",
        {"project": project_key, "number": number},
    )
    if not found:
        raise NotFound(f"no task {project_key}-{number}")
    row = _to_output(found[0])
    row["description"], row["version"] = reader.tuples(
        "SELECT t.description, t.version FROM task t JOIN project p ON p.id = t.project_id "
        "WHERE p.key = :p AND t.number = :n",
        {"p": project_key, "n": number},
    )[0]
    row["subtasks"] = [
        values[0]
        for values in reader.tuples(
            "SELECT key FROM v_task WHERE parent = :key ORDER BY number", {"key": row["key"]}
        )
    ]
    # The approvals it requires (`task edit --requires`), and what keeps it behind its
    # gates today (labels such as needs:ethics included).
    from pmtool.core import clock
    from pmtool.services.read import gates

    task_ids = reader.tuples(
        "SELECT id, project_id, labels FROM v_task WHERE key = :key", {"key": row["key"]}
    )
    task_id, project_id, labels = task_ids[0]
    row["requires"] = gates.required_approval_ids(reader, task_id)
    row["gates"] = [
        blocker["reason"]
        for blocker in gates.task_blockers(
            reader, {"id": task_id, "project_id": project_id, "labels": labels}, clock.today()
        )
    ]
    return row
