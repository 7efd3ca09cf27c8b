"""Ethics approvals and data-protection records (write side): the state machine of
DOMAIN.md section 2, conditions, amendments, incidents, the task links behind gates and
the reminder setting.

Every change goes through the audited gateway. A refused transition names the states
the approval can move to from where it is. "Expired" is derived from ``valid_until``
(:mod:`pmtool.services.read.gates`), never stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from pmtool.core import clock, words
from pmtool.core.errors import InvalidInput, NotFound, Refused
from pmtool.core.validation import clean_text
from pmtool.core.words import CLEAR
from pmtool.services.read.gates import as_date, effective_status
from pmtool.storage.gateway import Gateway
from pmtool.storage.reader import Row

MAX_REFERENCE_LENGTH = 100
# An end-of-study notice is due this many days after an approval is closed (DOMAIN.md).
END_OF_STUDY_NOTICE_DAYS = 90


def check_kind(word: str) -> str:
    """The approval kind a user typed (a kind or an alias), or bad input naming the kinds."""
    kind = words.approval_kind(word)
    if kind is None:
        raise InvalidInput(
            f"unknown approval kind {word!r}; kinds: {', '.join(words.APPROVAL_KINDS)}"
        )
    return kind


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    cleaned = value.strip().lower()
    if cleaned not in allowed:
        raise InvalidInput(f"unknown {what} {value!r}; choose one of {', '.join(allowed)}")
    return cleaned


def _optional_text(value: str | None, what: str, max_length: int) -> str | None:
    if value is None or not value.strip():
        return None
    return clean_text(value, what, max_length)


def _notes(text: str | None) -> str | None:
    cleaned = (text or "").strip()
    if len(cleaned) > words.MAX_DESCRIPTION_LENGTH:
        raise InvalidInput(
            f"the notes are {len(cleaned)} characters long; at most "
            f"{words.MAX_DESCRIPTION_LENGTH} fit"
        )
    return cleaned or None


def _documents(names: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for name in names:
        text = clean_text(name, "a document name", words.MAX_TITLE_LENGTH)
        if text not in cleaned:
            cleaned.append(text)
    return cleaned


def label(approval: Row) -> str:
    """How messages name an approval: ``approval 3 (ethics vote)``."""
    return f"approval {approval['id']} ({words.APPROVAL_KIND_NAMES.get(approval['kind'], '?')})"


def _refuse_archived(approval: Row) -> None:
    if approval.get("project_archived_at") is not None:
        key = approval["project_key"]
        raise Refused(
            f"project {key} is archived; `pmtool project unarchive {key}` opens it for "
            "changes again"
        )


def _update(gw: Gateway, approval: Row, changes: dict[str, Any]) -> None:
    _refuse_archived(approval)
    changes = {**changes, "updated_at": clock.utcnow()}
    gw.update(
        "approval", approval["id"], changes, version=approval["version"], what=label(approval)
    )
    approval.update(changes)
    approval["version"] += 1


def _transition(
    gw: Gateway, approval: Row, target: str, changes: dict[str, Any] | None = None
) -> None:
    """Move the approval to ``target`` if the state machine allows it, else refuse naming
    the states it can go to."""
    current = approval["status"]
    allowed = words.APPROVAL_TRANSITIONS.get(current, ())
    if target not in allowed:
        raise Refused(_transition_refusal(approval, target))
    _update(gw, approval, {"status": target, **(changes or {})})


def _transition_refusal(approval: Row, target: str) -> str:
    current = approval["status"]
    allowed = words.APPROVAL_TRANSITIONS.get(current, ())
    shown = current.replace("_", " ")
    if not allowed:
        return (
            f"{label(approval)} is {shown}, a final state; it cannot become "
            f"{target.replace('_', ' ')}"
        )
    return (
        f"{label(approval)} is {shown}; it cannot become {target.replace('_', ' ')} "
        f"(from {current} it can go to: {', '.join(allowed)})"
    )


# --- records -------------------------------------------------------------------------------


def add_approval(
    gw: Gateway,
    project: Row,
    kind: str,
    *,
    body: str,
    title: str | None = None,
    reference: str | None = None,
    applicant: str | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
    next_report_due: date | None = None,
    legal_basis: str | None = None,
    data_form: str | None = None,
    dpo_consulted_on: date | None = None,
    documents: Iterable[str] = (),
    notes: str | None = None,
) -> Row:
    """A new approval record in ``draft``."""
    kind = check_kind(kind)
    body = clean_text(body, "the deciding body (--body)", words.MAX_NAME_LENGTH)
    if title is None or not title.strip():
        title = f"{words.APPROVAL_KIND_NAMES[kind][0].upper()}{words.APPROVAL_KIND_NAMES[kind][1:]}"
    if valid_from and valid_until and valid_until < valid_from:
        raise InvalidInput(f"valid until ({valid_until}) is before valid from ({valid_from})")
    now = clock.utcnow()
    values: dict[str, Any] = {
        "project_id": project["id"],
        "kind": kind,
        "title": clean_text(title, "the title", words.MAX_TITLE_LENGTH),
        "body": body,
        "reference": _optional_text(reference, "the reference", MAX_REFERENCE_LENGTH),
        "applicant": _optional_text(applicant, "the applicant", words.MAX_NAME_LENGTH),
        "status": "draft",
        "valid_from": valid_from,
        "valid_until": valid_until,
        "next_report_due": next_report_due,
        "documents": json.dumps(_documents(documents), ensure_ascii=False),
        "legal_basis": _optional_text(legal_basis, "the legal basis", words.MAX_TITLE_LENGTH),
        "data_form": _choice(data_form, words.DATA_FORMS, "data form") if data_form else None,
        "dpo_consulted_on": dpo_consulted_on,
        "notes": _notes(notes),
        "created_at": now,
        "updated_at": now,
    }
    values["id"] = gw.insert("approval", values)
    return values


def edit_approval(
    gw: Gateway,
    approval: Row,
    *,
    title: str | None = None,
    body: str | None = None,
    reference: Any = None,
    applicant: Any = None,
    valid_from: Any = None,
    valid_until: Any = None,
    next_report_due: Any = None,
    legal_basis: Any = None,
    data_form: Any = None,
    dpo_consulted_on: Any = None,
    add_documents: Iterable[str] = (),
    remove_documents: Iterable[str] = (),
    notes: Any = None,
) -> dict[str, Any]:
    """Change the given fields (None: leave it; ``CLEAR``: empty it). Returns the changes."""
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = clean_text(title, "the title", words.MAX_TITLE_LENGTH)
    if body is not None:
        changes["body"] = clean_text(body, "the deciding body", words.MAX_NAME_LENGTH)
    for name, value, limit in (
        ("reference", reference, MAX_REFERENCE_LENGTH),
        ("applicant", applicant, words.MAX_NAME_LENGTH),
        ("legal_basis", legal_basis, words.MAX_TITLE_LENGTH),
    ):
        if value is CLEAR:
            changes[name] = None
        elif value is not None:
            changes[name] = clean_text(value, f"the {name.replace('_', ' ')}", limit)
    if data_form is CLEAR:
        changes["data_form"] = None
    elif data_form is not None:
        changes["data_form"] = _choice(data_form, words.DATA_FORMS, "data form")
    for name, value in (
        ("valid_from", valid_from),
        ("valid_until", valid_until),
        ("next_report_due", next_report_due),
        ("dpo_consulted_on", dpo_consulted_on),
    ):
        if value is CLEAR:
            changes[name] = None
        elif value is not None:
            changes[name] = value
    if notes is CLEAR:
        changes["notes"] = None
    elif notes is not None:
        changes["notes"] = _notes(notes)
    add_documents, remove_documents = list(add_documents), list(remove_documents)
    if add_documents or remove_documents:
        current = json.loads(approval["documents"] or "[]")
        unknown = set(remove_documents) - set(current)
        if unknown:
            raise InvalidInput(f"{label(approval)} has no document {sorted(unknown)[0]!r}")
        kept = [name for name in current if name not in set(remove_documents)]
        changes["documents"] = json.dumps(_documents(kept + add_documents), ensure_ascii=False)
    start = changes.get("valid_from", as_date(approval["valid_from"]))
    until = changes.get("valid_until", as_date(approval["valid_until"]))
    decided = as_date(approval["decided_on"])
    if start and until and until < start:
        raise InvalidInput(f"valid until ({until}) would be before valid from ({start})")
    if "valid_until" in changes and until and decided and until < decided:
        raise InvalidInput(f"valid until ({until}) would be before the decision ({decided})")
    real = {k: v for k, v in changes.items() if _comparable(approval.get(k)) != _comparable(v)}
    if real:
        _update(gw, approval, real)
    return real


def _comparable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def remove_approval(gw: Gateway, approval: Row) -> None:
    """Remove a record made by mistake: only a draft with no conditions, amendments,
    incidents or tasks depending on it (anything further along is withdrawn instead)."""
    _refuse_archived(approval)
    if approval["status"] != "draft":
        raise Refused(
            f"{label(approval)} is {approval['status'].replace('_', ' ')}; only a draft can be "
            "removed (withdraw or close it instead, so its history stays)"
        )
    for table, what in (
        ("approval_condition", "conditions"),
        ("approval_amendment", "amendments"),
        ("approval_incident", "incidents"),
    ):
        if gw.reader.tuples(f"SELECT 1 FROM {table} WHERE approval_id = :a", {"a": approval["id"]}):
            raise Refused(f"{label(approval)} has {what}; withdraw it instead")
    linked = _linked_task_keys(gw, approval["id"])
    if linked:
        raise Refused(
            f"{', '.join(linked)} require {label(approval)}; drop the requirement first "
            f"(`pmtool task edit {linked[0]} --drop-requires {approval['id']}`)"
        )
    gw.delete("approval", approval["id"])


def _linked_task_keys(gw: Gateway, approval_id: int) -> list[str]:
    return [
        str(row[0])
        for row in gw.reader.tuples(
            "SELECT t.key FROM task_approval l JOIN v_task t ON t.id = l.task_id "
            "WHERE l.approval_id = :a ORDER BY t.number",
            {"a": approval_id},
        )
    ]


# --- the state machine ---------------------------------------------------------------------


def submit(gw: Gateway, approval: Row, *, reference: str | None, on: date | None = None) -> None:
    """draft -> submitted, with the body's reference number and the date it went in."""
    day = on or clock.today()
    if approval["status"] != "draft":
        raise Refused(_transition_refusal(approval, "submitted"))
    reference_text = _optional_text(reference, "the reference", MAX_REFERENCE_LENGTH)
    if reference_text is None and not approval["reference"]:
        raise InvalidInput(
            f"give the reference number the body assigned to {label(approval)} (--ref REF)"
        )
    changes: dict[str, Any] = {"submitted_on": day, "decided_on": None}
    if reference_text is not None:
        changes["reference"] = reference_text
    _transition(gw, approval, "submitted", changes)


def start_review(gw: Gateway, approval: Row) -> None:
    """submitted -> under_review, or back to under_review once a clarification is answered."""
    _transition(gw, approval, "under_review")


def request_clarification(gw: Gateway, approval: Row, question: str | None = None) -> None:
    """under_review -> clarification_requested (the body asked something)."""
    _transition(gw, approval, "clarification_requested")
    if question and question.strip():
        gw.note("approval", approval["id"], "clarification", _notes(question) or "")


def decide(
    gw: Gateway,
    approval: Row,
    outcome: str,
    *,
    on: date | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
    next_report_due: date | None = None,
    conditions: Iterable[str] = (),
) -> str:
    """Record the body's decision; returns the new state.

    ``approved`` and ``conditional`` may carry a validity period; ``conditional`` needs at
    least one condition. A submitted approval goes under review on the way.
    """
    outcome = _choice(outcome, words.DECISION_OUTCOMES, "outcome")
    target = words.OUTCOME_STATUS[outcome]
    condition_texts = [
        clean_text(text, "a condition", words.MAX_TITLE_LENGTH) for text in conditions
    ]
    granted = outcome in ("approved", "conditional")
    if condition_texts and outcome != "conditional":
        raise InvalidInput(
            f"conditions come with the outcome 'conditional', not '{outcome}' "
            "(a condition on a rejected or resubmitted approval has nothing to attach to)"
        )
    if outcome == "conditional" and not condition_texts:
        raise InvalidInput("a conditional approval needs its conditions: give --condition TEXT")
    if not granted and (valid_from or valid_until or next_report_due):
        raise InvalidInput(
            f"a '{outcome}' decision has no validity: --valid-from, --valid-until and "
            "--report-due belong to approved or conditional decisions"
        )
    if approval["status"] == "draft":
        raise Refused(
            f"{label(approval)} was never submitted; submit it first "
            f"(`pmtool approval submit {approval['id']} --ref REF`)"
        )
    if approval["status"] not in ("submitted", "under_review"):
        raise Refused(_transition_refusal(approval, target))
    day = on or clock.today()
    submitted = as_date(approval["submitted_on"])
    if submitted is not None and day < submitted:
        raise InvalidInput(f"the decision ({day}) cannot come before the submission ({submitted})")
    start = valid_from or (day if granted else None)
    if valid_until is not None and valid_until < day:
        raise InvalidInput(f"valid until ({valid_until}) is before the decision date ({day})")
    if valid_until is not None and start is not None and valid_until < start:
        raise InvalidInput(f"valid until ({valid_until}) is before valid from ({start})")
    if approval["status"] == "submitted":
        _transition(gw, approval, "under_review")
    changes: dict[str, Any] = {"decided_on": day}
    if granted:
        changes["valid_from"] = start
        if valid_until is not None:
            changes["valid_until"] = valid_until
        if next_report_due is not None:
            changes["next_report_due"] = next_report_due
    _transition(gw, approval, target, changes)
    for text in condition_texts:
        _insert_condition(gw, approval, text, None)
    return target


def withdraw(gw: Gateway, approval: Row) -> None:
    _transition(gw, approval, "withdrawn")


def mark_not_required(gw: Gateway, approval: Row, reason: str) -> None:
    """draft -> not_required: the documented "no vote needed", with its reason."""
    reason_text = clean_text(reason, "the reason (--reason)", words.MAX_DESCRIPTION_LENGTH)
    _transition(gw, approval, "not_required", {"decided_on": clock.today()})
    gw.note("approval", approval["id"], "not_required_reason", reason_text)


def request_resubmission(gw: Gateway, approval: Row) -> None:
    """resubmission_requested -> draft: rework the application, then submit it again."""
    _transition(gw, approval, "draft")


def suspend(gw: Gateway, approval: Row, reason: str) -> None:
    reason_text = clean_text(reason, "the reason (--reason)", words.MAX_DESCRIPTION_LENGTH)
    _transition(gw, approval, "suspended")
    gw.note("approval", approval["id"], "suspension_reason", reason_text)


def close(
    gw: Gateway, approval: Row, *, on: date | None = None, report_due: date | None = None
) -> date:
    """approved -> closed (the study ended); the end-of-study notice becomes due.

    Returns the date the notice is due (``report_due``, else 90 days after closing).
    """
    day = on or clock.today()
    due = report_due or day + timedelta(days=END_OF_STUDY_NOTICE_DAYS)
    _transition(gw, approval, "closed", {"next_report_due": due})
    return due


def renew(gw: Gateway, approval: Row, *, valid_until: date, on: date | None = None) -> None:
    """Extend an approval's validity (an expired one is in force again)."""
    if approval["status"] not in words.APPROVAL_EXPIRING_STATUSES:
        raise Refused(
            f"{label(approval)} is {approval['status'].replace('_', ' ')}; only an approved "
            "record (with or without conditions) can be renewed"
        )
    day = on or clock.today()
    current = as_date(approval["valid_until"])
    if valid_until < day:
        raise InvalidInput(f"the renewal ends ({valid_until}) before it is granted ({day})")
    if current is not None and valid_until <= current:
        raise InvalidInput(
            f"the renewal must extend the validity beyond {current} (got {valid_until})"
        )
    was = effective_status(approval["status"], approval["valid_until"], clock.today())
    _update(gw, approval, {"valid_until": valid_until})
    gw.note("approval", approval["id"], "renewed", f"renewed on {day} (was {was})")


# --- conditions ----------------------------------------------------------------------------


def _next_number(gw: Gateway, table: str, approval_id: int) -> int:
    found = gw.reader.tuples(
        f"SELECT MAX(number) FROM {table} WHERE approval_id = :a", {"a": approval_id}
    )
    return int(found[0][0] or 0) + 1


def _insert_condition(gw: Gateway, approval: Row, text: str, due: date | None) -> Row:
    values: dict[str, Any] = {
        "approval_id": approval["id"],
        "number": _next_number(gw, "approval_condition", approval["id"]),
        "text": text,
        "due_date": due,
        "status": "open",
        "created_at": clock.utcnow(),
    }
    values["id"] = gw.insert("approval_condition", values)
    return values


def add_condition(gw: Gateway, approval: Row, text: str, *, due: date | None = None) -> Row:
    """One more condition of an approval granted with conditions."""
    _refuse_archived(approval)
    if approval["status"] != "approved_with_conditions":
        state = approval["status"].replace("_", " ")
        raise Refused(
            f"{label(approval)} is {state}; conditions belong to an approval granted with "
            "conditions (`pmtool approval decide ID conditional --condition TEXT`)"
        )
    return _insert_condition(
        gw, approval, clean_text(text, "the condition", words.MAX_TITLE_LENGTH), due
    )


def condition(gw: Gateway, approval: Row, number: int) -> Row:
    found = gw.reader.rows(
        "SELECT * FROM approval_condition WHERE approval_id = :a AND number = :n",
        {"a": approval["id"], "n": number},
    )
    if not found:
        raise _missing_child("condition", approval, number)
    return found[0]


def _missing_child(what: str, approval: Row, number: int) -> Exception:
    return NotFound(
        f"{label(approval)} has no {what} {number} "
        f"(`pmtool approval show {approval['id']}` lists them)"
    )


def meet_condition(
    gw: Gateway, approval: Row, number: int, *, evidence: str, on: date | None = None
) -> bool:
    """Mark a condition met, with its evidence. When every condition is met, the approval
    becomes ``approved``; returns whether it did."""
    _refuse_archived(approval)
    found = condition(gw, approval, number)
    if found["status"] == "met":
        raise Refused(
            f"condition {number} of {label(approval)} is met already (on {found['met_on']})"
        )
    if approval["status"] != "approved_with_conditions":
        raise Refused(
            f"{label(approval)} is {approval['status'].replace('_', ' ')}; its conditions "
            "can no longer be met"
        )
    gw.update(
        "approval_condition",
        found["id"],
        {
            "status": "met",
            "evidence": clean_text(evidence, "the evidence (--evidence)", words.MAX_TITLE_LENGTH),
            "met_on": on or clock.today(),
        },
        version=found["version"],
        what=f"condition {number} of {label(approval)}",
    )
    still_open = gw.reader.tuples(
        "SELECT COUNT(*) FROM approval_condition WHERE approval_id = :a AND status = 'open'",
        {"a": approval["id"]},
    )[0][0]
    if still_open:
        return False
    _transition(gw, approval, "approved")
    return True


# --- amendments and incidents ----------------------------------------------------------------


def add_amendment(gw: Gateway, approval: Row, summary: str) -> Row:
    """A numbered amendment to a granted approval (it needs its own decision)."""
    _refuse_archived(approval)
    if approval["status"] not in ("approved", "approved_with_conditions", "suspended"):
        raise Refused(
            f"{label(approval)} is {approval['status'].replace('_', ' ')}; amendments change "
            "a granted approval (change the draft itself instead)"
        )
    values: dict[str, Any] = {
        "approval_id": approval["id"],
        "number": _next_number(gw, "approval_amendment", approval["id"]),
        "summary": clean_text(summary, "the amendment", words.MAX_TITLE_LENGTH),
        "status": "draft",
        "created_at": clock.utcnow(),
    }
    values["id"] = gw.insert("approval_amendment", values)
    return values


def amendment(gw: Gateway, approval: Row, number: int) -> Row:
    found = gw.reader.rows(
        "SELECT * FROM approval_amendment WHERE approval_id = :a AND number = :n",
        {"a": approval["id"], "n": number},
    )
    if not found:
        raise _missing_child("amendment", approval, number)
    return found[0]


def move_amendment(
    gw: Gateway, approval: Row, number: int, target: str, *, on: date | None = None
) -> Row:
    """An amendment's own state machine: draft -> submitted -> approved | rejected,
    draft|submitted -> withdrawn."""
    _refuse_archived(approval)
    target = _choice(target, words.AMENDMENT_STATUSES, "amendment state")
    found = amendment(gw, approval, number)
    allowed = words.AMENDMENT_TRANSITIONS[found["status"]]
    if target not in allowed:
        where = (
            f"from {found['status']} it can go to: {', '.join(allowed)}"
            if allowed
            else "it is final"
        )
        raise Refused(
            f"amendment {number} of {label(approval)} is {found['status']}; it cannot become "
            f"{target} ({where})"
        )
    day = on or clock.today()
    changes: dict[str, Any] = {"status": target}
    if target == "submitted":
        changes["submitted_on"] = day
    elif target in ("approved", "rejected"):
        submitted = as_date(found["submitted_on"])
        if submitted is not None and day < submitted:
            raise InvalidInput(
                f"the decision ({day}) cannot come before the submission ({submitted})"
            )
        changes["decided_on"] = day
    gw.update(
        "approval_amendment",
        found["id"],
        changes,
        version=found["version"],
        what=f"amendment {number} of {label(approval)}",
    )
    return {**found, **changes}


def add_incident(
    gw: Gateway,
    approval: Row,
    summary: str,
    *,
    occurred_on: date,
    kind: str = "deviation",
    reported_on: date | None = None,
) -> Row:
    """An incident or protocol deviation under an approval."""
    _refuse_archived(approval)
    if approval["status"] in ("draft", "withdrawn", "not_required", "rejected"):
        raise Refused(
            f"{label(approval)} is {approval['status'].replace('_', ' ')}; incidents are "
            "reported under an approval that was submitted or granted"
        )
    if occurred_on > clock.today():
        raise InvalidInput(f"an incident cannot occur in the future ({occurred_on})")
    if reported_on is not None and reported_on < occurred_on:
        raise InvalidInput(
            f"it cannot be reported ({reported_on}) before it occurred ({occurred_on})"
        )
    values: dict[str, Any] = {
        "approval_id": approval["id"],
        "occurred_on": occurred_on,
        "kind": _choice(kind, words.INCIDENT_KINDS, "incident kind"),
        "summary": clean_text(summary, "the incident", words.MAX_TITLE_LENGTH),
        "reported_on": reported_on,
        "created_at": clock.utcnow(),
    }
    values["id"] = gw.insert("approval_incident", values)
    return values


def report_incident(gw: Gateway, approval: Row, incident_id: int, *, on: date | None = None) -> Row:
    """Record the day an incident was reported to the committee or the DPO."""
    _refuse_archived(approval)
    found = gw.reader.rows(
        "SELECT * FROM approval_incident WHERE approval_id = :a AND id = :i",
        {"a": approval["id"], "i": incident_id},
    )
    if not found:
        raise _missing_child("incident", approval, incident_id)
    incident = found[0]
    if incident["reported_on"] is not None:
        raise Refused(f"incident {incident_id} was reported already (on {incident['reported_on']})")
    day = on or clock.today()
    occurred = as_date(incident["occurred_on"])
    if occurred is not None and day < occurred:
        raise InvalidInput(f"it cannot be reported ({day}) before it occurred ({occurred})")
    gw.update(
        "approval_incident",
        incident["id"],
        {"reported_on": day},
        version=incident["version"],
        what=f"incident {incident_id} of {label(approval)}",
    )
    return {**incident, "reported_on": day}


# --- gates on tasks ------------------------------------------------------------------------


def require(gw: Gateway, task: Row, approval: Row) -> bool:
    """Link a task to an approval it requires; False when it was linked already."""
    _refuse_archived(approval)
    if approval["project_id"] != task["project_id"]:
        raise InvalidInput(
            f"{label(approval)} belongs to project {approval['project_key']}, not "
            f"{task['project_key']}; a task can only require approvals of its own project"
        )
    exists = gw.reader.tuples(
        "SELECT 1 FROM task_approval WHERE task_id = :t AND approval_id = :a",
        {"t": task["id"], "a": approval["id"]},
    )
    if exists:
        return False
    gw.insert("task_approval", {"task_id": task["id"], "approval_id": approval["id"]})
    return True


def drop_requirement(gw: Gateway, task: Row, approval_id: int) -> None:
    found = gw.reader.tuples(
        "SELECT id FROM task_approval WHERE task_id = :t AND approval_id = :a",
        {"t": task["id"], "a": approval_id},
    )
    if not found:
        raise InvalidInput(f"{task['key']} does not require approval {approval_id}")
    gw.delete("task_approval", found[0][0])


# --- settings ------------------------------------------------------------------------------


def parse_reminder_days(text: str) -> tuple[int, ...]:
    """``60,15`` -> (60, 15): distinct whole days, largest first."""
    days: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if not part.isdigit() or not 0 < int(part) <= 3650:
            raise InvalidInput(
                f"reminder days are whole numbers of days, 1 to 3650, separated by commas, "
                f"e.g. 60,15 (got {text!r})"
            )
        days.add(int(part))
    return tuple(sorted(days, reverse=True))


def set_reminder_days(gw: Gateway, text: str) -> tuple[int, ...]:
    days = parse_reminder_days(text)
    value = ",".join(str(day) for day in days)
    found = gw.reader.rows(
        "SELECT * FROM setting WHERE key = :k", {"k": words.APPROVAL_REMINDER_SETTING}
    )
    if not found:
        gw.insert("setting", {"key": words.APPROVAL_REMINDER_SETTING, "value": value})
    elif found[0]["value"] != value:
        gw.update(
            "setting",
            words.APPROVAL_REMINDER_SETTING,
            {"value": value},
            version=found[0]["version"],
        )
    return days
