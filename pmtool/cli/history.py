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
    from pmtool.services.read.history import HISTORY_FIELDS, history
    from pmtool.services.values import local_minute

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
@pass_app
def undo(app: AppContext) -> None:
    """Revert the last command as a whole, by recording the opposite changes.

    History is never deleted: the undo is itself a command in `pmtool log`.
    Repeat to step further back.

    \b
    Example:
      pmtool undo
    """
    from pmtool.services.audit import undo_last_command

    with app.writing() as session:
        result = undo_last_command(session)
    click.echo(
        f"Undid #{result.command_id} ({result.summary}): {result.changes} change(s) reverted"
    )


COMMANDS = [log, undo]
