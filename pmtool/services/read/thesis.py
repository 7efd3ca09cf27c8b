"""The thesis track (read side): lists, the plan with its critical path, meetings, the
history of dates, the supervisor's overview with its risk rules, the timeline, the
attention items and dashboard panel of theses, and what the thesis report shows.

Plain SQL through the :class:`Reader`, standard library only. The risk rules are stated
in docs/thesis.md ("Risk rules") and in :func:`assess_risk`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from pmtool.core import words
from pmtool.core.values import iso_date, iso_timestamp
from pmtool.services.read.reports import ReportRequest
from pmtool.services.thesis_plan import DEFENCE, SUBMISSION, critical_path
from pmtool.storage.reader import Reader, Row

THESIS_FIELDS = (
    "id", "student", "title", "start", "deadline", "status", "programme", "cohort", "weeks",
    "extension_weeks", "defence", "first_examiner", "second_examiner", "external_supervisor",
    "company", "confidential_until", "project", "repository", "template", "milestones",
    "milestones_done", "overdue",
)  # fmt: skip
MILESTONE_FIELDS = (
    "number", "id", "title", "due", "done", "state", "after", "needs", "critical",
)  # fmt: skip
MEETING_FIELDS = (
    "id", "date", "attendees", "notes", "decisions", "actions", "next",
)  # fmt: skip
OVERVIEW_FIELDS = (
    "id", "student", "title", "status", "phase", "next_milestone", "next_due",
    "days_to_deadline", "deadline", "overdue", "approvals", "last_meeting", "last_commit",
    "risk", "reasons", "first_examiner", "project",
)  # fmt: skip
HISTORY_FIELDS = ("at", "actor", "what", "field", "old", "new", "command")

_THESIS_SELECT = """
SELECT t.*, p.key AS project_key,
       (SELECT COUNT(*) FROM thesis_milestone m WHERE m.thesis_id = t.id) AS milestone_count,
       (SELECT COUNT(*) FROM thesis_milestone m
         WHERE m.thesis_id = t.id AND m.done_on IS NOT NULL) AS done_count,
       (SELECT COUNT(*) FROM thesis_milestone m
         WHERE m.thesis_id = t.id AND m.done_on IS NULL AND m.due_date < :today) AS overdue_count
FROM thesis t LEFT JOIN project p ON p.id = t.project_id
"""


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _supervised_by(row: Row, supervisor: str | None) -> bool:
    if not supervisor:
        return True
    wanted = supervisor.strip().lower()
    return any(
        wanted in (row[name] or "").lower()
        for name in ("first_examiner", "second_examiner", "external_supervisor")
    )


def _thesis_output(row: Row) -> Row:
    return {
        "id": row["id"],
        "student": row["student"],
        "title": row["title"],
        "start": iso_date(row["start_date"]),
        "deadline": iso_date(row["deadline"]),
        "status": row["status"],
        "programme": row["programme"],
        "cohort": row["cohort"],
        "weeks": row["weeks"],
        "extension_weeks": row["extension_weeks"],
        "defence": iso_date(row["defence_on"]),
        "first_examiner": row["first_examiner"],
        "second_examiner": row["second_examiner"],
        "external_supervisor": row["external_supervisor"],
        "company": row["company"],
        "confidential_until": iso_date(row["confidential_until"]),
        "project": row["project_key"],
        "repository": row["repository_path"],
        "template": row["template"],
        "milestones": row["milestone_count"],
        "milestones_done": row["done_count"],
        "overdue": row["overdue_count"],
    }


def list_theses(
    reader: Reader,
    today: date,
    *,
    status: str | None = None,
    supervisor: str | None = None,
    include_closed: bool = True,
) -> list[Row]:
    """Theses by deadline (the fields of THESIS_FIELDS)."""
    rows = reader.rows(_THESIS_SELECT + " ORDER BY t.deadline, t.id", {"today": today.isoformat()})
    return [
        _thesis_output(row)
        for row in rows
        if (status is None or row["status"] == status)
        and (include_closed or row["status"] in words.THESIS_OPEN_STATUSES)
        and _supervised_by(row, supervisor)
    ]


def thesis_record(reader: Reader, thesis_id: int, today: date) -> Row:
    row = reader.rows(_THESIS_SELECT + " WHERE t.id = :id", {"id": thesis_id, "today": today})
    return _thesis_output(row[0])


def show_thesis(reader: Reader, thesis: Row, today: date) -> Row:
    """One thesis: its fields, the research question, where it stands, and its risk."""
    record = thesis_record(reader, thesis["id"], today)
    overview = overview_rows(reader, today, thesis_ids=[thesis["id"]])[0]
    record["research_question"] = thesis["research_question"]
    record["registered"] = iso_date(thesis["registered_on"])
    for name in ("phase", "next_milestone", "next_due", "days_to_deadline", "approvals"):
        record[name] = overview[name]
    record["last_meeting"] = overview["last_meeting"]
    record["risk"] = overview["risk"]
    record["reasons"] = overview["reasons"]
    return record


# --- milestones -----------------------------------------------------------------------------


def _milestones(reader: Reader, thesis_ids: Sequence[int] | None = None) -> list[Row]:
    sql = "SELECT * FROM thesis_milestone"
    if thesis_ids is not None:
        sql += f" WHERE thesis_id IN ({', '.join(str(int(i)) for i in thesis_ids) or 'NULL'})"
    return reader.rows(sql + " ORDER BY thesis_id, position")


def _edges(reader: Reader, thesis_ids: Sequence[int] | None = None) -> dict[int, set[int]]:
    sql = (
        "SELECT d.milestone_id, d.depends_on_id FROM thesis_milestone_dependency d "
        "JOIN thesis_milestone m ON m.id = d.milestone_id"
    )
    if thesis_ids is not None:
        sql += f" WHERE m.thesis_id IN ({', '.join(str(int(i)) for i in thesis_ids) or 'NULL'})"
    edges: dict[int, set[int]] = {}
    for milestone_id, before_id in reader.tuples(sql):
        edges.setdefault(milestone_id, set()).add(before_id)
    return edges


def milestone_state(milestone: Row, today: date) -> str:
    """done, late (open past its due date), due (open, due within a week) or open."""
    if milestone["done_on"] is not None:
        return "done"
    due = _day(milestone["due_date"])
    if due < today:
        return "late"
    if due <= today + timedelta(days=7):
        return "due"
    return "open"


def critical_ids(milestones: Sequence[Row], edges: dict[int, set[int]]) -> set[int]:
    submission = next((m["id"] for m in milestones if m["code"] == SUBMISSION), None)
    return critical_path(edges, submission)


def milestone_rows(reader: Reader, thesis: Row, today: date) -> list[Row]:
    """The plan of one thesis, in order (the fields of MILESTONE_FIELDS)."""
    milestones = _milestones(reader, [thesis["id"]])
    edges = _edges(reader, [thesis["id"]])
    critical = critical_ids(milestones, edges)
    positions = {m["id"]: m["position"] for m in milestones}
    return [
        {
            "number": m["position"],
            "id": m["code"],
            "title": m["title"],
            "due": iso_date(m["due_date"]),
            "done": iso_date(m["done_on"]),
            "state": milestone_state(m, today),
            "after": sorted(positions[b] for b in edges.get(m["id"], ())),
            "needs": json.loads(m["needs"]),
            "critical": m["id"] in critical,
        }
        for m in milestones
    ]


# --- approvals a milestone needs ------------------------------------------------------------


def need_states(
    reader: Reader, project_id: int | None, needs: Iterable[str], today: date
) -> list[Row]:
    """For each need (``dua``, ``ethics|exemption``): whether an approval of one of its
    kinds is in force in the project (read/gates.py), and if not, its state and why:
    ``{need, met, status, reason}``; status ``missing``, ``expired``, ``draft``, ..."""
    from pmtool.services.read import gates

    needs = list(needs)
    if not needs:
        return []
    if project_id is None:
        return [
            {"need": need, "met": False, "status": "missing",
             "reason": "the thesis has no linked project"}
            for need in needs
        ]  # fmt: skip
    in_force = gates.in_force_kinds(reader, project_id, today)
    states = []
    for need in needs:
        kinds = need.split("|")
        if any(kind in in_force for kind in kinds):
            states.append({"need": need, "met": True, "status": "in_force", "reason": "in force"})
            continue
        found = gates.blockers(
            reader,
            project_id,
            labels=[f"needs:{kind}" for kind in kinds],
            required_approval_ids=(),
            today=today,
        )
        # The alternative that got furthest explains best (an expired vote over nothing).
        found.sort(key=lambda blocker: blocker["status"] == gates.MISSING)
        first = found[0] if found else {"status": "missing", "reason": f"no {need} in force"}
        reason = str(first["reason"]).split(": ", 1)[-1]
        states.append({"need": need, "met": False, "status": first["status"], "reason": reason})
    return states


def approvals_summary(states: Sequence[Row]) -> str:
    """The approvals column: "ok", "expired: ethics", "missing: dua", or "" (none needed)."""
    if not states:
        return ""
    expired = [state["need"] for state in states if state["status"] == "expired"]
    missing = [
        state["need"] for state in states if not state["met"] and state["status"] != "expired"
    ]
    parts = []
    if expired:
        parts.append("expired: " + ", ".join(expired))
    if missing:
        parts.append("missing: " + ", ".join(missing))
    return "; ".join(parts) or "ok"


# --- meetings -------------------------------------------------------------------------------


def meeting_rows(reader: Reader, thesis: Row) -> list[Row]:
    """Supervision meetings, newest first, with their action items and the tasks made."""
    meetings = reader.rows(
        "SELECT * FROM thesis_meeting WHERE thesis_id = :t ORDER BY held_on DESC, id DESC",
        {"t": thesis["id"]},
    )
    actions: dict[int, list[Row]] = {}
    for meeting_id, text, assignee, task_key in reader.tuples(
        "SELECT a.meeting_id, a.text, a.assignee, "
        "  CASE WHEN t.id IS NULL THEN NULL ELSE p.key || '-' || t.number END "
        "FROM thesis_action a JOIN thesis_meeting m ON m.id = a.meeting_id "
        "LEFT JOIN task t ON t.id = a.task_id LEFT JOIN project p ON p.id = t.project_id "
        "WHERE m.thesis_id = :t ORDER BY a.id",
        {"t": thesis["id"]},
    ):
        actions.setdefault(meeting_id, []).append(
            {"text": text, "assignee": assignee, "task": task_key}
        )
    return [
        {
            "id": meeting["id"],
            "date": iso_date(meeting["held_on"]),
            "attendees": json.loads(meeting["attendees"]),
            "notes": meeting["notes"],
            "decisions": json.loads(meeting["decisions"]),
            "actions": actions.get(meeting["id"], []),
            "next": iso_date(meeting["next_on"]),
        }
        for meeting in meetings
    ]


# --- history --------------------------------------------------------------------------------


def history_rows(reader: Reader, thesis: Row) -> list[Row]:
    """Every change of the thesis's dates and status, and of its milestones' due and done
    dates, oldest first, with the command that made it (extensions with their reason)."""
    milestone_labels = {
        str(row[0]): f"milestone {row[1]} ({row[2]})"
        for row in reader.tuples(
            "SELECT id, position, title FROM thesis_milestone WHERE thesis_id = :t",
            {"t": thesis["id"]},
        )
    }
    found = reader.rows(
        "SELECT a.at, a.actor, a.entity, a.entity_id, a.action, a.field, a.old, a.new, "
        "  c.summary FROM audit a JOIN command c ON c.id = a.command_id "
        "WHERE (a.entity = 'thesis' AND a.entity_id = :t "
        "       AND a.field IN ('start_date', 'weeks', 'deadline', 'status', 'defence_on', "
        "                       'extension', 'registered_on')) "
        "   OR (a.entity = 'thesis_milestone' AND a.action IN ('update', 'note') "
        "       AND a.field IN ('due_date', 'done_on', 'forced') "
        "       AND a.entity_id IN (SELECT CAST(id AS TEXT) FROM thesis_milestone "
        "                           WHERE thesis_id = :id)) "
        "ORDER BY a.id",
        {"t": str(thesis["id"]), "id": thesis["id"]},
    )
    rows = []
    for entry in found:
        what = (
            "thesis"
            if entry["entity"] == "thesis"
            else milestone_labels.get(entry["entity_id"], "milestone")
        )
        rows.append(
            {
                "at": iso_timestamp(entry["at"]),
                "actor": entry["actor"],
                "what": what,
                "field": entry["field"],
                "old": _plain(entry["old"]),
                "new": _plain(entry["new"]),
                "command": entry["summary"],
            }
        )
    return rows


def _plain(text: str | None) -> Any:
    return None if text is None else json.loads(text)


# --- the supervisor's overview and its risk rules -------------------------------------------


def last_commits(reader: Reader, theses: Sequence[Row]) -> dict[int, str | None]:
    """The time of the newest synced commit of each thesis (thesis id -> ISO time).

    From git sync (`pmtool git link` + `git sync`): the thesis's own repository when it
    names one that is linked, else the newest commit of its project's repositories.
    None for a thesis with neither.
    """
    import os.path

    from pmtool.services.read.gitsync import last_commit

    newest: dict[int, str | None] = {}
    for thesis in theses:
        found = None
        if thesis["project_id"] is not None:
            path = thesis["repository_path"]
            if path:
                found = last_commit(
                    reader,
                    project_id=thesis["project_id"],
                    repository_path=os.path.realpath(os.path.expanduser(path)),
                )
            found = found or last_commit(reader, project_id=thesis["project_id"])
        newest[thesis["id"]] = found["date"] if found else None
    return newest


def phase(thesis: Row, today: date) -> str:
    """Where the thesis is: its closing status, "preparation", "week N/M" or "overdue"."""
    if thesis["status"] in ("submitted", "defended", "graded", "withdrawn"):
        return str(thesis["status"])
    start, deadline = _day(thesis["start_date"]), _day(thesis["deadline"])
    if today < start:
        return "preparation"
    if today > deadline:
        return "past deadline"
    total = int(thesis["weeks"]) + int(thesis["extension_weeks"])
    return f"week {min((today - start).days // 7 + 1, total)}/{total}"


def assess_risk(
    thesis: Row,
    milestones: Sequence[Row],
    critical: set[int],
    last_meeting: date | None,
    missing_needs: Sequence[str],
    today: date,
    settings: dict[str, int],
    expired_needs: Sequence[str] = (),
) -> tuple[str, list[str]]:
    """(level, reasons) of one thesis: the rules of docs/thesis.md "Risk rules".

    high: a late milestone on the critical path (the submission waits for it); the
    deadline passed without submission; the deadline within the warning window with
    milestones before the submission still open; no supervision meeting for
    ``meeting-stale`` days; an approval an open milestone needs has expired (research
    must stop until renewal), or is not in force when that milestone is due within the
    warning window or late.
    medium: any other late milestone; a meeting missed (none within ``meeting-cadence``
    days of the last one, a week's grace); approvals still missing for later milestones.
    low: none of these.
    """
    if thesis["status"] not in words.THESIS_OPEN_STATUSES:
        return "low", []
    high: list[str] = []
    medium: list[str] = []
    deadline = _day(thesis["deadline"])
    warning = settings["deadline-warning"]
    late = [m for m in milestones if m["done_on"] is None and _day(m["due_date"]) < today]
    late_critical = [m for m in late if m["id"] in critical]
    if late_critical:
        first = min(late_critical, key=lambda m: m["due_date"])
        days = (today - _day(first["due_date"])).days
        high.append(
            f"{len(late_critical)} late on the critical path (#{first['position']} {days}d late)"
        )
    if len(late) > len(late_critical):
        medium.append(f"{len(late) - len(late_critical)} late off the critical path")
    submitted = thesis["status"] == "submitted"
    if not submitted:
        if today > deadline:
            high.append(f"deadline passed {(today - deadline).days}d ago")
        elif (deadline - today).days <= warning:
            before = [
                m
                for m in milestones
                if m["done_on"] is None
                and m["code"] not in (SUBMISSION, DEFENCE)
                and _day(m["due_date"]) <= deadline
            ]
            if before:
                high.append(
                    f"deadline in {(deadline - today).days}d with {len(before)} open before it"
                )
    if thesis["status"] in ("registered", "in_progress") and _day(thesis["start_date"]) <= today:
        since = last_meeting or _day(thesis["start_date"])
        quiet = (today - since).days
        if quiet >= settings["meeting-stale"]:
            high.append(f"no meeting for {quiet // 7} weeks")
        elif quiet > settings["meeting-cadence"] + 7:
            medium.append(f"meeting missed ({quiet}d since the last)")
    if expired_needs:
        high.append(f"approval expired: {', '.join(expired_needs)}")
    missing_needs = [need for need in missing_needs if need not in expired_needs]
    if missing_needs:
        urgent = [
            m
            for m in milestones
            if m["done_on"] is None
            and json.loads(m["needs"])
            and (_day(m["due_date"]) - today).days <= warning
        ]
        names = ", ".join(missing_needs)
        if urgent:
            high.append(f"approval not in force: {names}")
        else:
            medium.append(f"approval pending: {names}")
    if high:
        return "high", high + medium
    if medium:
        return "medium", medium
    return "low", []


def overview_settings(reader: Reader) -> dict[str, int]:
    found: dict[str, str] = dict(
        reader.tuples(  # type: ignore[arg-type]
            "SELECT key, value FROM setting WHERE key LIKE 'thesis.%' AND key NOT LIKE :p",
            {"p": words.THESIS_PROGRAMME_PREFIX + "%"},
        )
    )
    return {
        name: int(found.get(key, default))
        for name, (key, default, _) in words.THESIS_SETTINGS.items()
    }


def overview_rows(
    reader: Reader,
    today: date,
    *,
    supervisor: str | None = None,
    thesis_ids: Sequence[int] | None = None,
    include_closed: bool = False,
    project_id: int | None = None,
) -> list[Row]:
    """One row per thesis for the supervisor (OVERVIEW_FIELDS), riskiest first, then by
    deadline. Closed theses (defended, graded, withdrawn) only with ``include_closed``."""
    sql = (
        "SELECT t.*, p.key AS project_key FROM thesis t LEFT JOIN project p ON p.id = t.project_id"
    )
    params: dict[str, Any] = {}
    if thesis_ids is not None:
        sql += f" WHERE t.id IN ({', '.join(str(int(i)) for i in thesis_ids) or 'NULL'})"
        include_closed = True
    elif project_id is not None:
        sql += " WHERE t.project_id = :p"
        params["p"] = project_id
    theses = [
        row
        for row in reader.rows(sql + " ORDER BY t.deadline, t.id", params)
        if (include_closed or row["status"] in words.THESIS_OPEN_STATUSES)
        and _supervised_by(row, supervisor)
    ]
    if not theses:
        return []
    ids = [row["id"] for row in theses]
    by_thesis: dict[int, list[Row]] = {}
    for milestone in _milestones(reader, ids):
        by_thesis.setdefault(milestone["thesis_id"], []).append(milestone)
    edges = _edges(reader, ids)
    last_meetings = {
        thesis_id: _day(held)
        for thesis_id, held in reader.tuples(
            "SELECT thesis_id, MAX(held_on) FROM thesis_meeting "
            f"WHERE thesis_id IN ({', '.join(str(i) for i in ids)}) GROUP BY thesis_id"
        )
    }
    commits = last_commits(reader, theses)
    settings = overview_settings(reader)
    rows = []
    for thesis in theses:
        milestones = by_thesis.get(thesis["id"], [])
        critical = critical_ids(milestones, edges)
        open_milestones = [m for m in milestones if m["done_on"] is None]
        upcoming = min(open_milestones, key=lambda m: (m["due_date"], m["position"]), default=None)
        open_needs = list(
            dict.fromkeys(need for m in open_milestones for need in json.loads(m["needs"]))
        )
        states = need_states(reader, thesis["project_id"], open_needs, today)
        approvals = approvals_summary(states)
        missing = [state["need"] for state in states if not state["met"]]
        expired = [state["need"] for state in states if state["status"] == "expired"]
        last_meeting = last_meetings.get(thesis["id"])
        level, reasons = assess_risk(
            thesis, milestones, critical, last_meeting, missing, today, settings, expired
        )
        deadline = _day(thesis["deadline"])
        closed = thesis["status"] not in words.THESIS_OPEN_STATUSES
        rows.append(
            {
                "id": thesis["id"],
                "student": thesis["student"],
                "title": thesis["title"],
                "status": thesis["status"],
                "phase": phase(thesis, today),
                "next_milestone": None if upcoming is None else upcoming["title"],
                "next_due": None if upcoming is None else iso_date(upcoming["due_date"]),
                "days_to_deadline": None if closed else (deadline - today).days,
                "deadline": iso_date(deadline),
                "overdue": sum(1 for m in open_milestones if _day(m["due_date"]) < today),
                "approvals": approvals,
                "last_meeting": iso_date(last_meeting),
                "last_commit": commits.get(thesis["id"]),
                "risk": level,
                "reasons": reasons,
                "first_examiner": thesis["first_examiner"],
                "project": thesis["project_key"],
            }
        )
    order = {level: index for index, level in enumerate(reversed(words.RISK_LEVELS))}
    rows.sort(key=lambda row: (order[row["risk"]], row["deadline"], row["id"]))
    return rows


# --- the timeline -----------------------------------------------------------------------------


def timeline(milestones: Sequence[Row], today: date, width: int) -> list[str]:
    """A Gantt-like chart of a plan in ``width`` columns: one line per milestone on a week
    axis, ``│`` for today, ``●`` done, ``◆`` open, ``!`` late (open past its date)."""
    if not milestones:
        return []
    days = [date.fromisoformat(m["due"]) for m in milestones]
    first = min([*days, today]) - timedelta(days=3)
    last = max([*days, today]) + timedelta(days=3)
    label_width = min(34, max(12, width // 3))
    span = max(width - label_width - 1, 10)
    total = max((last - first).days, 1)

    def column(day: date) -> int:
        return min(span - 1, round((day - first).days * (span - 1) / total))

    now = column(today)
    axis = [" "] * span
    week = first + timedelta(days=(7 - first.weekday()) % 7)
    step = max(1, round(7 * 6 * total / (span * 7)) // 7 + 1)  # label every few weeks
    marks = []
    while week <= last:
        marks.append(week)
        week += timedelta(weeks=step)
    axis_text = list(" " * span)
    for mark in marks:
        at = column(mark)
        text = mark.strftime("%d.%m")
        if at + len(text) <= span and all(c == " " for c in axis_text[at : at + len(text) + 1]):
            axis_text[at : at + len(text)] = text
    lines = [" " * (label_width + 1) + "".join(axis_text).rstrip()]
    for milestone, day in zip(milestones, days, strict=True):
        row = list(axis)
        row[now] = "│"
        state = milestone["state"]
        row[column(day)] = {"done": "●", "late": "!"}.get(state, "◆")
        label = f"{milestone['number']:>2} {milestone['title']}"
        if len(label) > label_width:
            label = label[: label_width - 1] + "…"
        suffix = "  late" if state == "late" else ""
        lines.append(f"{label.ljust(label_width)} {''.join(row).rstrip()}{suffix}")
    lines.append(" " * (label_width + 1) + " " * now + f"│ today {today.isoformat()}")
    return lines


# --- attention items and the dashboard panel --------------------------------------------------


def _project_theses(reader: Reader, project_id: int, today: date) -> list[Row]:
    return overview_rows(reader, today, project_id=project_id)


def _project_key(reader: Reader, project_id: int) -> str:
    found = reader.tuples("SELECT key FROM project WHERE id = :id", {"id": project_id})
    return str(found[0][0]) if found else ""


def overdue_milestones(reader: Reader, project_id: int, today: date) -> list[Row]:
    """Open milestones past their due date, of the project's open theses."""
    from pmtool.services.read.attention import item

    key = _project_key(reader, project_id)
    found = reader.tuples(
        "SELECT t.id, t.student, m.position, m.title, m.due_date FROM thesis_milestone m "
        "JOIN thesis t ON t.id = m.thesis_id WHERE t.project_id = :p AND m.done_on IS NULL "
        "AND m.due_date < :today AND t.status IN ('planning', 'registered', 'in_progress', "
        "'submitted') ORDER BY m.due_date, t.id, m.position",
        {"p": project_id, "today": today.isoformat()},
    )
    by_thesis: dict[int, list[Sequence[Any]]] = {}
    for row in found:
        by_thesis.setdefault(row[0], []).append(row)
    items = []
    for late in by_thesis.values():  # one item per thesis: thirty theses stay readable
        thesis_id, student, position, title, due = late[0]
        days = (today - _day(due)).days
        if len(late) == 1:
            text = f"{student}: #{position} {title} is {days}d overdue"
        else:
            text = f"{student}: {len(late)} milestones overdue, #{position} {title} {days}d"
        items.append(
            item(key, "thesis_milestone_overdue", "late", f"thesis {thesis_id}", text, due)
        )
    return items


def deadlines_near(reader: Reader, project_id: int, today: date) -> list[Row]:
    """Theses not yet submitted whose deadline is within the warning window (or passed)."""
    from pmtool.services.read.attention import item

    warning = overview_settings(reader)["deadline-warning"]
    key = _project_key(reader, project_id)
    found = reader.tuples(
        "SELECT id, student, deadline FROM thesis WHERE project_id = :p "
        "AND status IN ('planning', 'registered', 'in_progress') AND deadline <= :horizon "
        "ORDER BY deadline, id",
        {"p": project_id, "horizon": (today + timedelta(days=warning)).isoformat()},
    )
    items = []
    for thesis_id, student, deadline in found:
        left = (_day(deadline) - today).days
        when = f"passed {-left}d ago" if left < 0 else f"in {left}d"
        level = "late" if left < 0 else "soon"
        items.append(
            item(
                key,
                "thesis_deadline",
                level,
                f"thesis {thesis_id}",
                f"{student}: submission deadline {when}",
                deadline,
            )
        )
    return items


def meetings_missed(reader: Reader, project_id: int, today: date) -> list[Row]:
    """Theses in progress whose next supervision meeting (or the cadence) has passed."""
    from pmtool.services.read.attention import item

    cadence = overview_settings(reader)["meeting-cadence"]
    key = _project_key(reader, project_id)
    found = reader.tuples(
        "SELECT t.id, t.student, t.start_date, "
        "  (SELECT MAX(held_on) FROM thesis_meeting m WHERE m.thesis_id = t.id), "
        "  (SELECT next_on FROM thesis_meeting m WHERE m.thesis_id = t.id "
        "     ORDER BY held_on DESC, id DESC LIMIT 1) "
        "FROM thesis t WHERE t.project_id = :p AND t.status IN ('registered', 'in_progress') "
        "AND t.start_date <= :today ORDER BY t.id",
        {"p": project_id, "today": today.isoformat()},
    )
    items = []
    for thesis_id, student, start, last, planned in found:
        due = _day(planned) if planned else _day(last or start) + timedelta(days=cadence)
        if due < today:
            since = f"last {iso_date(last)}" if last else "none yet"
            items.append(
                item(
                    key,
                    "thesis_meeting_missed",
                    "late",
                    f"thesis {thesis_id}",
                    f"{student}: supervision meeting due {due.isoformat()} ({since})",
                    due,
                )
            )
    return items


def theses_at_risk(reader: Reader, project_id: int, today: date) -> list[Row]:
    """Theses the risk rules rate high."""
    from pmtool.services.read.attention import item

    key = _project_key(reader, project_id)
    return [
        item(
            key,
            "thesis_at_risk",
            "over",
            f"thesis {row['id']}",
            f"{row['student']} at high risk: {'; '.join(row['reasons'])}",
            row["deadline"],
        )
        for row in _project_theses(reader, project_id, today)
        if row["risk"] == "high"
    ]


def panel_rows(reader: Reader, project_id: int, today: date) -> list[Row]:
    """The dashboard's Theses panel: each open thesis of the project, riskiest first."""
    level_of = {"high": "late", "medium": "soon", "low": "info"}
    rows = []
    for row in _project_theses(reader, project_id, today):
        upcoming = f"next: {row['next_milestone']}" if row["next_milestone"] else "plan done"
        rows.append(
            {
                "when": row["next_due"],
                "text": f"{row['student']} ({row['phase']}, {row['risk']} risk) {upcoming}",
                "ref": f"thesis {row['id']}",
                "level": level_of[row["risk"]],
            }
        )
    return rows


# --- the calendar -------------------------------------------------------------------------------


def calendar_events(reader: Reader, thesis_ids: Sequence[int]) -> list[Row]:
    """What `thesis calendar` exports: milestones, deadlines, meetings (held and next) and
    defences, each with a stable ``uid`` (re-importing updates instead of duplicating) and
    a ``sequence`` that grows with every change of the record."""
    if not thesis_ids:
        return []
    ids = ", ".join(str(int(i)) for i in thesis_ids)
    theses = {row["id"]: row for row in reader.rows(f"SELECT * FROM thesis WHERE id IN ({ids})")}
    events: list[Row] = []
    for thesis_id in sorted(theses):
        thesis = theses[thesis_id]
        who = thesis["student"]
        events.append(
            {
                "uid": f"thesis-{thesis_id}-deadline@pmtool",
                "day": _day(thesis["deadline"]),
                "summary": f"{who}: submission deadline",
                "description": f"{thesis['title']} (thesis {thesis_id}, {thesis['weeks']} "
                f"weeks + {thesis['extension_weeks']} weeks extension)",
                "sequence": thesis["version"],
                "category": "deadline",
            }
        )
    for milestone in _milestones(reader, list(theses)):
        thesis = theses[milestone["thesis_id"]]
        done = f", done on {iso_date(milestone['done_on'])}" if milestone["done_on"] else ""
        is_defence = milestone["code"] == DEFENCE
        uid_part = "defence" if is_defence else f"milestone-{milestone['id']}"
        events.append(
            {
                "uid": f"thesis-{thesis['id']}-{uid_part}@pmtool",
                "day": _day(thesis["defence_on"] or milestone["due_date"])
                if is_defence
                else _day(milestone["due_date"]),
                "summary": f"{thesis['student']}: {milestone['title']}",
                "description": f"Milestone {milestone['position']} of thesis {thesis['id']} "
                f"({thesis['title']}){done}",
                "sequence": milestone["version"] + (thesis["version"] if is_defence else 0),
                "category": "defence" if is_defence else "milestone",
            }
        )
    for meeting in reader.rows(
        f"SELECT * FROM thesis_meeting WHERE thesis_id IN ({ids}) ORDER BY thesis_id, held_on, id"
    ):
        thesis = theses[meeting["thesis_id"]]
        decisions = json.loads(meeting["decisions"])
        lines = [f"Attendees: {', '.join(json.loads(meeting['attendees']))}"]
        lines += [f"Decision: {decision}" for decision in decisions]
        events.append(
            {
                "uid": f"thesis-{thesis['id']}-meeting-{meeting['id']}@pmtool",
                "day": _day(meeting["held_on"]),
                "summary": f"{thesis['student']}: supervision meeting",
                "description": "\n".join(lines),
                "sequence": meeting["version"],
                "category": "meeting",
            }
        )
    for thesis_id, next_on, version in reader.tuples(
        "SELECT m.thesis_id, m.next_on, m.version FROM thesis_meeting m "
        f"WHERE m.thesis_id IN ({ids}) AND m.next_on IS NOT NULL AND m.id = "
        "(SELECT id FROM thesis_meeting l WHERE l.thesis_id = m.thesis_id "
        " ORDER BY held_on DESC, id DESC LIMIT 1)"
    ):
        if theses[thesis_id]["status"] not in words.THESIS_OPEN_STATUSES:
            continue
        events.append(
            {
                "uid": f"thesis-{thesis_id}-next-meeting@pmtool",
                "day": _day(next_on),
                "summary": f"{theses[thesis_id]['student']}: next supervision meeting",
                "description": "Planned at the last meeting",
                "sequence": version,
                "category": "meeting",
            }
        )
    return events


# --- the thesis report (`pmtool report thesis`, templates/reports/thesis.*.j2) ---------------

# The thesis fields the history table shows: its dates, status and extensions (milestone
# moves are counted, not listed: a replan moves every open one).
_REPORT_HISTORY_FIELDS = frozenset(
    {"start_date", "weeks", "deadline", "status", "defence_on", "extension", "registered_on"}
)
_CHART_LABEL = 30  # characters of a milestone title in the timeline chart
TEXT_TIMELINE_WIDTH = 78


def _chart_label(number: int, title: str) -> str:
    label = f"{number}. {title}"
    return label if len(label) <= _CHART_LABEL else label[: _CHART_LABEL - 1] + "…"


def _plan(reader: Reader, thesis: Row, record: Row, today: date) -> Row:
    """The plan of one thesis as the report shows it: milestones with how late the late
    ones are, the text timeline (Markdown) and the rows of the timeline chart (HTML)."""
    milestones = milestone_rows(reader, thesis, today)
    for milestone in milestones:
        due = _day(milestone["due"])
        milestone["days_late"] = (today - due).days if milestone["state"] == "late" else None
    chart = [
        {
            "label": f"Thesis ({record['status'].replace('_', ' ')})",
            "start": record["start"],
            "end": record["deadline"],
            "done": record["status"] not in words.THESIS_OPEN_STATUSES,
            "late": record["status"] in words.THESIS_OPEN_STATUSES
            and record["status"] != "submitted"
            and _day(record["deadline"]) < today,
        },
        *(
            {
                "label": _chart_label(m["number"], m["title"]),
                "due": m["done"] or m["due"],
                "done": m["state"] == "done",
                "late": m["state"] == "late",
            }
            for m in milestones
        ),
    ]
    return {
        "milestones": milestones,
        "timeline_text": timeline(milestones, today, TEXT_TIMELINE_WIDTH),
        "timeline": chart,
    }


def _meetings_with_gaps(
    reader: Reader, thesis: Row, today: date, cadence: int
) -> tuple[list[Row], Row | None]:
    """Meetings, newest first, each with the days since the one before and ``gap`` when
    that is more than the cadence and a week's grace (the risk rule's "meeting missed");
    and the gap since the last meeting up to today while the thesis is being written."""
    meetings = meeting_rows(reader, thesis)
    allowed = cadence + 7
    oldest_first = list(reversed(meetings))
    previous = _day(thesis["start_date"])
    for meeting in oldest_first:
        held = _day(meeting["date"])
        meeting["days_since_previous"] = max((held - previous).days, 0)
        meeting["gap"] = meeting["days_since_previous"] > allowed
        previous = max(previous, held)
    current_gap = None
    if thesis["status"] in ("registered", "in_progress") and _day(thesis["start_date"]) <= today:
        quiet = (today - previous).days
        if quiet > allowed:
            current_gap = {"since": previous.isoformat(), "days": quiet}
    return meetings, current_gap


def _dates_history(reader: Reader, thesis: Row) -> tuple[list[Row], list[Row], int]:
    """(changes of the thesis's dates and status, its extensions, how many milestone due
    dates were moved), oldest first."""
    rows = history_rows(reader, thesis)
    changes = [
        row for row in rows if row["what"] == "thesis" and row["field"] in _REPORT_HISTORY_FIELDS
    ]
    extensions = [row for row in changes if row["field"] == "extension"]
    moved = sum(1 for row in rows if row["what"] != "thesis" and row["field"] == "due_date")
    return changes, extensions, moved


def thesis_detail(reader: Reader, thesis: Row, today: date) -> Row:
    """One thesis for the report: the record (with risk and reasons), its plan, the
    approvals the open milestones need, meetings with gaps, and the history of its dates."""
    record = show_thesis(reader, thesis, today)
    settings = overview_settings(reader)
    plan = _plan(reader, thesis, record, today)
    open_needs = list(
        dict.fromkeys(
            need for m in plan["milestones"] if m["state"] != "done" for need in m["needs"]
        )
    )
    meetings, current_gap = _meetings_with_gaps(reader, thesis, today, settings["meeting-cadence"])
    changes, extensions, moved = _dates_history(reader, thesis)
    return {
        "record": record,
        **plan,
        "critical": [m["number"] for m in plan["milestones"] if m["critical"]],
        "needs": need_states(reader, thesis["project_id"], open_needs, today),
        "meetings": meetings,
        "meeting_gap": current_gap,
        "meeting_cadence": settings["meeting-cadence"],
        "history": changes,
        "extensions": extensions,
        "milestones_moved": moved,
    }


def thesis_report(reader: Reader, request: ReportRequest) -> Row:
    """The builder of `pmtool report thesis` (services/read/reports.py): one thesis (by id
    or student), or without a subject every open thesis of the supervisor's overview,
    riskiest first, each with its plan."""
    from pmtool.services import resolve

    today = request.today
    if request.subject:
        thesis = resolve.thesis(reader, request.subject)
        return {"overview": None, "theses": [thesis_detail(reader, thesis, today)]}
    overview = overview_rows(reader, today)
    theses = []
    for row in overview:
        thesis = reader.rows("SELECT * FROM thesis WHERE id = :id", {"id": row["id"]})[0]
        record = thesis_record(reader, row["id"], today)
        theses.append({"record": {**record, **row}, **_plan(reader, thesis, record, today)})
    return {"overview": overview, "theses": theses}
