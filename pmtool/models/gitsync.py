"""Git sync: the repositories a project is linked to, what each sync read, and the
transitions commits applied to tasks.

Linked repositories, branch states, sync runs and transitions are audited (undo of a
sync puts the tasks and the branch states back). Commits and their task references
are facts read from git, stored in bulk without audit rows (``git_commit``,
``git_commit_task``): a re-read inserts nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from pmtool.models.agile import NEVER_REUSE_IDS, row_version
from pmtool.models.base import Audited


class GitRepository(Audited, SQLModel, table=True):
    """A local git repository linked to a project (several per project allowed)."""

    __tablename__ = "git_repository"
    __table_args__ = (UniqueConstraint("project_id", "path"), NEVER_REUSE_IDS)
    audit_entity: ClassVar[str] = "git_repository"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    path: str  # absolute, resolved
    default_branch: str
    # A branch named after a task (pm-12-...) merged into the default branch marks it done.
    done_on_merge: bool = False
    # GitHub-style "#12" means task 12 of this project.
    hash_refs: bool = False
    created_at: datetime
    # Set by `git unlink`: the history stays, the repository is no longer synced.
    unlinked_at: datetime | None = None
    version: int = row_version()


class GitBranchState(Audited, SQLModel, table=True):
    """Where the last sync left one branch: the tip it read up to."""

    __tablename__ = "git_branch_state"
    __table_args__ = (UniqueConstraint("repository_id", "name"), NEVER_REUSE_IDS)
    audit_entity: ClassVar[str] = "git_branch"

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="git_repository.id", index=True)
    name: str
    tip_sha: str
    # The tip when first seen already merged into the default branch (no work of its own
    # yet, e.g. just created): such a branch counts as merged only once it moves on.
    base_sha: str | None = None
    merged_at: datetime | None = None
    synced_at: datetime
    version: int = row_version()


class GitSyncRun(Audited, SQLModel, table=True):
    """One sync of one repository: what it read and did."""

    __tablename__ = "git_sync"
    __table_args__ = (NEVER_REUSE_IDS,)
    audit_entity: ClassVar[str] = "git_sync"

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="git_repository.id", index=True)
    at: datetime
    commits: int = 0
    links: int = 0
    applied: int = 0
    refused: int = 0
    # JSON list of task keys the commits cited that are not tasks of the project.
    unknown_refs: str = Field(default="[]", sa_column_kwargs={"server_default": "[]"})
    version: int = row_version()


class GitTransition(Audited, SQLModel, table=True):
    """A status change a commit asked for: applied or refused, never applied twice.

    ``patch_id`` (git patch-id) and ``fingerprint`` (author, author date, message) stay
    the same when a commit is rebased or cherry-picked, so the copy is recognised.
    """

    __tablename__ = "git_transition"
    __table_args__ = (NEVER_REUSE_IDS,)
    audit_entity: ClassVar[str] = "git_transition"

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="git_repository.id", index=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    sha: str
    patch_id: str | None = None
    fingerprint: str
    status: str
    outcome: str  # applied | refused
    reason: str | None = None
    at: datetime
    version: int = row_version()


class GitCommit(SQLModel, table=True):
    """A commit read from a linked repository (a fact from git: not audited)."""

    __tablename__ = "git_commit"
    __table_args__ = (
        UniqueConstraint("repository_id", "sha"),
        Index("ix_git_commit_repository_committed", "repository_id", "committed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="git_repository.id")
    sha: str
    author: str
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    committed_at: datetime  # the author date, UTC
    subject: str
    branch: str
    on_default: bool = False


class GitCommitTask(SQLModel, table=True):
    """A task a commit cites, and how (refs, fixes or a #status command)."""

    __tablename__ = "git_commit_task"
    __table_args__ = (UniqueConstraint("repository_id", "sha", "task_id"),)

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="git_repository.id")
    sha: str
    task_id: int = Field(foreign_key="task.id", index=True)
    keyword: str
