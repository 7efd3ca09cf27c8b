"""`pmtool project`, `pmtool workflow` and `pmtool dod`."""

from __future__ import annotations

import click

from pmtool.cli.context import AppContext, pass_app
from pmtool.cli.output import Column, emit_object, emit_rows, format_option
from pmtool.cli.params import DESCRIPTION, WIP_LIMIT


@click.group()
def project() -> None:
    """Projects: each has a key (PM), its own task numbers, workflow and sprints."""


@project.command("add")
@click.argument("key")
@click.argument("name")
@click.option("--description", type=DESCRIPTION, help="One paragraph on the project's aim.")
@click.option(
    "--dod",
    "dod_items",
    multiple=True,
    metavar="ITEM",
    help="A definition-of-done item (repeatable).",
)
@click.option(
    "--dod-template",
    metavar="NAME",
    help="Start the definition of done from a shipped template, e.g. clinical-ai.",
)
@pass_app
def project_add(
    app: AppContext,
    key: str,
    name: str,
    description: str | None,
    dod_items: tuple[str, ...],
    dod_template: str | None,
) -> None:
    """Create a project with the default workflow (backlog todo in_progress review done).

    \b
    Example:
      pmtool project add SEPSIS "Sepsis early warning" --dod-template clinical-ai
    """
    from pmtool.services import projects
    from pmtool.services.templates import load_checklist

    items = list(load_checklist(dod_template)) if dod_template else []
    items += list(dod_items)
    with app.writing() as gw:
        created = projects.add_project(
            gw, key, name, description=description, definition_of_done=items
        )
    click.echo(f"Created project {created['key']}: {created['name']}")


@project.command("list")
@click.option("--all", "include_archived", is_flag=True, help="Archived projects too.")
@format_option
@pass_app
def project_list(app: AppContext, include_archived: bool, fmt: str) -> None:
    """List projects with their task counts and active sprint (archived ones with --all).

    \b
    Example:
      pmtool project list --format json
      pmtool project list --all
    """
    from pmtool.services.read.projects import list_projects

    with app.reading() as reader:
        rows = list_projects(reader, include_archived=include_archived)
    columns = [
        Column("key", "KEY"),
        Column("name", "NAME", flexible=True),
        Column("open_tasks", "OPEN", align_right=True),
        Column("tasks", "TASKS", align_right=True),
        Column("active_sprint", "ACTIVE SPRINT"),
        Column("default", "DEFAULT"),
    ]
    if include_archived:
        columns.append(Column("archived", "ARCHIVED", keep_width=True))
    emit_rows(
        rows,
        fmt,
        columns,
        empty_message='No projects yet. Create one: pmtool project add KEY "Name"',
    )


@project.command("edit")
@click.argument("key", required=False)
@click.option("--name", help="New name (the key stays: task keys are made of it).")
@click.option("--description", "-d", type=DESCRIPTION, help="New description ('' clears it).")
@pass_app
def project_edit(
    app: AppContext, key: str | None, name: str | None, description: str | None
) -> None:
    """Rename a project or change its description.

    \b
    Example:
      pmtool project edit SEPSIS --name "Sepsis early warning (ICU)"
    """
    from pmtool.services import projects, resolve

    if name is None and description is None:
        raise click.UsageError("nothing to change: give --name or --description")
    with app.writing() as gw:
        chosen = resolve.project(gw.reader, key or app.project)
        changed = projects.edit_project(gw, chosen, name=name, description=description)
    click.echo(f"Updated {chosen['key']}" if changed else f"{chosen['key']} is unchanged")


@project.command("archive")
@click.argument("key")
@pass_app
def project_archive(app: AppContext, key: str) -> None:
    """Archive a finished project: hidden from lists and defaults, closed to changes.

    Its tasks, sprints and history stay; `pmtool -p KEY ...` still reads them and
    `pmtool project unarchive KEY` opens it again.

    \b
    Example:
      pmtool project archive OLD
    """
    from pmtool.services import projects, resolve

    with app.writing() as gw:
        chosen = resolve.project(gw.reader, key, for_changes=False)
        projects.archive_project(gw, chosen)
    click.echo(f"Archived {chosen['key']} (pmtool project unarchive {chosen['key']} reopens it)")


@project.command("unarchive")
@click.argument("key")
@pass_app
def project_unarchive(app: AppContext, key: str) -> None:
    """Open an archived project for changes again.

    \b
    Example:
      pmtool project unarchive OLD
    """
    from pmtool.services import projects, resolve

    with app.writing() as gw:
        chosen = resolve.project(gw.reader, key, for_changes=False)
        projects.unarchive_project(gw, chosen)
    click.echo(f"{chosen['key']} is open for changes again")


@project.command("show")
@click.argument("key", required=False)
@format_option
@pass_app
def project_show(app: AppContext, key: str | None, fmt: str) -> None:
    """Show a project: workflow, WIP limits, definition of done, sprints.

    \b
    Example:
      pmtool project show PM
    """
    from pmtool.services import resolve
    from pmtool.services.read import projects

    with app.reading() as reader:
        project_id, _ = resolve.project_ref(reader, key or app.project)
        record = projects.show_project(reader, project_id)
    if fmt == "table":
        record = dict(record)
        record["workflow"] = [
            f"{c['status']} ({c['tasks']}{'/' + str(c['wip_limit']) if c['wip_limit'] else ''})"
            for c in record["workflow"]
        ]
    emit_object(record, fmt)


@project.command("use")
@click.argument("key")
@pass_app
def project_use(app: AppContext, key: str) -> None:
    """Make KEY the project commands use when -p/PMTOOL_PROJECT is not given.

    \b
    Example:
      pmtool project use SEPSIS
    """
    from pmtool.services import projects

    with app.writing() as gw:
        chosen = projects.use_project(gw, key)
    click.echo(f"Commands now use {chosen['key']} by default.")


@click.group()
def workflow() -> None:
    """The project's board columns (statuses), their order and WIP limits."""


@workflow.command("show")
@format_option
@pass_app
def workflow_show(app: AppContext, fmt: str) -> None:
    """List the statuses in order with WIP limits and task counts.

    \b
    Example:
      pmtool workflow show
    """
    from pmtool.services.read import projects

    with app.reading() as reader:
        project_id, _ = app.project_ref(reader)
        rows = projects.workflow(reader, project_id)
    emit_rows(
        rows,
        fmt,
        [
            Column("position", "#", align_right=True),
            Column("status", "STATUS"),
            Column("tasks", "TASKS", align_right=True),
            Column("wip_limit", "WIP LIMIT", align_right=True),
            Column("is_done", "DONE"),
        ],
    )


@workflow.command("wip")
@click.argument("status")
@click.argument("limit", type=WIP_LIMIT)
@pass_app
def workflow_wip(app: AppContext, status: str, limit: str) -> None:
    """Set the WIP limit of STATUS to LIMIT (a number, or 'none' to remove it).

    Moving a task into a full column is then refused unless `task move --force`.

    \b
    Example:
      pmtool workflow wip in_progress 3
    """
    from pmtool.core.errors import InvalidInput
    from pmtool.core.words import is_none_word
    from pmtool.services import projects

    if is_none_word(limit) or limit.strip().lower() == "off":
        wip_limit = None
    else:
        try:
            wip_limit = int(limit)
        except ValueError:
            raise InvalidInput(f"WIP limit {limit!r} is not a number (or 'none')") from None
    with app.writing() as gw:
        chosen = app.project_row(gw.reader)
        column = projects.set_wip_limit(gw, chosen, status, wip_limit)
    shown = column["wip_limit"] if column["wip_limit"] is not None else "none"
    click.echo(f"{chosen['key']} {column['name']}: WIP limit {shown}")


@workflow.command("add")
@click.argument("status")
@click.option("--before", metavar="STATUS", help="Insert before this status (default: at the end).")
@click.option("--done", "is_done", is_flag=True, help="Tasks in this status count as finished.")
@pass_app
def workflow_add(app: AppContext, status: str, before: str | None, is_done: bool) -> None:
    """Add a status (board column) to the project's workflow.

    \b
    Example:
      pmtool workflow add clinical_validation --before done
    """
    from pmtool.services import projects

    with app.writing() as gw:
        chosen = app.project_row(gw.reader)
        column = projects.add_column(gw, chosen, status, before=before, is_done=is_done)
    click.echo(f"{chosen['key']}: added status {column['name']}")


@workflow.command("rm")
@click.argument("status")
@pass_app
def workflow_rm(app: AppContext, status: str) -> None:
    """Remove an empty status from the workflow.

    \b
    Example:
      pmtool workflow rm review
    """
    from pmtool.services import projects

    with app.writing() as gw:
        chosen = app.project_row(gw.reader)
        projects.remove_column(gw, chosen, status)
    click.echo(f"{chosen['key']}: removed status {status}")


@click.group()
def dod() -> None:
    """The project's definition of done: the checklist shown when a task is done."""


def _print_checklist(key: str, items: list[str]) -> None:
    if not items:
        click.echo(f"{key} has no definition of done yet (pmtool dod add ITEM).")
    for number, item in enumerate(items, start=1):
        click.echo(f"{number}. {item}")


@dod.command("show")
@format_option
@pass_app
def dod_show(app: AppContext, fmt: str) -> None:
    """Show the definition of done, with the compliance checklist items in it
    (`pmtool compliance item dod ID`), each marked [x] once done or not applicable.

    \b
    Example:
      pmtool dod show
    """
    from pmtool.services.read import projects
    from pmtool.services.read.compliance import definition_of_done_items

    with app.reading() as reader:
        project_id, key = app.project_ref(reader)
        items = projects.show_project(reader, project_id)["definition_of_done"]
        compliance_items = definition_of_done_items(reader, project_id)
    if fmt == "table":
        if items or not compliance_items:
            _print_checklist(key, items)
        for entry in compliance_items:
            click.echo(f"{'[x]' if entry['satisfied'] else '[ ]'} {entry['text']}")
        return
    emit_rows(
        [{"number": n, "item": item} for n, item in enumerate(items, 1)]
        + [{"number": None, "item": entry["text"]} for entry in compliance_items],
        fmt,
        [Column("number", "#", align_right=True), Column("item", "ITEM", flexible=True)],
    )


@dod.command("add")
@click.argument("item")
@pass_app
def dod_add(app: AppContext, item: str) -> None:
    """Add an item to the definition of done.

    \b
    Example:
      pmtool dod add "Model card updated"
    """
    from pmtool.services import projects

    with app.writing() as gw:
        chosen = app.project_row(gw.reader)
        items = projects.add_done_item(gw, chosen, item)
    _print_checklist(chosen["key"], items)


@dod.command("rm")
@click.argument("number", type=int)
@pass_app
def dod_rm(app: AppContext, number: int) -> None:
    """Remove item NUMBER from the definition of done.

    \b
    Example:
      pmtool dod rm 2
    """
    from pmtool.services import projects

    with app.writing() as gw:
        chosen = app.project_row(gw.reader)
        items = projects.remove_done_item(gw, chosen, number)
    _print_checklist(chosen["key"], items)
