"""Imports remember where each task came from, so importing a file again adds nothing twice."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from pmtool.models.agile import NEVER_REUSE_IDS, row_version
from pmtool.models.base import Audited


class ImportRecord(Audited, SQLModel, table=True):
    """One imported record: its source (``taskwarrior``, ``csv``), its id there (a
    Taskwarrior uuid, a mapped id column, or ``sha256:`` of the record) and the task it
    became."""

    __tablename__ = "import_record"
    __table_args__ = (UniqueConstraint("project_id", "source", "source_id"), NEVER_REUSE_IDS)
    audit_entity: ClassVar[str] = "import_record"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    source: str
    source_id: str
    task_id: int = Field(foreign_key="task.id", index=True)
    imported_at: datetime
    version: int = row_version()
