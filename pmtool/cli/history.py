"""`pmtool log` and `pmtool undo`."""

from __future__ import annotations

import click

from pmtool.cli.context import AppContext, pass_app
from pmtool.cli.output import Column, emit_rows, fit_line, format_option, plain, terminal_width
from pmtool.cli.params import COUNT

NARROW_LOG = 100  # below this many columns, `log` prints one line per change


def _change_line(row: dict[str, object]) -> str:
    """``2026-11-27 10:00 task PM-3 status: todo -> review  (lena, #12)``."""
    if row["action"] == "create":
        change = f"created {plain(row['new'])}"
    elif row["action"] == "delete":
        change = f"removed {plain(row['old'])}"
    elif row["action"] == "update":
        change = f"{row['field']}: {plain(row['old']) or '-'} -> {plain(row['new']) or '-'}"
    else:
        change = " ".join(str(part) for part in (row["action"], row["field"]) if part)
    return f"{row['at']}  {row['entity']}  {change}  ({row['actor']}, #{row['command']})"


@click.command()
@click.argument("key", required=False, metavar="[KEY-N]")
@click.option(
    "--limit",
    "-n",
    type=COUNT,
    default=50,
    show_default=True,
    help="How many changes to show.",
)
@click.option(
    "--include-personal",
    is_flag=True,
    help="Show personal values (names, contact details) whose person is not forgotten.",
)
@format_option
@pass_app
def log(app: AppContext, key: str | None, limit: int, include_personal: bool, fmt: str) -> None:
    """Show the change history, newest first: everything, or one task's.

    On a terminal narrower than 100 columns the table is one line per change.
    Personal data (stakeholders' names and contact details, members' email addresses)
    shows as "(personal)" unless --include-personal is given.

    \b
    Example:
      pmtool log PM-3
      pmtool log -n 200 --format csv
    """
    from pmtool.core.values import local_minute
    from pmtool.services.read.history import HISTORY_FIELDS, history

    with app.reading() as reader:
        rows = history(reader, task_key=key, limit=limit, include_personal=include_personal)
    if fmt == "table":
        for row in rows:
            row["at"] = local_minute(row["at"])
        width = terminal_width()
        if rows and width < NARROW_LOG:
            # Nine columns in under 100 cells truncate every one of them: one line per
            # change reads better.
            click.echo("\n".join(fit_line(_change_line(row), width) for row in rows))
            return
    emit_rows(
        rows,
        fmt,
        [
            Column("at", "WHEN", keep_width=True),
            Column("actor", "WHO", drop_order=4),
            Column("command", "#", align_right=True, drop_order=1),
            Column("entity", "WHAT", keep_width=True),
            Column("action", "DID", drop_order=2),
            Column("field", "FIELD"),
            Column("old", "OLD", drop_order=5),
            Column("new", "NEW"),
            Column("summary", "COMMAND", flexible=True, drop_order=3),
        ],
        empty_message="No history yet.",
        fields=HISTORY_FIELDS,
    )


@click.command()
@click.option(
    "--anyone",
    is_flag=True,
    help="Undo the newest command of whoever made it (default: your own newest).",
)
@pass_app
def undo(app: AppContext, anyone: bool) -> None:
    """Revert your last command as a whole, by recording the opposite changes.

    History is never deleted: the undo is itself a command in `pmtool log`.
    Repeat to step further back. In a shared database it undoes your own newest
    command (you are --as, PMTOOL_USER or git's user.name); --anyone undoes the
    newest command of anyone and says whose it was.

    \b
    Example:
      pmtool undo
      pmtool undo --anyone
    """
    from pmtool.services.audit import undo_last_command

    with app.writing() as gw:
        result = undo_last_command(gw, anyone=anyone)
        mine = result.actor == gw.actor
    whose = "" if mine else f" by {result.actor}"
    click.echo(
        f"Undid #{result.command_id}{whose} ({result.summary}): {result.changes} change(s) reverted"
    )


@click.command()
@pass_app
def redo(app: AppContext) -> None:
    """Take back your last undo (repeat to redo the undos before it).

    Only right after undos: once you have made another change, redo refuses rather
    than replay changes into a state they were not made in.

    \b
    Example:
      pmtool undo && pmtool redo
    """
    from pmtool.services.audit import redo_last_undo

    with app.writing() as gw:
        result = redo_last_undo(gw)
    redone = gw.summary.removeprefix("redo ")
    click.echo(f"Redid {redone.replace(': ', ' (', 1)}): {result.changes} change(s) replayed")
