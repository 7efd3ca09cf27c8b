"""The sprint board and the task list behind the TUI, as plain rows (read side).

A card carries ``updated_at`` as stored, so that an editor can hand it back to
``services.tasks.edit_task(expected_updated_at=...)`` and a stale edit is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pmtool.core import clock
from pmtool.core.errors import NotFound
from pmtool.core.keys import parse_key
from pmtool.core.values import iso_date, labels_from_json
from pmtool.services import resolve
from pmtool.services.read import gates
from pmtool.services.read.projects import workflow
from pmtool.storage.reader import Reader, Row

CARD_FIELDS = (
    "key", "number", "title", "status", "points", "assignee", "labels", "type", "priority",
    "due", "sprint", "rank", "updated_at", "is_done",
)  # fmt: skip

CARD_SELECT = """
SELECT v.key, v.number, v.title, v.status, v.points, v.assignee, v.labels, v.type, v.priority,
       v.due, v.sprint, v.rank, v.updated, v.is_done
FROM v_task v
"""


def card_row(values: Sequence[Any]) -> Row:
    card = dict(zip(CARD_FIELDS, values, strict=True))
    card["labels"] = labels_from_json(card["labels"])
    card["due"] = iso_date(card["due"])
    card["updated_at"] = str(card["updated_at"]) if card["updated_at"] is not None else None
    card["is_done"] = bool(card["is_done"])
    return card


def project_header(reader: Reader, project_id: int) -> Row:
    """The project's key and name (cheap: no counts)."""
    found = reader.rows("SELECT key, name FROM project WHERE id = :p", {"p": project_id})
    if not found:
        raise NotFound("the project is gone (was it removed in another session?)")
    return found[0]


def board_sprint(reader: Reader, project_id: int, sprint: str | None) -> Row | None:
    """The sprint a board shows: the one named, else the active one, else None (kanban)."""
    if sprint:
        return resolve.sprint(reader, project_id, sprint)
    active = reader.rows(
        "SELECT * FROM sprint WHERE project_id = :p AND status = 'active'", {"p": project_id}
    )
    return active[0] if active else None


def board(
    reader: Reader,
    project_id: int,
    sprint: str | None = None,
    *,
    all_open: bool = False,
    today: date | None = None,
) -> Row:
    """One column per workflow status, in order, with its WIP limit and its cards.

    A sprint board holds the sprint's tasks; without a sprint (a kanban project, no
    sprint running, or ``all_open``) it holds every task that is not in a closed
    sprint. ``count`` is the column's project-wide count, the one its WIP limit checks.
    """
    chosen = None if all_open else board_sprint(reader, project_id, sprint)
    if chosen is not None:
        where = "v.project_id = :p AND v.sprint_id = :s"
        params: dict[str, Any] = {"p": project_id, "s": chosen["id"]}
    else:
        where = (
            "v.project_id = :p AND (v.sprint_id IS NULL OR v.sprint_id NOT IN "
            "(SELECT id FROM sprint WHERE project_id = :p AND status = 'closed'))"
        )
        params = {"p": project_id}
    cards = [
        card_row(values)
        for values in reader.tuples(
            f"{CARD_SELECT} WHERE {where} ORDER BY v.status_position, v.rank, v.number", params
        )
    ]
    # Work behind a closed approval gate carries a lock and its reason (``gate``).
    locks = gates.project_task_blockers(reader, project_id, today or clock.today())
    by_status: dict[str, list[Row]] = {}
    for card in cards:
        found = locks.get(card["key"])
        card["gate"] = gates.short_reason(found) if found else None
        by_status.setdefault(card["status"], []).append(card)
    columns = [
        {
            "status": column["status"],
            "wip_limit": column["wip_limit"],
            "count": column["tasks"],
            "is_done": column["is_done"],
            "cards": by_status.get(column["status"], []),
        }
        for column in workflow(reader, project_id)
    ]
    project = project_header(reader, project_id)
    return {
        "project": project["key"],
        "project_name": project["name"],
        "sprint": None
        if chosen is None
        else {
            "name": chosen["name"],
            "status": chosen["status"],
            "start": iso_date(chosen["start_date"]),
            "end": iso_date(chosen["end_date"]),
            "goal": chosen["goal"],
        },
        "columns": columns,
    }


def all_tasks(reader: Reader, project_id: int) -> list[Row]:
    """Every task of the project in board order, with the fields lists sort and filter on."""
    return [
        card_row(values)
        for values in reader.tuples(
            f"{CARD_SELECT} WHERE v.project_id = :p ORDER BY v.status_position, v.rank, v.number",
            {"p": project_id},
        )
    ]


def first_tasks(reader: Reader, project_id: int, limit: int) -> tuple[list[Row], int]:
    """The first ``limit`` tasks in board order, and how many there are in all.

    One indexed query per status (project, status, rank): a screenful of a 10,000-task
    project in a few milliseconds, while :func:`all_tasks` reads the rest.
    """
    found: list[Row] = []
    for column in reader.tuples(
        "SELECT name FROM workflow_column WHERE project_id = :p ORDER BY position",
        {"p": project_id},
    ):
        if len(found) >= limit:
            break
        found += [
            card_row(values)
            for values in reader.tuples(
                f"{CARD_SELECT} WHERE v.project_id = :p AND v.status = :s "
                "ORDER BY v.rank, v.number LIMIT :n",
                {"p": project_id, "s": column[0], "n": limit - len(found)},
            )
        ]
    total = reader.tuples(
        "SELECT COUNT(*) FROM task WHERE project_id = :p AND deleted_at IS NULL",
        {"p": project_id},
    )[0][0]
    return found, int(total)


def task_card(reader: Reader, key: str) -> Row:
    """One task for an editor: its card fields plus description, parent and version (the
    editor's save is refused if the task changed since)."""
    project_key, number = parse_key(key)
    found = reader.tuples(
        f"{CARD_SELECT} WHERE v.project = :project AND v.number = :number",
        {"project": project_key, "number": number},
    )
    if not found:
        raise NotFound(f"no task {project_key}-{number} (it may have been removed)")
    row = card_row(found[0])
    extra = reader.rows(
        "SELECT v.description, v.parent, t.version FROM v_task v JOIN task t ON t.id = v.id "
        "WHERE v.project = :p AND v.number = :n",
        {"p": project_key, "n": number},
    )[0]
    row.update(extra)
    return row


def choices(reader: Reader, project_id: int) -> Row:
    """What a task form offers: members, open sprints, statuses and labels in use."""
    members = [row[0] for row in reader.tuples("SELECT name FROM member ORDER BY lower(name)")]
    sprints = [
        row[0]
        for row in reader.tuples(
            "SELECT name FROM sprint WHERE project_id = :p AND status <> 'closed' "
            "ORDER BY start_date, id",
            {"p": project_id},
        )
    ]
    statuses = [row["status"] for row in workflow(reader, project_id)]
    if reader.dialect == "sqlite":
        labels = [
            row[0]
            for row in reader.tuples(
                "SELECT DISTINCT j.value FROM task t, json_each(t.labels) j "
                "WHERE t.project_id = :p AND t.deleted_at IS NULL ORDER BY j.value",
                {"p": project_id},
            )
        ]
    else:
        labels = sorted(
            {
                label
                for (text,) in reader.tuples(
                    "SELECT labels FROM v_task WHERE project_id = :p", {"p": project_id}
                )
                for label in labels_from_json(text)
            }
        )
    return {"members": members, "sprints": sprints, "statuses": statuses, "labels": labels}
