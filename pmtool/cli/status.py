"""`pmtool status`: what needs attention now, for people, scripts and cron jobs."""

from __future__ import annotations

import click

from pmtool.cli.context import AppContext, pass_app
from pmtool.cli.output import Column, emit_rows, format_option

STATUS_COLUMNS = [
    Column("level", "LEVEL"),
    Column("due", "DUE", keep_width=True),
    Column("text", "WHAT", flexible=True),
]
PROJECT_COLUMN = Column("project", "PROJECT", keep_width=True)
CHECK_FAILED = 3  # docs/exit-codes.md


@click.command("status")
@click.option("--all", "every_project", is_flag=True, help="Every project, not just one.")
@click.option(
    "--check",
    is_flag=True,
    help="Exit with 3 when something needs attention, 0 otherwise (for cron and CI).",
)
@format_option
@pass_app
def status(app: AppContext, every_project: bool, check: bool, fmt: str) -> None:
    """Show what needs attention: overdue tasks, sprints ending with unfinished work,
    workflow columns over their WIP limit (and what other areas add).

    The project is chosen as for other commands (-p KEY, PMTOOL_PROJECT, the default or
    the only one); --all covers every project. With --check the exit code is 3 when
    anything is listed, and a table prints nothing when all is well, so cron mails only
    news. A table ends with the progress of each compliance checklist.

    JSON fields: project kind level ref text due (docs/json-fields.md).

    \b
    Example:
      pmtool status
      pmtool status --all --check          # in cron: mails only when something is due
      pmtool status --format json | jq -r '.[] | select(.level == "late") | .text'
    """
    from pmtool.core import clock
    from pmtool.services.read.attention import ITEM_FIELDS, needs_attention

    with app.reading() as reader:
        project_ids = None if every_project else [app.project_ref(reader)[0]]
        items = needs_attention(reader, project_ids, clock.today())
        progress = []
        if fmt == "table" and not check:
            from pmtool.services.read.compliance import progress_lines

            ids = project_ids or [
                row[0] for row in reader.tuples("SELECT id FROM project ORDER BY key")
            ]
            progress = progress_lines(reader, ids, clock.today())
    columns = [PROJECT_COLUMN, *STATUS_COLUMNS] if every_project else STATUS_COLUMNS
    if not (check and fmt == "table" and not items):
        emit_rows(items, fmt, columns, empty_message="Nothing needs attention.", fields=ITEM_FIELDS)
    for line in progress:  # compliance checklists: how far each has come
        click.echo(f"Progress: {line}")
    if check and items:
        raise click.exceptions.Exit(CHECK_FAILED)
