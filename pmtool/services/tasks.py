"""Creating, editing, moving, ranking and removing tasks (write side)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, func, select

from pmtool import clock
from pmtool.errors import InvalidInput, NotFound, Refused
from pmtool.models import Member, Project, Sprint, Task
from pmtool.models.base import require_id
from pmtool.services import choices, projects
from pmtool.services.audit import add_note
from pmtool.services.read.tasks import parse_key
from pmtool.services.validation import check_points, clean_text

# Marks "clear this field" in edit_task, as opposed to None for "leave as it is".
CLEAR: Any = object()


def get_task(session: Session, key: str) -> Task:
    project_key, number = parse_key(key)
    task = session.exec(
        select(Task)
        .join(Project, col(Project.id) == col(Task.project_id))
        .where(Project.key == project_key, Task.number == number, col(Task.deleted_at).is_(None))
    ).first()
    if task is None:
        raise NotFound(f"no task {project_key}-{number}")
    return task


def task_key(session: Session, task: Task) -> str:
    project = session.get(Project, task.project_id)
    assert project is not None
    return f"{project.key}-{task.number}"


def find_member(session: Session, name: str) -> Member:
    member = session.exec(
        select(Member).where(func.lower(Member.name) == name.strip().lower())
    ).first()
    if member is None:
        raise NotFound(f"no member {name.strip()!r}; add them with `pmtool member add NAME`")
    return member


def find_sprint(
    session: Session, project: Project, name: str, *, for_new_work: bool = True
) -> Sprint:
    wanted = name.strip()
    query = select(Sprint).where(Sprint.project_id == project.id)
    if wanted.lower() in ("current", "active"):
        sprint = session.exec(query.where(Sprint.status == "active")).first()
        if sprint is None:
            raise NotFound(f"{project.key} has no active sprint")
    else:
        sprint = session.exec(query.where(func.lower(Sprint.name) == wanted.lower())).first()
        if sprint is None:
            raise NotFound(
                f"no sprint {wanted!r} in {project.key} (`pmtool sprint list` shows them)"
            )
    if for_new_work and sprint.status == "closed":
        raise Refused(f"sprint {sprint.name} is closed; plan the work into an open sprint")
    return sprint


def _check_choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    cleaned = value.strip().lower()
    if cleaned not in allowed:
        raise InvalidInput(f"{what} must be one of {', '.join(allowed)} (got {value!r})")
    return cleaned


def _check_labels(labels: list[str]) -> list[str]:
    cleaned: list[str] = []
    for label in labels:
        text = clean_text(label, "a label", 40)
        if "," in text:
            raise InvalidInput(
                f"label {text!r} cannot contain a comma; give --label once per label"
            )
        if text not in cleaned:
            cleaned.append(text)
    return cleaned


def _next_rank(session: Session, project_id: int, status: str) -> float:
    highest = session.exec(
        select(func.max(col(Task.rank))).where(
            Task.project_id == project_id,
            Task.status == status,
            col(Task.deleted_at).is_(None),
        )
    ).first()
    return float(highest or 0) + 1.0


def _check_wip(
    session: Session, project: Project, status: str, moving: Task | None, force: bool
) -> None:
    target = projects.column(session, project, status)
    if target.wip_limit is None:
        return
    occupied = (
        session.exec(
            select(func.count())
            .select_from(Task)
            .where(
                Task.project_id == project.id,
                Task.status == target.name,
                col(Task.deleted_at).is_(None),
                Task.id != (moving.id if moving is not None else -1),
            )
        ).first()
        or 0
    )
    if occupied < target.wip_limit:
        return
    if not force:
        raise Refused(
            f"{target.name} is at its WIP limit ({occupied}/{target.wip_limit}); "
            "finish something first or use --force"
        )
    if moving is not None:
        add_note(
            session,
            "task",
            moving.id,
            "wip_override",
            f"{target.name} past its WIP limit ({occupied + 1}/{target.wip_limit})",
        )


def _check_parent(session: Session, project: Project, parent_key: str, task: Task | None) -> Task:
    parent = get_task(session, parent_key)
    if parent.project_id != project.id:
        raise InvalidInput(f"{parent_key} belongs to another project")
    if task is not None:
        ancestor: Task | None = parent
        while ancestor is not None:
            if ancestor.id == task.id:
                raise InvalidInput(f"{parent_key} cannot be the parent of its own ancestor")
            ancestor = session.get(Task, ancestor.parent_id) if ancestor.parent_id else None
    return parent


def add_task(
    session: Session,
    project: Project,
    title: str,
    *,
    points: int | None = None,
    task_type: str = "task",
    priority: str = "medium",
    assignee: str | None = None,
    labels: list[str] | None = None,
    due: date | None = None,
    sprint: str | None = None,
    parent: str | None = None,
    description: str | None = None,
    status: str | None = None,
    force: bool = False,
) -> Task:
    """A new task; its key is the project's key and the next number, e.g. PM-7."""
    title = clean_text(title, "the title", choices.MAX_TITLE_LENGTH)
    workflow = projects.columns(session, project)
    sprint_row = find_sprint(session, project, sprint) if sprint else None
    if status is None:
        # Work planned into a sprint starts in the column after the backlog.
        start_index = 1 if sprint_row is not None and workflow[0].name == "backlog" else 0
        status = workflow[start_index].name
    status = projects.column(session, project, status).name
    now = clock.utcnow()
    task = Task(
        project_id=require_id(project),
        number=project.next_task_number,
        title=title,
        description=description.strip() if description and description.strip() else None,
        type=_check_choice(task_type, choices.TASK_TYPES, "type"),
        status=status,
        priority=_check_choice(priority, choices.PRIORITIES, "priority"),
        points=check_points(points),
        assignee_id=find_member(session, assignee).id if assignee else None,
        due_date=due,
        parent_id=_check_parent(session, project, parent, None).id if parent else None,
        sprint_id=sprint_row.id if sprint_row else None,
        labels=json.dumps(_check_labels(labels or []), ensure_ascii=False),
        rank=_next_rank(session, require_id(project), status),
        created_at=now,
        updated_at=now,
    )
    _check_wip(session, project, status, None, force)
    project.next_task_number += 1
    session.add(task)
    session.flush()
    return task


def edit_task(
    session: Session,
    task: Task,
    *,
    title: str | None = None,
    description: Any = None,
    points: Any = None,
    task_type: str | None = None,
    priority: str | None = None,
    assignee: Any = None,
    add_labels: list[str] | None = None,
    remove_labels: list[str] | None = None,
    due: Any = None,
    sprint: Any = None,
    parent: Any = None,
    expected_updated_at: Any = None,
) -> Task:
    """Change the given fields; ``CLEAR`` empties one. Refuses a stale edit (TUI)."""
    project = session.get(Project, task.project_id)
    assert project is not None
    if expected_updated_at is not None and task.updated_at != expected_updated_at:
        from pmtool.errors import Conflict

        raise Conflict(f"{project.key}-{task.number} was changed by someone else; reload it")
    if title is not None:
        task.title = clean_text(title, "the title", choices.MAX_TITLE_LENGTH)
    if description is CLEAR:
        task.description = None
    elif description is not None:
        task.description = description.strip() or None
    if points is CLEAR:
        task.points = None
    elif points is not None:
        task.points = check_points(points)
    if task_type is not None:
        task.type = _check_choice(task_type, choices.TASK_TYPES, "type")
    if priority is not None:
        task.priority = _check_choice(priority, choices.PRIORITIES, "priority")
    if assignee is CLEAR:
        task.assignee_id = None
    elif assignee is not None:
        task.assignee_id = find_member(session, assignee).id
    if add_labels or remove_labels:
        current = json.loads(task.labels)
        removed = set(remove_labels or [])
        unknown = removed - set(current)
        if unknown:
            raise InvalidInput(f"{project.key}-{task.number} has no label {sorted(unknown)[0]!r}")
        kept = [label for label in current if label not in removed]
        task.labels = json.dumps(_check_labels(kept + list(add_labels or [])), ensure_ascii=False)
    if due is CLEAR:
        task.due_date = None
    elif due is not None:
        task.due_date = due
    if sprint is CLEAR:
        task.sprint_id = None
    elif sprint is not None:
        task.sprint_id = find_sprint(session, project, sprint).id
        workflow = projects.columns(session, project)
        if task.status == workflow[0].name == "backlog" and len(workflow) > 1:
            # Planned into a sprint: out of the backlog, as `task add --sprint` does.
            _check_wip(session, project, workflow[1].name, task, False)
            task.status = workflow[1].name
            task.rank = _next_rank(session, require_id(project), task.status)
    if parent is CLEAR:
        task.parent_id = None
    elif parent is not None:
        task.parent_id = _check_parent(session, project, parent, task).id
    if session.is_modified(task):
        task.updated_at = clock.utcnow()
    session.flush()
    return task


@dataclass(frozen=True)
class MoveResult:
    task: Task
    old_status: str
    new_status: str
    definition_of_done: list[str]


def move_task(session: Session, task: Task, status: str, *, force: bool = False) -> MoveResult:
    """Move a task to another column, within the WIP limit unless forced."""
    project = session.get(Project, task.project_id)
    assert project is not None
    target = projects.column(session, project, status)
    old_status = task.status
    if target.name != old_status:
        _check_wip(session, project, target.name, task, force)
        task.status = target.name
        task.rank = _next_rank(session, require_id(project), target.name)
        task.updated_at = clock.utcnow()
        session.flush()
    checklist = projects.definition_of_done(project) if target.is_done else []
    return MoveResult(task, old_status, target.name, checklist)


def rank_task(
    session: Session,
    task: Task,
    *,
    before: Task | None = None,
    after: Task | None = None,
    top: bool = False,
) -> Task:
    """Reorder a task within its column: to the top, the bottom, or next to another."""
    column_tasks = list(
        session.exec(
            select(Task)
            .where(
                Task.project_id == task.project_id,
                Task.status == task.status,
                col(Task.deleted_at).is_(None),
                Task.id != task.id,
            )
            .order_by(col(Task.rank), col(Task.number))
        )
    )
    anchor = before or after
    if anchor is not None:
        if anchor.id == task.id:
            raise InvalidInput("a task cannot be ranked next to itself")
        if anchor.status != task.status or anchor.project_id != task.project_id:
            raise InvalidInput("tasks can only be ranked against tasks in the same column")
        index = column_tasks.index(anchor) + (1 if after is not None else 0)
    else:
        index = 0 if top else len(column_tasks)
    column_tasks.insert(index, task)
    # Renumber the column: ranks stay small whole numbers however often cards move.
    for position, column_task in enumerate(column_tasks, start=1):
        if column_task.rank != float(position):
            column_task.rank = float(position)
    task.updated_at = clock.utcnow()
    session.flush()
    return task


def remove_task(session: Session, task: Task) -> Task:
    """Remove a task from lists and boards; it stays in the history and undo restores it."""
    task.deleted_at = clock.utcnow()
    task.updated_at = task.deleted_at
    session.flush()
    return task
