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

# --- approvals (issue 8) ---------------------------------------------------------------------
# Kinds of approval record, as typed on the command line and stored.
ApprovalKind = Literal["ethics", "exemption", "dpia", "dpa", "dua", "data-access", "ehds-permit"]
APPROVAL_KINDS: tuple[ApprovalKind, ...] = get_args(ApprovalKind)
APPROVAL_KIND_NAMES: Final[dict[str, str]] = {
    "ethics": "ethics vote",
    "exemption": "exemption certificate",
    "dpia": "DPIA",
    "dpa": "data processing agreement",
    "dua": "data-use agreement",
    "data-access": "data-access decision",
    "ehds-permit": "EHDS data permit",
}
# Other words users type for a kind (also after `needs:` in a label).
APPROVAL_KIND_ALIASES: Final[dict[str, ApprovalKind]] = {
    "ethics-vote": "ethics",
    "vote": "ethics",
    "irb": "ethics",
    "exemption-certificate": "exemption",
    "data-processing-agreement": "dpa",
    "data-use": "dua",
    "data-use-agreement": "dua",
    "dsa": "dua",
    "uac": "data-access",
    "access": "data-access",
    "ehds": "ehds-permit",
    "data-permit": "ehds-permit",
}
# A gate `needs:ethics` also opens with a documented exemption: the "no vote needed" record.
APPROVAL_KIND_SATISFIES: Final[dict[str, frozenset[str]]] = {"exemption": frozenset({"ethics"})}
NEEDS_LABEL_PREFIX: Final = "needs:"

ApprovalStatus = Literal[
    "draft",
    "submitted",
    "under_review",
    "clarification_requested",
    "approved",
    "approved_with_conditions",
    "resubmission_requested",
    "rejected",
    "withdrawn",
    "not_required",
    "suspended",
    "closed",
]
APPROVAL_STATUSES: tuple[ApprovalStatus, ...] = get_args(ApprovalStatus)
# Derived, never stored: an approved record past its valid_until.
EXPIRED: Final = "expired"
# DOMAIN.md section 2: the transitions a command may make.
APPROVAL_TRANSITIONS: Final[dict[str, tuple[str, ...]]] = {
    "draft": ("submitted", "withdrawn", "not_required"),
    "submitted": ("under_review", "withdrawn"),
    "under_review": (
        "clarification_requested",
        "approved",
        "approved_with_conditions",
        "resubmission_requested",
        "rejected",
        "withdrawn",
    ),
    "clarification_requested": ("under_review",),
    "approved_with_conditions": ("approved",),
    "resubmission_requested": ("draft",),
    "approved": ("suspended", "closed"),
    "suspended": (),
    "rejected": (),
    "withdrawn": (),
    "not_required": (),
    "closed": (),
}
# States in which a record opens its gates (approved ones only until valid_until).
APPROVAL_IN_FORCE_STATUSES: Final = frozenset({"approved", "not_required"})
# States whose expiry dates matter (reminders, `approval list --expiring`).
APPROVAL_EXPIRING_STATUSES: Final = frozenset({"approved", "approved_with_conditions"})
APPROVAL_OPEN_STATUSES: Final = frozenset(
    {"draft", "submitted", "under_review", "clarification_requested", "resubmission_requested"}
)
# Outcomes of `approval decide`, and the state each leads to.
DecisionOutcome = Literal["approved", "conditional", "resubmit", "rejected"]
DECISION_OUTCOMES: tuple[DecisionOutcome, ...] = get_args(DecisionOutcome)
OUTCOME_STATUS: Final[dict[str, str]] = {
    "approved": "approved",
    "conditional": "approved_with_conditions",
    "resubmit": "resubmission_requested",
    "rejected": "rejected",
}
DataForm = Literal["identifiable", "pseudonymised", "anonymised"]
DATA_FORMS: tuple[DataForm, ...] = get_args(DataForm)
ConditionStatus = Literal["open", "met"]
CONDITION_STATUSES: tuple[ConditionStatus, ...] = get_args(ConditionStatus)
AmendmentStatus = Literal["draft", "submitted", "approved", "rejected", "withdrawn"]
AMENDMENT_STATUSES: tuple[AmendmentStatus, ...] = get_args(AmendmentStatus)
AMENDMENT_TRANSITIONS: Final[dict[str, tuple[str, ...]]] = {
    "draft": ("submitted", "withdrawn"),
    "submitted": ("approved", "rejected", "withdrawn"),
    "approved": (),
    "rejected": (),
    "withdrawn": (),
}
IncidentKind = Literal["deviation", "incident", "breach"]
INCIDENT_KINDS: tuple[IncidentKind, ...] = get_args(IncidentKind)
# Reminder days before valid_until (a setting, DOMAIN.md: reminder tools remind at 60 and 15).
APPROVAL_REMINDER_SETTING: Final = "approval_reminder_days"
DEFAULT_APPROVAL_REMINDER_DAYS: Final = (60, 15)
# Reports and conditions come up this many days ahead.
APPROVAL_REPORT_NOTICE_DAYS: Final = 30


def approval_kind(word: str) -> ApprovalKind | None:
    """The kind a user's word names (a kind or an alias, any case), or None."""
    text = word.strip().lower().replace("_", "-").replace(" ", "-")
    if text in APPROVAL_KINDS:
        return text
    return APPROVAL_KIND_ALIASES.get(text)


# The status in which work starts: approval gates close it and every later column.
IN_PROGRESS_STATUS: Final = "in_progress"
# --- Theses (docs/thesis.md) ---------------------------------------------------------------
ThesisStatus = Literal[
    "planning", "registered", "in_progress", "submitted", "defended", "graded", "withdrawn"
]
THESIS_STATUSES: tuple[ThesisStatus, ...] = get_args(ThesisStatus)
# The thesis state machine: status -> the statuses it may move to.
THESIS_TRANSITIONS: Final[dict[str, tuple[str, ...]]] = {
    "planning": ("registered", "withdrawn"),
    "registered": ("in_progress", "planning", "withdrawn"),
    "in_progress": ("submitted", "withdrawn"),
    "submitted": ("defended",),
    "defended": ("graded",),
    "graded": (),
    "withdrawn": (),
}
# Theses still being worked on or examined: followed by the overview and the reminders.
THESIS_OPEN_STATUSES: Final = frozenset({"planning", "registered", "in_progress", "submitted"})
RiskLevel = Literal["low", "medium", "high"]
RISK_LEVELS: tuple[RiskLevel, ...] = get_args(RiskLevel)
DEFAULT_THESIS_TEMPLATE: Final = "default"
DEFAULT_THESIS_WEEKS: Final = 26
MAX_THESIS_WEEKS: Final = 104  # two years: longer is a typing mistake, not a thesis
# Thesis settings in the `setting` table: name -> (key, default, what it is).
THESIS_SETTINGS: Final[dict[str, tuple[str, int, str]]] = {
    "meeting-cadence": ("thesis.meeting_cadence_days", 21, "days between supervision meetings"),
    "meeting-stale": ("thesis.meeting_stale_days", 42, "days without a meeting that make a risk"),
    "deadline-warning": ("thesis.deadline_warning_days", 28, "days before a deadline to warn"),
}
# Per programme: its processing time (weeks) and its milestone plan, e.g. thesis.programme.HTW.
THESIS_PROGRAMME_PREFIX: Final = "thesis.programme."


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
