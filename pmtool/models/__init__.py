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
from pmtool.models.compliance import (
    ComplianceChecklist,
    ComplianceClassification,
    ComplianceItem,
    ComplianceItemTask,
    ComplianceProfile,
    ComplianceTemplate,
)

__all__ = [
    "AuditEntry",
    "CommandRecord",
    "ComplianceChecklist",
    "ComplianceClassification",
    "ComplianceItem",
    "ComplianceItemTask",
    "ComplianceProfile",
    "ComplianceTemplate",
    "Member",
    "Project",
    "Setting",
    "Sprint",
    "Task",
    "WorkflowColumn",
    "metadata",
]
