"""What needs attention: the registry behind `pmtool status` and the dashboard.

Each domain registers an :class:`AttentionSource`: a ``collect`` callable taking
``(reader, project_id, today)`` and returning items, and optionally a ``present``
check ``(reader, project_id) -> bool`` that says whether the domain is in use at all
(its table exists, it has rows), so ``collect`` only runs where it makes sense.
:func:`needs_attention` runs every source and orders the items.

An item is a dict with the fields of :data:`ITEM_FIELDS`, stable for scripts
(docs/json-fields.md):

``project``  the project key
``kind``     what it is: ``overdue_task``, ``sprint_ending``, ``wip_exceeded``, ...
``level``    ``late`` (a date has passed), ``soon`` (a date is near) or ``over`` (a
             limit is exceeded now)
``ref``      what it is about: a task key, a sprint name, a workflow status
``text``     one readable sentence
``due``      the date it is due or ends (ISO), or None

The agile core contributes overdue tasks, sprints ending with unfinished work and
workflow columns over their WIP limit (registered in :mod:`pmtool.services.read.domains`).
Standard library only, plain SQL over the views ``v_task`` and ``v_sprint``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import NamedTuple

from pmtool.storage.reader import Reader, Row

ITEM_FIELDS = ("project", "kind", "level", "ref", "text", "due")
LEVELS = ("late", "soon", "over")
SPRINT_ENDING_DAYS = 2  # a sprint ending today, tomorrow or the day after

Collect = Callable[[Reader, int, date], list[Row]]
Present = Callable[[Reader, int], bool]


class AttentionSource(NamedTuple):
    """One contribution to the attention list: ``kind`` names it (unique)."""

    kind: str
    collect: Collect
    present: Present | None = None


_SOURCES: list[AttentionSource] = []


def register_attention(kind: str, collect: Collect, *, present: Present | None = None) -> None:
    """Add a source of attention items (a second registration of ``kind`` replaces the first)."""
    source = AttentionSource(kind, collect, present)
    for index, known in enumerate(_SOURCES):
        if known.kind == kind:
            _SOURCES[index] = source
            return
    _SOURCES.append(source)


def attention_sources() -> tuple[AttentionSource, ...]:
    """Every registered source, in registration order."""
    from pmtool.services.read.domains import register_attention_sources

    register_attention_sources()
    return tuple(_SOURCES)


def item(
    project: str, kind: str, level: str, ref: str, text: str, due: object | None = None
) -> Row:
    """An attention item with the documented fields (``due``: a date or ISO text)."""
    return {
        "project": project,
        "kind": kind,
        "level": level,
        "ref": ref,
        "text": text,
        "due": None if due is None else str(due)[:10],
    }


def _order(entry: Row) -> tuple[str, int, str]:
    level = LEVELS.index(entry["level"]) if entry["level"] in LEVELS else len(LEVELS)
    return (entry["project"], level, entry["due"] or "9999-12-31")


def needs_attention(reader: Reader, project_ids: list[int] | None, today: date) -> list[Row]:
    """Every item of every source for these projects (None: every project), ordered by
    project, level (late, soon, over) and date; ties keep the sources' own order."""
    if project_ids is None:
        project_ids = [row[0] for row in reader.tuples("SELECT id FROM project ORDER BY key")]
    found: list[Row] = []
    for source in attention_sources():
        for project_id in project_ids:
            if source.present is not None and not source.present(reader, project_id):
                continue
            found.extend(source.collect(reader, project_id, today))
    return sorted(found, key=_order)


# --- "is the domain in use?" checks for present= -------------------------------------------


def table_exists(table: str) -> Present:
    """A present check: the table (or view) exists in this database."""
    if not table.isidentifier():
        raise ValueError(f"not a table name: {table!r}")

    def check(reader: Reader, project_id: int) -> bool:
        if reader.dialect == "sqlite":
            sql = "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = :t"
        else:
            sql = "SELECT 1 FROM information_schema.tables WHERE table_name = :t"
        return bool(reader.tuples(sql, {"t": table}))

    return check


def table_has_rows(table: str, project_column: str | None = "project_id") -> Present:
    """A present check: the table exists and has a row (of the project, by ``project_column``)."""
    exists = table_exists(table)
    if project_column is not None and not project_column.isidentifier():
        raise ValueError(f"not a column name: {project_column!r}")

    def check(reader: Reader, project_id: int) -> bool:
        if not exists(reader, project_id):
            return False
        if project_column is None:
            return bool(reader.tuples(f"SELECT 1 FROM {table} LIMIT 1"))
        return bool(
            reader.tuples(
                f"SELECT 1 FROM {table} WHERE {project_column} = :p LIMIT 1", {"p": project_id}
            )
        )

    return check


# --- the agile core's sources ----------------------------------------------------------------


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def overdue_tasks(reader: Reader, project_id: int, today: date) -> list[Row]:
    """Unfinished tasks due before today."""
    found = reader.tuples(
        "SELECT project, key, title, due, assignee FROM v_task "
        "WHERE project_id = :p AND due < :today AND NOT is_done ORDER BY due, number",
        {"p": project_id, "today": today.isoformat()},
    )
    items = []
    for project, key, title, due, assignee in found:
        late = (today - date.fromisoformat(str(due)[:10])).days
        owner = f" ({assignee})" if assignee else ""
        text = f"{key} {title} is {_days(late)} overdue{owner}"
        items.append(item(project, "overdue_task", "late", key, text, due))
    return items


def sprints_ending(reader: Reader, project_id: int, today: date) -> list[Row]:
    """Sprints not closed that end within two days, or have ended, with unfinished tasks."""
    found = reader.tuples(
        'SELECT s.project, s.name, s."end", s.tasks, '
        "  (SELECT COUNT(*) FROM v_task t WHERE t.sprint_id = s.id AND NOT t.is_done), "
        "  (SELECT COALESCE(SUM(t.points), 0) FROM v_task t "
        "     WHERE t.sprint_id = s.id AND NOT t.is_done) "
        "FROM v_sprint s "
        "WHERE s.project_id = :p AND s.status != 'closed' AND s.\"end\" <= :horizon "
        'ORDER BY s."end", s.name',
        {"p": project_id, "horizon": (today + timedelta(days=SPRINT_ENDING_DAYS)).isoformat()},
    )
    items = []
    for project, name, end, tasks, open_tasks, open_points in found:
        if not open_tasks:
            continue
        left = (date.fromisoformat(str(end)[:10]) - today).days
        if left < 0:
            when = f"ended {_days(-left)} ago"
        elif left == 0:
            when = "ends today"
        elif left == 1:
            when = "ends tomorrow"
        else:
            when = f"ends in {_days(left)}"
        points = f", {open_points} points" if open_points else ""
        text = f"{name} {when} with {open_tasks} of {tasks} tasks unfinished{points}"
        level = "late" if left < 0 else "soon"
        items.append(item(project, "sprint_ending", level, name, text, end))
    return items


def wip_exceeded(reader: Reader, project_id: int, today: date) -> list[Row]:
    """Workflow columns holding more tasks than their WIP limit (counted project-wide)."""
    found = reader.tuples(
        "SELECT p.key, c.name, c.wip_limit, "
        "  (SELECT COUNT(*) FROM v_task t WHERE t.project_id = c.project_id "
        "     AND t.status = c.name) AS tasks "
        "FROM workflow_column c JOIN project p ON p.id = c.project_id "
        "WHERE c.project_id = :p AND c.wip_limit IS NOT NULL ORDER BY c.position",
        {"p": project_id},
    )
    return [
        item(
            project,
            "wip_exceeded",
            "over",
            status,
            f"{status} holds {tasks} tasks, over its WIP limit of {limit}",
        )
        for project, status, limit, tasks in found
        if tasks > limit
    ]
