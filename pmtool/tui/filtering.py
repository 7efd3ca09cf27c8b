"""The backlog's filter line and sort order, applied to rows in memory.

Filter syntax: plain words match the title or key; ``status:todo`` (``s:``),
``label:data`` (``#data``), ``assignee:lena`` (``@lena``, ``@none``), ``sprint:"Sprint 4"``
(``sprint:none`` for unplanned work). Values match case-insensitively, names by prefix
of any word. Several values of one kind are alternatives; different kinds all apply.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pmtool.core.words import NO_SPRINT_WORDS, NONE_WORDS

FILTER_HELP = (
    "words match title/key · status:todo · #label · @assignee (@none) · "
    'sprint:"Sprint 4" (sprint:none)'
)

FILTER_PROMPT = "/ to filter: words  status:todo  #label  @name  sprint:none"

_PREFIXES = {
    "status": "statuses",
    "s": "statuses",
    "label": "labels",
    "l": "labels",
    "assignee": "assignees",
    "a": "assignees",
    "sprint": "sprints",
}


@dataclass(frozen=True)
class TaskFilter:
    words: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    sprints: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.words or self.statuses or self.labels or self.assignees or self.sprints)


def _tokens(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:  # an unclosed quote while typing
        return text.replace('"', " ").replace("'", " ").split()


def parse_filter(text: str) -> TaskFilter:
    found: dict[str, list[str]] = {
        "words": [], "statuses": [], "labels": [], "assignees": [], "sprints": []
    }  # fmt: skip
    for token in _tokens(text):
        lowered = token.lower()
        if lowered.startswith("#") and len(token) > 1:
            found["labels"].append(lowered[1:])
            continue
        if lowered.startswith("@") and len(token) > 1:
            found["assignees"].append(lowered[1:])
            continue
        prefix, colon, value = lowered.partition(":")
        if colon and prefix in _PREFIXES and value:
            found[_PREFIXES[prefix]].append(value)
            continue
        found["words"].append(lowered)
    return TaskFilter(**{name: tuple(values) for name, values in found.items()})


def _name_matches(name: str | None, wanted: str) -> bool:
    if wanted in NONE_WORDS:
        return not name
    if not name:
        return False
    lowered = name.lower()
    return lowered.startswith(wanted) or any(part.startswith(wanted) for part in lowered.split())


def _sprint_matches(sprint: str | None, wanted: str) -> bool:
    if wanted in NO_SPRINT_WORDS:
        return not sprint
    return bool(sprint) and wanted in str(sprint).lower()


def matches(row: dict[str, Any], task_filter: TaskFilter) -> bool:
    for word in task_filter.words:
        if word not in row["title"].lower() and word not in row["key"].lower():
            return False
    if task_filter.statuses and not any(
        str(row["status"]).startswith(status.replace(" ", "_")) for status in task_filter.statuses
    ):
        return False
    if task_filter.labels:
        labels = [label.lower() for label in row["labels"]]
        if not any(any(label.startswith(w) for label in labels) for w in task_filter.labels):
            return False
    if task_filter.assignees and not any(
        _name_matches(row["assignee"], wanted) for wanted in task_filter.assignees
    ):
        return False
    return not task_filter.sprints or any(
        _sprint_matches(row["sprint"], wanted) for wanted in task_filter.sprints
    )


def filter_rows(rows: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    task_filter = parse_filter(text)
    if task_filter.empty:
        return rows
    return [row for row in rows if matches(row, task_filter)]


SORT_FIELDS = ("rank", "key", "status", "points", "title", "assignee", "sprint", "due", "labels")


def _sort_key(field: str) -> Callable[[dict[str, Any]], Any]:
    if field == "key":
        return lambda row: row["number"]
    if field == "points":
        return lambda row: (row["points"] is None, row["points"] or 0)
    if field in ("title", "assignee", "sprint", "due", "labels"):

        def text_key(row: dict[str, Any]) -> Any:
            value = row[field]
            if isinstance(value, list):
                value = ", ".join(value)
            return (not value, str(value or "").lower())

        return text_key
    if field == "status":
        return lambda row: row["board_order"]
    return lambda row: row["board_order"]


def sort_rows(rows: list[dict[str, Any]], field: str, descending: bool) -> list[dict[str, Any]]:
    """Rows sorted by ``field``; empty values stay last either way; ties keep board order."""
    if field == "rank" and not descending:
        return sorted(rows, key=lambda row: row["board_order"])
    key = _sort_key(field)
    present = [row for row in rows if not _is_empty(row, field)]
    missing = [row for row in rows if _is_empty(row, field)]
    present.sort(key=lambda row: row["board_order"])
    present.sort(key=key, reverse=descending)
    missing.sort(key=lambda row: row["board_order"])
    return present + missing


def _is_empty(row: dict[str, Any], field: str) -> bool:
    if field in ("rank", "key", "status", "title"):
        return False
    return row.get(field) in (None, "", [])
