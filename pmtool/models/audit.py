"""The append-only history: one command record per invocation, one row per change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class CommandRecord(SQLModel, table=True):
    """One user action (a CLI command or a TUI action); undo works on whole commands."""

    __tablename__ = "command"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    actor: str
    summary: str
    undo_of: int | None = Field(default=None, foreign_key="command.id")
    undone_by: int | None = Field(default=None, foreign_key="command.id")


class AuditEntry(SQLModel, table=True):
    """One changed field. Values are JSON text; a created row writes one entry per field."""

    __tablename__ = "audit"
    __table_args__ = (
        Index("ix_audit_entity", "entity", "entity_id"),
        Index("ix_audit_field_values", "entity", "field", "new"),
    )

    id: int | None = Field(default=None, primary_key=True)
    command_id: int = Field(foreign_key="command.id", index=True)
    at: datetime
    actor: str
    entity: str
    entity_id: str
    action: str  # create | update | delete | note
    field: str | None = None
    old: str | None = None
    new: str | None = None
    # SHA-256 over the previous row's chain and this row (verified by `pmtool db check`).
    chain: str | None = None
