"""Compliance: a project's regulatory profile, its MDR classifications, checklists from
templates (with their items and linked tasks), and the templates users added."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from pmtool.models.agile import NEVER_REUSE_IDS, row_version
from pmtool.models.base import Audited


class ComplianceProfile(Audited, SQLModel, table=True):
    """One per project: AI Act role and tier, IEC 62304 class, each with its reason.

    The MDR class is not stored here: it is the latest ComplianceClassification.
    """

    __tablename__ = "compliance_profile"
    __table_args__ = (NEVER_REUSE_IDS,)
    audit_entity: ClassVar[str] = "compliance_profile"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", unique=True)
    intended_purpose: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    ai_act_role: str | None = None  # provider | deployer | both | research-only
    ai_act_tier: str | None = None  # set by the user; else derived from the MDR class
    ai_act_reason: str | None = None
    iec62304_class: str | None = None  # A | B | C
    iec62304_reason: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int = row_version()


class ComplianceClassification(Audited, SQLModel, table=True):
    """One run of a guided classification (MDR Rule 11): the answers, the class, why.

    Every run is kept, so a re-run can be compared with the one before.
    """

    __tablename__ = "compliance_classification"
    __table_args__ = (NEVER_REUSE_IDS,)
    audit_entity: ClassVar[str] = "compliance_classification"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    rule: str  # "mdr-rule-11"
    answers: str  # JSON object: question id -> "yes" | "no"
    result: str  # none | I | IIa | IIb | III
    rationale: str = Field(sa_column=Column(Text, nullable=False))
    classified_at: datetime
    version: int = row_version()


class ComplianceTemplate(Audited, SQLModel, table=True):
    """A user's own checklist template (e.g. an institution's SOP), stored as its TOML."""

    __tablename__ = "compliance_template"
    __table_args__ = (NEVER_REUSE_IDS,)
    audit_entity: ClassVar[str] = "compliance_template"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    title: str
    source_file: str  # the file name it was added from
    content: str = Field(sa_column=Column(Text, nullable=False))
    added_at: datetime
    version: int = row_version()


class ComplianceChecklist(Audited, SQLModel, table=True):
    """A checklist of a project (or of a thesis in it), copied from a template when added:
    later changes to the template never change it."""

    __tablename__ = "compliance_checklist"
    __table_args__ = (NEVER_REUSE_IDS,)
    audit_entity: ClassVar[str] = "compliance_checklist"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    # The thesis domain's id; no foreign key, so this table does not depend on it.
    thesis_id: int | None = None
    template: str  # the template's name when added
    title: str
    kind: str
    source: str  # link to the official source
    template_version: str | None = None
    applies_from: date | None = None
    created_at: datetime
    version: int = row_version()


class ComplianceItem(Audited, SQLModel, table=True):
    """One item of a checklist: status, owner, evidence, due date, definition of done."""

    __tablename__ = "compliance_item"
    __table_args__ = (UniqueConstraint("checklist_id", "number"), NEVER_REUSE_IDS)
    audit_entity: ClassVar[str] = "compliance_item"
    audit_ignore: ClassVar[frozenset[str]] = frozenset({"updated_at"})

    id: int | None = Field(default=None, primary_key=True)
    checklist_id: int = Field(foreign_key="compliance_checklist.id", index=True)
    position: int
    number: str
    section: str | None = None
    label: str
    status: str = "open"  # open | in_progress | done | not_applicable
    owner_id: int | None = Field(default=None, foreign_key="member.id")
    evidence: str | None = None
    evidence_kind: str | None = None  # url | task | commit | file
    na_reason: str | None = None
    due_date: date | None = None
    in_dod: bool = False  # part of the project's definition of done
    done_at: datetime | None = None
    updated_at: datetime
    version: int = row_version()


class ComplianceItemTask(Audited, SQLModel, table=True):
    """A task that works on (or was made from) a checklist item."""

    __tablename__ = "compliance_item_task"
    __table_args__ = (UniqueConstraint("item_id", "task_id"), NEVER_REUSE_IDS)
    audit_entity: ClassVar[str] = "compliance_item_task"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="compliance_item.id", index=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    version: int = row_version()
