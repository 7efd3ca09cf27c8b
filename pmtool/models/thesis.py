"""Master's theses: the thesis, its milestone plan with dependencies, supervision meetings
and their action items.

A plan is copied from a template (``templates/thesis/*.toml``) when the thesis is added,
so changing a template never changes a thesis planned from it. Old milestone dates and
deadlines are not kept in columns of their own: the audit trail holds every change with
its command (and the reason of an extension), and `pmtool thesis history` reads it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from pmtool.models.agile import NEVER_REUSE_IDS, row_version
from pmtool.models.base import Audited


class Thesis(Audited, SQLModel, table=True):
    """One student's thesis; the deadline is start + weeks + extension weeks."""

    __table_args__ = (NEVER_REUSE_IDS,)
    audit_entity: ClassVar[str] = "thesis"

    id: int | None = Field(default=None, primary_key=True)
    student: str
    title: str
    research_question: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    programme: str | None = None
    cohort: str | None = None
    first_examiner: str | None = None
    second_examiner: str | None = None
    external_supervisor: str | None = None  # company or clinic supervisor
    company: str | None = None
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    repository_path: str | None = None
    confidential_until: date | None = None  # Sperrvermerk: the thesis is closed until then
    registered_on: date | None = None
    start_date: date  # the official start ("Anmeldung" fixes it)
    weeks: int  # processing time ("Bearbeitungszeit")
    extension_weeks: int = 0
    deadline: date
    defence_on: date | None = None
    template: str  # the plan it was made from (a copy: the template may change later)
    status: str = "planning"
    created_at: datetime
    updated_at: datetime
    version: int = row_version()


class ThesisMilestone(Audited, SQLModel, table=True):
    """A milestone of one thesis: due date, done date and the approvals it needs."""

    __tablename__ = "thesis_milestone"
    __table_args__ = (
        UniqueConstraint("thesis_id", "position"),
        UniqueConstraint("thesis_id", "code"),
        NEVER_REUSE_IDS,
    )
    audit_entity: ClassVar[str] = "thesis_milestone"

    id: int | None = Field(default=None, primary_key=True)
    thesis_id: int = Field(foreign_key="thesis.id", index=True)
    position: int  # 1, 2, ... the number users type
    code: str  # the template's id, e.g. "data-access"
    title: str
    due_date: date
    done_on: date | None = None
    # JSON list of approval needs; "ethics|exemption" is met by either kind in force.
    needs: str = Field(default="[]", sa_column_kwargs={"server_default": "[]"})
    version: int = row_version()


class ThesisMilestoneDependency(Audited, SQLModel, table=True):
    """``milestone_id`` cannot be done before ``depends_on_id`` (an edge of the plan)."""

    __tablename__ = "thesis_milestone_dependency"
    __table_args__ = (UniqueConstraint("milestone_id", "depends_on_id"), NEVER_REUSE_IDS)
    audit_entity: ClassVar[str] = "thesis_dependency"

    id: int | None = Field(default=None, primary_key=True)
    milestone_id: int = Field(foreign_key="thesis_milestone.id", index=True)
    depends_on_id: int = Field(foreign_key="thesis_milestone.id", index=True)
    version: int = row_version()


class ThesisMeeting(Audited, SQLModel, table=True):
    """A supervision meeting with its attendees, notes, decisions and the next date."""

    __tablename__ = "thesis_meeting"
    __table_args__ = (NEVER_REUSE_IDS,)
    audit_entity: ClassVar[str] = "thesis_meeting"

    id: int | None = Field(default=None, primary_key=True)
    thesis_id: int = Field(foreign_key="thesis.id", index=True)
    held_on: date
    attendees: str = Field(default="[]", sa_column_kwargs={"server_default": "[]"})  # JSON
    notes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    decisions: str = Field(default="[]", sa_column_kwargs={"server_default": "[]"})  # JSON
    next_on: date | None = None
    created_at: datetime
    version: int = row_version()


class ThesisAction(Audited, SQLModel, table=True):
    """An action item of a meeting; it becomes a task when the thesis has a project."""

    __tablename__ = "thesis_action"
    __table_args__ = (NEVER_REUSE_IDS,)
    audit_entity: ClassVar[str] = "thesis_action"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="thesis_meeting.id", index=True)
    text: str
    assignee: str | None = None
    task_id: int | None = Field(default=None, foreign_key="task.id")
    version: int = row_version()
