"""The TUI's changes, each one audited command through the same services as the CLI.

A :class:`WriteRequest` is built on the event loop and applied in a worker inside
``storage.gateway.writing``; the services are imported there, never on the way to
the first paint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from pmtool.core.words import CLEAR

if TYPE_CHECKING:
    from pmtool.storage.gateway import Gateway


@dataclass(frozen=True)
class Outcome:
    message: str
    focus: str | None = None  # the task key the cursor should follow
    quiet: bool = False  # the screen shows the change itself: no notification


@dataclass(frozen=True)
class Moved:
    """A card went to another status (the board shows it without re-reading)."""

    key: str
    status: str


@dataclass(frozen=True)
class Ranked:
    key: str
    anchor: str
    before: bool


@dataclass(frozen=True)
class WriteRequest:
    summary: str  # recorded as the command, e.g. "tui: task move PM-3 done"
    apply: Callable[[Gateway], Outcome]
    focus: str | None = None
    effect: Moved | Ranked | None = None  # what the screen can show once it is written


def move(key: str, status: str, *, force: bool = False, reason: str | None = None) -> WriteRequest:
    def apply(gw: Gateway) -> Outcome:
        from pmtool.services import resolve, tasks

        result = tasks.move_task(
            gw, resolve.task(gw.reader, key), status, force=force, reason=reason
        )
        message = f"{key}: {result.old_status} → {result.new_status}"
        checklist = result.definition_of_done
        if checklist:
            message += "\nCheck the definition of done:" + "".join(
                f"\n☐ {item}" for item in checklist[:3]
            )
            if len(checklist) > 3:
                message += f"\n… {len(checklist) - 3} more (`pmtool dod show`)"
        return Outcome(message, key, quiet=not checklist)

    flag = " --force" if force else ""
    if reason:
        flag += f" --reason {reason!r}"
    return WriteRequest(f"tui: task move {key} {status}{flag}", apply, key, Moved(key, status))


def rank(key: str, *, before: str | None = None, after: str | None = None) -> WriteRequest:
    def apply(gw: Gateway) -> Outcome:
        from pmtool.services import resolve, tasks

        tasks.rank_task(
            gw,
            resolve.task(gw.reader, key),
            before=resolve.task(gw.reader, before) if before else None,
            after=resolve.task(gw.reader, after) if after else None,
        )
        where = f"before {before}" if before else f"after {after}"
        return Outcome(f"{key} ranked {where}", key, quiet=True)

    option = f"--before {before}" if before else f"--after {after}"
    effect = Ranked(key, str(before or after), before is not None)
    return WriteRequest(f"tui: task rank {key} {option}", apply, key, effect)


def remove(key: str) -> WriteRequest:
    def apply(gw: Gateway) -> Outcome:
        from pmtool.services import resolve, tasks

        tasks.remove_task(gw, resolve.task(gw.reader, key))
        return Outcome(f"Removed {key} (undo with ctrl+z or `pmtool undo`)")

    return WriteRequest(f"tui: task rm {key}", apply)


def assign_sprint(key: str, sprint: str | None) -> WriteRequest:
    def apply(gw: Gateway) -> Outcome:
        from pmtool.services import resolve, tasks

        tasks.edit_task(gw, resolve.task(gw.reader, key), sprint=sprint if sprint else CLEAR)
        return Outcome(f"{key} → {sprint or 'the backlog'}", key)

    return WriteRequest(f"tui: task edit {key} --sprint {sprint or 'none'}", apply, key)


def estimate(key: str, points: int | None) -> WriteRequest:
    def apply(gw: Gateway) -> Outcome:
        from pmtool.services import resolve, tasks

        tasks.edit_task(
            gw, resolve.task(gw.reader, key), points=CLEAR if points is None else points
        )
        shown = "no estimate" if points is None else f"{points} points"
        return Outcome(f"{key}: {shown}", key)

    shown = "none" if points is None else str(points)
    return WriteRequest(f"tui: task edit {key} --points {shown}", apply, key)


@dataclass(frozen=True)
class TaskForm:
    """What the task editor returns: every field, as typed and checked."""

    title: str
    task_type: str = "task"
    priority: str = "medium"
    status: str | None = None
    points: int | None = None
    assignee: str | None = None
    labels: tuple[str, ...] = ()
    due: date | None = None
    sprint: str | None = None
    parent: str | None = None
    description: str | None = None


def create(form: TaskForm, project_key: str) -> WriteRequest:
    def apply(gw: Gateway) -> Outcome:
        from pmtool.services import resolve, tasks

        project = resolve.project(gw.reader, project_key)
        created = tasks.add_task(
            gw,
            project,
            form.title,
            points=form.points,
            task_type=form.task_type,
            priority=form.priority,
            assignee=form.assignee,
            labels=list(form.labels),
            due=form.due,
            sprint=form.sprint,
            parent=form.parent,
            description=form.description,
            status=form.status,
        )
        return Outcome(f"Created {created['key']}", created["key"])

    return WriteRequest(f"tui: task add {form.title!r}", apply)


@dataclass(frozen=True)
class TaskChanges:
    """The difference between a task as loaded and as edited."""

    fields: dict[str, Any] = field(default_factory=dict)
    status: str | None = None

    @property
    def empty(self) -> bool:
        return not self.fields and self.status is None


def changes_between(original: dict[str, Any], form: TaskForm) -> TaskChanges:
    """Only the fields the user changed, as edit_task keywords (and a new status)."""
    fields: dict[str, Any] = {}

    def compare(name: str, keyword: str, new: Any) -> None:
        if new != original.get(name):
            fields[keyword] = CLEAR if new is None else new

    if form.title != original["title"]:
        fields["title"] = form.title
    compare("description", "description", form.description)
    compare("points", "points", form.points)
    if form.task_type != original["type"]:
        fields["task_type"] = form.task_type
    if form.priority != original["priority"]:
        fields["priority"] = form.priority
    compare("assignee", "assignee", form.assignee)
    old_labels, new_labels = list(original["labels"]), list(form.labels)
    added = [label for label in new_labels if label not in old_labels]
    removed = [label for label in old_labels if label not in new_labels]
    if added:
        fields["add_labels"] = added
    if removed:
        fields["remove_labels"] = removed
    old_due = original.get("due")
    new_due = form.due.isoformat() if form.due else None
    if new_due != old_due:
        fields["due"] = CLEAR if form.due is None else form.due
    compare("sprint", "sprint", form.sprint)
    compare("parent", "parent", form.parent)
    status = form.status if form.status and form.status != original["status"] else None
    return TaskChanges(fields, status)


def edit(
    key: str,
    changes: TaskChanges,
    expected_updated_at: str | None = None,
    *,
    expected_version: int | None = None,
) -> WriteRequest:
    """Apply an editor's changes, refused if the task changed since it was loaded
    (its version moved on, or its update time when the version is not known)."""

    def apply(gw: Gateway) -> Outcome:
        from pmtool.core.errors import Conflict
        from pmtool.core.values import iso_timestamp
        from pmtool.services import resolve, tasks

        task = resolve.task(gw.reader, key)
        stale_time = expected_updated_at and iso_timestamp(task["updated_at"]) != iso_timestamp(
            expected_updated_at
        )
        if expected_version is None and stale_time:
            raise Conflict(f"{key} was changed by someone else since you read it; reload it")
        tasks.edit_task(gw, task, expected_version=expected_version, **changes.fields)
        if changes.status is not None:
            tasks.move_task(gw, task, changes.status)
        return Outcome(f"Saved {key}", key)

    names = sorted({name.replace("_labels", "") for name in changes.fields})
    if changes.status:
        names.append("status")
    return WriteRequest(f"tui: task edit {key} ({', '.join(names)})", apply, key)


def start_sprint(project_key: str, name: str) -> WriteRequest:
    def apply(gw: Gateway) -> Outcome:
        from pmtool.services import resolve, sprints

        project_id = resolve.project(gw.reader, project_key)["id"]
        started = sprints.start_sprint(gw, resolve.sprint(gw.reader, project_id, name))
        return Outcome(f"Started {started['name']} (ends {started['end_date']})")

    return WriteRequest(f"tui: sprint start {name!r}", apply)


def close_sprint(project_key: str, name: str, carry_to: str | None) -> WriteRequest:
    def apply(gw: Gateway) -> Outcome:
        from pmtool.services import resolve, sprints

        project_id = resolve.project(gw.reader, project_key)["id"]
        result = sprints.close_sprint(
            gw, resolve.sprint(gw.reader, project_id, name), carry_to=carry_to
        )
        message = (
            f"Closed {result.sprint['name']}: {result.completed_tasks} tasks, "
            f"{result.completed_points} points done"
        )
        if result.carried_keys:
            message += f"\nCarried to {result.carried_to or 'the backlog'}: " + ", ".join(
                result.carried_keys
            )
        return Outcome(message)

    return WriteRequest(f"tui: sprint close {name!r} --carry-over {carry_to or 'backlog'}", apply)


def undo() -> WriteRequest:
    def apply(gw: Gateway) -> Outcome:
        from pmtool.services.audit import undo_last_command

        result = undo_last_command(gw)
        return Outcome(f"Undid #{result.command_id}: {result.summary}")

    return WriteRequest("tui: undo", apply)


def warm_up() -> None:
    """Import the write side (the gateway, the services) ahead of the first change."""
    from pmtool.services import audit, resolve, sprints, tasks  # noqa: F401


# --- approvals (the Approvals screen) ---------------------------------------------------------


def approval_submit(approval_id: int, reference: str | None) -> WriteRequest:
    def apply(gw: Gateway) -> Outcome:
        from pmtool.services import approvals, resolve

        record = resolve.approval(gw.reader, approval_id)
        approvals.submit(gw, record, reference=reference)
        return Outcome(f"Approval {approval_id} submitted ({record['reference']})")

    ref = f" --ref {reference!r}" if reference else ""
    return WriteRequest(f"tui: approval submit {approval_id}{ref}", apply)


def approval_review(approval_id: int) -> WriteRequest:
    def apply(gw: Gateway) -> Outcome:
        from pmtool.services import approvals, resolve

        approvals.start_review(gw, resolve.approval(gw.reader, approval_id))
        return Outcome(f"Approval {approval_id} is under review")

    return WriteRequest(f"tui: approval review {approval_id}", apply)


def approval_decide(
    approval_id: int,
    outcome: str,
    *,
    valid_until: date | None = None,
    conditions: tuple[str, ...] = (),
) -> WriteRequest:
    def apply(gw: Gateway) -> Outcome:
        from pmtool.services import approvals, resolve

        state = approvals.decide(
            gw,
            resolve.approval(gw.reader, approval_id),
            outcome,
            valid_until=valid_until,
            conditions=conditions,
        )
        return Outcome(f"Approval {approval_id}: {state.replace('_', ' ')}")

    until = f" --valid-until {valid_until}" if valid_until else ""
    count = f" ({len(conditions)} conditions)" if conditions else ""
    return WriteRequest(f"tui: approval decide {approval_id} {outcome}{until}{count}", apply)


def approval_condition_met(approval_id: int, number: int, evidence: str) -> WriteRequest:
    def apply(gw: Gateway) -> Outcome:
        from pmtool.services import approvals, resolve

        approved = approvals.meet_condition(
            gw, resolve.approval(gw.reader, approval_id), number, evidence=evidence
        )
        message = f"Condition {number} of approval {approval_id} met"
        if approved:
            message += f"\nApproval {approval_id} is approved: every condition is met"
        return Outcome(message)

    return WriteRequest(f"tui: approval condition met {approval_id} {number}", apply)


# -- Clinical partners (docs/partners.md): summaries name people by #id, never by name ----


def move_stakeholder(stakeholder_id: int, power: int, interest: int) -> WriteRequest:
    def apply(gw: Gateway) -> Outcome:
        from pmtool.services import partners, resolve

        person = resolve.stakeholder(gw.reader, f"#{stakeholder_id}")
        before, after = partners.move_stakeholder(gw, person, power=power, interest=interest)
        where = after if before == after else f"{before} → {after}"
        return Outcome(
            f"{person['name']}: power {power}, interest {interest} ({where})", quiet=True
        )

    return WriteRequest(
        f"tui: stakeholder move #{stakeholder_id} --power {power} --interest {interest}", apply
    )


def log_contact(
    stakeholder_id: int, project_key: str, kind: str, summary: str, follow_up: date | None
) -> WriteRequest:
    def apply(gw: Gateway) -> Outcome:
        from pmtool.services import partners, resolve

        person = resolve.stakeholder(gw.reader, f"#{stakeholder_id}")
        project = resolve.project(gw.reader, project_key, for_changes=False)
        contact = partners.log_contact(
            gw,
            person,
            kind=kind,
            summary=summary,
            follow_up=follow_up,
            project_id=project["id"],
        )
        due = f"; follow up by {follow_up}" if follow_up else ""
        return Outcome(f"Logged contact #{contact['id']} with {person['name']}{due}")

    return WriteRequest(f"tui: stakeholder log #{stakeholder_id} --kind {kind}", apply)


def follow_up_task(contact_id: int, project_key: str) -> WriteRequest:
    def apply(gw: Gateway) -> Outcome:
        from pmtool.services import partners, resolve

        contact = resolve.contact(gw.reader, contact_id)
        project = resolve.project(gw.reader, project_key)
        created = partners.follow_up_task(gw, contact, project)
        key = f"{project['key']}-{created['number']}"
        return Outcome(f"Follow-up of contact #{contact_id} is now {key}", key)

    return WriteRequest(f"tui: stakeholder follow-up task {contact_id}", apply)


def thesis_milestone_done(thesis_id: int, number: int) -> WriteRequest:
    """Mark a thesis milestone done today (refused while it waits for others or approvals)."""

    def apply(gw: Gateway) -> Outcome:
        from pmtool.services import resolve
        from pmtool.services import thesis as theses

        record = resolve.thesis(gw.reader, str(thesis_id))
        milestone = resolve.thesis_milestone(gw.reader, record, str(number))
        theses.complete_milestone(gw, record, milestone)
        return Outcome(f"Thesis {thesis_id}: milestone {number} done ({milestone['title']})")

    return WriteRequest(f"tui: thesis milestone done {thesis_id} {number}", apply)
