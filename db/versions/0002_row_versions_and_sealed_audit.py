"""Row versions for optimistic concurrency; an append-only, hash-chained audit trail;
archived projects.

Every audited table gets ``version`` (1 on insert, +1 on every update by the write
gateway, which refuses an update whose expected version is stale). The audit table
gets ``chain``: a SHA-256 over the previous row's chain and this row's content, which
`pmtool db check` verifies; triggers refuse UPDATE and DELETE on it, and on the command
table allow only marking a command as undone.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

VERSIONED_TABLES = ("project", "workflow_column", "member", "sprint", "task", "setting")

SQLITE_TRIGGERS = (
    """
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END
    """,
    """
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END
    """,
    """
    CREATE TRIGGER command_no_delete BEFORE DELETE ON command
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END
    """,
    """
    CREATE TRIGGER command_only_undone BEFORE UPDATE ON command
    WHEN NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.actor IS NOT OLD.actor
      OR NEW.summary IS NOT OLD.summary OR NEW.undo_of IS NOT OLD.undo_of
      OR OLD.undone_by IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END
    """,
)

POSTGRES_TRIGGERS = (
    """
    CREATE FUNCTION pmtool_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE FUNCTION pmtool_command_only_undone() RETURNS trigger AS $$
    BEGIN
      IF NEW.id IS DISTINCT FROM OLD.id OR NEW.at IS DISTINCT FROM OLD.at
         OR NEW.actor IS DISTINCT FROM OLD.actor OR NEW.summary IS DISTINCT FROM OLD.summary
         OR NEW.undo_of IS DISTINCT FROM OLD.undo_of OR OLD.undone_by IS NOT NULL THEN
        RAISE EXCEPTION 'the audit trail is append-only';
      END IF;
      RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION pmtool_append_only()",
    "CREATE TRIGGER command_no_delete BEFORE DELETE ON command "
    "FOR EACH ROW EXECUTE FUNCTION pmtool_append_only()",
    "CREATE TRIGGER command_only_undone BEFORE UPDATE ON command "
    "FOR EACH ROW EXECUTE FUNCTION pmtool_command_only_undone()",
)


def upgrade() -> None:
    for table in VERSIONED_TABLES:
        # A plain ADD COLUMN (no batch rebuild): the views over these tables stay valid.
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.add_column("audit", sa.Column("chain", sa.String(), nullable=True))
    op.add_column("project", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    triggers = POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER command_only_undone ON command")
        op.execute("DROP TRIGGER command_no_delete ON command")
        op.execute("DROP TRIGGER audit_no_change ON audit")
        op.execute("DROP FUNCTION pmtool_command_only_undone()")
        op.execute("DROP FUNCTION pmtool_append_only()")
    else:
        for name in (
            "command_only_undone",
            "command_no_delete",
            "audit_no_delete",
            "audit_no_update",
        ):
            op.execute(f"DROP TRIGGER {name}")
    with op.batch_alter_table("audit") as batch:
        batch.drop_column("chain")
    with op.batch_alter_table("project") as batch:
        batch.drop_column("archived_at")
    for table in VERSIONED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
