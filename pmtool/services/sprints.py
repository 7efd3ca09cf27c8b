"""Sprint lifecycle: plan, start (one active per project), close with carry-over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from pmtool import clock
from pmtool.errors import Conflict, InvalidInput, Refused
from pmtool.models import Project, Sprint, Task, WorkflowColumn
from pmtool.models.base import require_id
from pmtool.services import choices
from pmtool.services.tasks import find_sprint
from pmtool.services.validation import check_points, clean_text


def add_sprint(
    session: Session,
    project: Project,
    name: str,
    *,
    start: date,
    end: date,
    goal: str | None = None,
    capacity: int | None = None,
) -> Sprint:
    name = clean_text(name, "the sprint name", choices.MAX_NAME_LENGTH)
    if name.lower() in ("current", "active", "none", "backlog", "-"):
        raise InvalidInput(f"{name!r} is a reserved word; choose another sprint name")
    if end < start:
        raise InvalidInput(f"the sprint ends ({end}) before it starts ({start})")
    if (end - start).days > 366:
        raise InvalidInput("a sprint longer than a year is not a sprint; check the dates")
    duplicate = session.exec(
        select(Sprint).where(
            Sprint.project_id == project.id, func.lower(Sprint.name) == name.lower()
        )
    ).first()
    if duplicate is not None:
        raise Conflict(f"{project.key} has a sprint called {duplicate.name} already")
    sprint = Sprint(
        project_id=require_id(project),
        name=name,
        goal=goal.strip() if goal and goal.strip() else None,
        start_date=start,
        end_date=end,
        capacity=check_points(capacity),
        created_at=clock.utcnow(),
    )
    session.add(sprint)
    session.flush()
    return sprint


def edit_sprint(
    session: Session,
    sprint: Sprint,
    *,
    goal: str | None = None,
    capacity: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Sprint:
    if sprint.status == "closed":
        raise Refused(f"sprint {sprint.name} is closed; its record is final")
    if goal is not None:
        sprint.goal = goal.strip() or None
    if capacity is not None:
        sprint.capacity = check_points(capacity)
    new_start = start or sprint.start_date
    new_end = end or sprint.end_date
    if new_end < new_start:
        raise InvalidInput(f"the sprint would end ({new_end}) before it starts ({new_start})")
    if start is not None and sprint.status == "active" and start != sprint.start_date:
        raise Refused(f"sprint {sprint.name} has started; its start date is fixed")
    sprint.start_date, sprint.end_date = new_start, new_end
    session.flush()
    return sprint


def start_sprint(session: Session, sprint: Sprint) -> Sprint:
    if sprint.status == "active":
        raise Refused(f"sprint {sprint.name} is already active")
    if sprint.status == "closed":
        raise Refused(f"sprint {sprint.name} is closed and cannot start again")
    running = session.exec(
        select(Sprint).where(Sprint.project_id == sprint.project_id, Sprint.status == "active")
    ).first()
    if running is not None:
        raise Refused(
            f"sprint {running.name} is active; close it first (one active sprint per project)"
        )
    sprint.status = "active"
    sprint.started_at = clock.utcnow()
    session.flush()
    return sprint


@dataclass(frozen=True)
class CloseResult:
    sprint: Sprint
    completed_points: int
    completed_tasks: int
    carried_keys: list[str]
    carried_to: str | None  # sprint name, or None for the backlog


def close_sprint(session: Session, sprint: Sprint, *, carry_to: str | None = None) -> CloseResult:
    """Close the active sprint; unfinished tasks go to ``carry_to`` or the backlog."""
    if sprint.status == "closed":
        raise Refused(f"sprint {sprint.name} is already closed")
    if sprint.status != "active":
        raise Refused(f"sprint {sprint.name} has not started; start it or edit its plan")
    project = session.get(Project, sprint.project_id)
    assert project is not None
    target = None
    if carry_to is not None and carry_to.strip().lower() not in ("backlog", "none", "-"):
        target = find_sprint(session, project, carry_to)
        if target.id == sprint.id:
            raise InvalidInput(
                "unfinished work cannot be carried over into the sprint being closed"
            )
    done_statuses = set(
        session.exec(
            select(WorkflowColumn.name).where(
                WorkflowColumn.project_id == project.id,
                col(WorkflowColumn.is_done).is_(True),
            )
        )
    )
    sprint_tasks = list(
        session.exec(
            select(Task)
            .where(Task.sprint_id == sprint.id, col(Task.deleted_at).is_(None))
            .order_by(col(Task.number))
        )
    )
    finished = [task for task in sprint_tasks if task.status in done_statuses]
    unfinished = [task for task in sprint_tasks if task.status not in done_statuses]
    now = clock.utcnow()
    for task in unfinished:
        task.sprint_id = target.id if target is not None else None
        task.updated_at = now
    sprint.status = "closed"
    sprint.closed_at = now
    session.flush()
    return CloseResult(
        sprint=sprint,
        completed_points=sum(task.points or 0 for task in finished),
        completed_tasks=len(finished),
        carried_keys=[f"{project.key}-{task.number}" for task in unfinished],
        carried_to=target.name if target is not None else None,
    )


def over_capacity(session: Session, sprint_id: int | None) -> str | None:
    """A warning when the sprint's planned points exceed its capacity, else None."""
    if sprint_id is None:
        return None
    sprint = session.get(Sprint, sprint_id)
    if sprint is None or sprint.capacity is None:
        return None
    planned = session.exec(
        select(func.coalesce(func.sum(Task.points), 0)).where(
            Task.sprint_id == sprint_id, col(Task.deleted_at).is_(None)
        )
    ).one()
    if int(planned or 0) <= sprint.capacity:
        return None
    return f"{sprint.name} now holds {planned} points against a capacity of {sprint.capacity}"
