"""Theses: the thesis, its milestones and their dependencies, supervision meetings and
their action items.

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _version() -> sa.Column:
    return sa.Column("version", sa.Integer(), server_default="1", nullable=False)


def upgrade() -> None:
    timestamp = sa.DateTime(timezone=True)
    op.create_table(
        "thesis",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("student", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("research_question", sa.Text(), nullable=True),
        sa.Column("programme", sa.String(), nullable=True),
        sa.Column("cohort", sa.String(), nullable=True),
        sa.Column("first_examiner", sa.String(), nullable=True),
        sa.Column("second_examiner", sa.String(), nullable=True),
        sa.Column("external_supervisor", sa.String(), nullable=True),
        sa.Column("company", sa.String(), nullable=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=True),
        sa.Column("repository_path", sa.String(), nullable=True),
        sa.Column("confidential_until", sa.Date(), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("extension_weeks", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("defence_on", sa.Date(), nullable=True),
        sa.Column("template", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_at", timestamp, nullable=False),
        sa.Column("updated_at", timestamp, nullable=False),
        _version(),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_thesis_project_id", "thesis", ["project_id"])
    op.create_table(
        "thesis_milestone",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("thesis_id", sa.Integer(), sa.ForeignKey("thesis.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("needs", sa.String(), server_default="[]", nullable=False),
        _version(),
        sa.UniqueConstraint("thesis_id", "position"),
        sa.UniqueConstraint("thesis_id", "code"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_thesis_milestone_thesis_id", "thesis_milestone", ["thesis_id"])
    op.create_table(
        "thesis_milestone_dependency",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "milestone_id", sa.Integer(), sa.ForeignKey("thesis_milestone.id"), nullable=False
        ),
        sa.Column(
            "depends_on_id", sa.Integer(), sa.ForeignKey("thesis_milestone.id"), nullable=False
        ),
        _version(),
        sa.UniqueConstraint("milestone_id", "depends_on_id"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_thesis_milestone_dependency_milestone_id",
        "thesis_milestone_dependency",
        ["milestone_id"],
    )
    op.create_index(
        "ix_thesis_milestone_dependency_depends_on_id",
        "thesis_milestone_dependency",
        ["depends_on_id"],
    )
    op.create_table(
        "thesis_meeting",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("thesis_id", sa.Integer(), sa.ForeignKey("thesis.id"), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("attendees", sa.String(), server_default="[]", nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("decisions", sa.String(), server_default="[]", nullable=False),
        sa.Column("next_on", sa.Date(), nullable=True),
        sa.Column("created_at", timestamp, nullable=False),
        _version(),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_thesis_meeting_thesis_id", "thesis_meeting", ["thesis_id"])
    op.create_table(
        "thesis_action",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("thesis_meeting.id"), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("assignee", sa.String(), nullable=True),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("task.id"), nullable=True),
        _version(),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_thesis_action_meeting_id", "thesis_action", ["meeting_id"])


def downgrade() -> None:
    for table in (
        "thesis_action",
        "thesis_meeting",
        "thesis_milestone_dependency",
        "thesis_milestone",
        "thesis",
    ):
        op.drop_table(table)
