"""`pmtool sprint` and `pmtool velocity`."""

from __future__ import annotations

from datetime import date

import click

from pmtool.cli.context import AppContext, pass_app
from pmtool.cli.output import Column, emit_object, emit_rows, format_option
from pmtool.cli.params import COUNT, DATE, DESCRIPTION, DURATION
from pmtool.core.words import SPRINT_STATUSES

SPRINT_COLUMNS = [
    Column("name", "SPRINT"),
    Column("status", "STATUS"),
    Column("start", "START", keep_width=True),
    Column("end", "END", keep_width=True),
    Column("tasks", "TASKS", align_right=True, drop_order=2),
    Column("done_points", "DONE", align_right=True),
    Column("points", "POINTS", align_right=True),
    Column("capacity", "CAPACITY", align_right=True, drop_order=1),
    Column("goal", "GOAL", flexible=True, drop_order=3),
]


@click.group()
def sprint() -> None:
    """Sprints: plan, start (one active per project), close with carry-over, burndown."""


@sprint.command("add")
@click.argument("name")
@click.option("--start", type=DATE, required=True, help="First day: 2026-12-01, monday, +1w, ...")
@click.option("--end", type=DATE, help="Last day (or give --length).")
@click.option("--length", type=DURATION, help="Length instead of --end, e.g. 2w or 10d.")
@click.option("--goal", type=DESCRIPTION, help="The sprint goal.")
@click.option("--capacity", type=int, help="Points the team can take on.")
@pass_app
def sprint_add(
    app: AppContext,
    name: str,
    start: date,
    end: date | None,
    length: str | None,
    goal: str | None,
    capacity: int | None,
) -> None:
    """Plan a sprint.

    \b
    Example:
      pmtool sprint add "Sprint 4" --start monday --length 2w --goal "Cohort frozen"
    """
    from pmtool.core.dates import parse_duration_end
    from pmtool.services import sprints

    if (end is None) == (length is None):
        raise click.UsageError("give either --end or --length")
    last_day = end if end is not None else parse_duration_end(str(length), start)
    with app.writing() as gw:
        chosen = app.project_row(gw.reader)
        created = sprints.add_sprint(
            gw, chosen, name, start=start, end=last_day, goal=goal, capacity=capacity
        )
    click.echo(f"Planned {created['name']}: {created['start_date']} to {created['end_date']}")


@sprint.command("edit")
@click.argument("name")
@click.option("--goal", type=DESCRIPTION, help="New sprint goal.")
@click.option("--capacity", type=int, help="Points the team can take on.")
@click.option("--start", type=DATE, help="New first day (only before the sprint starts).")
@click.option("--end", type=DATE, help="New last day.")
@pass_app
def sprint_edit(
    app: AppContext,
    name: str,
    goal: str | None,
    capacity: int | None,
    start: date | None,
    end: date | None,
) -> None:
    """Change a sprint's goal, capacity or dates.

    \b
    Example:
      pmtool sprint edit "Sprint 4" --capacity 34
    """
    from pmtool.services import resolve, sprints

    if goal is None and capacity is None and start is None and end is None:
        raise click.UsageError("nothing to change: give --goal, --capacity, --start or --end")
    with app.writing() as gw:
        chosen = app.project_row(gw.reader)
        target = resolve.sprint(gw.reader, chosen["id"], name)
        sprints.edit_sprint(gw, target, goal=goal, capacity=capacity, start=start, end=end)
    click.echo(f"Updated {target['name']}")


@sprint.command("start")
@click.argument("name")
@pass_app
def sprint_start(app: AppContext, name: str) -> None:
    """Start a planned sprint (only one sprint per project is active at a time).

    The points in the sprint now are its commitment, used by burndown and velocity.

    \b
    Example:
      pmtool sprint start "Sprint 4"
    """
    from pmtool.services import resolve, sprints

    with app.writing() as gw:
        chosen = app.project_row(gw.reader)
        started = sprints.start_sprint(gw, resolve.sprint(gw.reader, chosen["id"], name))
    click.echo(f"Started {started['name']} (ends {started['end_date']})")


@sprint.command("close")
@click.argument("name")
@click.option(
    "--carry-over",
    "carry_to",
    metavar="SPRINT",
    help="Move unfinished tasks to this sprint (default: back to the backlog).",
)
@pass_app
def sprint_close(app: AppContext, name: str, carry_to: str | None) -> None:
    """Close the active sprint; unfinished tasks go to --carry-over or the backlog.

    \b
    Example:
      pmtool sprint close "Sprint 4" --carry-over "Sprint 5"
    """
    from pmtool.services import resolve, sprints

    with app.writing() as gw:
        chosen = app.project_row(gw.reader)
        result = sprints.close_sprint(
            gw,
            resolve.sprint(gw.reader, chosen["id"], name),
            carry_to=carry_to,
        )
    click.echo(
        f"Closed {result.sprint['name']}: {result.completed_tasks} tasks, "
        f"{result.completed_points} points done"
    )
    if result.carried_keys:
        where = result.carried_to or "the backlog"
        click.echo(f"Carried over to {where}: {', '.join(result.carried_keys)}")


@sprint.command("rm")
@click.argument("name")
@pass_app
def sprint_rm(app: AppContext, name: str) -> None:
    """Remove a sprint planned by mistake (only a planned sprint with no tasks in it).

    \b
    Example:
      pmtool sprint rm "Sprint 9"
    """
    from pmtool.services import resolve, sprints

    with app.writing() as gw:
        chosen = app.project_row(gw.reader)
        target = resolve.sprint(gw.reader, chosen["id"], name)
        sprints.remove_sprint(gw, target)
    click.echo(f"Removed {target['name']} (pmtool undo restores)")


@sprint.command("list")
@click.option(
    "--status",
    type=click.Choice(SPRINT_STATUSES),
    help="Only sprints in this state.",
)
@format_option
@pass_app
def sprint_list(app: AppContext, status: str | None, fmt: str) -> None:
    """List sprints with their points.

    JSON fields: name start end status goal capacity tasks points done_points project
    started closed.

    \b
    Example:
      pmtool sprint list --format json
    """
    from pmtool.services.read import sprints

    with app.reading() as reader:
        project_id, _ = app.project_ref(reader)
        rows = sprints.list_sprints(reader, project_id, status=status)
    emit_rows(
        rows,
        fmt,
        SPRINT_COLUMNS,
        empty_message="No sprints yet: pmtool sprint add NAME --start DATE --length 2w",
        fields=sprints.SPRINT_FIELDS,
    )


@sprint.command("show")
@click.argument("name", default="current")
@format_option
@pass_app
def sprint_show(app: AppContext, name: str, fmt: str) -> None:
    """Show a sprint (default: the active one) with its work by status.

    \b
    Example:
      pmtool sprint show current
    """
    from pmtool.core import clock
    from pmtool.services.read import sprints

    with app.reading() as reader:
        project_id, _ = app.project_ref(reader)
        record = sprints.show_sprint(reader, project_id, name, clock.today())
    if fmt == "table":
        record["by_status"] = [
            f"{row['status']} {row['tasks']} ({row['points']} pts)" for row in record["by_status"]
        ]
    emit_object(record, fmt)


@sprint.command("burndown")
@click.argument("name", default="current")
@format_option
@pass_app
def sprint_burndown(app: AppContext, name: str, fmt: str) -> None:
    """Remaining points per day against the ideal line, from the change history.

    Re-estimates, scope changes and tasks reopened after done are all counted on the
    day they happened.

    \b
    Example:
      pmtool sprint burndown "Sprint 4" --format csv
    """
    from pmtool.core import clock
    from pmtool.services.read import metrics

    with app.reading() as reader:
        project_id, _ = app.project_ref(reader)
        record, committed, rows = metrics.burndown(
            reader, project_id, name, clock.today(), clock.utcnow()
        )
    if fmt != "table":
        emit_rows(rows, fmt)
        return
    click.echo(f"{record['name']}: committed {committed} points")
    emit_rows(rows, fmt, _burndown_columns(rows, committed))


def _burndown_columns(rows: list[dict[str, object]], committed: int) -> list[Column]:
    """Adds a bar per day so the table reads as a chart."""
    from pmtool.cli.output import plain_output

    scale = max([committed, *(int(row["scope"] or 0) for row in rows)]) or 1  # type: ignore[call-overload]
    bar = "#" if plain_output() else "█"  # block characters only on a terminal
    for row in rows:
        remaining = row["remaining"]
        row["chart"] = "" if remaining is None else bar * round(30 * int(remaining) / scale)  # type: ignore[call-overload]
    return [
        Column("date", "DATE", keep_width=True),
        Column("remaining", "REMAINING", align_right=True),
        Column("ideal", "IDEAL", align_right=True),
        Column("completed", "DONE", align_right=True),
        Column("scope", "SCOPE", align_right=True),
        Column("chart", "", flexible=True),
    ]


@click.command()
@click.option("--last", type=COUNT, help="Only the last N closed sprints.")
@format_option
@pass_app
def velocity(app: AppContext, last: int | None, fmt: str) -> None:
    """Committed against completed points of each closed sprint.

    Committed is what the sprint held when it started; completed is what was done when
    it closed; added is scope that came in during the sprint.

    \b
    Example:
      pmtool velocity --last 5
    """
    from pmtool.services.read import metrics

    with app.reading() as reader:
        project_id, _ = app.project_ref(reader)
        rows = metrics.velocity(reader, project_id, last=last)
    emit_rows(
        rows,
        fmt,
        [
            Column("sprint", "SPRINT"),
            Column("start", "START"),
            Column("end", "END"),
            Column("committed", "COMMITTED", align_right=True),
            Column("completed", "COMPLETED", align_right=True),
            Column("added", "ADDED", align_right=True),
            Column("completion", "RATIO", align_right=True),
        ],
        empty_message="No closed sprints yet.",
        fields=metrics.VELOCITY_FIELDS,
    )
    average = metrics.average_velocity(rows)
    if fmt == "table" and average is not None:
        click.echo(f"Average of the last {min(3, len(rows))}: {average} points")
