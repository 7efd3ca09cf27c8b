"""The agile core's exports: tasks, sprints, burndown, velocity and members.

Registered in :func:`pmtool.services.read.domains.register_exports`. Tasks can run to
hundreds of thousands of rows, so on SQLite the database itself builds their CSV cells
(neutralised) and JSON objects, and Python only passes them on (see ``fast_csv`` and
``fast_json`` in :mod:`pmtool.services.read.exports`). Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pmtool.core.errors import InvalidInput
from pmtool.services.read import metrics, sprints, tasks
from pmtool.services.read.exports import ExportFilter, ExportScope
from pmtool.storage.reader import Reader, Row

TASK_FILTERS = (
    ExportFilter("status", "Only this status (repeatable).", "many"),
    ExportFilter("sprint", "Only tasks of this sprint ('current', a name, or 'none').", "text"),
    ExportFilter("assignee", "Only tasks of this member ('none': unassigned).", "text"),
    ExportFilter("label", "Only tasks with this label (repeatable: all of them).", "many"),
    ExportFilter("overdue", "Only unfinished ones past their due date.", "flag"),
)
TASK_KINDS = {"due": "date", "created": "datetime", "updated": "datetime"}
SPRINT_KINDS = {"start": "date", "end": "date", "started": "datetime", "closed": "datetime"}
MEMBER_FIELDS = ("name", "role", "open_tasks", "open_points", "created")
MEMBER_PERSONAL_FIELDS = ("email",)


def project_ids(reader: Reader, scope: ExportScope) -> tuple[int, ...]:
    """The scope's projects, or every project (by key) when it names none."""
    if scope.project_ids is not None:
        return scope.project_ids
    return tuple(row[0] for row in reader.tuples("SELECT id FROM project ORDER BY key"))


def _task_filters(scope: ExportScope, given: Mapping[str, Any]) -> dict[str, Any]:
    wanted = dict(given)
    if wanted.pop("overdue", False):
        wanted["overdue_on"] = scope.today
    return wanted


def _one_project_for(name: str, scope: ExportScope, given: Mapping[str, Any]) -> None:
    if scope.project_ids is None and given.get(name):
        raise InvalidInput(f"--{name} needs one project: choose it with -p KEY instead of --all")


# Key order (project, number): stable for diffs and the database's own index order, so
# a long export needs no sort.
_TASK_ORDER = " ORDER BY project_id, number"


def task_rows(reader: Reader, scope: ExportScope, given: Mapping[str, Any]) -> Iterator[Row]:
    """Every task of the scope's projects, in key order."""
    _one_project_for("sprint", scope, given)
    for project_id in project_ids(reader, scope):
        where, params = tasks.task_conditions(reader, project_id, **_task_filters(scope, given))
        yield from tasks.iter_tasks_where(reader, where + _TASK_ORDER, params)


def _neutralised(column: str, raw: bool) -> str:
    """SQLite text that a spreadsheet would run as a formula gets a leading ' (the same
    rule as cli/exports.py's export_cell: = + - @ first or after spaces, tabs and line
    breaks, or a tab, CR or NUL first)."""
    if raw:
        return column
    # Every character that starts a formula, and whitespace, is below 'A' (65): one cheap
    # unicode() clears almost every cell, and the full check runs only on the rest.
    quoted = f"'''' || {column}"
    return (
        f"CASE WHEN unicode({column}) > 64 THEN {column} "
        f"WHEN unicode({column}) IN (9, 13) THEN {quoted} "
        # unicode() of text starting with NUL is NULL, as for empty text: tell them apart.
        f"WHEN unicode({column}) IS NULL AND length(CAST({column} AS BLOB)) > 0 THEN {quoted} "
        f"WHEN unicode(ltrim({column}, ' ' || char(9, 10, 13))) IN (43, 45, 61, 64) "
        f"THEN {quoted} ELSE {column} END"
    )


def _labels_cell(raw: bool) -> str:
    """The labels as ``a, b`` (CSV's form, like `task list --format csv`). Labels hold no
    commas; without a backslash no quote is escaped, so cutting the JSON text (written
    with ", " or "," between items) is exact.
    Only the first label decides how the cell starts, so only it is checked."""
    joined = (
        "CASE WHEN labels = '[]' THEN NULL "
        "WHEN instr(labels, '\\') = 0 "
        "THEN replace(replace(substr(labels, 3, length(labels) - 4), '\", \"', ', '), "
        "'\",\"', ', ') "
        "ELSE (SELECT group_concat(value, ', ') FROM json_each(labels)) END"
    )
    if raw:
        return joined
    first = "(SELECT value FROM json_each(labels) LIMIT 1)"
    return (
        f"CASE WHEN labels = '[]' OR unicode(substr(labels, 3)) > 64 THEN {joined} "
        f"ELSE {_neutralised(first, raw)} || substr({joined}, length({first}) + 1) END"
    )


def _timestamp(column: str) -> str:
    # Stored as UTC text "2026-11-27 09:30:00.123456": the same as core.values.iso_timestamp.
    return f"substr({column}, 1, 10) || 'T' || substr({column}, 12, 8) || 'Z'"


def _quoted(cell: str) -> str:
    """A text cell in CSV quotes (RFC 4180: inner quotes doubled); NULL stays empty."""
    return f"""ifnull('"' || replace({cell}, '"', '""') || '"', '')"""


def task_csv_rows(
    reader: Reader, scope: ExportScope, given: Mapping[str, Any], raw: bool
) -> Iterator[Any] | None:
    """The CSV lines of task_rows, built whole by SQLite: one string per task reaches
    Python, not fourteen. Text cells (title, sprint, assignee, labels) are
    always quoted; the others (keys, statuses, numbers, dates, vocabulary words) never
    need it."""
    if reader.dialect != "sqlite":
        return None
    _one_project_for("sprint", scope, given)
    # A status is a short word (letters, digits, _: services/projects.py), a key, date or
    # vocabulary word has nothing to quote or neutralise either.
    text = {name: _quoted(_neutralised(name, raw)) for name in ("title", "sprint", "assignee")}
    cells = [
        "key", text["title"], "status", "ifnull(points, '')", text["sprint"],
        text["assignee"], _quoted(_labels_cell(raw)), "ifnull(due, '')", "type", "priority",
        "ifnull(parent, '')", "project", _timestamp("created"), _timestamp("updated"),
    ]  # fmt: skip
    select = "SELECT " + " || ',' || ".join(cells) + " FROM v_task"

    def lines() -> Iterator[Any]:
        for project_id in project_ids(reader, scope):
            where, params = tasks.task_conditions(reader, project_id, **_task_filters(scope, given))
            sql = f"{select} WHERE {where}{_TASK_ORDER}"
            yield from (values[0] for values in reader.stream(sql, params))

    return lines()


def task_json_rows(
    reader: Reader, scope: ExportScope, given: Mapping[str, Any], raw: bool
) -> Iterator[Any] | None:
    """task_rows as JSON objects built by SQLite's json_object()."""
    if reader.dialect != "sqlite":
        return None
    _one_project_for("sprint", scope, given)

    def rows() -> Iterator[Any]:
        for project_id in project_ids(reader, scope):
            where, params = tasks.task_conditions(reader, project_id, **_task_filters(scope, given))
            sql = f"{tasks.SQLITE_JSON_ROW} WHERE {where}{_TASK_ORDER}"
            yield from (values[0] for values in reader.stream(sql, params))

    return rows()


def sprint_rows(reader: Reader, scope: ExportScope, given: Mapping[str, Any]) -> Iterator[Row]:
    """Every sprint of the scope's projects, by start date."""
    statuses = given.get("statuses", ())
    for project_id in project_ids(reader, scope):
        for row in sprints.list_sprints(reader, project_id):
            if not statuses or row["status"] in statuses:
                yield row


def burndown_rows(reader: Reader, scope: ExportScope, given: Mapping[str, Any]) -> Iterator[Row]:
    """One row per day of one sprint (default: the active one), with the sprint's name."""
    (project_id,) = project_ids(reader, scope)
    record, _committed, rows = metrics.burndown(
        reader, project_id, given.get("sprint") or "current", scope.today, scope.now
    )
    for row in rows:
        yield {"sprint": record["name"], **row}


def velocity_rows(reader: Reader, scope: ExportScope, given: Mapping[str, Any]) -> Iterator[Row]:
    """Committed against completed points of each closed sprint, per project."""
    keys = {row[0]: row[1] for row in reader.tuples("SELECT id, key FROM project")}
    for project_id in project_ids(reader, scope):
        project_key = keys[project_id]
        for row in metrics.velocity(reader, project_id, last=given.get("last")):
            yield {**row, "project": project_key}


def member_rows(reader: Reader, scope: ExportScope, given: Mapping[str, Any]) -> Iterator[Row]:
    """Every member (members belong to the workspace, not to one project)."""
    from pmtool.services.read.members import list_members

    yield from list_members(reader, include_personal=True)


def status_rows(reader: Reader, scope: ExportScope, given: Mapping[str, Any]) -> Iterator[Row]:
    """What `pmtool status` lists (every domain's attention items), as records."""
    from pmtool.services.read.attention import needs_attention

    ids = None if scope.project_ids is None else list(scope.project_ids)
    yield from needs_attention(reader, ids, scope.today)


def register(register_export: Any) -> None:
    """The agile core's entities, through ``exports.register_export``."""
    register_export(
        "tasks",
        task_rows,
        tasks.TASK_FIELDS,
        filters=TASK_FILTERS,
        kinds=TASK_KINDS,
        title="Tasks",
        fast_csv=task_csv_rows,
        fast_json=task_json_rows,
    )
    register_export(
        "sprints",
        sprint_rows,
        sprints.SPRINT_FIELDS,
        filters=(ExportFilter("status", "Only this status (repeatable).", "many"),),
        kinds=SPRINT_KINDS,
        title="Sprints",
    )
    register_export(
        "burndown",
        burndown_rows,
        ("sprint", *metrics.BURNDOWN_FIELDS),
        filters=(TASK_FILTERS[1],),
        kinds={"date": "date"},
        title="Sprint burndown",
        one_project=True,
    )
    register_export(
        "velocity",
        velocity_rows,
        (*metrics.VELOCITY_FIELDS, "project"),
        filters=(ExportFilter("last", "Only the last N closed sprints.", "count"),),
        kinds={"start": "date", "end": "date"},
        title="Velocity",
    )
    register_export(
        "status",
        status_rows,
        ("project", "kind", "level", "ref", "text", "due"),
        kinds={"due": "date"},
        title="Needs attention",
    )
    register_export(
        "members",
        member_rows,
        MEMBER_FIELDS,
        personal_fields=MEMBER_PERSONAL_FIELDS,
        kinds={"created": "datetime"},
        title="Members",
        workspace=True,
    )
