"""Vocabularies and limits shared by the interfaces and the services (no imports)."""

from __future__ import annotations

TASK_TYPES = ("story", "bug", "task", "spike")
PRIORITIES = ("low", "medium", "high", "critical")
DEFAULT_WORKFLOW = ("backlog", "todo", "in_progress", "review", "done")
DONE_STATUSES = frozenset({"done"})
SPRINT_STATUSES = ("planned", "active", "closed")
MAX_TITLE_LENGTH = 200
MAX_NAME_LENGTH = 100
MAX_POINTS = 1000
PROJECT_KEY_PATTERN = r"^[A-Z][A-Z0-9]{1,9}$"
DEFAULT_PROJECT_SETTING = "default_project"
MAX_DESCRIPTION_LENGTH = 10_000  # task and project descriptions, sprint goals
MAX_LABEL_LENGTH = 40
MAX_EMAIL_LENGTH = 254  # the longest address SMTP carries
MAX_WIP_LIMIT = 1000
