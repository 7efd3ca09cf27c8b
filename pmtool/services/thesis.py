"""The thesis track (write side): theses planned from templates, their milestones and
dependencies, re-planning and extensions, the status machine, supervision meetings.

Every change goes through the audited gateway, so old milestone dates and deadlines stay
in the trail (`pmtool thesis history`) and `pmtool undo` reverses any command.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from pmtool.core import clock, words
from pmtool.core.errors import InvalidInput, NotFound, Refused
from pmtool.core.validation import clean_text
from pmtool.services import resolve, thesis_plan
from pmtool.storage.gateway import Gateway
from pmtool.storage.reader import Reader, Row

# Optional text fields of a thesis that `thesis add` and `thesis edit` set as typed.
TEXT_FIELDS = (
    "research_question",
    "programme",
    "cohort",
    "first_examiner",
    "second_examiner",
    "external_supervisor",
    "company",
    "repository_path",
)
DATE_FIELDS = ("confidential_until", "registered_on", "defence_on")
MAX_EXTENSION_WEEKS = 52


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _optional_text(value: str | None, what: str) -> str | None:
    if value is None or not value.strip():
        return None
    if what == "research_question":
        cleaned = value.strip()
        if len(cleaned) > words.MAX_DESCRIPTION_LENGTH:
            raise InvalidInput(
                f"the research question is {len(cleaned)} characters long; at most "
                f"{words.MAX_DESCRIPTION_LENGTH} fit"
            )
        return cleaned
    return clean_text(value, f"the {what.replace('_', ' ')}", words.MAX_TITLE_LENGTH)


def check_weeks(weeks: int) -> int:
    if not 1 <= weeks <= words.MAX_THESIS_WEEKS:
        raise InvalidInput(
            f"a processing time of {weeks} weeks is not possible; give 1 to "
            f"{words.MAX_THESIS_WEEKS} weeks"
        )
    return weeks


# --- settings -------------------------------------------------------------------------------


def setting_value(reader: Reader, name: str) -> int:
    """A thesis setting (words.THESIS_SETTINGS) as stored, else its default."""
    key, default, _ = words.THESIS_SETTINGS[name]
    found = reader.tuples("SELECT value FROM setting WHERE key = :k", {"k": key})
    return int(found[0][0]) if found else default


def set_setting(gw: Gateway, name: str, value: int) -> None:
    if name not in words.THESIS_SETTINGS:
        raise InvalidInput(
            f"no thesis setting {name!r}; settings: {', '.join(words.THESIS_SETTINGS)}"
        )
    if not 1 <= value <= 366:
        raise InvalidInput(f"{name} must be between 1 and 366 days (got {value})")
    _put_setting(gw, words.THESIS_SETTINGS[name][0], str(value))


def _put_setting(gw: Gateway, key: str, value: str) -> None:
    found = gw.reader.rows("SELECT * FROM setting WHERE key = :k", {"k": key})
    if found:
        gw.update("setting", key, {"value": value}, version=found[0]["version"], what=key)
    else:
        gw.insert("setting", {"key": key, "value": value})


def programme_defaults(reader: Reader, programme: str | None) -> tuple[int | None, str | None]:
    """(weeks, template) set for a programme with `thesis programme set`, or Nones."""
    if not programme:
        return None, None
    found = reader.tuples(
        "SELECT value FROM setting WHERE key = :k",
        {"k": words.THESIS_PROGRAMME_PREFIX + programme.strip().lower()},
    )
    if not found:
        return None, None
    stored = json.loads(found[0][0])
    return stored.get("weeks"), stored.get("template")


def set_programme(gw: Gateway, programme: str, *, weeks: int, template: str | None) -> None:
    """Processing time and plan of a programme (e.g. HTW: 17 weeks, short-17w)."""
    name = clean_text(programme, "the programme", words.MAX_NAME_LENGTH)
    check_weeks(weeks)
    if template is not None:
        thesis_plan.load_template(template)  # refuses an unknown or broken template now
    value = json.dumps({"name": name, "weeks": weeks, "template": template})
    _put_setting(gw, words.THESIS_PROGRAMME_PREFIX + name.lower(), value)


# --- theses ---------------------------------------------------------------------------------


def plan_dates(plan: thesis_plan.Plan, start: date, weeks: int) -> dict[str, date]:
    """Due dates of a plan's milestones for a thesis of ``weeks`` starting on ``start``.

    Offsets before the start stay as they are; offsets within the processing time are
    scaled to the thesis's own processing time; later ones (defence, reports) keep their
    distance from the deadline. So a 22-week thesis from the 26-week plan still has its
    submission at the deadline.
    """
    dates = {}
    for milestone in plan.milestones:
        if milestone.week <= 0:
            days = milestone.week * 7
        elif milestone.week <= plan.weeks:
            days = round(milestone.week * 7 * weeks / plan.weeks)
        else:
            days = (milestone.week - plan.weeks + weeks) * 7
        dates[milestone.code] = start + timedelta(days=days)
    return dates


def add_thesis(
    gw: Gateway,
    student: str,
    title: str,
    start: date,
    *,
    weeks: int | None = None,
    template: str | None = None,
    project_id: int | None = None,
    **details: Any,
) -> Row:
    """A thesis with its milestone plan copied from the template.

    Processing time: ``weeks``, else the programme's (`thesis programme set`), else the
    template's. Template: ``template``, else the programme's, else the default plan.
    """
    student = clean_text(student, "the student's name", words.MAX_NAME_LENGTH)
    title = clean_text(title, "the thesis title", words.MAX_TITLE_LENGTH)
    unknown = set(details) - set(TEXT_FIELDS) - set(DATE_FIELDS)
    if unknown:
        raise TypeError(f"add_thesis got unknown fields {sorted(unknown)}")
    programme_weeks, programme_template = programme_defaults(gw.reader, details.get("programme"))
    plan = thesis_plan.load_template(
        template or programme_template or words.DEFAULT_THESIS_TEMPLATE
    )
    weeks = check_weeks(weeks if weeks is not None else programme_weeks or plan.weeks)
    deadline = start + timedelta(weeks=weeks)
    defence = details.get("defence_on")
    if defence is not None and defence < start:
        raise InvalidInput(f"the defence ({defence}) cannot be before the start ({start})")
    now = clock.utcnow()
    values: dict[str, Any] = {
        "student": student,
        "title": title,
        **{name: _optional_text(details.get(name), name) for name in TEXT_FIELDS},
        **{name: details.get(name) for name in DATE_FIELDS},
        "project_id": project_id,
        "start_date": start,
        "weeks": weeks,
        "extension_weeks": 0,
        "deadline": deadline,
        "template": plan.name,
        "status": "planning",
        "created_at": now,
        "updated_at": now,
    }
    values["id"] = gw.insert("thesis", values)
    dates = plan_dates(plan, start, weeks)
    if defence is not None and thesis_plan.DEFENCE in dates:
        dates[thesis_plan.DEFENCE] = defence
    ids: dict[str, int] = {}
    for position, milestone in enumerate(plan.milestones, start=1):
        ids[milestone.code] = gw.insert(
            "thesis_milestone",
            {
                "thesis_id": values["id"],
                "position": position,
                "code": milestone.code,
                "title": milestone.title,
                "due_date": dates[milestone.code],
                "needs": json.dumps(list(milestone.needs)),
            },
        )
    for milestone in plan.milestones:
        for before in milestone.after:
            gw.insert(
                "thesis_milestone_dependency",
                {"milestone_id": ids[milestone.code], "depends_on_id": ids[before]},
            )
    values["milestones"] = len(plan.milestones)
    return values


def edit_thesis(gw: Gateway, thesis: Row, **changes: Any) -> dict[str, Any]:
    """Change the details of a thesis; ``None`` leaves a field, ``words.CLEAR`` empties it.

    ``title``, ``student``, the text fields, the dates (confidential_until, registered_on,
    defence_on) and ``project_id``. A new defence date moves the open defence milestone.
    The start, processing time and deadline change only by `replan` and `extend`.
    """
    allowed = {"title", "student", "project_id", *TEXT_FIELDS, *DATE_FIELDS}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"edit_thesis got unknown fields {sorted(unknown)}")
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if value is None:
            continue
        if value is words.CLEAR:
            if name in ("title", "student"):
                raise InvalidInput(f"the thesis {name} cannot be empty")
            values[name] = None
        elif name == "title":
            values[name] = clean_text(value, "the thesis title", words.MAX_TITLE_LENGTH)
        elif name == "student":
            values[name] = clean_text(value, "the student's name", words.MAX_NAME_LENGTH)
        elif name in TEXT_FIELDS:
            values[name] = _optional_text(value, name)
        else:
            values[name] = value
    if not values:
        return {}
    defence = values.get("defence_on")
    start = _day(thesis["start_date"])
    if defence is not None and defence < start:
        raise InvalidInput(f"the defence ({defence}) cannot be before the start ({start})")
    values["updated_at"] = clock.utcnow()
    changed = gw.update(
        "thesis", thesis["id"], values, version=thesis["version"], what=f"thesis {thesis['id']}"
    )
    if defence is not None:
        _move_code(gw, thesis, thesis_plan.DEFENCE, defence)
    return changed


def _move_code(gw: Gateway, thesis: Row, code: str, due: date) -> None:
    found = gw.reader.rows(
        "SELECT * FROM thesis_milestone WHERE thesis_id = :t AND code = :c AND done_on IS NULL",
        {"t": thesis["id"], "c": code},
    )
    for milestone in found:
        gw.update(
            "thesis_milestone",
            milestone["id"],
            {"due_date": due},
            version=milestone["version"],
            what=_label(thesis, milestone),
        )


def allowed_statuses(status: str) -> tuple[str, ...]:
    return words.THESIS_TRANSITIONS.get(status, ())


def move_thesis(gw: Gateway, thesis: Row, status: str) -> Row:
    """Move a thesis along its state machine (registered sets the registration date)."""
    wanted = resolve.normalise_status(status)
    if wanted not in words.THESIS_STATUSES:
        raise InvalidInput(
            f"no thesis status {status!r}; statuses: {', '.join(words.THESIS_STATUSES)}"
        )
    current = thesis["status"]
    if wanted == current:
        raise Refused(f"thesis {thesis['id']} is {current} already")
    allowed = allowed_statuses(current)
    if wanted not in allowed:
        where = f"only to {', '.join(allowed)}" if allowed else "nowhere: it is final"
        raise Refused(f"thesis {thesis['id']} is {current}; it can move {where}")
    changes: dict[str, Any] = {"status": wanted, "updated_at": clock.utcnow()}
    if wanted == "registered" and thesis["registered_on"] is None:
        changes["registered_on"] = clock.today()
    if wanted == "defended" and thesis["defence_on"] is None:
        changes["defence_on"] = clock.today()
    gw.update(
        "thesis", thesis["id"], changes, version=thesis["version"], what=f"thesis {thesis['id']}"
    )
    # The status says it happened today: the plan's milestone of that name agrees.
    reached = {"submitted": thesis_plan.SUBMISSION, "defended": thesis_plan.DEFENCE}.get(wanted)
    if reached is not None:
        for milestone in gw.reader.rows(
            "SELECT * FROM thesis_milestone WHERE thesis_id = :t AND code = :c AND done_on IS NULL",
            {"t": thesis["id"], "c": reached},
        ):
            gw.update(
                "thesis_milestone",
                milestone["id"],
                {"done_on": clock.today()},
                version=milestone["version"],
                what=_label(thesis, milestone),
            )
    return {**thesis, **changes}


def remove_thesis(gw: Gateway, thesis: Row) -> None:
    """Remove a thesis with its plan and meetings (undo puts them back; tasks made from
    action items stay in their project)."""
    milestone_ids = [
        row[0]
        for row in gw.reader.tuples(
            "SELECT id FROM thesis_milestone WHERE thesis_id = :t", {"t": thesis["id"]}
        )
    ]
    for (action_id,) in gw.reader.tuples(
        "SELECT a.id FROM thesis_action a JOIN thesis_meeting m ON m.id = a.meeting_id "
        "WHERE m.thesis_id = :t ORDER BY a.id",
        {"t": thesis["id"]},
    ):
        gw.delete("thesis_action", action_id)
    for (meeting_id,) in gw.reader.tuples(
        "SELECT id FROM thesis_meeting WHERE thesis_id = :t ORDER BY id", {"t": thesis["id"]}
    ):
        gw.delete("thesis_meeting", meeting_id)
    if milestone_ids:
        for (edge_id,) in gw.reader.tuples(
            "SELECT d.id FROM thesis_milestone_dependency d JOIN thesis_milestone m "
            "ON m.id = d.milestone_id WHERE m.thesis_id = :t ORDER BY d.id",
            {"t": thesis["id"]},
        ):
            gw.delete("thesis_milestone_dependency", edge_id)
    for milestone_id in milestone_ids:
        gw.delete("thesis_milestone", milestone_id)
    gw.delete("thesis", thesis["id"])


# --- re-planning ------------------------------------------------------------------------------


def _open_milestones(reader: Reader, thesis_id: int) -> list[Row]:
    return reader.rows(
        "SELECT * FROM thesis_milestone WHERE thesis_id = :t AND done_on IS NULL ORDER BY position",
        {"t": thesis_id},
    )


def _shift_open(gw: Gateway, thesis: Row, days: int, *, keep_defence: bool) -> int:
    """Move every open milestone by ``days`` (a fixed defence date stays); the count."""
    moved = 0
    for milestone in _open_milestones(gw.reader, thesis["id"]):
        if keep_defence and milestone["code"] == thesis_plan.DEFENCE:
            continue
        gw.update(
            "thesis_milestone",
            milestone["id"],
            {"due_date": _day(milestone["due_date"]) + timedelta(days=days)},
            version=milestone["version"],
            what=_label(thesis, milestone),
        )
        moved += 1
    return moved


def _check_defence(thesis: Row, start: date, deadline: date) -> None:
    defence = thesis["defence_on"]
    if defence is None:
        return
    defence = _day(defence)
    if start > defence:
        raise InvalidInput(
            f"a start on {start} is after the defence on {defence}; move the defence first "
            f"(`pmtool thesis edit {thesis['id']} --defence DATE`)"
        )
    if deadline > defence:
        raise InvalidInput(
            f"the new deadline {deadline} would be after the defence on {defence}; move the "
            f"defence first (`pmtool thesis edit {thesis['id']} --defence DATE`)"
        )


def _check_changeable(thesis: Row, what: str) -> None:
    if thesis["status"] not in ("planning", "registered", "in_progress"):
        raise Refused(
            f"thesis {thesis['id']} is {thesis['status']}; {what} is possible only before "
            "submission"
        )


def replan(gw: Gateway, thesis: Row, *, start: date | None = None, weeks: int | None = None) -> Row:
    """A changed official start and/or processing time: the deadline follows, and open
    milestones move with the start (and, for a new processing time, with the deadline:
    those due from the old deadline on). Done milestones keep their dates."""
    _check_changeable(thesis, "re-planning")
    old_start, old_deadline = _day(thesis["start_date"]), _day(thesis["deadline"])
    new_start = start or old_start
    new_weeks = check_weeks(weeks) if weeks is not None else int(thesis["weeks"])
    new_deadline = new_start + timedelta(weeks=new_weeks + int(thesis["extension_weeks"]))
    if new_start == old_start and new_weeks == thesis["weeks"]:
        raise InvalidInput(
            f"thesis {thesis['id']} already starts on {old_start} with "
            f"{new_weeks} weeks; nothing to re-plan"
        )
    keep_defence = thesis["defence_on"] is not None
    _check_defence(thesis, new_start, new_deadline)
    start_shift = (new_start - old_start).days
    moved = _shift_open(gw, thesis, start_shift, keep_defence=keep_defence) if start_shift else 0
    if new_weeks != thesis["weeks"]:
        tail_shift = (new_weeks - int(thesis["weeks"])) * 7
        from_day = old_deadline + timedelta(days=start_shift)
        for milestone in _open_milestones(gw.reader, thesis["id"]):
            if _day(milestone["due_date"]) < from_day:
                continue
            if keep_defence and milestone["code"] == thesis_plan.DEFENCE:
                continue
            gw.update(
                "thesis_milestone",
                milestone["id"],
                {"due_date": _day(milestone["due_date"]) + timedelta(days=tail_shift)},
                version=milestone["version"],
                what=_label(thesis, milestone),
            )
            moved += 1
    changes = {
        "start_date": new_start,
        "weeks": new_weeks,
        "deadline": new_deadline,
        "updated_at": clock.utcnow(),
    }
    gw.update(
        "thesis", thesis["id"], changes, version=thesis["version"], what=f"thesis {thesis['id']}"
    )
    return {**thesis, **changes, "moved": moved}


def extend(gw: Gateway, thesis: Row, weeks: int, reason: str) -> Row:
    """An approved extension: the deadline and every open milestone move by ``weeks``;
    the reason goes into the trail beside the old and new deadline."""
    _check_changeable(thesis, "an extension")
    reason = clean_text(reason, "the reason for the extension", words.MAX_TITLE_LENGTH)
    if not 1 <= weeks <= MAX_EXTENSION_WEEKS:
        raise InvalidInput(f"an extension is 1 to {MAX_EXTENSION_WEEKS} weeks (got {weeks})")
    new_deadline = _day(thesis["deadline"]) + timedelta(weeks=weeks)
    _check_defence(thesis, _day(thesis["start_date"]), new_deadline)
    moved = _shift_open(gw, thesis, weeks * 7, keep_defence=thesis["defence_on"] is not None)
    changes = {
        "extension_weeks": int(thesis["extension_weeks"]) + weeks,
        "deadline": new_deadline,
        "updated_at": clock.utcnow(),
    }
    gw.update(
        "thesis", thesis["id"], changes, version=thesis["version"], what=f"thesis {thesis['id']}"
    )
    gw.note("thesis", thesis["id"], "extension", f"+{weeks} weeks: {reason}")
    return {**thesis, **changes, "moved": moved}


# --- milestones -----------------------------------------------------------------------------


def _label(thesis: Row, milestone: Row) -> str:
    return f"milestone {milestone['position']} of thesis {thesis['id']}"


def parse_needs(needs: Iterable[str]) -> list[str]:
    """Approval needs as typed (``ethics|exemption``, ``dua``, ``needs:dua``), checked."""
    cleaned: list[str] = []
    for need in needs:
        text = need.strip().lower().removeprefix("needs:")
        kinds = thesis_plan.check_need(text, "the milestone")
        normal = "|".join(kinds)
        if normal not in cleaned:
            cleaned.append(normal)
    return cleaned


def _slug(title: str) -> str:
    kept = "".join(c if c.isalnum() else "-" for c in title.lower())
    return "-".join(part for part in kept.split("-") if part)[:40] or "milestone"


def add_milestone(
    gw: Gateway,
    thesis: Row,
    title: str,
    due: date,
    *,
    code: str | None = None,
    after: Sequence[str] = (),
    needs: Iterable[str] = (),
) -> Row:
    title = clean_text(title, "the milestone title", words.MAX_TITLE_LENGTH)
    wanted = _slug(code or title)
    if wanted.isdigit():
        raise InvalidInput(f"a milestone id cannot be a number ({wanted!r}); use words")
    taken = {
        row[0]
        for row in gw.reader.tuples(
            "SELECT code FROM thesis_milestone WHERE thesis_id = :t", {"t": thesis["id"]}
        )
    }
    if code is not None and wanted in taken:
        raise Refused(f"thesis {thesis['id']} has a milestone {wanted!r} already")
    chosen, suffix = wanted, 2
    while chosen in taken:
        chosen, suffix = f"{wanted}-{suffix}", suffix + 1
    before_rows = [resolve.thesis_milestone(gw.reader, thesis, item) for item in after]
    position = (
        int(
            gw.reader.tuples(
                "SELECT COALESCE(MAX(position), 0) FROM thesis_milestone WHERE thesis_id = :t",
                {"t": thesis["id"]},
            )[0][0]
        )
        + 1
    )
    values: dict[str, Any] = {
        "thesis_id": thesis["id"],
        "position": position,
        "code": chosen,
        "title": title,
        "due_date": due,
        "needs": json.dumps(parse_needs(needs)),
    }
    values["id"] = gw.insert("thesis_milestone", values)
    for before in before_rows:
        add_dependency(gw, thesis, values, before)
    return values


def edit_milestone(
    gw: Gateway,
    thesis: Row,
    milestone: Row,
    *,
    title: str | None = None,
    due: date | None = None,
    needs: Iterable[str] | None = None,
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = clean_text(title, "the milestone title", words.MAX_TITLE_LENGTH)
    if due is not None:
        changes["due_date"] = due
    if needs is not None:
        changes["needs"] = json.dumps(parse_needs(needs))
    if not changes:
        raise InvalidInput("nothing to change: give --title, --due or --needs")
    return gw.update(
        "thesis_milestone",
        milestone["id"],
        changes,
        version=milestone["version"],
        what=_label(thesis, milestone),
    )


def add_dependency(gw: Gateway, thesis: Row, milestone: Row, before: Row) -> None:
    """``milestone`` comes after ``before``: refused when it closes a circle."""
    if milestone["id"] == before["id"]:
        raise InvalidInput(f"milestone {milestone['position']} cannot depend on itself")
    edges = dependency_edges(gw.reader, thesis["id"])
    if before["id"] in edges.get(milestone["id"], set()):
        raise Refused(f"milestone {milestone['position']} depends on {before['position']} already")
    chain = _path(edges, before["id"], milestone["id"])
    if chain:
        positions = _positions(gw.reader, thesis["id"])
        path = " -> ".join(str(positions[node]) for node in [milestone["id"], *chain])
        raise Refused(
            f"milestone {milestone['position']} cannot depend on {before['position']}: "
            f"that makes a circle ({path}, each after the next)"
        )
    gw.insert(
        "thesis_milestone_dependency",
        {"milestone_id": milestone["id"], "depends_on_id": before["id"]},
    )


def _path(edges: dict[int, set[int]], start: int, goal: int) -> list[int]:
    """The chain of "comes after" edges from ``start`` to ``goal`` ([] when none)."""
    came_from: dict[int, int | None] = {start: None}
    waiting = [start]
    while waiting:
        node = waiting.pop(0)
        if node == goal:
            chain = [node]
            while (previous := came_from[chain[-1]]) is not None:
                chain.append(previous)
            return chain[::-1]
        for before in sorted(edges.get(node, ())):
            if before not in came_from:
                came_from[before] = node
                waiting.append(before)
    return []


def remove_dependency(gw: Gateway, milestone: Row, before: Row) -> None:
    found = gw.reader.tuples(
        "SELECT id FROM thesis_milestone_dependency WHERE milestone_id = :m AND depends_on_id = :d",
        {"m": milestone["id"], "d": before["id"]},
    )
    if not found:
        raise NotFound(f"milestone {milestone['position']} does not depend on {before['position']}")
    gw.delete("thesis_milestone_dependency", found[0][0])


def dependency_edges(reader: Reader, thesis_id: int) -> dict[int, set[int]]:
    """milestone id -> the ids of the milestones it comes after."""
    edges: dict[int, set[int]] = {}
    for milestone_id, before_id in reader.tuples(
        "SELECT d.milestone_id, d.depends_on_id FROM thesis_milestone_dependency d "
        "JOIN thesis_milestone m ON m.id = d.milestone_id WHERE m.thesis_id = :t",
        {"t": thesis_id},
    ):
        edges.setdefault(milestone_id, set()).add(before_id)
    return edges


def _positions(reader: Reader, thesis_id: int) -> dict[int, int]:
    return {
        row[0]: row[1]
        for row in reader.tuples(
            "SELECT id, position FROM thesis_milestone WHERE thesis_id = :t", {"t": thesis_id}
        )
    }


def milestone_blockers(reader: Reader, thesis: Row, milestone: Row, today: date) -> list[str]:
    """Why the milestone cannot be done yet: open milestones it comes after, and the
    approvals it needs that are not in force in the thesis's project."""
    reasons = [
        f"milestone {position} ({title}) is not done"
        for position, title in reader.tuples(
            "SELECT m.position, m.title FROM thesis_milestone_dependency d "
            "JOIN thesis_milestone m ON m.id = d.depends_on_id "
            "WHERE d.milestone_id = :id AND m.done_on IS NULL ORDER BY m.position",
            {"id": milestone["id"]},
        )
    ]
    reasons.extend(approval_blockers(reader, thesis, json.loads(milestone["needs"]), today))
    return reasons


def approval_blockers(reader: Reader, thesis: Row, needs: Sequence[str], today: date) -> list[str]:
    """The needs (``ethics|exemption``, ``dua``) no approval in force meets, as reasons."""
    if not needs:
        return []
    from pmtool.services.read.thesis import need_states

    return [
        f"needs {state['need']}: {state['reason']}"
        for state in need_states(reader, thesis["project_id"], needs, today)
        if not state["met"]
    ]


def complete_milestone(
    gw: Gateway,
    thesis: Row,
    milestone: Row,
    *,
    on: date | None = None,
    force: bool = False,
    reason: str | None = None,
) -> Row:
    """Mark a milestone done, once the milestones before it are done and the approvals it
    needs are in force; ``force`` with a ``reason`` overrides, and the trail keeps why."""
    if milestone["done_on"] is not None:
        raise Refused(f"milestone {milestone['position']} was done on {milestone['done_on']}")
    today = clock.today()
    day = on or today
    if day > today:
        raise InvalidInput(f"a milestone cannot be done in the future ({day})")
    if force and not (reason and reason.strip()):
        raise InvalidInput("--force needs --reason: the trail records why the gate was passed")
    blockers = milestone_blockers(gw.reader, thesis, milestone, today)
    if blockers and not force:
        raise Refused(
            f"milestone {milestone['position']} ({milestone['title']}) cannot be done yet: "
            f"{'; '.join(blockers)} (--force --reason TEXT overrides)"
        )
    gw.update(
        "thesis_milestone",
        milestone["id"],
        {"done_on": day},
        version=milestone["version"],
        what=_label(thesis, milestone),
    )
    if blockers and reason:
        override = clean_text(reason, "the reason", words.MAX_TITLE_LENGTH)
        gw.note(
            "thesis_milestone",
            milestone["id"],
            "forced",
            f"{override} (over: {'; '.join(blockers)})",
        )
    return {**milestone, "done_on": day, "forced": bool(blockers)}


def reopen_milestone(gw: Gateway, thesis: Row, milestone: Row) -> None:
    if milestone["done_on"] is None:
        raise Refused(f"milestone {milestone['position']} is not done")
    gw.update(
        "thesis_milestone",
        milestone["id"],
        {"done_on": None},
        version=milestone["version"],
        what=_label(thesis, milestone),
    )


# --- meetings -------------------------------------------------------------------------------


def _clean_list(values: Iterable[str], what: str) -> list[str]:
    cleaned = []
    for value in values:
        text = clean_text(value, what, words.MAX_DESCRIPTION_LENGTH)
        if text not in cleaned:
            cleaned.append(text)
    return cleaned


def add_meeting(
    gw: Gateway,
    thesis: Row,
    held_on: date,
    *,
    attendees: Iterable[str] = (),
    notes: str | None = None,
    decisions: Iterable[str] = (),
    actions: Sequence[tuple[str, str | None]] = (),
    next_on: date | None = None,
) -> Row:
    """Record a supervision meeting; each action item becomes a task in the thesis's
    project (labelled ``thesis``, due at the next meeting) when it has one."""
    today = clock.today()
    if held_on > today:
        raise InvalidInput(
            f"a meeting on {held_on} has not happened yet; record it on the day "
            "(the last meeting's --next plans it)"
        )
    cadence = setting_value(gw.reader, "meeting-cadence")
    next_day = next_on or held_on + timedelta(days=cadence)
    if next_day <= held_on:
        raise InvalidInput(f"the next meeting ({next_day}) must come after this one ({held_on})")
    cleaned_notes = (notes or "").strip() or None
    if cleaned_notes and len(cleaned_notes) > words.MAX_DESCRIPTION_LENGTH:
        raise InvalidInput(f"the notes are longer than {words.MAX_DESCRIPTION_LENGTH} characters")
    values: dict[str, Any] = {
        "thesis_id": thesis["id"],
        "held_on": held_on,
        "attendees": json.dumps(_clean_list(attendees, "an attendee")),
        "notes": cleaned_notes,
        "decisions": json.dumps(_clean_list(decisions, "a decision")),
        "next_on": next_day,
        "created_at": clock.utcnow(),
    }
    values["id"] = gw.insert("thesis_meeting", values)
    project = None
    if thesis["project_id"] is not None and actions:
        project = gw.reader.rows(
            "SELECT * FROM project WHERE id = :id", {"id": thesis["project_id"]}
        )[0]
        if project["archived_at"] is not None:
            project = None  # an archived project takes no new work; the items stay here
    created: list[Row] = []
    for text, assignee in actions:
        action_text = clean_text(text, "an action item", words.MAX_TITLE_LENGTH)
        who = assignee.strip() if assignee and assignee.strip() else None
        task_key = task_id = None
        if project is not None:
            task_id, task_key = _action_task(gw, project, action_text, who, next_day)
        action_id = gw.insert(
            "thesis_action",
            {"meeting_id": values["id"], "text": action_text, "assignee": who, "task_id": task_id},
        )
        created.append({"id": action_id, "text": action_text, "assignee": who, "task": task_key})
    values["actions"] = created
    return values


def _action_task(
    gw: Gateway, project: Row, text: str, assignee: str | None, due: date
) -> tuple[int, str]:
    from pmtool.services import tasks

    member = None
    if assignee is not None:
        try:
            member = resolve.member(gw.reader, assignee)["name"]
        except (NotFound, Refused):
            member = None  # not a member of the workspace: the action keeps the name
    created = tasks.add_task(
        gw,
        project,
        text,
        assignee=member,
        labels=["thesis"],
        due=due,
        force=True,
    )
    return int(created["id"]), f"{project['key']}-{created['number']}"
