"""Clinical partners: partners, stakeholders and their projects, the contact log,
agreements, and the per-person keys that seal personal data in the audit trail.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    timestamp = sa.DateTime(timezone=True)

    def version() -> sa.Column:
        return sa.Column("version", sa.Integer(), server_default="1", nullable=False)

    op.create_table(
        "partner",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False, unique=True),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("notes", sa.String(), nullable=True),
        sa.Column("created_at", timestamp, nullable=False),
        version(),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "stakeholder",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("partner_id", sa.Integer(), sa.ForeignKey("partner.id"), nullable=True),
        sa.Column("role", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("power", sa.Integer(), nullable=False),
        sa.Column("interest", sa.Integer(), nullable=False),
        sa.Column("attitude", sa.String(), nullable=True),
        sa.Column("engagement_current", sa.String(), nullable=True),
        sa.Column("engagement_desired", sa.String(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("forgotten_at", timestamp, nullable=True),
        sa.Column("created_at", timestamp, nullable=False),
        version(),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_stakeholder_partner_id", "stakeholder", ["partner_id"])
    op.create_table(
        "stakeholder_project",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("stakeholder_id", sa.Integer(), sa.ForeignKey("stakeholder.id"), nullable=False),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("role", sa.String(), nullable=True),
        version(),
        sa.UniqueConstraint("stakeholder_id", "project_id"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_stakeholder_project_stakeholder_id", "stakeholder_project", ["stakeholder_id"]
    )
    op.create_index("ix_stakeholder_project_project_id", "stakeholder_project", ["project_id"])
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("stakeholder_id", sa.Integer(), sa.ForeignKey("stakeholder.id"), nullable=False),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=True),
        sa.Column("follow_up", sa.Date(), nullable=True),
        sa.Column("follow_up_done", sa.Boolean(), nullable=False),
        sa.Column("follow_up_task_id", sa.Integer(), sa.ForeignKey("task.id"), nullable=True),
        sa.Column("created_at", timestamp, nullable=False),
        version(),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_contact_stakeholder_id", "contact", ["stakeholder_id"])
    op.create_index("ix_contact_project_id", "contact", ["project_id"])
    op.create_table(
        "agreement",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("partner_id", sa.Integer(), sa.ForeignKey("partner.id"), nullable=False),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("document", sa.String(), nullable=True),
        sa.Column("terminated_on", sa.Date(), nullable=True),
        sa.Column("created_at", timestamp, nullable=False),
        version(),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_agreement_partner_id", "agreement", ["partner_id"])
    op.create_index("ix_agreement_project_id", "agreement", ["project_id"])
    op.create_table(
        "personal_key",
        sa.Column("subject", sa.String(), primary_key=True),
        sa.Column("secret", sa.String(), nullable=False),
        sa.Column("created_at", timestamp, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "personal_key",
        "agreement",
        "contact",
        "stakeholder_project",
        "stakeholder",
        "partner",
    ):
        op.drop_table(table)
