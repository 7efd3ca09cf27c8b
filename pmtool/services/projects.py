"""Projects, their workflow columns, WIP limits and definition of done (write side)."""

from __future__ import annotations

import json
import re

from sqlmodel import Session, col, func, select

from pmtool import clock
from pmtool.errors import Conflict, InvalidInput, NotFound, Refused
from pmtool.models import Project, Setting, Task, WorkflowColumn
from pmtool.models.base import require_id
from pmtool.services import choices
from pmtool.services.read.projects import choose_project
from pmtool.services.validation import clean_text


def add_project(
    session: Session,
    key: str,
    name: str,
    *,
    description: str | None = None,
    definition_of_done: list[str] | None = None,
    workflow: tuple[str, ...] = choices.DEFAULT_WORKFLOW,
) -> Project:
    key = key.strip().upper()
    if not re.match(choices.PROJECT_KEY_PATTERN, key):
        raise InvalidInput(
            f"project key {key!r} must be 2-10 letters or digits starting with a letter, e.g. PM"
        )
    name = clean_text(name, "project name", choices.MAX_NAME_LENGTH)
    if session.exec(select(Project).where(Project.key == key)).first() is not None:
        raise Conflict(f"project {key} exists already")
    project = Project(
        key=key,
        name=name,
        description=description,
        definition_of_done=json.dumps(definition_of_done or []),
        created_at=clock.utcnow(),
    )
    session.add(project)
    session.flush()
    assert project.id is not None
    for position, status in enumerate(workflow):
        session.add(
            WorkflowColumn(
                project_id=project.id,
                name=status,
                position=position,
                is_done=status in choices.DONE_STATUSES,
            )
        )
    session.flush()
    return project


def get_project(session: Session, wanted: str | None) -> Project:
    """The project named by -p/PMTOOL_PROJECT, else the default, else the only one."""
    rows = session.execute(select(Project.id, Project.key)).all()
    default = session.exec(
        select(Setting.value).where(Setting.key == choices.DEFAULT_PROJECT_SETTING)
    ).first()
    project_id, _key = choose_project([(row[0], row[1]) for row in rows], wanted, default)
    project = session.get(Project, project_id)
    assert project is not None
    return project


def use_project(session: Session, key: str) -> Project:
    """Make ``key`` the project that commands use when -p is not given."""
    project = get_project(session, key)
    setting = session.get(Setting, choices.DEFAULT_PROJECT_SETTING)
    if setting is None:
        session.add(Setting(key=choices.DEFAULT_PROJECT_SETTING, value=project.key))
    else:
        setting.value = project.key
    session.flush()
    return project


def columns(session: Session, project: Project) -> list[WorkflowColumn]:
    return list(
        session.exec(
            select(WorkflowColumn)
            .where(WorkflowColumn.project_id == project.id)
            .order_by(col(WorkflowColumn.position))
        )
    )


def column(session: Session, project: Project, status: str) -> WorkflowColumn:
    wanted = status.strip().lower().replace("-", "_").replace(" ", "_")
    for candidate in columns(session, project):
        if candidate.name == wanted:
            return candidate
    names = ", ".join(c.name for c in columns(session, project))
    raise InvalidInput(f"{project.key} has no status {status!r}; its statuses are: {names}")


def set_wip_limit(
    session: Session, project: Project, status: str, limit: int | None
) -> WorkflowColumn:
    if limit is not None and limit < 1:
        raise InvalidInput("a WIP limit is a whole number of at least 1 (or 'none' to remove it)")
    target = column(session, project, status)
    target.wip_limit = limit
    session.flush()
    return target


def add_column(
    session: Session, project: Project, status: str, *, before: str | None, is_done: bool
) -> WorkflowColumn:
    name = status.strip().lower().replace("-", "_").replace(" ", "_")
    if not re.match(r"^[a-z][a-z0-9_]{0,29}$", name):
        raise InvalidInput(f"status {status!r} must be a short word (letters, digits, _)")
    existing = columns(session, project)
    if any(c.name == name for c in existing):
        raise Conflict(f"{project.key} has a status {name} already")
    position = len(existing)
    if before is not None:
        position = column(session, project, before).position
        for later in existing:
            if later.position >= position:
                later.position += 1
    new_column = WorkflowColumn(
        project_id=require_id(project), name=name, position=position, is_done=is_done
    )
    session.add(new_column)
    session.flush()
    return new_column


def remove_column(session: Session, project: Project, status: str) -> None:
    target = column(session, project, status)
    in_use = session.exec(
        select(func.count())
        .select_from(Task)
        .where(
            Task.project_id == project.id,
            Task.status == target.name,
            col(Task.deleted_at).is_(None),
        )
    ).first()
    if in_use:
        raise Refused(f"{in_use} task(s) are in {target.name}; move them before removing it")
    if len(columns(session, project)) <= 2:
        raise Refused("a workflow needs at least two statuses")
    session.delete(target)
    session.flush()
    for position, remaining in enumerate(c for c in columns(session, project) if c.id != target.id):
        remaining.position = position
    session.flush()


def definition_of_done(project: Project) -> list[str]:
    return list(json.loads(project.definition_of_done or "[]"))


def add_done_item(session: Session, project: Project, item: str) -> list[str]:
    items = definition_of_done(project)
    items.append(clean_text(item, "checklist item", choices.MAX_TITLE_LENGTH))
    project.definition_of_done = json.dumps(items)
    session.flush()
    return items


def remove_done_item(session: Session, project: Project, number: int) -> list[str]:
    items = definition_of_done(project)
    if not 1 <= number <= len(items):
        raise NotFound(f"the definition of done of {project.key} has no item {number}")
    del items[number - 1]
    project.definition_of_done = json.dumps(items)
    session.flush()
    return items
