"""Projects, their workflow, members, sprints and tasks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from pmtool.models.base import Audited

# Ids of audited rows are never reused (SQLite would hand a deleted row's id to the next
# insert), so the audit trail of one row never runs into another's.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


# The row's version: 1 when inserted, +1 on every update (optimistic concurrency).
def row_version() -> Any:
    return Field(default=1, sa_column_kwargs={"server_default": "1"})


class Project(Audited, SQLModel, table=True):
    __table_args__ = (NEVER_REUSE_IDS,)
    audit_entity: ClassVar[str] = "project"
    audit_ignore: ClassVar[frozenset[str]] = frozenset({"updated_at", "next_task_number"})

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=10)
    name: str
    description: str | None = None
    # JSON list of checklist items shown when a task moves to a done column.
    definition_of_done: str = Field(default="[]", sa_column_kwargs={"server_default": "[]"})
    next_task_number: int = 1
    created_at: datetime
    # Set when the project is archived: hidden from lists, closed to changes.
    archived_at: datetime | None = None
    version: int = row_version()


class WorkflowColumn(Audited, SQLModel, table=True):
    """One status of a project's board, in order, with an optional WIP limit."""

    __tablename__ = "workflow_column"
    __table_args__ = (UniqueConstraint("project_id", "name"), NEVER_REUSE_IDS)
    audit_entity: ClassVar[str] = "column"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    name: str
    position: int
    wip_limit: int | None = None
    is_done: bool = False
    version: int = row_version()


class Member(Audited, SQLModel, table=True):
    __table_args__ = (NEVER_REUSE_IDS,)
    """A person who can be assigned work. Email is personal data: kept out of exports."""

    audit_entity: ClassVar[str] = "member"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    email: str | None = None
    role: str | None = None
    created_at: datetime
    version: int = row_version()


class Sprint(Audited, SQLModel, table=True):
    __table_args__ = (UniqueConstraint("project_id", "name"), NEVER_REUSE_IDS)
    audit_entity: ClassVar[str] = "sprint"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    name: str
    goal: str | None = None
    start_date: date
    end_date: date
    capacity: int | None = None
    status: str = "planned"  # planned | active | closed
    started_at: datetime | None = None
    closed_at: datetime | None = None
    created_at: datetime
    version: int = row_version()


class Task(Audited, SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        Index("ix_task_project_status_rank", "project_id", "status", "rank"),
        NEVER_REUSE_IDS,
    )
    audit_entity: ClassVar[str] = "task"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    number: int
    title: str
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    type: str = "task"
    status: str = "backlog"
    priority: str = "medium"
    points: int | None = None
    assignee_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    due_date: date | None = None
    parent_id: int | None = Field(default=None, foreign_key="task.id")
    sprint_id: int | None = Field(default=None, foreign_key="sprint.id", index=True)
    # JSON list of labels; small, always read with the task.
    labels: str = Field(default="[]", sa_column_kwargs={"server_default": "[]"})
    rank: float = 0.0
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    version: int = row_version()


class Setting(Audited, SQLModel, table=True):
    """Small workspace settings, e.g. the default project."""

    audit_entity: ClassVar[str] = "setting"

    key: str = Field(primary_key=True)
    value: str
    version: int = row_version()
