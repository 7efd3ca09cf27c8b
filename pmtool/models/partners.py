"""Clinical partners: organisations, the people in them, the contact log, agreements.

Stakeholders' names and contact details are personal data: the gateway seals them in
the audit trail with a per-person key (``personal_key``), which `stakeholder forget`
destroys (see docs/partners.md).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from pmtool.models.agile import NEVER_REUSE_IDS, row_version
from pmtool.models.base import Audited


class Partner(Audited, SQLModel, table=True):
    """An organisation: a clinic, a research institute, a company or an authority."""

    __table_args__ = (NEVER_REUSE_IDS,)
    audit_entity: ClassVar[str] = "partner"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    type: str  # clinic | research | company | authority
    notes: str | None = None
    created_at: datetime
    version: int = row_version()


class Stakeholder(Audited, SQLModel, table=True):
    """A person who matters to the work: power and interest 1-5 place them on the grid."""

    __table_args__ = (NEVER_REUSE_IDS,)
    audit_entity: ClassVar[str] = "stakeholder"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    partner_id: int | None = Field(default=None, foreign_key="partner.id", index=True)
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    power: int
    interest: int
    attitude: str | None = None  # champion | supporter | neutral | sceptic | opponent
    engagement_current: str | None = None  # unaware | resistant | neutral | supportive | leading
    engagement_desired: str | None = None
    notes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    forgotten_at: datetime | None = None  # personal data erased (GDPR Art. 17)
    created_at: datetime
    version: int = row_version()


class StakeholderProject(Audited, SQLModel, table=True):
    """A stakeholder's role in one project (a person can matter to several)."""

    __tablename__ = "stakeholder_project"
    __table_args__ = (UniqueConstraint("stakeholder_id", "project_id"), NEVER_REUSE_IDS)
    audit_entity: ClassVar[str] = "stakeholder_link"

    id: int | None = Field(default=None, primary_key=True)
    stakeholder_id: int = Field(foreign_key="stakeholder.id", index=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    role: str | None = None
    version: int = row_version()


class Contact(Audited, SQLModel, table=True):
    """One meeting, call or email with a stakeholder, and what follows from it."""

    __table_args__ = (NEVER_REUSE_IDS,)
    audit_entity: ClassVar[str] = "contact"

    id: int | None = Field(default=None, primary_key=True)
    stakeholder_id: int = Field(foreign_key="stakeholder.id", index=True)
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    kind: str  # meeting | email | call
    on_date: date
    summary: str = Field(sa_column=Column(Text, nullable=False))
    decisions: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    follow_up: date | None = None
    follow_up_done: bool = False
    follow_up_task_id: int | None = Field(default=None, foreign_key="task.id")
    created_at: datetime
    version: int = row_version()


class Agreement(Audited, SQLModel, table=True):
    """A contract with a partner: cooperation, NDA, DPA (Art. 28), joint control (Art. 26),
    data use. Status: draft -> in_negotiation -> signed -> terminated; expired is derived
    from valid_until."""

    __table_args__ = (NEVER_REUSE_IDS,)
    audit_entity: ClassVar[str] = "agreement"

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", index=True)
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    kind: str
    title: str | None = None
    status: str = "draft"
    signed_on: date | None = None
    valid_until: date | None = None
    document: str | None = None  # a path or a link
    terminated_on: date | None = None
    created_at: datetime
    version: int = row_version()


class PersonalKey(SQLModel, table=True):
    """The key that seals one person's values in the audit trail; erased by forget.

    Not audited (a key in the trail would defeat it)."""

    __tablename__ = "personal_key"

    subject: str = Field(primary_key=True)  # "stakeholder:12", "member:3"
    secret: str  # 32 random bytes, hex
    created_at: datetime
