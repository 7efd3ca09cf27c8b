"""Initial schema: projects, workflow, members, sprints, tasks, audit trail, views.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Read paths (lists, exports) select from these views with plain SQL: they hide the
# joins and the soft-deleted rows, and are the same text on SQLite and PostgreSQL.
TASK_VIEW = """
CREATE VIEW v_task AS
SELECT t.id, t.project_id, p.key AS project, p.key || '-' || t.number AS key, t.number,
       t.title, t.description, t.type, t.status, t.priority, t.points, t.sprint_id,
       s.name AS sprint, t.assignee_id, m.name AS assignee, t.labels, t.due_date AS due,
       CASE WHEN pt.id IS NULL THEN NULL ELSE p.key || '-' || pt.number END AS parent,
       t.rank, t.created_at AS created, t.updated_at AS updated,
       COALESCE(wc.position, 999) AS status_position,
       COALESCE(wc.is_done, FALSE) AS is_done
FROM task t
JOIN project p ON p.id = t.project_id
LEFT JOIN sprint s ON s.id = t.sprint_id
LEFT JOIN member m ON m.id = t.assignee_id
LEFT JOIN task pt ON pt.id = t.parent_id
LEFT JOIN workflow_column wc ON wc.project_id = t.project_id AND wc.name = t.status
WHERE t.deleted_at IS NULL
"""

SPRINT_VIEW = """
CREATE VIEW v_sprint AS
SELECT s.id, s.project_id, p.key AS project, s.name, s.start_date AS start,
       s.end_date AS "end", s.status, s.goal, s.capacity, s.started_at, s.closed_at,
       (SELECT COUNT(*) FROM v_task t WHERE t.sprint_id = s.id) AS tasks,
       (SELECT COALESCE(SUM(t.points), 0) FROM v_task t WHERE t.sprint_id = s.id) AS points,
       (SELECT COALESCE(SUM(t.points), 0) FROM v_task t
         WHERE t.sprint_id = s.id AND t.is_done) AS done_points
FROM sprint s
JOIN project p ON p.id = s.project_id
"""


def upgrade() -> None:
    timestamp = sa.DateTime(timezone=True)
    op.create_table(
        "command",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", timestamp, nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("undo_of", sa.Integer(), sa.ForeignKey("command.id"), nullable=True),
        sa.Column("undone_by", sa.Integer(), sa.ForeignKey("command.id"), nullable=True),
    )
    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False, unique=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("role", sa.String(), nullable=True),
        sa.Column("created_at", timestamp, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(length=10), nullable=False, unique=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("definition_of_done", sa.String(), server_default="[]", nullable=False),
        sa.Column("next_task_number", sa.Integer(), nullable=False),
        sa.Column("created_at", timestamp, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(), primary_key=True),
        sa.Column("value", sa.String(), nullable=False),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("command_id", sa.Integer(), sa.ForeignKey("command.id"), nullable=False),
        sa.Column("at", timestamp, nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("entity", sa.String(), nullable=False),
        sa.Column("entity_id", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("field", sa.String(), nullable=True),
        sa.Column("old", sa.String(), nullable=True),
        sa.Column("new", sa.String(), nullable=True),
    )
    op.create_index("ix_audit_command_id", "audit", ["command_id"])
    op.create_index("ix_audit_entity", "audit", ["entity", "entity_id"])
    op.create_index("ix_audit_field_values", "audit", ["entity", "field", "new"])
    op.create_table(
        "sprint",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("goal", sa.String(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("started_at", timestamp, nullable=True),
        sa.Column("closed_at", timestamp, nullable=True),
        sa.Column("created_at", timestamp, nullable=False),
        sa.UniqueConstraint("project_id", "name"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_sprint_project_id", "sprint", ["project_id"])
    op.create_table(
        "workflow_column",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("wip_limit", sa.Integer(), nullable=True),
        sa.Column("is_done", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("project_id", "name"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_workflow_column_project_id", "workflow_column", ["project_id"])
    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("priority", sa.String(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("task.id"), nullable=True),
        sa.Column("sprint_id", sa.Integer(), sa.ForeignKey("sprint.id"), nullable=True),
        sa.Column("labels", sa.String(), server_default="[]", nullable=False),
        sa.Column("rank", sa.Float(), nullable=False),
        sa.Column("created_at", timestamp, nullable=False),
        sa.Column("updated_at", timestamp, nullable=False),
        sa.Column("deleted_at", timestamp, nullable=True),
        sa.UniqueConstraint("project_id", "number"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_task_project_id", "task", ["project_id"])
    op.create_index("ix_task_sprint_id", "task", ["sprint_id"])
    op.create_index("ix_task_assignee_id", "task", ["assignee_id"])
    op.create_index("ix_task_project_status_rank", "task", ["project_id", "status", "rank"])
    op.execute(TASK_VIEW)
    op.execute(SPRINT_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW v_sprint")
    op.execute("DROP VIEW v_task")
    for table in ("task", "workflow_column", "sprint", "audit", "setting", "project", "member"):
        op.drop_table(table)
    op.drop_table("command")
