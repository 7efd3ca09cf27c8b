"""Git sync: linked repositories, branch states, sync runs, transitions, commits.

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _version() -> sa.Column:
    return sa.Column("version", sa.Integer(), server_default="1", nullable=False)


def upgrade() -> None:
    timestamp = sa.DateTime(timezone=True)
    op.create_table(
        "git_repository",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("default_branch", sa.String(), nullable=False),
        sa.Column("done_on_merge", sa.Boolean(), nullable=False),
        sa.Column("hash_refs", sa.Boolean(), nullable=False),
        sa.Column("created_at", timestamp, nullable=False),
        sa.Column("unlinked_at", timestamp, nullable=True),
        _version(),
        sa.UniqueConstraint("project_id", "path"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_git_repository_project_id", "git_repository", ["project_id"])
    op.create_table(
        "git_branch_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "repository_id", sa.Integer(), sa.ForeignKey("git_repository.id"), nullable=False
        ),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("tip_sha", sa.String(), nullable=False),
        sa.Column("base_sha", sa.String(), nullable=True),
        sa.Column("merged_at", timestamp, nullable=True),
        sa.Column("synced_at", timestamp, nullable=False),
        _version(),
        sa.UniqueConstraint("repository_id", "name"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_git_branch_state_repository_id", "git_branch_state", ["repository_id"])
    op.create_table(
        "git_sync",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "repository_id", sa.Integer(), sa.ForeignKey("git_repository.id"), nullable=False
        ),
        sa.Column("at", timestamp, nullable=False),
        sa.Column("commits", sa.Integer(), nullable=False),
        sa.Column("links", sa.Integer(), nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("unknown_refs", sa.String(), server_default="[]", nullable=False),
        _version(),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_git_sync_repository_id", "git_sync", ["repository_id"])
    op.create_table(
        "git_transition",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "repository_id", sa.Integer(), sa.ForeignKey("git_repository.id"), nullable=False
        ),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("task.id"), nullable=False),
        sa.Column("sha", sa.String(), nullable=False),
        sa.Column("patch_id", sa.String(), nullable=True),
        sa.Column("fingerprint", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("at", timestamp, nullable=False),
        _version(),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_git_transition_repository_id", "git_transition", ["repository_id"])
    op.create_index("ix_git_transition_task_id", "git_transition", ["task_id"])
    op.create_table(
        "git_commit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "repository_id", sa.Integer(), sa.ForeignKey("git_repository.id"), nullable=False
        ),
        sa.Column("sha", sa.String(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("committed_at", timestamp, nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("branch", sa.String(), nullable=False),
        sa.Column("on_default", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("repository_id", "sha"),
    )
    op.create_index("ix_git_commit_member_id", "git_commit", ["member_id"])
    op.create_index(
        "ix_git_commit_repository_committed", "git_commit", ["repository_id", "committed_at"]
    )
    op.create_table(
        "git_commit_task",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "repository_id", sa.Integer(), sa.ForeignKey("git_repository.id"), nullable=False
        ),
        sa.Column("sha", sa.String(), nullable=False),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("task.id"), nullable=False),
        sa.Column("keyword", sa.String(), nullable=False),
        sa.UniqueConstraint("repository_id", "sha", "task_id"),
    )
    op.create_index("ix_git_commit_task_task_id", "git_commit_task", ["task_id"])


def downgrade() -> None:
    for table in (
        "git_commit_task",
        "git_commit",
        "git_transition",
        "git_sync",
        "git_branch_state",
        "git_repository",
    ):
        op.drop_table(table)
