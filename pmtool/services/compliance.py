"""Compliance rules: the regulatory profile, MDR Rule 11 runs, templates, checklists and
their items (status, owner, evidence, due date, linked tasks, definition of done).

Every write goes through the gateway, one transaction per command; refusals name what
is allowed. Standard library only.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any, NamedTuple

from pmtool.core import clock, words
from pmtool.core.errors import Conflict, InvalidInput, NotFound, Refused
from pmtool.core.validation import clean_text
from pmtool.services import resolve, tasks
from pmtool.services.compliance_rules import RULE11, Rule11Result, classify_rule11
from pmtool.services.compliance_templates import Template, find_template, shipped_templates
from pmtool.storage.gateway import Gateway
from pmtool.storage.reader import Reader, Row

URL_PATTERN = re.compile(r"^https?://\S+$")
COMMIT_PATTERN = re.compile(r"^[0-9a-f]{7,40}$")
TASK_KEY_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]{1,9}-\d{1,9}$")
CHECKLIST_ITEM_REF = re.compile(r"^\s*([a-z0-9][a-z0-9-]*)[:#]\s*(.+?)\s*$", re.IGNORECASE)


# --- lookups (one per noun) ----------------------------------------------------------------


def _table_exists(reader: Reader, table: str) -> bool:
    if reader.dialect == "sqlite":
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :t"
    else:
        sql = "SELECT 1 FROM information_schema.tables WHERE table_name = :t"
    return bool(reader.tuples(sql, {"t": table}))


def thesis(reader: Reader, thesis_id: int) -> Row:
    """The thesis a checklist belongs to (the thesis domain's one resolver)."""
    from pmtool.services import resolve

    return resolve.thesis(reader, str(thesis_id))


def checklist(reader: Reader, project_id: int, name: str, thesis_id: int | None = None) -> Row:
    """A checklist of the project by template name (or id); with several (one per
    thesis), ``thesis_id`` chooses."""
    wanted = name.strip().lower()
    if wanted.isdigit():
        found = reader.rows(
            "SELECT * FROM compliance_checklist WHERE id = :id AND project_id = :p",
            {"id": int(wanted), "p": project_id},
        )
    else:
        found = reader.rows(
            "SELECT * FROM compliance_checklist WHERE project_id = :p AND template = :t "
            "ORDER BY id",
            {"p": project_id, "t": wanted},
        )
        if thesis_id is not None:
            found = [row for row in found if row["thesis_id"] == thesis_id]
    if not found:
        known = [
            row[0]
            for row in reader.tuples(
                "SELECT DISTINCT template FROM compliance_checklist WHERE project_id = :p "
                "ORDER BY template",
                {"p": project_id},
            )
        ]
        listed = ", ".join(known) if known else "none yet"
        raise NotFound(f"no checklist {name!r} in this project (checklists: {listed})")
    if len(found) > 1:
        ids = ", ".join(str(row["id"]) for row in found)
        raise InvalidInput(
            f"the project has {len(found)} {wanted} checklists (ids {ids}): name one by "
            f"its id (an item as ID:NUMBER, e.g. {found[-1]['id']}:1) or with --thesis ID"
        )
    return found[0]


def item(reader: Reader, ref: str | int, project_id: int | None = None) -> Row:
    """A checklist item by id (``12``) or by checklist and number (``tripod-ai:7``, in
    ``project_id``), with its checklist's project and template."""
    text = str(ref).strip()
    select = (
        "SELECT i.*, c.project_id, c.template AS checklist, c.title AS checklist_title, "
        "c.thesis_id, p.key AS project_key FROM compliance_item i "
        "JOIN compliance_checklist c ON c.id = i.checklist_id "
        "JOIN project p ON p.id = c.project_id "
    )
    if text.isdigit():
        found = reader.rows(select + "WHERE i.id = :id", {"id": int(text)})
        if not found:
            raise NotFound(f"no checklist item {text} (`pmtool compliance item list` shows ids)")
        return found[0]
    match = CHECKLIST_ITEM_REF.match(text)
    if not match or project_id is None:
        raise InvalidInput(
            f"{text!r} is not a checklist item: give its id (12) or CHECKLIST:NUMBER (tripod-ai:7)"
        )
    found_list = checklist(reader, project_id, match.group(1))
    found = reader.rows(
        select + "WHERE i.checklist_id = :c AND lower(i.number) = lower(:n)",
        {"c": found_list["id"], "n": match.group(2)},
    )
    if not found:
        raise NotFound(f"{found_list['template']} has no item {match.group(2)!r}")
    return found[0]


# --- the profile -------------------------------------------------------------------------


def profile_row(reader: Reader, project_id: int) -> Row | None:
    found = reader.rows("SELECT * FROM compliance_profile WHERE project_id = :p", {"p": project_id})
    return found[0] if found else None


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    for choice in allowed:
        if value.strip().lower() == choice.lower():
            return choice
    raise InvalidInput(f"{value!r} is not a {what}; choose one of {', '.join(allowed)}")


def _optional_text(value: str | None, what: str, limit: int) -> str | None:
    if value is None:
        return None
    return clean_text(value, what, limit) if value.strip() else None


def set_profile(
    gw: Gateway,
    project: Row,
    *,
    intended_purpose: str | None = None,
    ai_act_role: str | None = None,
    ai_act_tier: str | None = None,
    ai_act_reason: str | None = None,
    iec62304_class: str | None = None,
    iec62304_reason: str | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Create or change the project's profile; returns the changed fields.

    ``ai_act_tier`` ``auto`` clears a tier set by hand (the MDR class decides again).
    A tier or a safety class set by hand needs its reason.
    """
    existing = profile_row(gw.reader, project["id"])
    changes: dict[str, Any] = {}
    if intended_purpose is not None:
        changes["intended_purpose"] = (
            clean_purpose(intended_purpose) if intended_purpose.strip() else None
        )
    if ai_act_role is not None:
        changes["ai_act_role"] = _choice(ai_act_role, words.AI_ACT_ROLES, "AI Act role")
    if ai_act_tier is not None:
        if ai_act_tier.strip().lower() == "auto":
            changes["ai_act_tier"], changes["ai_act_reason"] = None, None
        else:
            changes["ai_act_tier"] = _choice(ai_act_tier, words.AI_ACT_TIERS, "AI Act tier")
    if ai_act_reason is not None:
        changes["ai_act_reason"] = _optional_text(
            ai_act_reason, "the AI Act reason", words.MAX_TITLE_LENGTH
        )
    if iec62304_class is not None:
        changes["iec62304_class"] = _choice(
            iec62304_class, words.IEC62304_CLASSES, "IEC 62304 safety class"
        )
    if iec62304_reason is not None:
        changes["iec62304_reason"] = _optional_text(
            iec62304_reason, "the IEC 62304 reason", words.MAX_TITLE_LENGTH
        )
    if not changes:
        raise InvalidInput("nothing to change")
    merged = {**(existing or {}), **changes}
    if merged.get("ai_act_tier") and not merged.get("ai_act_reason"):
        raise InvalidInput("an AI Act tier set by hand needs its reason (--ai-act-reason TEXT)")
    if merged.get("iec62304_class") and not merged.get("iec62304_reason"):
        raise InvalidInput("an IEC 62304 class needs its reason (--iec62304-reason TEXT)")
    now = clock.utcnow()
    if existing is None:
        values = {"project_id": project["id"], "created_at": now, "updated_at": now, **changes}
        gw.insert("compliance_profile", values)
        return {name: (None, value) for name, value in changes.items() if value is not None}
    changed = gw.update(
        "compliance_profile",
        existing["id"],
        {**changes, "updated_at": now},
        version=existing["version"],
        what=f"the compliance profile of {project['key']}",
    )
    changed.pop("updated_at", None)
    return changed


def clean_purpose(text: str) -> str:
    cleaned = text.strip()
    if len(cleaned) > words.MAX_DESCRIPTION_LENGTH:
        raise InvalidInput(
            f"the intended purpose is {len(cleaned)} characters; at most "
            f"{words.MAX_DESCRIPTION_LENGTH} fit"
        )
    return cleaned


class Classified(NamedTuple):
    result: Rule11Result
    previous: Row | None  # the run before this one, if any


def classify(gw: Gateway, project: Row, answers: dict[str, bool]) -> Classified:
    """Run MDR Rule 11 with these answers and keep the run (answers, class, rationale)."""
    result = classify_rule11(answers)
    previous = latest_classification(gw.reader, project["id"])
    used = {question_id: "yes" if answer else "no" for question_id, answer in result.path}
    gw.insert(
        "compliance_classification",
        {
            "project_id": project["id"],
            "rule": RULE11,
            "answers": json.dumps(used),
            "result": result.mdr_class,
            "rationale": result.rationale_text,
            "classified_at": clock.utcnow(),
        },
    )
    return Classified(result, previous)


def latest_classification(reader: Reader, project_id: int, skip: int = 0) -> Row | None:
    found = reader.rows(
        "SELECT * FROM compliance_classification WHERE project_id = :p AND rule = :r "
        "ORDER BY id DESC LIMIT 1 OFFSET :skip",
        {"p": project_id, "r": RULE11, "skip": skip},
    )
    return found[0] if found else None


# --- templates and checklists ----------------------------------------------------------


def add_template(gw: Gateway, template: Template, source_file: str) -> Row:
    """Store a user's template (its text: later edits of the file change nothing)."""
    shipped = {t.name for t in shipped_templates()}
    if template.name in shipped:
        raise Conflict(
            f"{template.name} is a template shipped with pmtool; give yours another name"
        )
    taken = gw.reader.tuples(
        "SELECT 1 FROM compliance_template WHERE name = :n", {"n": template.name}
    )
    if taken:
        raise Conflict(f"a template called {template.name} was added already")
    values = {
        "name": template.name,
        "title": template.title,
        "source_file": source_file,
        "content": template.text,
        "added_at": clock.utcnow(),
    }
    values["id"] = gw.insert("compliance_template", values)
    return values


def add_checklist(
    gw: Gateway,
    project: Row,
    template_name: str,
    *,
    thesis_id: int | None = None,
    owner: str | None = None,
) -> Row:
    """A project's (or a thesis') checklist, its items copied from the template."""
    template = find_template(gw.reader, template_name)
    if thesis_id is not None:
        thesis(gw.reader, thesis_id)
    duplicate = gw.reader.tuples(
        "SELECT id FROM compliance_checklist WHERE project_id = :p AND template = :t "
        "AND thesis_id IS :thesis"
        if gw.dialect == "sqlite"
        else "SELECT id FROM compliance_checklist WHERE project_id = :p AND template = :t "
        "AND thesis_id IS NOT DISTINCT FROM :thesis",
        {"p": project["id"], "t": template.name, "thesis": thesis_id},
    )
    if duplicate:
        whose = f"thesis {thesis_id}" if thesis_id is not None else project["key"]
        raise Conflict(f"{whose} has a {template.name} checklist already (id {duplicate[0][0]})")
    owner_id = resolve.member(gw.reader, owner)["id"] if owner else None
    now = clock.utcnow()
    values: dict[str, Any] = {
        "project_id": project["id"],
        "thesis_id": thesis_id,
        "template": template.name,
        "title": template.title,
        "kind": template.kind,
        "source": template.source,
        "template_version": template.version,
        "applies_from": template.applies_from,
        "created_at": now,
    }
    values["id"] = gw.insert("compliance_checklist", values)
    for position, entry in enumerate(template.items, start=1):
        gw.insert(
            "compliance_item",
            {
                "checklist_id": values["id"],
                "position": position,
                "number": entry.number,
                "section": entry.section,
                "label": entry.label,
                "status": words.ITEM_OPEN,
                "owner_id": owner_id,
                # Duties that apply from a date are due then (the template's data).
                "due_date": template.applies_from,
                "in_dod": False,
                "updated_at": now,
            },
        )
    values["items"] = len(template.items)
    return values


def remove_checklist(gw: Gateway, entry: Row, *, force: bool = False) -> int:
    """Remove a checklist added by mistake, with its items and their task links (the
    tasks stay). One with work recorded (items done, not applicable, in progress or
    with evidence) is removed only with ``force``. Returns the number of items."""
    resolve.project(gw.reader, _project_key(gw.reader, entry["project_id"]))
    items = gw.reader.rows(
        "SELECT id, status, evidence FROM compliance_item WHERE checklist_id = :c",
        {"c": entry["id"]},
    )
    worked = [i for i in items if i["status"] != words.ITEM_OPEN or i["evidence"]]
    if worked and not force:
        raise Refused(
            f"checklist {entry['template']} has {len(worked)} item(s) with work recorded; "
            "--force removes them too (pmtool undo puts them back)"
        )
    for item_id in [i["id"] for i in items]:
        for (link_id,) in gw.reader.tuples(
            "SELECT id FROM compliance_item_task WHERE item_id = :i", {"i": item_id}
        ):
            gw.delete("compliance_item_task", link_id)
        gw.delete("compliance_item", item_id)
    gw.delete("compliance_checklist", entry["id"])
    return len(items)


def _project_key(reader: Reader, project_id: int) -> str:
    return str(reader.tuples("SELECT key FROM project WHERE id = :p", {"p": project_id})[0][0])


# --- items -------------------------------------------------------------------------------


def _check_open_project(reader: Reader, entry: Row) -> None:
    resolve.project(reader, entry["project_key"])  # refuses an archived project


def _transition(entry: Row, new_status: str) -> None:
    if entry["status"] == new_status:
        raise Refused(f"item {entry['id']} is {new_status} already")
    allowed = words.ITEM_TRANSITIONS[entry["status"]]
    if new_status not in allowed:
        raise Refused(
            f"item {entry['id']} is {entry['status']}; from there it can go to {', '.join(allowed)}"
        )


def evidence_kind(reader: Reader, evidence: str) -> tuple[str, str]:
    """(cleaned evidence, its kind): a URL, a task key (which must exist), a commit sha,
    or else a file path."""
    text = clean_text(evidence, "the evidence", words.MAX_EVIDENCE_LENGTH)
    if URL_PATTERN.match(text):
        return text, "url"
    if TASK_KEY_PATTERN.match(text):
        return resolve.task(reader, text)["key"], "task"
    if COMMIT_PATTERN.match(text.lower()):
        return text.lower(), "commit"
    return text, "file"


def _update_item(gw: Gateway, entry: Row, changes: dict[str, Any]) -> dict[str, Any]:
    changed = gw.update(
        "compliance_item",
        entry["id"],
        {**changes, "updated_at": clock.utcnow()},
        version=entry["version"],
        what=f"checklist item {entry['id']}",
    )
    changed.pop("updated_at", None)
    return changed


def mark_done(gw: Gateway, entry: Row, evidence: str) -> Row:
    """Done, with the evidence that shows it."""
    _check_open_project(gw.reader, entry)
    _transition(entry, words.ITEM_DONE)
    text, kind = evidence_kind(gw.reader, evidence)
    changes = {
        "status": words.ITEM_DONE,
        "evidence": text,
        "evidence_kind": kind,
        "done_at": clock.utcnow(),
    }
    _update_item(gw, entry, changes)
    return {**entry, **changes}


def mark_not_applicable(gw: Gateway, entry: Row, reason: str | None) -> Row:
    """Not applicable, with the reason why (required)."""
    if reason is None or not reason.strip():
        raise InvalidInput("not applicable needs a reason (--reason TEXT)")
    cleaned = clean_text(reason, "the reason", words.MAX_TITLE_LENGTH)
    _check_open_project(gw.reader, entry)
    _transition(entry, words.ITEM_NOT_APPLICABLE)
    changes = {"status": words.ITEM_NOT_APPLICABLE, "na_reason": cleaned, "done_at": None}
    _update_item(gw, entry, changes)
    return {**entry, **changes}


def set_status(gw: Gateway, entry: Row, status: str) -> Row:
    """Open or in progress (done and not applicable have their own commands: they need
    evidence or a reason)."""
    wanted = _choice(status.replace("-", "_"), words.ITEM_STATUSES, "checklist item status")
    if wanted == words.ITEM_DONE:
        raise InvalidInput(
            "an item is done with its evidence: `compliance item done ID --evidence E`"
        )
    if wanted == words.ITEM_NOT_APPLICABLE:
        raise InvalidInput(
            "an item is not applicable with a reason: `compliance item na ID --reason R`"
        )
    _check_open_project(gw.reader, entry)
    _transition(entry, wanted)
    changes: dict[str, Any] = {"status": wanted, "done_at": None}
    if wanted == words.ITEM_OPEN:
        changes["na_reason"] = None
    _update_item(gw, entry, changes)
    return {**entry, **changes}


def edit_item(
    gw: Gateway,
    entry: Row,
    *,
    owner: Any = None,
    due: Any = None,
    evidence: Any = None,
) -> dict[str, Any]:
    """Owner, due date or evidence (None: leave; words.CLEAR: empty it)."""
    _check_open_project(gw.reader, entry)
    changes: dict[str, Any] = {}
    if owner is words.CLEAR:
        changes["owner_id"] = None
    elif owner is not None:
        changes["owner_id"] = resolve.member(gw.reader, owner)["id"]
    if due is words.CLEAR:
        changes["due_date"] = None
    elif due is not None:
        changes["due_date"] = due
    if evidence is words.CLEAR:
        changes["evidence"], changes["evidence_kind"] = None, None
    elif evidence is not None:
        changes["evidence"], changes["evidence_kind"] = evidence_kind(gw.reader, evidence)
    if not changes:
        raise InvalidInput("nothing to change: give --owner, --due or --evidence")
    return _update_item(gw, entry, changes)


def linked_tasks(reader: Reader, item_id: int) -> list[Row]:
    return reader.rows(
        "SELECT t.key, t.title, t.status, t.is_done FROM compliance_item_task l "
        "JOIN v_task t ON t.id = l.task_id WHERE l.item_id = :i ORDER BY t.number",
        {"i": item_id},
    )


def link_task(gw: Gateway, entry: Row, task_key: str) -> Row:
    """Link an existing task of the same project to the item."""
    _check_open_project(gw.reader, entry)
    task = resolve.task(gw.reader, task_key)
    if task["project_id"] != entry["project_id"]:
        raise Refused(f"{task['key']} is in another project than item {entry['id']}")
    exists = gw.reader.tuples(
        "SELECT 1 FROM compliance_item_task WHERE item_id = :i AND task_id = :t",
        {"i": entry["id"], "t": task["id"]},
    )
    if exists:
        raise Conflict(f"{task['key']} is linked to item {entry['id']} already")
    gw.insert("compliance_item_task", {"item_id": entry["id"], "task_id": task["id"]})
    return task


def make_task(gw: Gateway, entry: Row, *, sprint: str | None = None) -> Row:
    """A task in the project for this item, linked back; the item is in progress."""
    _check_open_project(gw.reader, entry)
    if entry["status"] in (words.ITEM_DONE, words.ITEM_NOT_APPLICABLE):
        shown = entry["status"].replace("_", " ")
        raise Refused(f"item {entry['id']} is {shown}; reopen it first")
    unfinished = [task for task in linked_tasks(gw.reader, entry["id"]) if not task["is_done"]]
    if unfinished:
        raise Refused(f"item {entry['id']} has an unfinished task already: {unfinished[0]['key']}")
    project = resolve.project(gw.reader, entry["project_key"])
    owner = None
    if entry["owner_id"] is not None:
        owner = gw.reader.tuples(
            "SELECT name FROM member WHERE id = :id", {"id": entry["owner_id"]}
        )[0][0]
    title = f"{entry['checklist_title']} {entry['number']}: {entry['label']}"
    created = tasks.add_task(
        gw,
        project,
        title[: words.MAX_TITLE_LENGTH],
        description=(
            f"Checklist item {entry['id']} ({entry['checklist']} {entry['number']}). "
            f"Mark it done with `pmtool compliance item done {entry['id']} --evidence ...`."
        ),
        labels=["compliance"],
        assignee=owner,
        due=_as_date(entry["due_date"]),
        sprint=sprint,
    )
    gw.insert("compliance_item_task", {"item_id": entry["id"], "task_id": created["id"]})
    if entry["status"] == words.ITEM_OPEN:
        _update_item(gw, entry, {"status": words.ITEM_IN_PROGRESS})
    return created


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def set_in_dod(gw: Gateway, entry: Row, included: bool) -> bool:
    """Put the item into the project's definition of done (or take it out)."""
    _check_open_project(gw.reader, entry)
    if bool(entry["in_dod"]) == included:
        where = "in" if included else "not in"
        raise Refused(f"item {entry['id']} is {where} the definition of done already")
    _update_item(gw, entry, {"in_dod": included})
    return included
