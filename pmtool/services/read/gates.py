"""Which approvals are in force, and what keeps a piece of work behind its gate.

Work (a task, a thesis milestone) can require approvals in two ways: a label
``needs:KIND`` (``needs:ethics``, ``needs:dua``: any approval of that kind in force in
the project opens it) or an explicit link to one approval (``task edit KEY --requires
ID``). :func:`blockers` says what is still closed, with one readable reason each; the
task services refuse to move gated work to in_progress or done while there are any.

An approval is **in force** on a day when its state is ``approved`` (conditions all met)
and the day lies within ``valid_from .. valid_until``, or when it is recorded as
``not_required`` (the documented "no vote needed"). An approved record past
``valid_until`` is **expired**: derived here, never stored. A documented exemption
certificate in force also opens ``needs:ethics``.

Standard library only, plain SQL: `task move` and `pmtool status` run this.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from pmtool.core.values import iso_date, labels_from_json
from pmtool.core.words import (
    APPROVAL_EXPIRING_STATUSES,
    APPROVAL_IN_FORCE_STATUSES,
    APPROVAL_KIND_NAMES,
    APPROVAL_KIND_SATISFIES,
    EXPIRED,
    NEEDS_LABEL_PREFIX,
    approval_kind,
)
from pmtool.storage.reader import Reader, Row

# What a blocker reports (docs/json-fields.md, "Gates").
BLOCKER_FIELDS = ("approval_id", "kind", "status", "label", "reason")
MISSING = "missing"  # the status of a blocker with no approval recorded

_APPROVAL_COLUMNS = "id, project_id, kind, title, status, valid_from, valid_until"


def as_date(value: Any) -> date | None:
    """A stored date (SQLite text or a date) as a date."""
    text = iso_date(value)
    return None if text is None else date.fromisoformat(text)


def effective_status(status: str, valid_until: Any, today: date) -> str:
    """The state to show: the stored one, or ``expired`` for an approval past valid_until."""
    until = as_date(valid_until)
    if status in APPROVAL_EXPIRING_STATUSES and until is not None and until < today:
        return EXPIRED
    return status


def is_in_force(approval: Row, today: date) -> bool:
    """Whether the approval (a row with status, valid_from, valid_until) opens gates today."""
    if approval["status"] not in APPROVAL_IN_FORCE_STATUSES:
        return False
    if approval["status"] == "not_required":
        return True
    start, until = as_date(approval["valid_from"]), as_date(approval["valid_until"])
    return (start is None or start <= today) and (until is None or today <= until)


def state_phrase(approval: Row, today: date) -> str:
    """Why an approval is or is not in force, e.g. ``expired on 2026-10-01``."""
    status = effective_status(approval["status"], approval["valid_until"], today)
    start = as_date(approval["valid_from"])
    if status == EXPIRED:
        return f"expired (valid until {as_date(approval['valid_until'])})"
    if status == "approved" and start is not None and start > today:
        return f"approved, valid from {start}"
    return _PHRASES.get(status, status.replace("_", " "))


_PHRASES = {
    "draft": "still a draft",
    "submitted": "submitted, not decided yet",
    "clarification_requested": "waiting for a clarification",
    "approved_with_conditions": "approved with conditions not yet all met",
    "resubmission_requested": "sent back for resubmission",
}


def needed_kinds(labels: Iterable[str]) -> dict[str, str]:
    """The kinds named by ``needs:KIND`` labels, each with the label that named it."""
    kinds: dict[str, str] = {}
    for label in labels:
        if not label.lower().startswith(NEEDS_LABEL_PREFIX):
            continue
        kind = approval_kind(label[len(NEEDS_LABEL_PREFIX) :])
        if kind is not None:
            kinds.setdefault(kind, label)
    return kinds


def _approvals(reader: Reader, project_id: int) -> list[Row]:
    return reader.rows(
        f"SELECT {_APPROVAL_COLUMNS} FROM approval WHERE project_id = :p ORDER BY id",
        {"p": project_id},
    )


def _kinds_opened_by(kind: str) -> set[str]:
    return {kind} | set(APPROVAL_KIND_SATISFIES.get(kind, ()))


def in_force_kinds(reader: Reader, project_id: int, today: date) -> set[str]:
    """The kinds whose gates are open in the project today (an exemption counts as ethics)."""
    kinds: set[str] = set()
    for approval in _approvals(reader, project_id):
        if is_in_force(approval, today):
            kinds |= _kinds_opened_by(approval["kind"])
    return kinds


def _name(approval: Row) -> str:
    kind = APPROVAL_KIND_NAMES.get(approval["kind"], approval["kind"])
    return f"approval {approval['id']} ({kind} '{approval['title']}')"


def _candidate(approvals: list[Row], kind: str) -> Row | None:
    """The record that best explains a closed ``needs:KIND`` gate: the newest of that kind."""
    matching = [a for a in approvals if kind in _kinds_opened_by(a["kind"])]
    return matching[-1] if matching else None


def blockers(
    reader: Reader,
    project_id: int,
    *,
    labels: Iterable[str],
    required_approval_ids: Iterable[int],
    today: date,
) -> list[Row]:
    """What keeps work with these labels and required approvals behind its gate today.

    One row per closed gate (fields :data:`BLOCKER_FIELDS`): ``approval_id`` (None when
    no record of the kind exists), ``kind``, ``status`` (the effective state, ``expired``
    derived, ``missing`` when there is no record), ``label`` (the ``needs:`` label, None
    for an explicit requirement) and a one-line ``reason``. Empty: the work may proceed.
    """
    return _closed_gates(
        reader, _approvals(reader, project_id), labels, required_approval_ids, today
    )


def _closed_gates(
    reader: Reader,
    approvals: list[Row],
    labels: Iterable[str],
    required_approval_ids: Iterable[int],
    today: date,
) -> list[Row]:
    """:func:`blockers` over the project's approvals, read once by the caller."""
    found: list[Row] = []
    open_kinds: set[str] = set()
    for approval in approvals:
        if is_in_force(approval, today):
            open_kinds |= _kinds_opened_by(approval["kind"])
    for kind, label in needed_kinds(labels).items():
        if kind in open_kinds:
            continue
        kind_name = APPROVAL_KIND_NAMES[kind]
        candidate = _candidate(approvals, kind)
        if candidate is None:
            found.append(
                _blocker(None, kind, MISSING, label, f"{label}: no {kind_name} is recorded")
            )
            continue
        status = effective_status(candidate["status"], candidate["valid_until"], today)
        reason = f"{label}: {_name(candidate)} is {state_phrase(candidate, today)}"
        found.append(_blocker(candidate["id"], kind, status, label, reason))
    by_id = {approval["id"]: approval for approval in approvals}
    for approval_id in dict.fromkeys(int(i) for i in required_approval_ids):
        required = by_id.get(approval_id) or _approval_anywhere(reader, approval_id)
        if required is None:
            reason = f"requires approval {approval_id}, which does not exist"
            found.append(_blocker(approval_id, "", MISSING, None, reason))
            continue
        if is_in_force(required, today):
            continue
        status = effective_status(required["status"], required["valid_until"], today)
        reason = f"requires {_name(required)}, which is {state_phrase(required, today)}"
        found.append(_blocker(approval_id, required["kind"], status, None, reason))
    return found


def _approval_anywhere(reader: Reader, approval_id: int) -> Row | None:
    rows = reader.rows(
        f"SELECT {_APPROVAL_COLUMNS} FROM approval WHERE id = :id", {"id": approval_id}
    )
    return rows[0] if rows else None


def _blocker(
    approval_id: int | None, kind: str, status: str, label: str | None, reason: str
) -> Row:
    return {
        "approval_id": approval_id,
        "kind": kind,
        "status": status,
        "label": label,
        "reason": reason,
    }


def required_approval_ids(reader: Reader, task_id: int) -> list[int]:
    """The approvals a task is linked to by ``task edit --requires``."""
    return [
        int(row[0])
        for row in reader.tuples(
            "SELECT approval_id FROM task_approval WHERE task_id = :t ORDER BY approval_id",
            {"t": task_id},
        )
    ]


def task_blockers(reader: Reader, task: Row, today: date) -> list[Row]:
    """The blockers of one task (a row with id, project_id and labels as stored)."""
    return blockers(
        reader,
        task["project_id"],
        labels=labels_from_json(task["labels"]),
        required_approval_ids=required_approval_ids(reader, task["id"]),
        today=today,
    )


def project_task_blockers(reader: Reader, project_id: int, today: date) -> dict[str, list[Row]]:
    """The blockers of every gated task of a project, by task key (the board's locks)."""
    gated = reader.rows(
        "SELECT t.id, t.key, t.labels FROM v_task t WHERE t.project_id = :p AND "
        "(LOWER(t.labels) LIKE '%needs:%' OR EXISTS "
        " (SELECT 1 FROM task_approval l WHERE l.task_id = t.id))",
        {"p": project_id},
    )
    if not gated:
        return {}
    approvals = _approvals(reader, project_id)
    required: dict[int, list[int]] = {}
    for task_id, approval_id in reader.tuples(
        "SELECT l.task_id, l.approval_id FROM task_approval l JOIN task t ON t.id = l.task_id "
        "WHERE t.project_id = :p ORDER BY l.approval_id",
        {"p": project_id},
    ):
        required.setdefault(int(task_id), []).append(int(approval_id))
    result: dict[str, list[Row]] = {}
    for task in gated:
        labels = labels_from_json(task["labels"])
        found = _closed_gates(reader, approvals, labels, required.get(int(task["id"]), []), today)
        if found:
            result[str(task["key"])] = found
    return result


def short_reason(found: list[Row]) -> str:
    """The blockers in a few words for a board card: ``ethics #4 conditional``."""
    parts = []
    for blocker in found:
        name = blocker["kind"] or "approval"
        if blocker["approval_id"] is not None:
            name += f" #{blocker['approval_id']}"
        state = _SHORT_STATES.get(blocker["status"], blocker["status"].replace("_", " "))
        parts.append(f"{name} {state}")
    return "; ".join(parts)


_SHORT_STATES = {
    MISSING: "missing",
    "approved_with_conditions": "conditional",
    "clarification_requested": "clarifying",
    "resubmission_requested": "to resubmit",
}
