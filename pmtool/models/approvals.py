"""Ethics approvals and data-protection records, their conditions, amendments and incidents,
and the links by which a task requires one approval.

The state machine and the kinds are in :mod:`pmtool.core.words`; the rules in
:mod:`pmtool.services.approvals`. "Expired" is never stored: it is derived from
``valid_until`` wherever an approval is read.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from pmtool.models.agile import NEVER_REUSE_IDS, row_version
from pmtool.models.base import Audited


class Approval(Audited, SQLModel, table=True):
    """One record: an ethics vote, exemption certificate, DPIA, data processing or data-use
    agreement, data-access decision or EHDS data permit."""

    __table_args__ = (NEVER_REUSE_IDS,)
    audit_entity: ClassVar[str] = "approval"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    kind: str  # ethics | exemption | dpia | dpa | dua | data-access | ehds-permit
    title: str
    body: str  # the committee, DPO, data owner or access body that decides
    reference: str | None = None  # the body's reference number
    applicant: str | None = None
    status: str = "draft"
    submitted_on: date | None = None
    decided_on: date | None = None
    valid_from: date | None = None
    valid_until: date | None = None  # the last day it is in force
    next_report_due: date | None = None  # progress or end-of-study report
    # JSON list of document names or paths (application, vote letter, contract).
    documents: str = Field(default="[]", sa_column_kwargs={"server_default": "[]"})
    legal_basis: str | None = None  # e.g. "Art. 9(2)(j) GDPR with Art. 89 safeguards"
    data_form: str | None = None  # identifiable | pseudonymised | anonymised
    dpo_consulted_on: date | None = None
    notes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime
    updated_at: datetime
    version: int = row_version()


class ApprovalCondition(Audited, SQLModel, table=True):
    """A condition ("Auflage") of an approval, tracked until it is met."""

    __tablename__ = "approval_condition"
    __table_args__ = (UniqueConstraint("approval_id", "number"), NEVER_REUSE_IDS)
    audit_entity: ClassVar[str] = "approval_condition"

    id: int | None = Field(default=None, primary_key=True)
    approval_id: int = Field(foreign_key="approval.id", index=True)
    number: int  # 1, 2, ... within the approval
    text: str
    due_date: date | None = None
    status: str = "open"  # open | met
    evidence: str | None = None
    met_on: date | None = None
    created_at: datetime
    version: int = row_version()


class ApprovalAmendment(Audited, SQLModel, table=True):
    """A numbered change to an approved study; it needs its own decision before it applies."""

    __tablename__ = "approval_amendment"
    __table_args__ = (UniqueConstraint("approval_id", "number"), NEVER_REUSE_IDS)
    audit_entity: ClassVar[str] = "approval_amendment"

    id: int | None = Field(default=None, primary_key=True)
    approval_id: int = Field(foreign_key="approval.id", index=True)
    number: int
    summary: str
    status: str = "draft"  # draft | submitted | approved | rejected | withdrawn
    submitted_on: date | None = None
    decided_on: date | None = None
    created_at: datetime
    version: int = row_version()


class ApprovalIncident(Audited, SQLModel, table=True):
    """An incident or protocol deviation under an approval, and when it was reported."""

    __tablename__ = "approval_incident"
    __table_args__ = (NEVER_REUSE_IDS,)
    audit_entity: ClassVar[str] = "approval_incident"

    id: int | None = Field(default=None, primary_key=True)
    approval_id: int = Field(foreign_key="approval.id", index=True)
    occurred_on: date
    kind: str = "deviation"  # deviation | incident | breach
    summary: str
    reported_on: date | None = None  # to the committee or the DPO
    created_at: datetime
    version: int = row_version()


class TaskApproval(Audited, SQLModel, table=True):
    """A task that requires one approval in force before it may start or finish."""

    __tablename__ = "task_approval"
    __table_args__ = (UniqueConstraint("task_id", "approval_id"), NEVER_REUSE_IDS)
    audit_entity: ClassVar[str] = "task_approval"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    approval_id: int = Field(foreign_key="approval.id", index=True)
    version: int = row_version()
