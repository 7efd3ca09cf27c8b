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

# Imports (exports area): where each imported task came from.
IMPORT_RECORD = Table(
    "import_record",
    "import_record",
    "id",
    True,
    {
        "id": "int",
        "project_id": "int",
        "source": "text",
        "source_id": "text",
        "task_id": "int",
        "imported_at": "datetime",
        "version": "int",
    },
)
TABLES[IMPORT_RECORD.name] = IMPORT_RECORD
BY_ENTITY[IMPORT_RECORD.entity] = IMPORT_RECORD
