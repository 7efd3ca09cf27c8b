"""The domains' exports: stakeholders, agreements, approvals, checklist items, theses,
milestones, meetings and commits.

Registered in :func:`pmtool.services.read.domains.register_exports`; each entity reads
through its domain's own read functions (the rows of its list command), so an export
and the list agree. How each one is scoped follows its list command:

- approvals, checklist items and commits belong to a project (``-p KEY``, ``--all``);
- partners' stakeholders and agreements, and theses with their milestones and meetings,
  belong to the workspace (a thesis may have no project; `thesis list`, `stakeholder
  list` and `agreement list` show them all): their exports need no project chosen, and
  the ``project`` field says where a record belongs.

Personal data (a stakeholder's role, email, phone and notes: what the partners domain
seals in the trail, except the name) is in every row; the CLI drops it unless
``--include-personal``. Forgotten stakeholders stay, as their tombstone. Standard
library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pmtool.core import words
from pmtool.core.errors import InvalidInput
from pmtool.core.values import iso_date, iso_timestamp
from pmtool.services import resolve
from pmtool.services.read import approvals, compliance, partners, thesis
from pmtool.services.read.agile_exports import project_ids
from pmtool.services.read.exports import ExportFilter, ExportScope
from pmtool.storage.reader import Reader, Row

# Filters shared with the agile core keep its kinds (exports.register_export checks).
STATUS_FILTER = ExportFilter("status", "Only this status (repeatable).", "many")
OVERDUE_FILTER = ExportFilter("overdue", "Only unfinished ones past their due date.", "flag")
PARTNER_FILTER = ExportFilter("partner", "Only this partner's (a name or its start).", "text")
EXPIRING_FILTER = ExportFilter(
    "expiring", "Only signed/granted ones ending within this time (e.g. 60d), and the expired."
)
THESIS_FILTER = ExportFilter("thesis", "Only this thesis (its id or the student's name).")
SUPERVISOR_FILTER = ExportFilter("supervisor", "Only theses this examiner supervises.")
SINCE_FILTER = ExportFilter("since", "Only from this day on (a date, -30d, ...).", "date")

# A stakeholder's role, like the contact details, is sealed personal data (storage/tables.py).
STAKEHOLDER_FIELDS = tuple(name for name in partners.STAKEHOLDER_FIELDS if name != "role")
STAKEHOLDER_PERSONAL_FIELDS = ("role", *partners.PERSONAL_FIELDS)
STAKEHOLDER_KINDS = {"last_contact": "date", "next_follow_up": "date", "forgotten": "datetime"}
AGREEMENT_KINDS = {"signed_on": "date", "valid_until": "date", "terminated_on": "date"}
APPROVAL_KINDS = {
    name: "date"
    for name in ("valid_until", "submitted_on", "decided_on", "valid_from", "next_report_due")
}
ITEM_KINDS = {"due": "date", "done_at": "datetime", "updated": "datetime"}
THESIS_KINDS = {name: "date" for name in ("start", "deadline", "defence", "confidential_until")}
MILESTONE_FIELDS = ("thesis", "student", *thesis.MILESTONE_FIELDS, "project")
MILESTONE_KINDS = {"due": "date", "done": "date"}
MEETING_FIELDS = ("thesis", "student", *thesis.MEETING_FIELDS, "project")
MEETING_KINDS = {"date": "date", "next": "date"}
COMMIT_FIELDS = (
    "sha", "subject", "author", "date", "branch", "on_default", "tasks", "repository", "project",
)  # fmt: skip
COMMIT_KINDS = {"date": "datetime"}


def _known(values: Iterable[str], allowed: Iterable[str], option: str) -> list[str]:
    """The values a user gave to ``--OPTION``, or bad input naming the allowed ones."""
    allowed = tuple(allowed)
    chosen = [value.strip().lower() for value in values]
    for value in chosen:
        if value not in allowed:
            raise InvalidInput(f"--{option} {value!r}: choose from {', '.join(allowed)}")
    return chosen


def _days(given: Mapping[str, Any]) -> int | None:
    if given.get("expiring") is None:
        return None
    from pmtool.core.dates import parse_days

    try:
        return parse_days(str(given["expiring"]))
    except InvalidInput as error:
        raise InvalidInput(f"--expiring: {error}") from None


# -- partners: workspace records ----------------------------------------------------------


def stakeholder_rows(reader: Reader, scope: ExportScope, given: Mapping[str, Any]) -> list[Row]:
    """Every stakeholder by partner and name, the forgotten as their tombstone."""
    quadrant = None
    if given.get("quadrant"):
        quadrant = _known([given["quadrant"]], words.QUADRANTS, "quadrant")[0]
    partner = resolve.partner(reader, given["partner"]) if given.get("partner") else None
    return partners.list_stakeholders(
        reader,
        partner_id=partner["id"] if partner else None,
        quadrant=quadrant,
        include_personal=True,
        include_forgotten=True,
    )


def agreement_rows(reader: Reader, scope: ExportScope, given: Mapping[str, Any]) -> Iterator[Row]:
    """Every agreement by partner, with its effective status (expired included)."""
    statuses = _known(given.get("statuses", ()), (*words.AGREEMENT_STATUSES, "expired"), "status")
    partner = resolve.partner(reader, given["partner"]) if given.get("partner") else None
    for row in partners.list_agreements(
        reader,
        scope.today,
        partner_id=partner["id"] if partner else None,
        expiring_within=_days(given),
    ):
        if not statuses or row["status"] in statuses:
            yield row


# -- project records ----------------------------------------------------------------------


def approval_rows(reader: Reader, scope: ExportScope, given: Mapping[str, Any]) -> Iterator[Row]:
    """The approvals of the scope's projects, by project and id, with the effective
    status (``expired`` derived from valid_until)."""
    statuses = _known(given.get("statuses", ()), (*words.APPROVAL_STATUSES, "expired"), "status")
    kind = None
    if given.get("kind"):
        kind = words.approval_kind(str(given["kind"]))
        if kind is None:
            raise InvalidInput(
                f"--kind {given['kind']!r}: choose from {', '.join(words.APPROVAL_KINDS)}"
            )
    days = _days(given)
    for project_id in project_ids(reader, scope):
        rows = approvals.list_approvals(
            reader, project_id, scope.today, kind=kind, expiring_days=days
        )
        # The list sorts expiring ones by date; an export keeps one stable order.
        for row in sorted(rows, key=lambda found: found["id"]):
            if not statuses or row["status"] in statuses:
                yield row


def checklist_item_rows(
    reader: Reader, scope: ExportScope, given: Mapping[str, Any]
) -> Iterator[Row]:
    """The items of the scope's checklists, in checklist and template order."""
    statuses = _known(given.get("statuses", ()), words.ITEM_STATUSES, "status")
    checklist = str(given.get("checklist") or "").strip().lower()
    for project_id in project_ids(reader, scope):
        for row in compliance.list_items(
            reader,
            project_id,
            owner=given.get("owner"),
            overdue_on=scope.today if given.get("overdue") else None,
        ):
            if statuses and row["status"] not in statuses:
                continue
            if checklist and str(row["checklist"]).lower() != checklist:
                continue
            yield row


def commit_rows(reader: Reader, scope: ExportScope, given: Mapping[str, Any]) -> Iterator[Row]:
    """The commits of the scope's linked repositories, oldest first, with the tasks each
    cites (``--task KEY``: only those citing it)."""
    conditions = ["r.unlinked_at IS NULL"]
    params: dict[str, Any] = {}
    if given.get("task"):
        task = resolve.task(reader, str(given["task"]))
        conditions.append(
            "EXISTS (SELECT 1 FROM git_commit_task l WHERE l.repository_id = c.repository_id "
            "AND l.sha = c.sha AND l.task_id = :task)"
        )
        params["task"] = task["id"]
    if given.get("since"):
        conditions.append("c.committed_at >= :since")
        params["since"] = given["since"].isoformat()
    if given.get("author"):
        conditions.append("lower(c.author) LIKE :author")
        params["author"] = "%" + str(given["author"]).strip().lower() + "%"
    where = " AND ".join(conditions)
    for project_id in project_ids(reader, scope):
        params["p"] = project_id
        cited: dict[tuple[int, str], list[str]] = {}
        for repository_id, sha, key in reader.tuples(
            "SELECT l.repository_id, l.sha, p.key || '-' || t.number FROM git_commit_task l "
            "JOIN git_repository r ON r.id = l.repository_id "
            "JOIN task t ON t.id = l.task_id JOIN project p ON p.id = t.project_id "
            "WHERE r.project_id = :p ORDER BY t.project_id, t.number",
            {"p": project_id},
        ):
            cited.setdefault((repository_id, sha), []).append(key)
        for values in reader.stream(
            "SELECT c.sha, c.subject, c.author, c.committed_at, c.branch, c.on_default, "
            "  c.repository_id, r.path, p.key "
            "FROM git_commit c JOIN git_repository r ON r.id = c.repository_id "
            "JOIN project p ON p.id = r.project_id "
            f"WHERE r.project_id = :p AND {where} ORDER BY c.committed_at, c.id",
            params,
        ):
            sha, subject, author, when, branch, on_default, repository_id, path, key = values
            yield {
                "sha": sha,
                "subject": subject,
                "author": author,
                "date": iso_timestamp(when),
                "branch": branch,
                "on_default": bool(on_default),
                "tasks": cited.get((repository_id, sha), []),
                "repository": path,
                "project": key,
            }


# -- theses: workspace records ------------------------------------------------------------


def _theses(reader: Reader, scope: ExportScope, given: Mapping[str, Any]) -> list[Row]:
    """The theses asked for (``--thesis``), by id: ids never change, deadlines move."""
    if given.get("thesis"):
        wanted = [resolve.thesis(reader, str(given["thesis"]))["id"]]
        return [thesis.thesis_record(reader, thesis_id, scope.today) for thesis_id in wanted]
    return sorted(thesis.list_theses(reader, scope.today), key=lambda row: row["id"])


def thesis_rows(reader: Reader, scope: ExportScope, given: Mapping[str, Any]) -> list[Row]:
    """Every thesis (with or without a project) by deadline, as `thesis list`."""
    statuses = _known(given.get("statuses", ()), words.THESIS_STATUSES, "status")
    rows = thesis.list_theses(reader, scope.today, supervisor=given.get("supervisor"))
    return [row for row in rows if not statuses or row["status"] in statuses]


def milestone_rows(reader: Reader, scope: ExportScope, given: Mapping[str, Any]) -> Iterator[Row]:
    """Each thesis's plan in order, thesis by thesis (by id)."""
    states = _known(given.get("states", ()), ("done", "late", "due", "open"), "state")
    for record in _theses(reader, scope, given):
        owner = {"thesis": record["id"], "student": record["student"]}
        for row in thesis.milestone_rows(reader, record, scope.today):
            if not states or row["state"] in states:
                yield {**owner, **row, "project": record["project"]}


def _action_text(action: Row) -> str:
    text = str(action["text"])
    if action["assignee"]:
        text += f" ({action['assignee']})"
    if action["task"]:
        text += f" [{action['task']}]"
    return text


def meeting_rows(reader: Reader, scope: ExportScope, given: Mapping[str, Any]) -> Iterator[Row]:
    """Supervision meetings, thesis by thesis (by id), oldest first."""
    since = iso_date(given["since"]) if given.get("since") else None
    for record in _theses(reader, scope, given):
        owner = {"thesis": record["id"], "student": record["student"]}
        meetings = thesis.meeting_rows(reader, record)
        for row in sorted(meetings, key=lambda found: (found["date"], found["id"])):
            if since and row["date"] < since:
                continue
            actions = [_action_text(action) for action in row["actions"]]
            yield {**owner, **row, "actions": actions, "project": record["project"]}


def register(register_export: Any) -> None:
    """The domains' entities, through ``exports.register_export``."""
    register_export(
        "stakeholders",
        stakeholder_rows,
        STAKEHOLDER_FIELDS,
        personal_fields=STAKEHOLDER_PERSONAL_FIELDS,
        filters=(
            PARTNER_FILTER,
            ExportFilter("quadrant", f"Only one quadrant ({', '.join(words.QUADRANTS)})."),
        ),
        kinds=STAKEHOLDER_KINDS,
        title="Stakeholders",
        workspace=True,
    )
    register_export(
        "agreements",
        agreement_rows,
        partners.AGREEMENT_FIELDS,
        filters=(PARTNER_FILTER, STATUS_FILTER, EXPIRING_FILTER),
        kinds=AGREEMENT_KINDS,
        title="Agreements",
        workspace=True,
    )
    register_export(
        "approvals",
        approval_rows,
        approvals.APPROVAL_FIELDS,
        filters=(
            STATUS_FILTER,
            ExportFilter("kind", "Only this kind of approval (ethics, dua, dpia, ...)."),
            EXPIRING_FILTER,
        ),
        kinds=APPROVAL_KINDS,
        title="Ethics and data approvals",
    )
    register_export(
        "checklist-items",
        checklist_item_rows,
        compliance.ITEM_FIELDS,
        filters=(
            STATUS_FILTER,
            ExportFilter("checklist", "Only this checklist (its template, e.g. tripod-ai)."),
            ExportFilter("owner", "Only items of this owner."),
            OVERDUE_FILTER,
        ),
        kinds=ITEM_KINDS,
        title="Compliance checklist items",
    )
    register_export(
        "theses",
        thesis_rows,
        thesis.THESIS_FIELDS,
        filters=(
            STATUS_FILTER,
            ExportFilter("supervisor", "Only theses this examiner supervises."),
        ),
        kinds=THESIS_KINDS,
        title="Theses",
        workspace=True,
    )
    register_export(
        "milestones",
        milestone_rows,
        MILESTONE_FIELDS,
        filters=(
            THESIS_FILTER,
            ExportFilter("state", "Only this state: done, late, due, open (repeatable).", "many"),
        ),
        kinds=MILESTONE_KINDS,
        title="Thesis milestones",
        workspace=True,
    )
    register_export(
        "meetings",
        meeting_rows,
        MEETING_FIELDS,
        filters=(THESIS_FILTER, SINCE_FILTER),
        kinds=MEETING_KINDS,
        title="Supervision meetings",
        workspace=True,
    )
    register_export(
        "commits",
        commit_rows,
        COMMIT_FIELDS,
        filters=(
            ExportFilter("task", "Only commits citing this task (a key)."),
            SINCE_FILTER,
            ExportFilter("author", "Only commits whose author's name contains this."),
        ),
        kinds=COMMIT_KINDS,
        title="Commits",
    )
