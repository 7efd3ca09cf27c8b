"""`pmtool task`: add, list, show, edit, move, rank and remove tasks."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from pmtool.cli.context import AppContext, pass_app
from pmtool.cli.output import (
    Column,
    emit_object,
    emit_rows,
    format_option,
    stream_json_array,
    stream_rows,
    terminal_width,
)
from pmtool.cli.params import DATE, DATE_OR_NONE, DESCRIPTION
from pmtool.core.words import CLEAR, PRIORITIES, TASK_TYPES, is_none_word

# From this many columns on, task tables also show the kind of work and its priority.
WIDE_TERMINAL = 140
WIDE_TASK_COLUMNS = [Column("type", "TYPE"), Column("priority", "PRIORITY")]
TASK_COLUMNS = [
    Column("key", "KEY", keep_width=True),
    Column("status", "STATUS", keep_width=True),
    Column("points", "PTS", align_right=True),
    Column("title", "TITLE", flexible=True),
    Column("assignee", "ASSIGNEE"),
    Column("sprint", "SPRINT", drop_order=2),
    Column("due", "DUE", keep_width=True),
    Column("labels", "LABELS", drop_order=1),
]


@click.group()
def task() -> None:
    """Tasks: stories, bugs, tasks and spikes with keys such as PM-12."""


@task.command("add")
@click.argument("title")
@click.option("--points", type=int, help="Story points (0 or more).")
@click.option(
    "--type",
    "task_type",
    type=click.Choice(TASK_TYPES),
    default="task",
    show_default=True,
    help="What kind of work it is.",
)
@click.option(
    "--priority",
    type=click.Choice(PRIORITIES),
    default="medium",
    show_default=True,
    help="How urgent it is.",
)
@click.option("--assignee", metavar="NAME", help="A member (see `pmtool member list`).")
@click.option("--label", "labels", multiple=True, metavar="L", help="A label (repeatable).")
@click.option("--due", type=DATE, help="Due date: 2026-12-01, friday, +3d, ...")
@click.option(
    "--sprint", metavar="NAME", help="Plan into this sprint ('current' for the active one)."
)
@click.option("--parent", metavar="KEY-N", help="The epic or story this task belongs to.")
@click.option(
    "--description", "-d", type=DESCRIPTION, help="Longer text (at most 10,000 characters)."
)
@click.option("--status", help="Start in this status (default: backlog, or todo when in a sprint).")
@click.option("--force", is_flag=True, help="Add even if the status is at its WIP limit.")
@click.option(
    "--reason",
    type=DESCRIPTION,
    help="With --force: why work starts past an approval gate (audited).",
)
@pass_app
def task_add(
    app: AppContext,
    title: str,
    points: int | None,
    task_type: str,
    priority: str,
    assignee: str | None,
    labels: tuple[str, ...],
    due: date | None,
    sprint: str | None,
    parent: str | None,
    description: str | None,
    status: str | None,
    force: bool,
    reason: str | None,
) -> None:
    """Add a task and print its key (a note on stderr if its sprint is over capacity).

    With TITLE `-` it reads many tasks from stdin, one per line, and adds them
    in one transaction and one command (one `pmtool undo`); a bad line writes nothing
    and is named. A line is a JSON object ({"title": ..., "points": 3, "labels":
    [...], "due": "+1w", ...}) or tab-separated values: title, points, type,
    priority, assignee, labels (comma-separated), due, sprint; a first line that
    starts with `title` names the columns instead. Options given here are the
    defaults for every line.

    \b
    Example:
      pmtool task add "Define sepsis label (Sepsis-3)" --points 3 --type story \\
          --label data --sprint current --due +1w
      pmtool task add - --sprint current < new-tasks.tsv
    """
    from pmtool.services import batch, sprints, tasks

    if reason is not None and not force:
        raise click.UsageError("--reason goes with --force (it explains an override)")
    defaults: dict[str, Any] = {
        "points": points,
        "task_type": task_type,
        "priority": priority,
        "assignee": assignee,
        "labels": list(labels),
        "due": due,
        "sprint": sprint,
        "parent": parent,
        "description": description,
        "status": status,
    }
    if title == "-":
        specs = batch.parse_task_lines(_read_stdin(), defaults)
        with app.writing() as gw:
            chosen = app.project_row(gw.reader)
            created_rows = batch.add_tasks(gw, chosen, specs, force=force)
            warning = (
                sprints.over_capacity(gw, created_rows[-1]["sprint_id"]) if created_rows else None
            )
        for created in created_rows:
            click.echo(created["key"])
    else:
        with app.writing() as gw:
            chosen = app.project_row(gw.reader)
            created = tasks.add_task(gw, chosen, title, force=force, reason=reason, **defaults)
            warning = sprints.over_capacity(gw, created["sprint_id"])
        click.echo(created["key"])
    if warning:
        click.echo(f"Note: {warning}", err=True)


def _read_stdin() -> list[str]:
    """The lines of stdin, read whole before the transaction starts."""
    try:
        import sys

        return sys.stdin.read().splitlines()
    except UnicodeDecodeError:
        raise click.BadParameter(
            "the tasks on stdin are not UTF-8 text", param_hint="TITLE"
        ) from None


@task.command("list")
@click.option(
    "--status", "statuses", multiple=True, metavar="S", help="Only this status (repeatable)."
)
@click.option(
    "--sprint", metavar="NAME", help="Only this sprint; 'current' or 'none' (the backlog)."
)
@click.option("--assignee", metavar="A", help="Only this member; 'none' for unassigned.")
@click.option(
    "--label", "labels", multiple=True, metavar="L", help="Only tasks with this label (all given)."
)
@click.option("--overdue", is_flag=True, help="Only unfinished tasks past their due date.")
@click.option("--search", "text", metavar="TEXT", help="Only titles containing TEXT.")
@format_option
@pass_app
def task_list(
    app: AppContext,
    statuses: tuple[str, ...],
    sprint: str | None,
    assignee: str | None,
    labels: tuple[str, ...],
    overdue: bool,
    text: str | None,
    fmt: str,
) -> None:
    """List tasks in board order (by status, then rank).

    JSON fields: key title status points sprint assignee labels due type priority parent
    project created updated (docs/json-fields.md).

    \b
    Example:
      pmtool task list --sprint current --assignee Lena
      pmtool task list --overdue --format json
    """
    from pmtool.core import clock
    from pmtool.services.read.tasks import (
        TASK_FIELDS,
        iter_tasks,
        list_tasks,
        list_tasks_json,
    )

    filters = {
        "statuses": statuses,
        "sprint": sprint,
        "assignee": assignee,
        "labels": labels,
        "overdue_on": clock.today() if overdue else None,
        "text": text,
    }
    with app.reading() as reader:
        project_id, _ = app.project_ref(reader)
        if fmt in ("json", "csv"):
            # Streamed: rows go out as the database produces them.
            encoded = list_tasks_json(reader, project_id, **filters) if fmt == "json" else None
            if encoded is not None:
                stream_json_array(encoded)
            else:
                stream_rows(iter_tasks(reader, project_id, **filters), fmt, TASK_FIELDS)
            return
        rows = list_tasks(reader, project_id, **filters)
    columns = TASK_COLUMNS
    if fmt == "table" and terminal_width() >= WIDE_TERMINAL:
        columns = [*TASK_COLUMNS[:3], *WIDE_TASK_COLUMNS, *TASK_COLUMNS[3:]]
    emit_rows(rows, fmt, columns, empty_message="No tasks match.", fields=TASK_FIELDS)


@task.command("show")
@click.argument("key")
@format_option
@pass_app
def task_show(app: AppContext, key: str, fmt: str) -> None:
    """Show one task with its description and subtasks.

    \b
    Example:
      pmtool task show PM-3 --format json
    """
    from pmtool.services.read.tasks import task_row

    with app.reading() as reader:
        record = task_row(reader, key)
    if fmt != "table":
        emit_object(record, fmt)
        return
    description = record.pop("description")
    emit_object(record, fmt)
    if description:
        click.echo("")
        click.echo(description)


def _optional_int(value: str | None, what: str) -> Any:
    if value is None:
        return None
    if is_none_word(value):
        return CLEAR
    try:
        return int(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a whole number (or 'none')", param_hint=what
        ) from None


def _optional_text(value: str | None) -> Any:
    return CLEAR if is_none_word(value) else value


@task.command("edit")
@click.argument("keys", nargs=-1, required=True, metavar="KEY-N...")
@click.option("--title", help="New title.")
@click.option("--description", "-d", type=DESCRIPTION, help="New description ('none' clears it).")
@click.option("--points", help="Story points ('none' clears them).")
@click.option("--type", "task_type", type=click.Choice(TASK_TYPES), help="New kind of work.")
@click.option("--priority", type=click.Choice(PRIORITIES), help="New priority.")
@click.option("--assignee", metavar="NAME", help="A member, or 'none'.")
@click.option("--label", "add_labels", multiple=True, metavar="L", help="Add a label (repeatable).")
@click.option("--unlabel", "remove_labels", multiple=True, metavar="L", help="Remove a label.")
@click.option("--due", type=DATE_OR_NONE, help="Due date, or 'none'.")
@click.option("--sprint", metavar="NAME", help="Move to this sprint, or 'none' for the backlog.")
@click.option("--parent", metavar="KEY-N", help="Parent task, or 'none'.")
@click.option(
    "--requires",
    "requires",
    multiple=True,
    metavar="ID",
    help="Require this approval in force before the work starts or finishes (repeatable).",
)
@click.option(
    "--drop-requires",
    "drop_requires",
    multiple=True,
    metavar="ID",
    help="No longer require this approval.",
)
@click.option(
    "--if-version",
    "expected_version",
    type=click.IntRange(min=1, max=2**62),
    metavar="N",
    help="Refuse (exit 1) unless the task is still at version N (`task show` gives it).",
)
@pass_app
def task_edit(
    app: AppContext,
    keys: tuple[str, ...],
    title: str | None,
    description: str | None,
    points: str | None,
    task_type: str | None,
    priority: str | None,
    assignee: str | None,
    add_labels: tuple[str, ...],
    remove_labels: tuple[str, ...],
    due: Any,
    sprint: str | None,
    parent: str | None,
    requires: tuple[str, ...],
    drop_requires: tuple[str, ...],
    expected_version: int | None,
) -> None:
    """Change fields of one or more tasks (one undo step for all of them).

    --if-version makes the edit a compare-and-set for scripts: it is refused as a
    conflict, writing nothing, when someone changed the task since you read it.

    \b
    Example:
      pmtool task edit PM-3 --points 5 --assignee Lena --label imaging
      pmtool task edit PM-4 PM-5 --sprint "Sprint 3"
      pmtool task edit PM-3 --title "Freeze cohort v2" --if-version 4
      pmtool task edit PM-7 --requires 2    # gated until approval 2 is in force
    """
    from pmtool.services import approvals, resolve, sprints, tasks

    changes = {
        "title": title,
        "description": _optional_text(description),
        "points": _optional_int(points, "--points"),
        "task_type": task_type,
        "priority": priority,
        "assignee": _optional_text(assignee),
        "add_labels": list(add_labels),
        "remove_labels": list(remove_labels),
        "due": CLEAR if due == "none" else due,
        "sprint": _optional_text(sprint),
        "parent": _optional_text(parent),
    }
    nothing = all(value is None or value == [] for value in changes.values())
    if nothing and not requires and not drop_requires:
        raise click.UsageError("nothing to change: give at least one option (see --help)")
    if expected_version is not None and len(keys) > 1:
        raise click.UsageError("--if-version applies to one task at a time")
    with app.writing() as gw:
        edited = []
        for key in keys:
            row = resolve.task(gw.reader, key)
            if not nothing:
                tasks.edit_task(gw, row, expected_version=expected_version, **changes)
            for wanted in requires:
                approvals.require(gw, row, resolve.approval(gw.reader, wanted))
            for wanted in drop_requires:
                approvals.drop_requirement(gw, row, resolve.approval_number(wanted))
            edited.append(row)
        warning = sprints.over_capacity(gw, edited[-1]["sprint_id"]) if sprint else None
    click.echo(f"Updated {', '.join(row['key'] for row in edited)}")
    if warning:
        click.echo(f"Note: {warning}", err=True)


@task.command("move")
@click.argument("keys", nargs=-1, required=True, metavar="KEY-N...")
@click.argument("status")
@click.option(
    "--force",
    is_flag=True,
    help="Move past a WIP limit or, with --reason, an approval gate (audited).",
)
@click.option(
    "--reason",
    type=DESCRIPTION,
    help="Why gated work moves although a required approval is not in force (audited).",
)
@pass_app
def task_move(
    app: AppContext, keys: tuple[str, ...], status: str, force: bool, reason: str | None
) -> None:
    """Move tasks to STATUS (one undo step). Shows the definition of done on 'done'.

    Work that requires approvals (labels such as needs:ethics, `task edit --requires`)
    cannot move to in_progress or later while one of them is not in force; the refusal
    names the approval and its state. --force --reason TEXT overrides, recorded in
    `pmtool log`.

    \b
    Example:
      pmtool task move PM-3 in_progress
      pmtool task move PM-3 PM-4 done
      pmtool task move PM-7 in_progress --force --reason "DPO cleared the pilot by email"
    """
    from pmtool.services import tasks

    if not keys:
        raise click.UsageError("give at least one task key before the status")
    if reason is not None and not force:
        raise click.UsageError("--reason goes with --force (it explains an override)")
    with app.writing() as gw:
        results = tasks.move_tasks(gw, keys, status, force=force, reason=reason)
    for result in results:
        click.echo(f"{result.key}: {result.old_status} -> {result.new_status}")
    checklist = results[0].definition_of_done if results else []
    if checklist:
        click.echo("Definition of done:")
        for item in checklist:
            click.echo(f"  [ ] {item}")


@task.command("rank")
@click.argument("key")
@click.option("--top", "position", flag_value="top", help="First in its column.")
@click.option("--bottom", "position", flag_value="bottom", help="Last in its column.")
@click.option("--before", metavar="KEY-N", help="Just above this task.")
@click.option("--after", metavar="KEY-N", help="Just below this task.")
@pass_app
def task_rank(
    app: AppContext, key: str, position: str | None, before: str | None, after: str | None
) -> None:
    """Reorder a task within its column.

    \b
    Example:
      pmtool task rank PM-7 --top
      pmtool task rank PM-7 --before PM-3
    """
    from pmtool.services import resolve, tasks

    given = [value for value in (position, before, after) if value]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --top, --bottom, --before, --after")
    with app.writing() as gw:
        moving = resolve.task(gw.reader, key)
        tasks.rank_task(
            gw,
            moving,
            before=resolve.task(gw.reader, before) if before else None,
            after=resolve.task(gw.reader, after) if after else None,
            top=position == "top",
        )
    click.echo(f"Ranked {moving['key']}")


@task.command("rm")
@click.argument("keys", nargs=-1, required=True, metavar="KEY-N...")
@pass_app
def task_rm(app: AppContext, keys: tuple[str, ...]) -> None:
    """Remove tasks from the board and lists (kept in history; `pmtool undo` restores).

    \b
    Example:
      pmtool task rm PM-9
    """
    from pmtool.services import resolve, tasks

    with app.writing() as gw:
        removed = []
        for key in keys:
            row = resolve.task(gw.reader, key)
            tasks.remove_task(gw, row)
            removed.append(row["key"])
    click.echo(f"Removed {', '.join(removed)} (pmtool undo restores)")
