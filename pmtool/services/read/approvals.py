"""Approvals as rows (read side): lists, one record in full, reminders, the dashboard
panel, and what the approvals report shows (templates/reports/approvals.*.j2, for an
ethics committee meeting or a supervisor).

``status`` in every row is the effective state: ``expired`` when an approved record is
past ``valid_until`` (derived, never stored); ``stored_status`` keeps the recorded one.
Standard library only, plain SQL.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from pmtool.core import words
from pmtool.core.values import iso_date, iso_timestamp
from pmtool.services.read import attention
from pmtool.services.read.gates import as_date, effective_status, is_in_force, state_phrase
from pmtool.services.read.reports import ReportRequest
from pmtool.storage.reader import Reader, Row

APPROVAL_FIELDS = (
    "id", "kind", "status", "valid_until", "title", "body", "reference", "applicant",
    "stored_status", "in_force", "days_left", "submitted_on", "decided_on", "valid_from",
    "next_report_due", "conditions_open", "conditions", "project",
)  # fmt: skip
CONDITION_FIELDS = ("approval_id", "number", "text", "status", "due", "evidence", "met_on")
AMENDMENT_FIELDS = ("approval_id", "number", "summary", "status", "submitted_on", "decided_on")
INCIDENT_FIELDS = ("approval_id", "id", "kind", "occurred_on", "summary", "reported_on")

_SELECT = """
SELECT a.id, a.kind, a.status, a.valid_until, a.title, a.body, a.reference, a.applicant,
       a.submitted_on, a.decided_on, a.valid_from, a.next_report_due, p.key AS project,
       (SELECT COUNT(*) FROM approval_condition c
         WHERE c.approval_id = a.id AND c.status = 'open') AS conditions_open,
       (SELECT COUNT(*) FROM approval_condition c WHERE c.approval_id = a.id) AS conditions
FROM approval a JOIN project p ON p.id = a.project_id
"""
# Records whose story is over: shown in lists, left out of reminders and the panel.
FINISHED_STATUSES = frozenset({"withdrawn", "rejected", "closed", "not_required"})


def reminder_days(reader: Reader) -> tuple[int, ...]:
    """The reminder days before valid_until (setting ``approval_reminder_days``, default
    60,15), largest first."""
    found = reader.tuples(
        "SELECT value FROM setting WHERE key = :k", {"k": words.APPROVAL_REMINDER_SETTING}
    )
    if found:
        try:
            days = sorted({int(part) for part in str(found[0][0]).split(",") if part.strip()})
        except ValueError:
            days = []
        if days and all(day > 0 for day in days):
            return tuple(reversed(days))
    return words.DEFAULT_APPROVAL_REMINDER_DAYS


def _to_output(row: Row, today: date) -> Row:
    until = as_date(row["valid_until"])
    status = effective_status(row["status"], row["valid_until"], today)
    return {
        "id": row["id"],
        "kind": row["kind"],
        "status": status,
        "valid_until": iso_date(row["valid_until"]),
        "title": row["title"],
        "body": row["body"],
        "reference": row["reference"],
        "applicant": row["applicant"],
        "stored_status": row["status"],
        "in_force": is_in_force(row, today),
        "days_left": (until - today).days
        if until is not None and row["status"] in words.APPROVAL_EXPIRING_STATUSES
        else None,
        "submitted_on": iso_date(row["submitted_on"]),
        "decided_on": iso_date(row["decided_on"]),
        "valid_from": iso_date(row["valid_from"]),
        "next_report_due": iso_date(row["next_report_due"]),
        "conditions_open": row["conditions_open"],
        "conditions": row["conditions"],
        "project": row["project"],
    }


def list_approvals(
    reader: Reader,
    project_id: int,
    today: date,
    *,
    status: str | None = None,
    kind: str | None = None,
    expiring_days: int | None = None,
) -> list[Row]:
    """The project's approvals by id. ``status`` filters on the effective state
    (``expired`` included); ``expiring_days`` keeps granted records whose validity ends
    within that many days, the expired ones included (they need renewing most)."""
    sql = f"{_SELECT} WHERE a.project_id = :p"
    params: dict[str, Any] = {"p": project_id}
    if kind:
        sql += " AND a.kind = :k"
        params["k"] = kind
    rows = [_to_output(row, today) for row in reader.rows(sql + " ORDER BY a.id", params)]
    if status:
        rows = [row for row in rows if row["status"] == status]
    if expiring_days is not None:
        horizon = (today + timedelta(days=expiring_days)).isoformat()
        rows = [
            row
            for row in rows
            if row["stored_status"] in words.APPROVAL_EXPIRING_STATUSES
            and row["valid_until"] is not None
            and row["valid_until"] <= horizon
        ]
        rows.sort(key=lambda row: (row["valid_until"], row["id"]))
    return rows


def conditions(reader: Reader, approval_id: int) -> list[Row]:
    return [
        {
            "approval_id": row["approval_id"],
            "number": row["number"],
            "text": row["text"],
            "status": row["status"],
            "due": iso_date(row["due_date"]),
            "evidence": row["evidence"],
            "met_on": iso_date(row["met_on"]),
        }
        for row in reader.rows(
            "SELECT * FROM approval_condition WHERE approval_id = :a ORDER BY number",
            {"a": approval_id},
        )
    ]


def amendments(reader: Reader, approval_id: int) -> list[Row]:
    return [
        {
            "approval_id": row["approval_id"],
            "number": row["number"],
            "summary": row["summary"],
            "status": row["status"],
            "submitted_on": iso_date(row["submitted_on"]),
            "decided_on": iso_date(row["decided_on"]),
        }
        for row in reader.rows(
            "SELECT * FROM approval_amendment WHERE approval_id = :a ORDER BY number",
            {"a": approval_id},
        )
    ]


def incidents(reader: Reader, approval_id: int) -> list[Row]:
    return [
        {
            "approval_id": row["approval_id"],
            "id": row["id"],
            "kind": row["kind"],
            "occurred_on": iso_date(row["occurred_on"]),
            "summary": row["summary"],
            "reported_on": iso_date(row["reported_on"]),
        }
        for row in reader.rows(
            "SELECT * FROM approval_incident WHERE approval_id = :a ORDER BY occurred_on, id",
            {"a": approval_id},
        )
    ]


def show_approval(reader: Reader, approval_id: int, today: date) -> Row:
    """One approval in full: the list fields, the GDPR fields, its documents, conditions,
    amendments, incidents and the tasks that require it."""
    found = reader.rows(f"{_SELECT} WHERE a.id = :id", {"id": approval_id})
    record = _to_output(found[0], today)
    extra = reader.rows(
        "SELECT legal_basis, data_form, dpo_consulted_on, documents, notes, created_at, "
        "updated_at FROM approval WHERE id = :id",
        {"id": approval_id},
    )[0]
    record["state"] = state_phrase(found[0], today)
    record["legal_basis"] = extra["legal_basis"]
    record["data_form"] = extra["data_form"]
    record["dpo_consulted_on"] = iso_date(extra["dpo_consulted_on"])
    record["documents"] = json.loads(extra["documents"] or "[]")
    record["notes"] = extra["notes"]
    record["created"] = iso_timestamp(extra["created_at"])
    record["updated"] = iso_timestamp(extra["updated_at"])
    record["condition_list"] = conditions(reader, approval_id)
    record["amendments"] = amendments(reader, approval_id)
    record["incidents"] = incidents(reader, approval_id)
    record["required_by"] = [
        str(row[0])
        for row in reader.tuples(
            "SELECT t.key FROM task_approval l JOIN v_task t ON t.id = l.task_id "
            "WHERE l.approval_id = :a ORDER BY t.number",
            {"a": approval_id},
        )
    ]
    return record


# --- reminders: attention items --------------------------------------------------------------


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _name(row: Row) -> str:
    """``ethics vote #1``: short enough for a status line; `approval show` has the rest."""
    return f"{words.APPROVAL_KIND_NAMES.get(row['kind'], row['kind'])} #{row['id']}"


def _granted(reader: Reader, project_id: int) -> list[Row]:
    return reader.rows(
        "SELECT a.id, a.kind, a.title, a.status, a.valid_from, a.valid_until, p.key AS project "
        "FROM approval a JOIN project p ON p.id = a.project_id "
        "WHERE a.project_id = :p AND a.status IN ('approved', 'approved_with_conditions') "
        "AND a.valid_until IS NOT NULL ORDER BY a.valid_until, a.id",
        {"p": project_id},
    )


def expiring(reader: Reader, project_id: int, today: date) -> list[Row]:
    """Granted approvals within the largest reminder window (default 60 days) of their end;
    the text names the reminder reached (60-day, 15-day)."""
    windows = reminder_days(reader)
    items = []
    for row in _granted(reader, project_id):
        left = (as_date(row["valid_until"]) - today).days  # type: ignore[operator]
        if left < 0 or left > windows[0]:
            continue
        reached = min(day for day in windows if left <= day)
        when = "today" if left == 0 else f"in {_days(left)}"
        text = f"{_name(row)} expires {when} ({reached}-day reminder): renew it in time"
        ref = f"approval {row['id']}"
        items.append(
            attention.item(
                row["project"], "approval_expiring", "soon", ref, text, row["valid_until"]
            )
        )
    return items


def expired(reader: Reader, project_id: int, today: date) -> list[Row]:
    """Granted approvals past valid_until: all research under them must stop until renewed."""
    items = []
    for row in _granted(reader, project_id):
        until = as_date(row["valid_until"])
        if until is None or until >= today:
            continue
        text = (
            f"{_name(row)} expired {_days((today - until).days)} ago (valid until {until}): "
            "work under it must stop until it is renewed"
        )
        items.append(
            attention.item(
                row["project"], "approval_expired", "late", f"approval {row['id']}", text, until
            )
        )
    return items


def conditions_overdue(reader: Reader, project_id: int, today: date) -> list[Row]:
    """Open conditions past their due date."""
    found = reader.rows(
        "SELECT a.id, a.kind, a.title, p.key AS project, c.number, c.text, c.due_date "
        "FROM approval_condition c JOIN approval a ON a.id = c.approval_id "
        "JOIN project p ON p.id = a.project_id "
        "WHERE a.project_id = :p AND a.status = 'approved_with_conditions' "
        "AND c.status = 'open' AND c.due_date < :today ORDER BY c.due_date, a.id, c.number",
        {"p": project_id, "today": today.isoformat()},
    )
    items = []
    for row in found:
        late = (today - as_date(row["due_date"])).days  # type: ignore[operator]
        text = f"condition {row['number']} of {_name(row)} is {_days(late)} overdue: {row['text']}"
        ref = f"approval {row['id']}.{row['number']}"
        items.append(
            attention.item(
                row["project"], "approval_condition_overdue", "late", ref, text, row["due_date"]
            )
        )
    return items


def reports_due(reader: Reader, project_id: int, today: date) -> list[Row]:
    """Progress and end-of-study reports due within 30 days, or overdue."""
    horizon = today + timedelta(days=words.APPROVAL_REPORT_NOTICE_DAYS)
    found = reader.rows(
        "SELECT a.id, a.kind, a.title, a.status, a.next_report_due, p.key AS project "
        "FROM approval a JOIN project p ON p.id = a.project_id "
        "WHERE a.project_id = :p AND a.next_report_due IS NOT NULL "
        "AND a.next_report_due <= :horizon "
        "AND a.status IN ('approved', 'approved_with_conditions', 'suspended', 'closed') "
        "ORDER BY a.next_report_due, a.id",
        {"p": project_id, "horizon": horizon.isoformat()},
    )
    items = []
    for row in found:
        due = as_date(row["next_report_due"])
        assert due is not None
        what = "end-of-study notice" if row["status"] == "closed" else "progress report"
        left = (due - today).days
        if left < 0:
            text, level = f"{what} for {_name(row)} is {_days(-left)} overdue", "late"
        else:
            when = "today" if left == 0 else f"in {_days(left)}"
            text, level = f"{what} for {_name(row)} is due {when}", "soon"
        items.append(
            attention.item(
                row["project"], "approval_report_due", level, f"approval {row['id']}", text, due
            )
        )
    return items


def incidents_unreported(reader: Reader, project_id: int, today: date) -> list[Row]:
    """Incidents and deviations not yet reported to the committee or the DPO."""
    found = reader.rows(
        "SELECT a.id, a.kind, a.title, p.key AS project, i.id AS incident, i.kind AS what, "
        "i.summary, i.occurred_on FROM approval_incident i "
        "JOIN approval a ON a.id = i.approval_id JOIN project p ON p.id = a.project_id "
        "WHERE a.project_id = :p AND i.reported_on IS NULL ORDER BY i.occurred_on, i.id",
        {"p": project_id},
    )
    return [
        attention.item(
            row["project"],
            "approval_incident_unreported",
            "late",
            f"approval {row['id']}",
            f"{row['what']} under {_name(row)} not reported yet: {row['summary']}",
            row["occurred_on"],
        )
        for row in found
    ]


# --- the dashboard panel ---------------------------------------------------------------------


def countdown(row: Row, today: date) -> str:
    """``expires in 12 days``, ``expired 3 days ago``, or the state in words."""
    status = effective_status(row["status"], row["valid_until"], today)
    until = as_date(row["valid_until"])
    if status == words.EXPIRED and until is not None:
        return f"expired {_days((today - until).days)} ago"
    if row["status"] in words.APPROVAL_EXPIRING_STATUSES and until is not None:
        left = (until - today).days
        when = "expires today" if left == 0 else f"expires in {_days(left)}"
        return f"{status.replace('_', ' ')}, {when}"
    return status.replace("_", " ")


def panel_rows(reader: Reader, project_id: int, today: date) -> list[Row]:
    """One row per approval still in play (fields when text ref level), the most urgent
    first: expired, then by end date, then those still being decided."""
    rows = reader.rows(
        "SELECT id, kind, title, status, valid_from, valid_until FROM approval "
        "WHERE project_id = :p ORDER BY id",
        {"p": project_id},
    )
    windows = reminder_days(reader)
    panel: list[tuple[tuple[int, str], Row]] = []
    for row in rows:
        if row["status"] in FINISHED_STATUSES:
            continue
        status = effective_status(row["status"], row["valid_until"], today)
        until = as_date(row["valid_until"])
        left = (until - today).days if until is not None else None
        if status == words.EXPIRED:
            level, order = "late", 0
        elif (
            left is not None
            and row["status"] in words.APPROVAL_EXPIRING_STATUSES
            and left <= windows[0]
        ):
            level, order = "soon", 1
        elif row["status"] == "suspended":
            level, order = "over", 0
        else:
            level, order = "", 2
        panel.append(
            (
                (order, iso_date(row["valid_until"]) or "9999"),
                {
                    "when": iso_date(row["valid_until"]) or "",
                    "text": f"{_name(row)}: {countdown(row, today)}",
                    "ref": f"approval {row['id']}",
                    "level": level,
                },
            )
        )
    return [row for _, row in sorted(panel, key=lambda pair: pair[0])]


# --- the report ------------------------------------------------------------------------------


def report_context(reader: Reader, project_id: int, today: date) -> Row:
    """What the approvals report (``templates/reports/approvals.*.j2``) shows, for an
    ethics committee meeting or a supervisor: the project, the reminder days, a row per
    approval with its countdown (the most urgent state first), the count by state, each
    record in full with what is due for it, and everything that needs attention."""
    project = reader.rows("SELECT key, name FROM project WHERE id = :p", {"p": project_id})[0]
    windows = reminder_days(reader)
    due = [
        *expired(reader, project_id, today),
        *expiring(reader, project_id, today),
        *conditions_overdue(reader, project_id, today),
        *reports_due(reader, project_id, today),
        *incidents_unreported(reader, project_id, today),
    ]
    rows = list_approvals(reader, project_id, today)
    group_order = {name: index for index, name in enumerate(SCREEN_GROUPS)}
    for row in rows:
        row["kind_name"] = words.APPROVAL_KIND_NAMES.get(row["kind"], row["kind"])
        row["countdown"] = countdown({**row, "status": row["stored_status"]}, today)
        row["group"] = screen_group(row, today, windows)
    rows.sort(key=lambda row: (group_order[row["group"]], row["valid_until"] or "9999", row["id"]))
    records = []
    for row in rows:
        record = show_approval(reader, row["id"], today)
        record["kind_name"] = row["kind_name"]
        record["facts"] = [
            (name, value)
            for name, value in (
                ("Kind", row["kind_name"]),
                ("Body", record["body"]),
                ("Reference", record["reference"]),
                ("Applicant", record["applicant"]),
                ("State", record["state"]),
                ("Submitted", record["submitted_on"]),
                ("Decided", record["decided_on"]),
                ("Valid", _period(record["valid_from"], record["valid_until"])),
                ("Next report due", record["next_report_due"]),
                ("Legal basis", record["legal_basis"]),
                ("Data form", record["data_form"]),
                ("DPO consulted", record["dpo_consulted_on"]),
                ("Documents", ", ".join(record["documents"])),
                ("Required by", ", ".join(record["required_by"])),
            )
            if value
        ]
        # Attention refs are "approval 3" or "approval 3.2" (a condition of approval 3).
        mine = f"approval {row['id']}"
        record["due"] = [
            entry for entry in due if entry["ref"] == mine or entry["ref"].startswith(mine + ".")
        ]
        records.append(record)
    by_state = [
        {
            "group": group,
            "label": _GROUP_LABELS[group],
            "count": sum(row["group"] == group for row in rows),
        }
        for group in SCREEN_GROUPS
        if any(row["group"] == group for row in rows)
    ]
    return {
        "project": {"key": project["key"], "name": project["name"]},
        "today": today.isoformat(),
        "reminder_days": list(windows),
        "approvals": rows,
        "by_state": by_state,
        "records": records,
        "attention": due,
        # The approvals' periods as rows for the timeline chart (label, start, end, late).
        "timeline": [
            {
                "label": f"#{row['id']} {row['kind_name']}",
                "start": row["valid_from"],
                "end": row["valid_until"],
                "late": row["status"] == words.EXPIRED,
            }
            for row in rows
            if row["valid_until"]
        ],
    }


# How the report counts the screen's groups: "1 needs attention, 2 in force".
_GROUP_LABELS = {
    "Attention": "needs attention",
    "Conditions": "approved with conditions",
    "Deciding": "being decided",
    "In force": "in force",
    "Finished": "finished",
}


def approvals_report(reader: Reader, request: ReportRequest) -> Row:
    """The builder of `pmtool report approvals` (services/read/reports.py)."""
    assert request.project_ids is not None and len(request.project_ids) == 1
    return report_context(reader, request.project_ids[0], request.today)


def _period(start: str | None, until: str | None) -> str:
    if not start and not until:
        return ""
    return f"{start or '?'} to {until or 'open-ended'}"


# --- the TUI screen ----------------------------------------------------------------------------

# The screen's groups, in order: what needs doing first at the top.
SCREEN_GROUPS = ("Attention", "Conditions", "Deciding", "In force", "Finished")


def screen_group(row: Row, today: date, windows: tuple[int, ...]) -> str:
    """Which group of the Approvals screen a list row (of :func:`list_approvals`) is in."""
    stored, status = row["stored_status"], row["status"]
    left = row["days_left"]
    if status == words.EXPIRED or stored == "suspended":
        return "Attention"
    if stored in words.APPROVAL_EXPIRING_STATUSES and left is not None and left <= windows[0]:
        return "Attention"
    if stored == "approved_with_conditions":
        return "Conditions"
    if stored in words.APPROVAL_OPEN_STATUSES:
        return "Deciding"
    if stored in ("approved", "not_required"):
        return "In force"
    return "Finished"


def screen_rows(reader: Reader, project_id: int, today: date) -> list[Row]:
    """The approvals by group (:data:`SCREEN_GROUPS`), each with ``key`` (its number as
    text), ``group``, ``countdown`` and the list fields."""
    windows = reminder_days(reader)
    rows = list_approvals(reader, project_id, today)
    for row in rows:
        row["key"] = str(row["id"])
        row["group"] = screen_group(row, today, windows)
        row["countdown"] = countdown({**row, "status": row["stored_status"]}, today)
        row["conditions_shown"] = (
            f"{row['conditions'] - row['conditions_open']}/{row['conditions']} met"
            if row["conditions"]
            else ""
        )
    return sorted(
        rows,
        key=lambda row: (
            SCREEN_GROUPS.index(row["group"]),
            row["valid_until"] or "9999-12-31",
            row["id"],
        ),
    )
