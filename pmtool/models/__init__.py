"""SQLModel tables. Importing this package costs SQLModel's import time: write paths only."""

from pmtool.models.agile import (
    Member,
    Project,
    Setting,
    Sprint,
    Task,
    WorkflowColumn,
)
from pmtool.models.approvals import (
    Approval,
    ApprovalAmendment,
    ApprovalCondition,
    ApprovalIncident,
    TaskApproval,
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
from pmtool.models.exports import ImportRecord
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
    "Approval",
    "ApprovalAmendment",
    "ApprovalCondition",
    "ApprovalIncident",
    "AuditEntry",
    "CommandRecord",
    "ComplianceChecklist",
    "ComplianceClassification",
    "ComplianceItem",
    "ComplianceItemTask",
    "ComplianceProfile",
    "ComplianceTemplate",
    "Contact",
    "ImportRecord",
    "Member",
    "Partner",
    "PersonalKey",
    "Project",
    "Setting",
    "Sprint",
    "Stakeholder",
    "StakeholderProject",
    "Task",
    "TaskApproval",
    "Thesis",
    "ThesisAction",
    "ThesisMeeting",
    "ThesisMilestone",
    "ThesisMilestoneDependency",
    "WorkflowColumn",
    "metadata",
]

from pmtool.models.gitsync import (
    GitBranchState,
    GitCommit,
    GitCommitTask,
    GitRepository,
    GitSyncRun,
    GitTransition,
)

__all__ += [
    "GitBranchState",
    "GitCommit",
    "GitCommitTask",
    "GitRepository",
    "GitSyncRun",
    "GitTransition",
]
