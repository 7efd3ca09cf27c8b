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
