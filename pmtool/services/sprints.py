"""Sprint lifecycle: plan, start (one active per project), close with carry-over."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from pmtool.core import clock, words
from pmtool.core.errors import Conflict, InvalidInput, Refused
from pmtool.core.validation import check_points, clean_text
from pmtool.services import resolve
from pmtool.storage.gateway import Gateway
from pmtool.storage.reader import Row


def add_sprint(
    gw: Gateway,
    project: Row,
    name: str,
    *,
    start: date,
    end: date,
    goal: str | None = None,
    capacity: int | None = None,
) -> Row:
    name = clean_text(name, "the sprint name", words.MAX_NAME_LENGTH)
    if name.lower() in words.RESERVED_SPRINT_NAMES:
        raise InvalidInput(f"{name!r} is a reserved word; choose another sprint name")
    if end < start:
        raise InvalidInput(f"the sprint ends ({end}) before it starts ({start})")
    if (end - start).days > 366:
        raise InvalidInput("a sprint longer than a year is not a sprint; check the dates")
    duplicate = gw.reader.tuples(
        "SELECT name FROM sprint WHERE project_id = :p AND lower(name) = lower(:n)",
        {"p": project["id"], "n": name},
    )
    if duplicate:
        raise Conflict(f"{project['key']} has a sprint called {duplicate[0][0]} already")
    values: dict[str, Any] = {
        "project_id": project["id"],
        "name": name,
        "goal": goal.strip() if goal and goal.strip() else None,
        "start_date": start,
        "end_date": end,
        "capacity": check_points(capacity),
        "status": words.PLANNED,
        "created_at": clock.utcnow(),
    }
    values["id"] = gw.insert("sprint", values)
    return values


def edit_sprint(
    gw: Gateway,
    sprint: Row,
    *,
    goal: str | None = None,
    capacity: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> None:
    if sprint["status"] == words.CLOSED:
        raise Refused(f"sprint {sprint['name']} is closed; its record is final")
    changes: dict[str, Any] = {}
    if goal is not None:
        changes["goal"] = goal.strip() or None
    if capacity is not None:
        changes["capacity"] = check_points(capacity)
    old_start = date.fromisoformat(str(sprint["start_date"])[:10])
    new_start = start or old_start
    new_end = end or date.fromisoformat(str(sprint["end_date"])[:10])
    if new_end < new_start:
        raise InvalidInput(f"the sprint would end ({new_end}) before it starts ({new_start})")
    if start is not None and sprint["status"] == words.ACTIVE and start != old_start:
        raise Refused(f"sprint {sprint['name']} has started; its start date is fixed")
    changes["start_date"], changes["end_date"] = new_start, new_end
    gw.update("sprint", sprint["id"], changes, version=sprint["version"], what=sprint["name"])


def start_sprint(gw: Gateway, sprint: Row) -> Row:
    if sprint["status"] == words.ACTIVE:
        raise Refused(f"sprint {sprint['name']} is already active")
    if sprint["status"] == words.CLOSED:
        raise Refused(f"sprint {sprint['name']} is closed and cannot start again")
    running = resolve.active_sprint(gw.reader, sprint["project_id"])
    if running is not None:
        raise Refused(
            f"sprint {running['name']} is active; close it first (one active sprint per project)"
        )
    changes = {"status": words.ACTIVE, "started_at": clock.utcnow()}
    gw.update("sprint", sprint["id"], changes, version=sprint["version"], what=sprint["name"])
    return {**sprint, **changes}


class CloseResult(NamedTuple):
    sprint: Row
    completed_points: int
    completed_tasks: int
    carried_keys: list[str]
    carried_to: str | None  # sprint name, or None for the backlog


def close_sprint(gw: Gateway, sprint: Row, *, carry_to: str | None = None) -> CloseResult:
    """Close the active sprint; unfinished tasks go to ``carry_to`` or the backlog."""
    if sprint["status"] == words.CLOSED:
        raise Refused(f"sprint {sprint['name']} is already closed")
    if sprint["status"] != words.ACTIVE:
        raise Refused(f"sprint {sprint['name']} has not started; start it or edit its plan")
    project = gw.reader.rows("SELECT * FROM project WHERE id = :id", {"id": sprint["project_id"]})[
        0
    ]
    target = None
    if carry_to is not None and carry_to.strip().lower() not in words.NO_SPRINT_WORDS:
        target = resolve.sprint(gw.reader, project["id"], carry_to, for_new_work=True)
        if target["id"] == sprint["id"]:
            raise InvalidInput(
                "unfinished work cannot be carried over into the sprint being closed"
            )
    done_statuses = {c["name"] for c in resolve.columns(gw.reader, project["id"]) if c["is_done"]}
    sprint_tasks = gw.reader.rows(
        "SELECT * FROM task WHERE sprint_id = :s AND deleted_at IS NULL ORDER BY number",
        {"s": sprint["id"]},
    )
    finished = [task for task in sprint_tasks if task["status"] in done_statuses]
    unfinished = [task for task in sprint_tasks if task["status"] not in done_statuses]
    now = clock.utcnow()
    for task in unfinished:
        gw.update(
            "task",
            task["id"],
            {"sprint_id": target["id"] if target is not None else None, "updated_at": now},
            version=task["version"],
            what=f"{project['key']}-{task['number']}",
        )
    gw.update(
        "sprint",
        sprint["id"],
        {"status": words.CLOSED, "closed_at": now},
        version=sprint["version"],
        what=sprint["name"],
    )
    return CloseResult(
        sprint={**sprint, "status": words.CLOSED, "closed_at": now},
        completed_points=sum(task["points"] or 0 for task in finished),
        completed_tasks=len(finished),
        carried_keys=[f"{project['key']}-{task['number']}" for task in unfinished],
        carried_to=target["name"] if target is not None else None,
    )


def over_capacity(gw: Gateway, sprint_id: int | None) -> str | None:
    """A warning when the sprint's planned points exceed its capacity, else None."""
    if sprint_id is None:
        return None
    found = gw.reader.rows(
        "SELECT name, capacity, (SELECT COALESCE(SUM(points), 0) FROM task "
        "WHERE sprint_id = :s AND deleted_at IS NULL) AS planned FROM sprint WHERE id = :s",
        {"s": sprint_id},
    )
    if not found or found[0]["capacity"] is None:
        return None
    sprint = found[0]
    if int(sprint["planned"] or 0) <= sprint["capacity"]:
        return None
    return (
        f"{sprint['name']} now holds {sprint['planned']} points against a capacity of "
        f"{sprint['capacity']}"
    )


def remove_sprint(gw: Gateway, sprint: Row) -> None:
    """Remove a sprint planned by mistake: only a planned one with no tasks in it."""
    if sprint["status"] != words.PLANNED:
        raise Refused(
            f"sprint {sprint['name']} is {sprint['status']}; only a planned sprint can be "
            "removed (its history stays otherwise)"
        )
    tasks = gw.reader.rows("SELECT * FROM task WHERE sprint_id = :s", {"s": sprint["id"]})
    live = [task for task in tasks if task["deleted_at"] is None]
    if live:
        raise Refused(
            f"sprint {sprint['name']} holds {len(live)} task(s); move them out first "
            "(`pmtool task edit KEY --sprint none`)"
        )
    for task in tasks:  # removed tasks let go of it (undo puts them back)
        gw.update("task", task["id"], {"sprint_id": None}, version=task["version"])
    gw.delete("sprint", sprint["id"])
