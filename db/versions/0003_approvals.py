"""Ethics approvals and data-protection records: approvals, their conditions, amendments
and incidents, and the links by which a task requires an approval.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _version() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("version", sa.Integer(), server_default="1", nullable=False)


def upgrade() -> None:
    timestamp = sa.DateTime(timezone=True)
    op.create_table(
        "approval",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("reference", sa.String(), nullable=True),
        sa.Column("applicant", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("next_report_due", sa.Date(), nullable=True),
        sa.Column("documents", sa.String(), server_default="[]", nullable=False),
        sa.Column("legal_basis", sa.String(), nullable=True),
        sa.Column("data_form", sa.String(), nullable=True),
        sa.Column("dpo_consulted_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", timestamp, nullable=False),
        sa.Column("updated_at", timestamp, nullable=False),
        _version(),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_approval_project_id", "approval", ["project_id"])
    op.create_table(
        "approval_condition",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("approval_id", sa.Integer(), sa.ForeignKey("approval.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("evidence", sa.String(), nullable=True),
        sa.Column("met_on", sa.Date(), nullable=True),
        sa.Column("created_at", timestamp, nullable=False),
        _version(),
        sa.UniqueConstraint("approval_id", "number"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_approval_condition_approval_id", "approval_condition", ["approval_id"])
    op.create_table(
        "approval_amendment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("approval_id", sa.Integer(), sa.ForeignKey("approval.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("created_at", timestamp, nullable=False),
        _version(),
        sa.UniqueConstraint("approval_id", "number"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_approval_amendment_approval_id", "approval_amendment", ["approval_id"])
    op.create_table(
        "approval_incident",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("approval_id", sa.Integer(), sa.ForeignKey("approval.id"), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=True),
        sa.Column("created_at", timestamp, nullable=False),
        _version(),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_approval_incident_approval_id", "approval_incident", ["approval_id"])
    op.create_table(
        "task_approval",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("task.id"), nullable=False),
        sa.Column("approval_id", sa.Integer(), sa.ForeignKey("approval.id"), nullable=False),
        _version(),
        sa.UniqueConstraint("task_id", "approval_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_task_approval_task_id", "task_approval", ["task_id"])
    op.create_index("ix_task_approval_approval_id", "task_approval", ["approval_id"])


def downgrade() -> None:
    for table in (
        "task_approval",
        "approval_incident",
        "approval_amendment",
        "approval_condition",
        "approval",
    ):
        op.drop_table(table)
