"""Vocabularies, sentinels and limits: each word defined once, typed, imported everywhere.

Standard library only: the read path, the write gateway and both interfaces use it.
"""

from __future__ import annotations

from enum import Enum
from typing import Final, Literal, get_args

TaskType = Literal["story", "bug", "task", "spike"]
Priority = Literal["low", "medium", "high", "critical"]
SprintStatus = Literal["planned", "active", "closed"]

TASK_TYPES: tuple[TaskType, ...] = get_args(TaskType)
PRIORITIES: tuple[Priority, ...] = get_args(Priority)
SPRINT_STATUSES: tuple[SprintStatus, ...] = get_args(SprintStatus)
PLANNED: Final[SprintStatus] = "planned"
ACTIVE: Final[SprintStatus] = "active"
CLOSED: Final[SprintStatus] = "closed"

DEFAULT_WORKFLOW = ("backlog", "todo", "in_progress", "review", "done")
BACKLOG_STATUS: Final = "backlog"
DONE_STATUSES = frozenset({"done"})

# What users type for "no value" (clear a field, unassigned, the backlog).
NONE_WORDS: Final = frozenset({"none", "-"})
# What users type for the project's running sprint.
CURRENT_SPRINT_WORDS: Final = frozenset({"current", "active"})
# "No sprint": the backlog.
NO_SPRINT_WORDS: Final = NONE_WORDS | {"backlog"}
# Names a sprint cannot have, because they mean something else on the command line.
RESERVED_SPRINT_NAMES: Final = CURRENT_SPRINT_WORDS | NO_SPRINT_WORDS


class Clear(Enum):
    """Marks "empty this field" in an edit, as opposed to None for "leave it as it is"."""

    CLEAR = "clear"


CLEAR: Final = Clear.CLEAR


def is_none_word(text: str | None) -> bool:
    return text is not None and text.strip().lower() in NONE_WORDS


MAX_TITLE_LENGTH = 200
MAX_NAME_LENGTH = 100
MAX_LABEL_LENGTH = 40
MAX_DESCRIPTION_LENGTH = 10_000  # task and project descriptions, sprint goals
MAX_EMAIL_LENGTH = 254  # the longest address SMTP carries
MAX_WIP_LIMIT = 1000
MAX_POINTS = 1000
PROJECT_KEY_PATTERN = r"^[A-Z][A-Z0-9]{1,9}$"
DEFAULT_PROJECT_SETTING = "default_project"

# --- Compliance (issue 12): regulatory profile, checklists ------------------------------
AiActRole = Literal["provider", "deployer", "both", "research-only"]
AiActTier = Literal["prohibited", "high-risk", "transparency", "minimal"]
MdrClass = Literal["none", "I", "IIa", "IIb", "III"]
Iec62304Class = Literal["A", "B", "C"]
ItemStatus = Literal["open", "in_progress", "done", "not_applicable"]
TemplateKind = Literal["regulation", "reporting-guideline", "data-protection", "institution"]
EvidenceKind = Literal["url", "task", "commit", "file"]

AI_ACT_ROLES: tuple[AiActRole, ...] = get_args(AiActRole)
AI_ACT_TIERS: tuple[AiActTier, ...] = get_args(AiActTier)
MDR_CLASSES: tuple[MdrClass, ...] = get_args(MdrClass)
IEC62304_CLASSES: tuple[Iec62304Class, ...] = get_args(Iec62304Class)
ITEM_STATUSES: tuple[ItemStatus, ...] = get_args(ItemStatus)
TEMPLATE_KINDS: tuple[TemplateKind, ...] = get_args(TemplateKind)
ITEM_OPEN: Final[ItemStatus] = "open"
ITEM_IN_PROGRESS: Final[ItemStatus] = "in_progress"
ITEM_DONE: Final[ItemStatus] = "done"
ITEM_NOT_APPLICABLE: Final[ItemStatus] = "not_applicable"
# Which status an item may move to from each status (refusals name the allowed ones).
ITEM_TRANSITIONS: Final[dict[str, tuple[ItemStatus, ...]]] = {
    "open": ("in_progress", "done", "not_applicable"),
    "in_progress": ("open", "done", "not_applicable"),
    "done": ("open", "in_progress"),
    "not_applicable": ("open",),
}
# MDR classes that need a notified body: AI in them is high-risk (AI Act Art. 6(1), Annex I).
MDR_NOTIFIED_BODY_CLASSES: Final = frozenset({"IIa", "IIb", "III"})
MAX_EVIDENCE_LENGTH = 500
