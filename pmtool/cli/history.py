"""`pmtool log` and `pmtool undo`."""

from __future__ import annotations

import click

from pmtool.cli.context import AppContext, pass_app
from pmtool.cli.output import Column, emit_rows, format_option


@click.command()
@click.argument("key", required=False, metavar="[KEY-N]")
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="How many changes to show.",
)
@format_option
@pass_app
def log(app: AppContext, key: str | None, limit: int, fmt: str) -> None:
    """Show the change history, newest first: everything, or one task's.

    \b
    Example:
      pmtool log PM-3
      pmtool log -n 200 --format csv
    """
    from pmtool.core.values import local_minute
    from pmtool.services.read.history import HISTORY_FIELDS, history

    with app.reading() as reader:
        rows = history(reader, task_key=key, limit=limit)
    if fmt == "table":
        for row in rows:
            row["at"] = local_minute(row["at"])
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


COMMANDS = [log, undo]
