"""Compliance as rows (read side): the profile, checklists with progress, items, the
classification history, attention items, the dashboard panel and the data behind the
generated documents.

Standard library only, plain SQL over ``v_compliance_item`` and the compliance tables.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from pmtool.core import words
from pmtool.core.values import iso_date, iso_timestamp
from pmtool.services.compliance_rules import (
    BY_ID,
    RULE11,
    derive_ai_act,
    iec62304_hint,
)
from pmtool.services.read.attention import item as attention_item
from pmtool.storage.reader import Reader, Row

ITEM_DUE_SOON_DAYS = 7  # an open item due within a week is reported as "soon"
PANEL_DATE_DAYS = 180

ITEM_FIELDS = (
    "id", "checklist", "number", "label", "status", "owner", "due", "evidence",
    "evidence_kind", "na_reason", "tasks", "in_dod", "section", "project", "thesis_id",
    "done_at", "updated",
)  # fmt: skip
CHECKLIST_FIELDS = (
    "id", "template", "title", "kind", "items", "done", "not_applicable", "in_progress",
    "open", "progress", "overdue", "thesis_id", "applies_from", "source", "project",
    "created",
)  # fmt: skip
TEMPLATE_FIELDS = ("name", "title", "kind", "items", "origin", "source", "applies_from")
PROFILE_FIELDS = (
    "project", "intended_purpose", "ai_act_role", "ai_act_tier", "ai_act_tier_derived",
    "ai_act_reason", "mdr_class", "mdr_rationale", "mdr_answers", "mdr_classified_at",
    "previous_mdr_class", "previous_mdr_classified_at", "iec62304_class",
    "iec62304_reason", "hints",
)  # fmt: skip
DIFF_FIELDS = ("question", "text", "previous", "current", "changed")
QUESTION_FIELDS = ("id", "text", "help", "yes", "no")

_ITEM_SELECT = """
SELECT id, checklist, number, label, status, owner, due, evidence, evidence_kind,
       na_reason, in_dod, section, project, thesis_id, done_at, updated_at, checklist_id,
       checklist_title, position
FROM v_compliance_item
"""


def _tasks_by_item(reader: Reader, item_ids: list[int]) -> dict[int, list[str]]:
    """The keys of the tasks linked to each item (ids are integers from the database)."""
    if not item_ids:
        return {}
    found: dict[int, list[str]] = {}
    listed = ", ".join(str(int(item_id)) for item_id in item_ids)
    for item_id, key in reader.tuples(
        "SELECT l.item_id, t.key FROM compliance_item_task l JOIN v_task t ON t.id = l.task_id "
        f"WHERE l.item_id IN ({listed}) ORDER BY t.number"
    ):
        found.setdefault(int(item_id), []).append(key)
    return found


def _item_row(values: Any, tasks: dict[int, list[str]]) -> Row:
    (
        item_id, checklist, number, label, status, owner, due, evidence, evidence_kind,
        na_reason, in_dod, section, project, thesis_id, done_at, updated, *_rest,
    ) = values  # fmt: skip
    return {
        "id": item_id,
        "checklist": checklist,
        "number": number,
        "label": label,
        "status": status,
        "owner": owner,
        "due": iso_date(due),
        "evidence": evidence,
        "evidence_kind": evidence_kind,
        "na_reason": na_reason,
        "tasks": tasks.get(int(item_id), []),
        "in_dod": bool(in_dod),
        "section": section,
        "project": project,
        "thesis_id": thesis_id,
        "done_at": iso_timestamp(done_at),
        "updated": iso_timestamp(updated),
    }


def list_items(
    reader: Reader,
    project_id: int,
    *,
    checklist_id: int | None = None,
    status: str | None = None,
    unfinished: bool = False,
    overdue_on: date | None = None,
    owner: str | None = None,
) -> list[Row]:
    """Items of the project's checklists, in checklist and template order."""
    sql = f"{_ITEM_SELECT} WHERE project_id = :p"
    params: dict[str, Any] = {"p": project_id}
    if checklist_id is not None:
        sql += " AND checklist_id = :c"
        params["c"] = checklist_id
    if status is not None:
        sql += " AND status = :s"
        params["s"] = status
    if unfinished:
        sql += " AND status IN ('open', 'in_progress')"
    if overdue_on is not None:
        sql += " AND status IN ('open', 'in_progress') AND due < :today"
        params["today"] = overdue_on.isoformat()
    if owner is not None:
        sql += " AND lower(owner) = lower(:owner)"
        params["owner"] = owner
    found = reader.tuples(sql + " ORDER BY checklist_id, position", params)
    tasks = _tasks_by_item(reader, [int(values[0]) for values in found])
    return [_item_row(values, tasks) for values in found]


def show_item(reader: Reader, item_id: int) -> Row:
    found = reader.tuples(f"{_ITEM_SELECT} WHERE id = :id", {"id": item_id})
    tasks = _tasks_by_item(reader, [item_id])
    row = _item_row(found[0], tasks)
    row["checklist_title"] = found[0][17]
    return row


def list_checklists(reader: Reader, project_id: int, today: date) -> list[Row]:
    """The project's checklists with their progress (done and not applicable count)."""
    found = reader.tuples(
        "SELECT c.id, c.template, c.title, c.kind, "
        "  (SELECT COUNT(*) FROM compliance_item i WHERE i.checklist_id = c.id), "
        "  (SELECT COUNT(*) FROM compliance_item i WHERE i.checklist_id = c.id "
        "     AND i.status = 'done'), "
        "  (SELECT COUNT(*) FROM compliance_item i WHERE i.checklist_id = c.id "
        "     AND i.status = 'not_applicable'), "
        "  (SELECT COUNT(*) FROM compliance_item i WHERE i.checklist_id = c.id "
        "     AND i.status = 'in_progress'), "
        "  (SELECT COUNT(*) FROM compliance_item i WHERE i.checklist_id = c.id "
        "     AND i.status IN ('open', 'in_progress') AND i.due_date < :today), "
        "  c.thesis_id, c.applies_from, c.source, p.key, c.created_at "
        "FROM compliance_checklist c JOIN project p ON p.id = c.project_id "
        "WHERE c.project_id = :p ORDER BY c.id",
        {"p": project_id, "today": today.isoformat()},
    )
    rows = []
    for (
        checklist_id, template, title, kind, items, done, not_applicable, in_progress,
        overdue, thesis_id, applies_from, source, project, created,
    ) in found:  # fmt: skip
        finished = done + not_applicable
        rows.append(
            {
                "id": checklist_id,
                "template": template,
                "title": title,
                "kind": kind,
                "items": items,
                "done": done,
                "not_applicable": not_applicable,
                "in_progress": in_progress,
                "open": items - finished - in_progress,
                "progress": round(finished / items, 2) if items else 0.0,
                "overdue": overdue,
                "thesis_id": thesis_id,
                "applies_from": iso_date(applies_from),
                "source": source,
                "project": project,
                "created": iso_timestamp(created),
            }
        )
    return rows


def progress_bar(share: float, width: int = 10) -> str:
    filled = round(share * width)
    return "█" * filled + "░" * (width - filled)


def progress_text(row: Row) -> str:
    """``TRIPOD+AI (2024) 12/27 (44%)``: finished (done or not applicable) of all."""
    finished = row["done"] + row["not_applicable"]
    return f"{row['title']} {finished}/{row['items']} ({round(100 * row['progress'])}%)"


# --- the profile ---------------------------------------------------------------------------


def _classifications(reader: Reader, project_id: int, limit: int = 2) -> list[Row]:
    return reader.rows(
        "SELECT * FROM compliance_classification WHERE project_id = :p AND rule = :r "
        "ORDER BY id DESC LIMIT :n",
        {"p": project_id, "r": RULE11, "n": limit},
    )


def profile(reader: Reader, project_id: int) -> Row:
    """The regulatory profile: what was set, what the MDR run gave, what follows."""
    project_key = reader.tuples("SELECT key FROM project WHERE id = :p", {"p": project_id})[0][0]
    found = reader.rows("SELECT * FROM compliance_profile WHERE project_id = :p", {"p": project_id})
    stored = found[0] if found else {}
    runs = _classifications(reader, project_id)
    latest = runs[0] if runs else None
    previous = runs[1] if len(runs) > 1 else None
    answers = json.loads(latest["answers"]) if latest else {}
    mdr_class = latest["result"] if latest else None
    view = derive_ai_act(
        stored.get("ai_act_role"),
        stored.get("ai_act_tier"),
        stored.get("ai_act_reason"),
        mdr_class,
        in_house=answers.get("q7") == "yes" if "q7" in answers else None,
        checklists=frozenset(
            row[0]
            for row in reader.tuples(
                "SELECT template FROM compliance_checklist WHERE project_id = :p",
                {"p": project_id},
            )
        ),
    )
    hints = list(view.hints)
    safety_hint = iec62304_hint(mdr_class, stored.get("iec62304_class"))
    if safety_hint:
        hints.append(safety_hint)
    if latest is None:
        hints.append("no MDR classification yet: run `pmtool compliance classify`")
    return {
        "project": project_key,
        "intended_purpose": stored.get("intended_purpose"),
        "ai_act_role": stored.get("ai_act_role"),
        "ai_act_tier": view.tier,
        "ai_act_tier_derived": view.derived,
        "ai_act_reason": view.reason,
        "mdr_class": mdr_class,
        "mdr_rationale": latest["rationale"].splitlines() if latest else [],
        "mdr_answers": answers,
        "mdr_classified_at": iso_timestamp(latest["classified_at"]) if latest else None,
        "previous_mdr_class": previous["result"] if previous else None,
        "previous_mdr_classified_at": (
            iso_timestamp(previous["classified_at"]) if previous else None
        ),
        "iec62304_class": stored.get("iec62304_class"),
        "iec62304_reason": stored.get("iec62304_reason"),
        "hints": hints,
    }


def classification_diff(
    reader: Reader, project_id: int
) -> tuple[Row | None, Row | None, list[Row]]:
    """(previous run, latest run, one row per question answered in either)."""
    runs = _classifications(reader, project_id)
    latest = runs[0] if runs else None
    previous = runs[1] if len(runs) > 1 else None
    now = json.loads(latest["answers"]) if latest else {}
    before = json.loads(previous["answers"]) if previous else {}
    rows = [
        {
            "question": question_id,
            "text": BY_ID[question_id].text,
            "previous": before.get(question_id),
            "current": now.get(question_id),
            "changed": before.get(question_id) != now.get(question_id),
        }
        for question_id in BY_ID
        if question_id in now or question_id in before
    ]
    return previous, latest, rows


def _leads_to(target: str) -> str:
    """Where an answer leads: the next question, or the class (q7, asked last, is a hint)."""
    if target == "done":
        return "a hint"
    if target.startswith("class:"):
        return f"class {target.removeprefix('class:')}"
    question, _, reached = target.partition(":")
    return f"class {reached}" if reached else question


def questions() -> list[Row]:
    """The Rule 11 questions in order, with where each answer leads."""
    return [
        {"id": q.id, "text": q.text, "help": q.help, "yes": _leads_to(q.yes), "no": _leads_to(q.no)}
        for q in BY_ID.values()
    ]


# --- the definition of done ---------------------------------------------------------------


def definition_of_done_items(reader: Reader, project_id: int) -> list[Row]:
    """The checklist items in the project's definition of done, with ``satisfied``
    (done or not applicable) and a ``text`` for the checklist shown when a task is done."""
    if not _has_compliance(reader):
        return []
    rows = reader.rows(
        "SELECT id, checklist_title, number, label, status FROM v_compliance_item "
        "WHERE project_id = :p AND in_dod ORDER BY checklist_id, position",
        {"p": project_id},
    )
    for row in rows:
        row["satisfied"] = row["status"] in (words.ITEM_DONE, words.ITEM_NOT_APPLICABLE)
        state = row["status"].replace("_", " ")
        row["text"] = (
            f"{row['checklist_title']} {row['number']}: {row['label']} "
            f"(compliance item {row['id']}, {state})"
        )
    return rows


def _has_compliance(reader: Reader) -> bool:
    if reader.dialect == "sqlite":
        sql = "SELECT 1 FROM sqlite_master WHERE name = 'v_compliance_item'"
    else:
        sql = "SELECT 1 FROM information_schema.views WHERE table_name = 'v_compliance_item'"
    return bool(reader.tuples(sql))


# --- attention, the dashboard panel, status ------------------------------------------------


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def items_due(reader: Reader, project_id: int, today: date) -> list[Row]:
    """Unfinished checklist items past their due date (late) or due within a week (soon)."""
    found = reader.tuples(
        "SELECT project, id, checklist_title, number, label, due, owner FROM v_compliance_item "
        "WHERE project_id = :p AND status IN ('open', 'in_progress') AND due <= :horizon "
        "ORDER BY due, checklist_id, position",
        {"p": project_id, "horizon": (today + timedelta(days=ITEM_DUE_SOON_DAYS)).isoformat()},
    )
    items = []
    for project, item_id, title, number, label, due, owner in found:
        left = (date.fromisoformat(str(due)[:10]) - today).days
        owner_text = f" ({owner})" if owner else ""
        if left < 0:
            kind, level, when = "checklist_item_overdue", "late", f"is {_days(-left)} overdue"
        else:
            kind, level = "checklist_item_due", "soon"
            when = "is due today" if left == 0 else f"is due in {_days(left)}"
        text = f"{title} {number} {label} {when}{owner_text}"
        items.append(attention_item(project, kind, level, str(item_id), text, due))
    return items


def overdue_items(reader: Reader, project_id: int, today: date) -> list[Row]:
    return [row for row in items_due(reader, project_id, today) if row["level"] == "late"]


def due_soon_items(reader: Reader, project_id: int, today: date) -> list[Row]:
    return [row for row in items_due(reader, project_id, today) if row["level"] == "soon"]


def classification_missing(reader: Reader, project_id: int, today: date) -> list[Row]:
    """A project with checklists but no MDR classification."""
    found = reader.tuples(
        "SELECT p.key, (SELECT COUNT(*) FROM compliance_checklist c WHERE c.project_id = p.id), "
        "  (SELECT COUNT(*) FROM compliance_classification k WHERE k.project_id = p.id) "
        "FROM project p WHERE p.id = :p",
        {"p": project_id},
    )
    if not found:
        return []
    key, checklists, classifications = found[0]
    if not checklists or classifications:
        return []
    text = f"{key} has compliance checklists but no MDR classification (pmtool compliance classify)"
    return [attention_item(key, "classification_missing", "over", key, text)]


def panel_rows(reader: Reader, project_id: int, today: date) -> list[Row]:
    """The "Compliance" panel: one row per checklist with its progress bar; the date is
    the earliest due date of its unfinished items."""
    rows = []
    for entry in list_checklists(reader, project_id, today):
        next_due = reader.tuples(
            "SELECT MIN(due_date) FROM compliance_item WHERE checklist_id = :c "
            "AND status IN ('open', 'in_progress')",
            {"c": entry["id"]},
        )[0][0]
        overdue = f", {entry['overdue']} overdue" if entry["overdue"] else ""
        when = iso_date(next_due)
        # The dashboard shows a row's date as month-day: a date beyond half a year
        # (AI Act duties in 2027) goes into the text with its year instead.
        if when and (date.fromisoformat(when) - today).days > PANEL_DATE_DAYS:
            overdue += f", due {when}"
            when = None
        rows.append(
            {
                "when": when,
                "text": f"{progress_bar(entry['progress'])} {progress_text(entry)}{overdue}",
                "ref": entry["template"],
                "level": "late" if entry["overdue"] else "info",
            }
        )
    return rows


def progress_lines(reader: Reader, project_ids: list[int], today: date) -> list[str]:
    """One line per checklist for `pmtool status`: ``SEPSIS TRIPOD+AI 12/27 (44%)``."""
    if not _has_compliance(reader):
        return []
    lines = []
    for project_id in project_ids:
        for entry in list_checklists(reader, project_id, today):
            lines.append(f"{entry['project']} {progress_text(entry)}")
    return lines


# --- the data behind the generated documents ----------------------------------------------

# Tasks that count as validation work in the Annex IV document.
VALIDATION_LABELS = ("validation", "evaluation")
VALIDATION_TITLE_WORDS = ("validat", "evaluat")


def _checklist_items(reader: Reader, checklist_id: int) -> list[Row]:
    return list_items(reader, _checklist_project(reader, checklist_id), checklist_id=checklist_id)


def _checklist_project(reader: Reader, checklist_id: int) -> int:
    return int(
        reader.tuples(
            "SELECT project_id FROM compliance_checklist WHERE id = :c", {"c": checklist_id}
        )[0][0]
    )


def validation_tasks(reader: Reader, project_id: int) -> list[Row]:
    """Tasks labelled validation or evaluation, or named so, with their status."""
    rows = reader.rows(
        "SELECT key, title, status, is_done, assignee, due, labels, sprint FROM v_task "
        "WHERE project_id = :p ORDER BY number",
        {"p": project_id},
    )
    found = []
    for row in rows:
        labels = [label.lower() for label in json.loads(row["labels"] or "[]")]
        title = row["title"].lower()
        if any(label in VALIDATION_LABELS for label in labels) or any(
            word in title for word in VALIDATION_TITLE_WORDS
        ):
            row["is_done"] = bool(row["is_done"])
            row["due"] = iso_date(row["due"])
            found.append(row)
    return found


def document_context(
    reader: Reader,
    project_id: int,
    *,
    checklist_id: int | None = None,
    today: date,
) -> Row:
    """Everything a compliance document may show, from the records, with their sources."""
    project = reader.rows(
        "SELECT id, key, name, description, version, created_at FROM project WHERE id = :p",
        {"p": project_id},
    )[0]
    checklists = list_checklists(reader, project_id, today)
    by_template: dict[str, Row] = {}
    for entry in checklists:
        entry["items_list"] = _checklist_items(reader, entry["id"])
        by_template.setdefault(entry["template"], entry)
    chosen = None
    if checklist_id is not None:
        chosen = next(entry for entry in checklists if entry["id"] == checklist_id)
    profile_record = profile(reader, project_id)
    members = [
        row[0]
        for row in reader.tuples(
            "SELECT DISTINCT m.name FROM member m JOIN task t ON t.assignee_id = m.id "
            "WHERE t.project_id = :p AND t.deleted_at IS NULL ORDER BY m.name",
            {"p": project_id},
        )
    ]
    stored_profile = reader.rows(
        "SELECT id, updated_at FROM compliance_profile WHERE project_id = :p", {"p": project_id}
    )
    runs = _classifications(reader, project_id, limit=1)
    sources = [f"project {project['key']} (id {project['id']})"]
    if stored_profile:
        sources.append(
            f"compliance profile {stored_profile[0]['id']} "
            f"(updated {iso_timestamp(stored_profile[0]['updated_at'])})"
        )
    if runs:
        sources.append(
            f"MDR Rule 11 run {runs[0]['id']} ({iso_timestamp(runs[0]['classified_at'])})"
        )
    sources += [f"checklist {entry['id']} {entry['template']}" for entry in checklists]
    tasks = validation_tasks(reader, project_id)
    if tasks:
        sources.append(f"{len(tasks)} validation tasks")
    last_change = reader.tuples("SELECT MAX(id), MAX(at) FROM command")[0]
    return {
        "project": project,
        "profile": profile_record,
        "checklists": checklists,
        "by_template": by_template,
        "checklist": chosen,
        "validation_tasks": tasks,
        "team": members,
        "sources": sources,
        "last_command": last_change[0],
        "last_change_at": iso_timestamp(last_change[1]),
    }
