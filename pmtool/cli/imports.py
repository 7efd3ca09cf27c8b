"""`pmtool import taskwarrior|csv`: tasks from other tools, dry run first, all or nothing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from pmtool.cli.context import AppContext, pass_app
from pmtool.cli.output import Column, emit_rows, format_option
from pmtool.core.errors import InvalidInput

PLAN_COLUMNS = [
    Column("action", "ACTION"),
    Column("record", "RECORD", keep_width=True),
    Column("key", "KEY", keep_width=True),
    Column("title", "TITLE", flexible=True),
    Column("status", "STATUS", drop_order=3),
    Column("points", "PTS", align_right=True, drop_order=2),
    Column("labels", "LABELS", drop_order=1),
    Column("notes", "NOTES", drop_order=4),
]


@click.group("import")
def import_group() -> None:
    """Import tasks from Taskwarrior or from a CSV file or spreadsheet (Jira, GitHub, ...).

    A dry run by default: it shows what would be added and skipped, and writes nothing.
    --apply adds every task in one command (one `pmtool undo` takes them all back), or,
    if any record is refused, none. Importing the same file again adds nothing twice.
    """


def _read_text(file: str) -> str:
    from pmtool.services.imports import MAX_IMPORT_BYTES, check_file_size

    if file == "-":
        data = (
            sys.stdin.buffer.read(MAX_IMPORT_BYTES + 1)
            if hasattr(sys.stdin, "buffer")
            else (sys.stdin.read(MAX_IMPORT_BYTES + 1).encode())
        )
        if len(data) > MAX_IMPORT_BYTES:
            raise InvalidInput(f"stdin holds more than {MAX_IMPORT_BYTES // 1024 // 1024} MB")
    else:
        path = _existing_file(file)
        check_file_size(path)
        data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(f"{file} is not UTF-8 text (byte {error.start})") from None


def _existing_file(file: str) -> Path:
    path = Path(file)
    if not path.is_file():
        raise InvalidInput(f"no file {file}")
    return path


def _finish(app: AppContext, plan: Any, apply: bool, force: bool, fmt: str) -> None:
    """Show the plan; with --apply, write it (one command) first."""
    from pmtool.services.imports import PLAN_FIELDS, apply_plan

    if apply and plan.to_add:
        with app.writing() as gw:
            keys = apply_plan(gw, plan, force=force)
        for planned, key in zip(plan.to_add, keys, strict=True):
            planned.action, planned.key = "added", key
    rows = [planned.as_row() for planned in plan.tasks]
    if fmt != "table":
        emit_rows(rows, fmt, PLAN_COLUMNS, fields=PLAN_FIELDS)
        return
    if rows:
        emit_rows(rows, fmt, PLAN_COLUMNS)
    for line in import_summary(plan, apply):
        click.echo(line)


def import_summary(plan: Any, applied: bool) -> list[str]:
    added = [task for task in plan.tasks if task.action in ("add", "added")]
    verb = "Added" if applied else "Would add"
    where = plan.project["key"]
    lines = [f"{verb} {len(added)} tasks to {where}" + (
        f": {added[0].key} to {added[-1].key}" if applied and added else ""
    )]  # fmt: skip
    if plan.already_imported:
        lines.append(f"Skipped {len(plan.already_imported)} imported before")
    for record, why in plan.skipped:
        lines.append(f"Skipped {record}: {why}")
    if plan.ignored:
        ignored = ", ".join(f"{name} ({count})" for name, count in sorted(plan.ignored.items()))
        lines.append(f"Ignored: {ignored}")
    if not applied:
        lines.append("Nothing written: run again with --apply to import.")
    return lines


@import_group.command("taskwarrior")
@click.argument("file")
@click.option("--apply", is_flag=True, help="Write the tasks (default: a dry run).")
@click.option("--force", is_flag=True, help="Let tasks into statuses past their WIP limit.")
@click.option(
    "--uda",
    "uda_labels",
    multiple=True,
    metavar="NAME",
    help="Keep this user-defined attribute as a label NAME:value (repeatable).",
)
@click.option("--points-uda", metavar="NAME", help="Take story points from this UDA.")
@format_option
@pass_app
def import_taskwarrior(
    app: AppContext,
    file: str,
    apply: bool,
    force: bool,
    uda_labels: tuple[str, ...],
    points_uda: str | None,
    fmt: str,
) -> None:
    """Import Taskwarrior's `task export` (JSON; FILE or - for stdin).

    description becomes the title, tags (and project, as project:NAME) labels,
    priority H/M/L high/medium/low, due the due date; pending and waiting tasks go to
    the first status, started ones to in_progress, completed ones to done; deleted
    tasks and recurrence templates are skipped. Annotations, entry and end go into the
    description. Other attributes (and UDAs not kept with --uda) are reported as
    ignored. A task is known by its uuid: importing again adds only new tasks.

    \b
    Example:
      pmtool import taskwarrior tasks.json      # made by: task export > tasks.json
      pmtool import taskwarrior tasks.json --apply --uda reviewer
    """
    from pmtool.services.imports import plan_taskwarrior, read_taskwarrior

    records = read_taskwarrior(_read_text(file))
    with app.reading() as reader:
        project = app.project_row(reader)
        plan = plan_taskwarrior(
            reader, project, records, uda_labels=uda_labels, points_uda=points_uda
        )
    _finish(app, plan, apply, force, fmt)


@import_group.command("csv")
@click.argument("file")
@click.option("--apply", is_flag=True, help="Write the tasks (default: a dry run).")
@click.option("--force", is_flag=True, help="Let tasks into statuses past their WIP limit.")
@click.option(
    "--map",
    "column_map",
    multiple=True,
    metavar="FIELD=COLUMN,...",
    help="Which column holds which field: title, description, points, type, priority, "
    "assignee, labels, due, sprint, status, id (repeatable).",
)
@click.option("--date-format", metavar="FORMAT", help="strptime format of the due dates.")
@click.option("--sheet", metavar="NAME", help="The sheet of an .xlsx file (default: the first).")
@format_option
@pass_app
def import_csv(
    app: AppContext,
    file: str,
    apply: bool,
    force: bool,
    column_map: tuple[str, ...],
    date_format: str | None,
    sheet: str | None,
    fmt: str,
) -> None:
    """Import tasks from a CSV file or an .xlsx spreadsheet, e.g. a Jira or GitHub export.

    Without --map the columns must be named like the fields (title, points, ...); with
    --map, the mapped columns are read and the others ignored (and reported). A column
    mapped to labels may appear several times (Jira); cells split at , and ;. Types and
    priorities take the usual words (Story, Bug, Highest, Minor, ...); due dates are ISO
    (2026-12-01), day.month.year, Jira's 01/Dec/26 or --date-format. A row is known by
    its id column (--map id=...) or else by its content, so importing the same file
    again adds nothing twice.

    \b
    Example:
      pmtool import csv jira.csv --map "title=Summary,points=Story Points,id=Issue key"
      pmtool import csv backlog.xlsx --sheet Backlog --apply
    """
    from pmtool.exports.tables import read_table
    from pmtool.services.imports import check_file_size, parse_column_map, plan_rows

    mapping = parse_column_map(column_map)
    path = _existing_file(file)
    check_file_size(path)
    header, rows = read_table(path, sheet=sheet)
    with app.reading() as reader:
        project = app.project_row(reader)
        plan = plan_rows(reader, project, header, rows, mapping, date_format=date_format)
    _finish(app, plan, apply, force, fmt)


# `import` is a Python keyword: the command's module-level name, as COMMAND_MODULES
# (cli/__init__.py) looks it up, is set here.
globals()["import"] = import_group
