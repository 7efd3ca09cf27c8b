"""SQLModel tables. Importing this package costs SQLModel's import time: write paths only."""

from pmtool.models.agile import (
    Member,
    Project,
    Setting,
    Sprint,
    Task,
    WorkflowColumn,
)
from pmtool.models.audit import AuditEntry, CommandRecord
from pmtool.models.base import metadata
from pmtool.models.partners import (
    Agreement,
    Contact,
    Partner,
    PersonalKey,
    Stakeholder,
    StakeholderProject,
)

__all__ = [
    "Agreement",
    "AuditEntry",
    "CommandRecord",
    "Contact",
    "Member",
    "Partner",
    "PersonalKey",
    "Project",
    "Setting",
    "Sprint",
    "Stakeholder",
    "StakeholderProject",
    "Task",
    "WorkflowColumn",
    "metadata",
]
