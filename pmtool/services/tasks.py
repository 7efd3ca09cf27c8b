"""Creating, editing, moving, ranking and removing tasks (write side).

Rules work on plain rows (dicts from the resolvers) and change them through the
write gateway, which audits every change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, NamedTuple

from pmtool.core import clock, words
from pmtool.core.errors import InvalidInput, Refused
from pmtool.core.validation import check_points, clean_text
from pmtool.core.words import CLEAR
from pmtool.services import resolve
from pmtool.storage.gateway import Gateway
from pmtool.storage.reader import Row


def _description(text: str | None) -> str | None:
    """Longer text: line breaks allowed, at most MAX_DESCRIPTION_LENGTH characters."""
    cleaned = (text or "").strip()
    if len(cleaned) > words.MAX_DESCRIPTION_LENGTH:
        raise InvalidInput(
            f"the description is {len(cleaned)} characters long; at most "
            f"{words.MAX_DESCRIPTION_LENGTH} fit"
        )
    return cleaned or None


def _check_choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    cleaned = value.strip().lower()
    if cleaned not in allowed:
        raise InvalidInput(f"{what} must be one of {', '.join(allowed)} (got {value!r})")
    return cleaned


def check_labels(labels: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for label in labels:
        text = clean_text(label, "a label", words.MAX_LABEL_LENGTH)
        if "," in text:
            raise InvalidInput(
                f"label {text!r} cannot contain a comma; give --label once per label"
            )
        if text not in cleaned:
            cleaned.append(text)
    return cleaned


def _next_rank(gw: Gateway, project_id: int, status: str) -> float:
    found = gw.reader.tuples(
        "SELECT MAX(rank) FROM task WHERE project_id = :p AND status = :s AND deleted_at IS NULL",
        {"p": project_id, "s": status},
    )
    return float(found[0][0] or 0) + 1.0


def _check_wip(
    gw: Gateway, project: Row, status: str, moving: Row | None, force: bool, arriving: int = 1
) -> str | None:
    """Refuse to put work into a column at its WIP limit, unless forced.

    Returns the note to record (after the move itself) when the limit was overridden.
    """
    target = resolve.column(gw.reader, project["id"], status)
    limit = target["wip_limit"]
    if limit is None:
        return None
    occupied = gw.reader.tuples(
        "SELECT COUNT(*) FROM task WHERE project_id = :p AND status = :s "
        "AND deleted_at IS NULL AND id <> :moving",
        {"p": project["id"], "s": target["name"], "moving": moving["id"] if moving else -1},
    )[0][0]
    if occupied + arriving <= limit:
        return None
    if not force:
        raise _wip_refusal(target["name"], occupied, arriving, limit)
    return f"{target['name']} past its WIP limit ({occupied + 1}/{limit})"


def _wip_refusal(status: str, occupied: int, arriving: int, limit: int) -> Refused:
    if arriving == 1:
        return Refused(
            f"{status} is at its WIP limit ({occupied}/{limit}); finish something first or use "
            "--force"
        )
    return Refused(
        f"{status} would be {occupied + arriving}/{limit}; room for {max(0, limit - occupied)} "
        f"under its WIP limit of {limit}: move fewer tasks, finish something first or use --force"
    )


def _check_parent(gw: Gateway, project: Row, parent_key: str, task: Row | None) -> Row:
    parent = resolve.task(gw.reader, parent_key)
    if parent["project_id"] != project["id"]:
        raise InvalidInput(f"{parent_key} belongs to another project")
    if task is not None:
        ancestor_id: int | None = parent["id"]
        while ancestor_id is not None:
            if ancestor_id == task["id"]:
                raise InvalidInput(f"{parent_key} cannot be the parent of its own ancestor")
            found = gw.reader.tuples(
                "SELECT parent_id FROM task WHERE id = :id", {"id": ancestor_id}
            )
            ancestor_id = found[0][0] if found else None
    return parent


def add_task(
    gw: Gateway,
    project: Row,
    title: str,
    *,
    points: int | None = None,
    task_type: str = "task",
    priority: str = "medium",
    assignee: str | None = None,
    labels: Iterable[str] = (),
    due: date | None = None,
    sprint: str | None = None,
    parent: str | None = None,
    description: str | None = None,
    status: str | None = None,
    force: bool = False,
    reason: str | None = None,
) -> Row:
    """A new task; its key is the project's key and the next number, e.g. PM-7.

    ``project`` is the project row; its task counter is advanced in place, so a
    batch can add many tasks with one lookup. A task with ``needs:KIND`` labels that
    starts in progress or done passes its approval gates like a move (``force`` and a
    ``reason`` override them).
    """
    title = clean_text(title, "the title", words.MAX_TITLE_LENGTH)
    workflow = resolve.columns(gw.reader, project["id"])
    sprint_row = (
        resolve.sprint(gw.reader, project["id"], sprint, for_new_work=True) if sprint else None
    )
    if status is None:
        # Work planned into a sprint starts in the column after the backlog.
        start_index = (
            1 if sprint_row is not None and workflow[0]["name"] == words.BACKLOG_STATUS else 0
        )
        status = workflow[start_index]["name"]
    status = resolve.column(gw.reader, project["id"], status)["name"]
    now = clock.utcnow()
    values = {
        "project_id": project["id"],
        "number": project["next_task_number"],
        "title": title,
        "description": _description(description),
        "type": _check_choice(task_type, words.TASK_TYPES, "type"),
        "status": status,
        "priority": _check_choice(priority, words.PRIORITIES, "priority"),
        "points": check_points(points),
        "assignee_id": resolve.member(gw.reader, assignee)["id"] if assignee else None,
        "due_date": due,
        "parent_id": _check_parent(gw, project, parent, None)["id"] if parent else None,
        "sprint_id": sprint_row["id"] if sprint_row else None,
        "labels": json.dumps(check_labels(labels), ensure_ascii=False),
        "rank": _next_rank(gw, project["id"], status),
        "created_at": now,
        "updated_at": now,
    }
    key = f"{project['key']}-{values['number']}"
    gate_override = check_gates(
        gw,
        {"project_id": project["id"], "key": key},
        resolve.column(gw.reader, project["id"], status),
        force=force,
        reason=reason,
        labels=json.loads(values["labels"]),
    )
    _check_wip(gw, project, status, None, force)
    values["id"] = gw.insert("task", values)
    if gate_override:
        gw.note("task", values["id"], "gate_override", gate_override)
    gw.update(
        "project",
        project["id"],
        {"next_task_number": project["next_task_number"] + 1},
        version=project["version"],
    )
    project["next_task_number"] += 1
    project["version"] += 1
    values["key"] = f"{project['key']}-{values['number']}"
    return values


def edit_task(
    gw: Gateway,
    task: Row,
    *,
    title: str | None = None,
    description: Any = None,
    points: Any = None,
    task_type: str | None = None,
    priority: str | None = None,
    assignee: Any = None,
    add_labels: Iterable[str] = (),
    remove_labels: Iterable[str] = (),
    due: Any = None,
    sprint: Any = None,
    parent: Any = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Change the given fields (None: leave as it is; ``CLEAR``: empty it).

    ``expected_version`` (the TUI's form, `task edit --if-version`) refuses the edit
    when the task changed since it was read. Returns the changed columns.
    """
    project = resolve.project(gw.reader, task["project_key"])
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = clean_text(title, "the title", words.MAX_TITLE_LENGTH)
    if description is CLEAR:
        changes["description"] = None
    elif description is not None:
        changes["description"] = _description(description)
    if points is CLEAR:
        changes["points"] = None
    elif points is not None:
        changes["points"] = check_points(points)
    if task_type is not None:
        changes["type"] = _check_choice(task_type, words.TASK_TYPES, "type")
    if priority is not None:
        changes["priority"] = _check_choice(priority, words.PRIORITIES, "priority")
    if assignee is CLEAR:
        changes["assignee_id"] = None
    elif assignee is not None:
        changes["assignee_id"] = resolve.member(gw.reader, assignee)["id"]
    add_labels, remove_labels = list(add_labels), list(remove_labels)
    if add_labels or remove_labels:
        current = json.loads(task["labels"] or "[]")
        removed = set(remove_labels)
        unknown = removed - set(current)
        if unknown:
            raise InvalidInput(f"{task['key']} has no label {sorted(unknown)[0]!r}")
        kept = [label for label in current if label not in removed]
        changes["labels"] = json.dumps(check_labels(kept + add_labels), ensure_ascii=False)
    if due is CLEAR:
        changes["due_date"] = None
    elif due is not None:
        changes["due_date"] = due
    if sprint is CLEAR:
        changes["sprint_id"] = None
    elif sprint is not None:
        changes["sprint_id"] = resolve.sprint(gw.reader, project["id"], sprint, for_new_work=True)[
            "id"
        ]
        workflow = resolve.columns(gw.reader, project["id"])
        first = workflow[0]["name"]
        if task["status"] == first == words.BACKLOG_STATUS and len(workflow) > 1:
            # Planned into a sprint: out of the backlog, as `task add --sprint` does.
            _check_wip(gw, project, workflow[1]["name"], task, False)
            changes["status"] = workflow[1]["name"]
            changes["rank"] = _next_rank(gw, project["id"], workflow[1]["name"])
    if parent is CLEAR:
        changes["parent_id"] = None
    elif parent is not None:
        changes["parent_id"] = _check_parent(gw, project, parent, task)["id"]
    return _update_task(gw, task, changes, expected_version)


def _update_task(
    gw: Gateway, task: Row, changes: Mapping[str, Any], expected_version: int | None = None
) -> dict[str, Any]:
    """Write the changes (with updated_at when anything really changed) and keep ``task``
    in step, so a caller can change the same row again in this command."""
    if task.get("project_archived_at") is not None:
        raise Refused(
            f"project {task['project_key']} is archived; `pmtool project unarchive "
            f"{task['project_key']}` opens it for changes again"
        )
    version = task["version"] if expected_version is None else expected_version
    real = {
        name: value
        for name, value in changes.items()
        if _comparable(task.get(name)) != _comparable(value)
    }
    if not real:
        return {}
    real["updated_at"] = clock.utcnow()
    gw.update("task", task["id"], real, version=version, what=task["key"])
    task.update(real)
    task["version"] = version + 1
    return real


def _comparable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


class MoveResult(NamedTuple):
    key: str
    old_status: str
    new_status: str
    definition_of_done: list[str]


def move_tasks(
    gw: Gateway,
    keys: Iterable[str],
    status: str,
    *,
    force: bool = False,
    reason: str | None = None,
) -> list[MoveResult]:
    """Move tasks to another column, within its WIP limit and approval gates unless forced.

    The limit is checked for all of them together: three cards into a column with
    room for two are refused, saying so. Forcing past an approval gate needs a
    ``reason`` (see :func:`move_task`).
    """
    tasks = [resolve.task(gw.reader, key) for key in keys]
    results: list[MoveResult] = []
    by_project: dict[int, list[Row]] = {}
    for task in tasks:
        by_project.setdefault(task["project_id"], []).append(task)
    for project_tasks in by_project.values():
        project = resolve.project(gw.reader, project_tasks[0]["project_key"])
        target = resolve.column(gw.reader, project["id"], status)
        arriving = [t for t in project_tasks if t["status"] != target["name"]]
        if len(arriving) > 1 and not force:
            _check_wip(gw, project, target["name"], None, False, arriving=len(arriving))
    for task in tasks:
        results.append(move_task(gw, task, status, force=force, reason=reason))
    return results


def move_task(
    gw: Gateway, task: Row, status: str, *, force: bool = False, reason: str | None = None
) -> MoveResult:
    """Move one task to another column, within the WIP limit unless forced.

    Work that requires approvals (``needs:KIND`` labels, `task edit --requires`) cannot
    start or finish while one of them is not in force; ``force`` with a ``reason``
    overrides the gate, and the reason goes into the audit trail. Forcing past a WIP
    limit alone needs no reason.
    """
    project = resolve.project(gw.reader, task["project_key"])
    target = resolve.column(gw.reader, project["id"], status)
    old_status = task["status"]
    if target["name"] != old_status:
        gate_override = check_gates(gw, task, target, force=force, reason=reason)
        override = _check_wip(gw, project, target["name"], task, force)
        _update_task(
            gw,
            task,
            {"status": target["name"], "rank": _next_rank(gw, project["id"], target["name"])},
        )
        if override:
            gw.note("task", task["id"], "wip_override", override)
        if gate_override:
            gw.note("task", task["id"], "gate_override", gate_override)
    checklist = []
    if target["is_done"]:
        from pmtool.services.read.compliance import definition_of_done_items

        # Compliance checklist items in the DoD show until they are done.
        checklist = definition_of_done(project) + [
            entry["text"]
            for entry in definition_of_done_items(gw.reader, project["id"])
            if not entry["satisfied"]
        ]
    return MoveResult(task["key"], old_status, target["name"], checklist)


def is_gated_column(gw: Gateway, project_id: int, column: Row) -> bool:
    """Whether moving work into ``column`` starts or finishes it: a done column, or
    in_progress and every column after it on the board."""
    if column["is_done"]:
        return True
    workflow = resolve.columns(gw.reader, project_id)
    started = [c["position"] for c in workflow if c["name"] == words.IN_PROGRESS_STATUS]
    return bool(started) and column["position"] >= started[0]


def check_gates(
    gw: Gateway,
    task: Row,
    target: Row,
    *,
    force: bool = False,
    reason: str | None = None,
    labels: Iterable[str] | None = None,
) -> str | None:
    """Refuse to start or finish gated work while a required approval is not in force.

    Returns the audit note to record when ``force`` and a ``reason`` override the gate.
    ``labels`` stands in for the task's own labels (a task not written yet).
    """
    from pmtool.services.read import gates

    if not is_gated_column(gw, task["project_id"], target):
        return None
    if labels is None:
        found = gates.task_blockers(gw.reader, task, clock.today())
    else:
        found = gates.blockers(
            gw.reader,
            task["project_id"],
            labels=labels,
            required_approval_ids=(),
            today=clock.today(),
        )
    if not found:
        return None
    reasons = "; ".join(blocker["reason"] for blocker in found)
    key = task.get("key") or "the task"
    if not force:
        raise Refused(
            f"{key} cannot move to {target['name']}: {reasons} "
            "(--force --reason TEXT overrides, audited)"
        )
    if reason is None or not reason.strip():
        raise InvalidInput(f"--force over an approval gate needs --reason TEXT ({key}: {reasons})")
    cleaned = clean_text(reason, "the reason", words.MAX_TITLE_LENGTH)
    return f"moved to {target['name']} over the gate ({reasons}); reason: {cleaned}"


def definition_of_done(project: Row) -> list[str]:
    return list(json.loads(project["definition_of_done"] or "[]"))


def rank_task(
    gw: Gateway,
    task: Row,
    *,
    before: Row | None = None,
    after: Row | None = None,
    top: bool = False,
) -> None:
    """Reorder a task within its column: to the top, the bottom, or next to another."""
    others = gw.reader.rows(
        "SELECT t.*, p.key AS project_key FROM task t JOIN project p ON p.id = t.project_id "
        "WHERE t.project_id = :p AND t.status = :s AND t.deleted_at IS NULL AND t.id <> :id "
        "ORDER BY t.rank, t.number",
        {"p": task["project_id"], "s": task["status"], "id": task["id"]},
    )
    anchor = before or after
    if anchor is not None:
        if anchor["id"] == task["id"]:
            raise InvalidInput("a task cannot be ranked next to itself")
        if anchor["status"] != task["status"] or anchor["project_id"] != task["project_id"]:
            raise InvalidInput("tasks can only be ranked against tasks in the same column")
        position = next(i for i, other in enumerate(others) if other["id"] == anchor["id"])
        index = position + (1 if after is not None else 0)
    else:
        index = 0 if top else len(others)
    column_tasks = [*others[:index], task, *others[index:]]
    # Renumber the column: ranks stay small whole numbers however often cards move.
    for position, column_task in enumerate(column_tasks, start=1):
        if column_task["rank"] != float(position):
            column_task.setdefault("key", f"{column_task['project_key']}-{column_task['number']}")
            if column_task is task:
                _update_task(gw, task, {"rank": float(position)})
            else:
                gw.update(
                    "task",
                    column_task["id"],
                    {"rank": float(position)},
                    version=column_task["version"],
                    what=column_task["key"],
                )


def remove_task(gw: Gateway, task: Row) -> None:
    """Remove a task from lists and boards; it stays in the history and undo restores it."""
    now = clock.utcnow()
    _update_task(gw, task, {"deleted_at": now})
