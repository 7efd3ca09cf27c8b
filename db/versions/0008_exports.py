"""Imports: the table that remembers each imported record and the task it became.

Revision ID: 0008
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("source_id", sa.String(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "source", "source_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_import_record_project_id", "import_record", ["project_id"])
    op.create_index("ix_import_record_task_id", "import_record", ["task_id"])


def downgrade() -> None:
    op.drop_index("ix_import_record_task_id", table_name="import_record")
    op.drop_index("ix_import_record_project_id", table_name="import_record")
    op.drop_table("import_record")
