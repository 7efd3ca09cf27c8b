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

__all__ = [
    "AuditEntry",
    "CommandRecord",
    "Member",
    "Project",
    "Setting",
    "Sprint",
    "Task",
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
