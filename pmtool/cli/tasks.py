"""`pmtool task`: add, list, show, edit, move, rank and remove tasks."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from pmtool.cli.context import AppContext, pass_app
from pmtool.cli.output import Column, emit_object, emit_rows, format_option, json_array
from pmtool.cli.params import DATE, DATE_OR_NONE, DESCRIPTION
from pmtool.services.choices import PRIORITIES, TASK_TYPES

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
) -> None:
    """Add a task and print its key (a note on stderr if its sprint is over capacity).

    \b
    Example:
      pmtool task add "Define sepsis label (Sepsis-3)" --points 3 --type story \\
          --label data --sprint current --due +1w
    """
    from pmtool.services import projects, sprints, tasks

    with app.writing() as session:
        chosen = projects.get_project(session, app.project)
        created = tasks.add_task(
            session,
            chosen,
            title,
            points=points,
            task_type=task_type,
            priority=priority,
            assignee=assignee,
            labels=list(labels),
            due=due,
            sprint=sprint,
            parent=parent,
            description=description,
            status=status,
            force=force,
        )
        key = f"{chosen.key}-{created.number}"
        warning = sprints.over_capacity(session, created.sprint_id)
    click.echo(key)
    if warning:
        click.echo(f"Note: {warning}", err=True)


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
    from pmtool import clock
    from pmtool.services.read import projects
    from pmtool.services.read.tasks import TASK_FIELDS, list_tasks, list_tasks_json

    filters = {
        "statuses": statuses,
        "sprint": sprint,
        "assignee": assignee,
        "labels": labels,
        "overdue_on": clock.today() if overdue else None,
        "text": text,
    }
    with app.reading() as reader:
        project_id, _ = projects.resolve(reader, app.project)
        encoded = list_tasks_json(reader, project_id, **filters) if fmt == "json" else None
        rows = list_tasks(reader, project_id, **filters) if encoded is None else []
    if encoded is not None:
        click.echo(json_array(encoded))
        return
    emit_rows(rows, fmt, TASK_COLUMNS, empty_message="No tasks match.", fields=TASK_FIELDS)


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
    from pmtool.services.tasks import CLEAR

    if value is None:
        return None
    if value.strip().lower() in ("none", "-"):
        return CLEAR
    try:
        return int(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a whole number (or 'none')", param_hint=what
        ) from None


def _optional_text(value: str | None) -> Any:
    from pmtool.services.tasks import CLEAR

    if value is not None and value.strip().lower() in ("none", "-"):
        return CLEAR
    return value


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
) -> None:
    """Change fields of one or more tasks (one undo step for all of them).

    \b
    Example:
      pmtool task edit PM-3 --points 5 --assignee Lena --label imaging
      pmtool task edit PM-4 PM-5 --sprint "Sprint 3"
    """
    from pmtool.services import sprints, tasks

    changes = {
        "title": title,
        "description": _optional_text(description),
        "points": _optional_int(points, "--points"),
        "task_type": task_type,
        "priority": priority,
        "assignee": _optional_text(assignee),
        "add_labels": list(add_labels),
        "remove_labels": list(remove_labels),
        "due": tasks.CLEAR if due == "none" else due,
        "sprint": _optional_text(sprint),
        "parent": _optional_text(parent),
    }
    if all(value is None or value == [] for value in changes.values()):
        raise click.UsageError("nothing to change: give at least one option (see --help)")
    with app.writing() as session:
        edited = [tasks.edit_task(session, tasks.get_task(session, key), **changes) for key in keys]
        warning = sprints.over_capacity(session, edited[-1].sprint_id) if sprint else None
    click.echo(f"Updated {', '.join(key.upper() for key in keys)}")
    if warning:
        click.echo(f"Note: {warning}", err=True)


@task.command("move")
@click.argument("keys", nargs=-1, required=True, metavar="KEY-N...")
@click.argument("status")
@click.option("--force", is_flag=True, help="Move past a WIP limit (recorded in the audit trail).")
@pass_app
def task_move(app: AppContext, keys: tuple[str, ...], status: str, force: bool) -> None:
    """Move tasks to STATUS (one undo step). Shows the definition of done on 'done'.

    \b
    Example:
      pmtool task move PM-3 in_progress
      pmtool task move PM-3 PM-4 done
    """
    from pmtool.services import tasks

    if not keys:
        raise click.UsageError("give at least one task key before the status")
    with app.writing() as session:
        results = [
            tasks.move_task(session, tasks.get_task(session, key), status, force=force)
            for key in keys
        ]
        lines = [
            f"{tasks.task_key(session, r.task)}: {r.old_status} -> {r.new_status}" for r in results
        ]
    for line in lines:
        click.echo(line)
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
    from pmtool.services import tasks

    given = [value for value in (position, before, after) if value]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --top, --bottom, --before, --after")
    with app.writing() as session:
        moving = tasks.get_task(session, key)
        tasks.rank_task(
            session,
            moving,
            before=tasks.get_task(session, before) if before else None,
            after=tasks.get_task(session, after) if after else None,
            top=position == "top",
        )
    click.echo(f"Ranked {key.upper()}")


@task.command("rm")
@click.argument("keys", nargs=-1, required=True, metavar="KEY-N...")
@pass_app
def task_rm(app: AppContext, keys: tuple[str, ...]) -> None:
    """Remove tasks from the board and lists (kept in history; `pmtool undo` restores).

    \b
    Example:
      pmtool task rm PM-9
    """
    from pmtool.services import tasks

    with app.writing() as session:
        for key in keys:
            tasks.remove_task(session, tasks.get_task(session, key))
    click.echo(f"Removed {', '.join(key.upper() for key in keys)} (pmtool undo restores)")


COMMANDS = [task]
