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


# -- Clinical partners and stakeholders (docs/partners.md) ------------------------------
PartnerType = Literal["clinic", "research", "company", "authority"]
ContactKind = Literal["meeting", "email", "call"]
AgreementKind = Literal["cooperation", "nda", "dpa", "joint-controller", "dua"]
AgreementStatus = Literal["draft", "in_negotiation", "signed", "expired", "terminated"]
Attitude = Literal["champion", "supporter", "neutral", "sceptic", "opponent"]
Engagement = Literal["unaware", "resistant", "neutral", "supportive", "leading"]

PARTNER_TYPES: tuple[PartnerType, ...] = get_args(PartnerType)
CONTACT_KINDS: tuple[ContactKind, ...] = get_args(ContactKind)
AGREEMENT_KINDS: tuple[AgreementKind, ...] = get_args(AgreementKind)
AGREEMENT_STATUSES: tuple[AgreementStatus, ...] = get_args(AgreementStatus)
ATTITUDES: tuple[Attitude, ...] = get_args(Attitude)
ENGAGEMENT_LEVELS: tuple[Engagement, ...] = get_args(Engagement)
AGREEMENT_KIND_NAMES: Final = {
    "cooperation": "cooperation agreement",
    "nda": "non-disclosure agreement",
    "dpa": "data processing agreement (GDPR Art. 28)",
    "joint-controller": "joint controller agreement (GDPR Art. 26)",
    "dua": "data use agreement",
}
# Stored statuses and where each may go; "expired" is derived (signed, past valid_until).
AGREEMENT_TRANSITIONS: Final[dict[str, tuple[str, ...]]] = {
    "draft": ("in_negotiation", "terminated"),
    "in_negotiation": ("draft", "signed", "terminated"),
    "signed": ("terminated",),
    "terminated": (),
}
# Power and interest run 1..5; 4 and 5 are "high" on the Mendelow grid.
GRID_MIN = 1
GRID_MAX = 5
GRID_HIGH_FROM = 4
QUADRANTS: Final = ("manage closely", "keep satisfied", "keep informed", "monitor")
# Days before valid_until from which an agreement is "expiring" (a setting can change it).
AGREEMENT_EXPIRY_DAYS = 60
AGREEMENT_EXPIRY_SETTING: Final = "agreement_expiry_days"
MAX_PHONE_LENGTH = 32
FORGOTTEN_NAME: Final = "forgotten #{id}"


def quadrant(power: int, interest: int) -> str:
    """The Mendelow quadrant of a power/interest pair (each 1..5)."""
    high_power, high_interest = power >= GRID_HIGH_FROM, interest >= GRID_HIGH_FROM
    if high_power:
        return QUADRANTS[0] if high_interest else QUADRANTS[1]
    return QUADRANTS[2] if high_interest else QUADRANTS[3]
