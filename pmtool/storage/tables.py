"""The write gateway's view of the schema: tables, columns, kinds and audit rules.

SQLModel (``pmtool/models/``) is the one declaration of the schema; this registry is
what the gateway needs of it, in plain Python so that writes never import the ORM.
``tests/test_gateway.py`` proves it matches the models column for column, and that
every table is either registered here or named in ``UNAUDITED_TABLES``.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

# How a column's values travel between Python, the database and the audit trail.
Kind = Literal["int", "float", "bool", "text", "date", "datetime"]


class Table(NamedTuple):
    name: str  # SQL table name
    entity: str  # the name in the audit trail (audit.entity)
    key: str  # primary-key column
    generated_key: bool  # the database assigns the key (an autoincrement id)
    kinds: dict[str, Kind]  # every column, the key and ``version`` included
    # Columns that change as a side effect and carry no history of their own.
    unaudited: frozenset[str] = frozenset({"updated_at", "version"})

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.kinds)


PROJECT = Table(
    "project",
    "project",
    "id",
    True,
    {
        "id": "int",
        "key": "text",
        "name": "text",
        "description": "text",
        "definition_of_done": "text",
        "next_task_number": "int",
        "created_at": "datetime",
        "archived_at": "datetime",
        "version": "int",
    },
    frozenset({"updated_at", "next_task_number", "version"}),
)
WORKFLOW_COLUMN = Table(
    "workflow_column",
    "column",
    "id",
    True,
    {
        "id": "int",
        "project_id": "int",
        "name": "text",
        "position": "int",
        "wip_limit": "int",
        "is_done": "bool",
        "version": "int",
    },
)
MEMBER = Table(
    "member",
    "member",
    "id",
    True,
    {
        "id": "int",
        "name": "text",
        "email": "text",
        "role": "text",
        "created_at": "datetime",
        "version": "int",
    },
)
SPRINT = Table(
    "sprint",
    "sprint",
    "id",
    True,
    {
        "id": "int",
        "project_id": "int",
        "name": "text",
        "goal": "text",
        "start_date": "date",
        "end_date": "date",
        "capacity": "int",
        "status": "text",
        "started_at": "datetime",
        "closed_at": "datetime",
        "created_at": "datetime",
        "version": "int",
    },
)
TASK = Table(
    "task",
    "task",
    "id",
    True,
    {
        "id": "int",
        "project_id": "int",
        "number": "int",
        "title": "text",
        "description": "text",
        "type": "text",
        "status": "text",
        "priority": "text",
        "points": "int",
        "assignee_id": "int",
        "due_date": "date",
        "parent_id": "int",
        "sprint_id": "int",
        "labels": "text",
        "rank": "float",
        "created_at": "datetime",
        "updated_at": "datetime",
        "deleted_at": "datetime",
        "version": "int",
    },
)
SETTING = Table(
    "setting",
    "setting",
    "key",
    False,
    {"key": "text", "value": "text", "version": "int"},
)

TABLES: dict[str, Table] = {
    table.name: table for table in (PROJECT, WORKFLOW_COLUMN, MEMBER, SPRINT, TASK, SETTING)
}
BY_ENTITY: dict[str, Table] = {table.entity: table for table in TABLES.values()}

# Written by the gateway itself (the trail), or by Alembic.
UNAUDITED_TABLES = frozenset({"command", "audit", "alembic_version"})

# -- git sync (pmtool/services/gitsync.py) --------------------------------------------
GIT_REPOSITORY = Table(
    "git_repository",
    "git_repository",
    "id",
    True,
    {
        "id": "int",
        "project_id": "int",
        "path": "text",
        "default_branch": "text",
        "done_on_merge": "bool",
        "hash_refs": "bool",
        "created_at": "datetime",
        "unlinked_at": "datetime",
        "version": "int",
    },
)
GIT_BRANCH_STATE = Table(
    "git_branch_state",
    "git_branch",
    "id",
    True,
    {
        "id": "int",
        "repository_id": "int",
        "name": "text",
        "tip_sha": "text",
        "base_sha": "text",
        "merged_at": "datetime",
        "synced_at": "datetime",
        "version": "int",
    },
    # The time of each sync is in git_sync; the tip is the state undo puts back.
    frozenset({"synced_at", "version"}),
)
GIT_SYNC = Table(
    "git_sync",
    "git_sync",
    "id",
    True,
    {
        "id": "int",
        "repository_id": "int",
        "at": "datetime",
        "commits": "int",
        "links": "int",
        "applied": "int",
        "refused": "int",
        "unknown_refs": "text",
        "version": "int",
    },
)
GIT_TRANSITION = Table(
    "git_transition",
    "git_transition",
    "id",
    True,
    {
        "id": "int",
        "repository_id": "int",
        "task_id": "int",
        "sha": "text",
        "patch_id": "text",
        "fingerprint": "text",
        "status": "text",
        "outcome": "text",
        "reason": "text",
        "at": "datetime",
        "version": "int",
    },
    # What a sync decided is in the trail (task, status, outcome); the rest is detail
    # of the commit that undo and redo keep with the row.
    frozenset({"sha", "patch_id", "fingerprint", "reason", "at", "repository_id", "version"}),
)
for _table in (GIT_REPOSITORY, GIT_BRANCH_STATE, GIT_SYNC, GIT_TRANSITION):
    TABLES[_table.name] = _table
    BY_ENTITY[_table.entity] = _table

# Facts read in bulk from outside (tens of thousands of git commits per sync): written
# by Gateway.insert_facts without audit rows, never updated by a command, and read
# again idempotently (a row that exists is left alone).
FACT_TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        Table(
            "git_commit",
            "git_commit",
            "id",
            True,
            {
                "id": "int",
                "repository_id": "int",
                "sha": "text",
                "author": "text",
                "member_id": "int",
                "committed_at": "datetime",
                "subject": "text",
                "branch": "text",
                "on_default": "bool",
            },
        ),
        Table(
            "git_commit_task",
            "git_commit_task",
            "id",
            True,
            {
                "id": "int",
                "repository_id": "int",
                "sha": "text",
                "task_id": "int",
                "keyword": "text",
            },
        ),
    )
}
UNAUDITED_TABLES = UNAUDITED_TABLES | frozenset(FACT_TABLES)
