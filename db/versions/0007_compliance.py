"""Compliance: regulatory profile, MDR classifications, checklist templates, checklists,
their items and the tasks linked to them.

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Checklist items with their checklist, project and owner, for lists and documents.
ITEM_VIEW = """
CREATE VIEW v_compliance_item AS
SELECT i.id, c.project_id, p.key AS project, c.id AS checklist_id, c.template AS checklist,
       c.title AS checklist_title, c.thesis_id, i.position, i.number, i.section, i.label,
       i.status, m.name AS owner, i.owner_id, i.evidence, i.evidence_kind, i.na_reason,
       i.due_date AS due, i.in_dod, i.done_at, i.updated_at, i.version
FROM compliance_item i
JOIN compliance_checklist c ON c.id = i.checklist_id
JOIN project p ON p.id = c.project_id
LEFT JOIN member m ON m.id = i.owner_id
"""


def upgrade() -> None:
    timestamp = sa.DateTime(timezone=True)
    op.create_table(
        "compliance_profile",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False, unique=True
        ),
        sa.Column("intended_purpose", sa.Text(), nullable=True),
        sa.Column("ai_act_role", sa.String(), nullable=True),
        sa.Column("ai_act_tier", sa.String(), nullable=True),
        sa.Column("ai_act_reason", sa.String(), nullable=True),
        sa.Column("iec62304_class", sa.String(), nullable=True),
        sa.Column("iec62304_reason", sa.String(), nullable=True),
        sa.Column("created_at", timestamp, nullable=False),
        sa.Column("updated_at", timestamp, nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "compliance_classification",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("answers", sa.String(), nullable=False),
        sa.Column("result", sa.String(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("classified_at", timestamp, nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_compliance_classification_project_id", "compliance_classification", ["project_id"]
    )
    op.create_table(
        "compliance_template",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False, unique=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("source_file", sa.String(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("added_at", timestamp, nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "compliance_checklist",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("thesis_id", sa.Integer(), nullable=True),
        sa.Column("template", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("template_version", sa.String(), nullable=True),
        sa.Column("applies_from", sa.Date(), nullable=True),
        sa.Column("created_at", timestamp, nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_compliance_checklist_project_id", "compliance_checklist", ["project_id"])
    op.create_table(
        "compliance_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "checklist_id", sa.Integer(), sa.ForeignKey("compliance_checklist.id"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(), nullable=False),
        sa.Column("section", sa.String(), nullable=True),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("evidence", sa.String(), nullable=True),
        sa.Column("evidence_kind", sa.String(), nullable=True),
        sa.Column("na_reason", sa.String(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("in_dod", sa.Boolean(), nullable=False),
        sa.Column("done_at", timestamp, nullable=True),
        sa.Column("updated_at", timestamp, nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.UniqueConstraint("checklist_id", "number"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_compliance_item_checklist_id", "compliance_item", ["checklist_id"])
    op.create_table(
        "compliance_item_task",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("compliance_item.id"), nullable=False),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("task.id"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.UniqueConstraint("item_id", "task_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_compliance_item_task_item_id", "compliance_item_task", ["item_id"])
    op.create_index("ix_compliance_item_task_task_id", "compliance_item_task", ["task_id"])
    op.execute(ITEM_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW v_compliance_item")
    for table in (
        "compliance_item_task",
        "compliance_item",
        "compliance_checklist",
        "compliance_template",
        "compliance_classification",
        "compliance_profile",
    ):
        op.drop_table(table)
