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
from pmtool.models.partners import (
    Agreement,
    Contact,
    Partner,
    PersonalKey,
    Stakeholder,
    StakeholderProject,
)
from pmtool.models.thesis import (
    Thesis,
    ThesisAction,
    ThesisMeeting,
    ThesisMilestone,
    ThesisMilestoneDependency,
)

__all__ = [
    "Agreement",
    "AuditEntry",
    "CommandRecord",
    "ComplianceChecklist",
    "ComplianceClassification",
    "ComplianceItem",
    "ComplianceItemTask",
    "ComplianceProfile",
    "ComplianceTemplate",
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
    "Thesis",
    "ThesisAction",
    "ThesisMeeting",
    "ThesisMilestone",
    "ThesisMilestoneDependency",
    "WorkflowColumn",
    "metadata",
]

# Approvals (issue 8).
from pmtool.models.approvals import (
    Approval,
    ApprovalAmendment,
    ApprovalCondition,
    ApprovalIncident,
    TaskApproval,
)

__all__ += [
    "Approval",
    "ApprovalAmendment",
    "ApprovalCondition",
    "ApprovalIncident",
    "TaskApproval",
]
