"""`pmtool member`: the people work is assigned to."""

from __future__ import annotations

import click

from pmtool.cli.context import AppContext, pass_app
from pmtool.cli.output import Column, emit_rows, format_option
from pmtool.cli.params import EMAIL
from pmtool.cli.personal import CONTACT_OPTIONS, private_writing


@click.group()
def member() -> None:
    """Team members. Email addresses are personal data and stay out of exports."""


@member.command("add")
@click.argument("name")
@click.option(
    "--email", "-e", type=EMAIL, help="Contact address (personal data; shown only on request)."
)
@click.option("--role", "-r", help="e.g. data scientist, clinician, scrum master.")
@pass_app
def member_add(app: AppContext, name: str, email: str | None, role: str | None) -> None:
    """Add a team member who can be assigned tasks.

    \b
    Example:
      pmtool member add "Lena Vogel" --role "data scientist"
    """
    from pmtool.services.members import add_member

    with private_writing(app, options=CONTACT_OPTIONS) as gw:
        added = add_member(gw, name, email=email, role=role)
    click.echo(f"Added member {added['name']}")


@member.command("edit")
@click.argument("name")
@click.option("--name", "new_name", metavar="NEW", help="New name (tasks keep pointing at them).")
@click.option("--email", "-e", help="New contact address; 'none' clears it.")
@click.option("--role", "-r", help="New role; 'none' clears it.")
@pass_app
def member_edit(
    app: AppContext, name: str, new_name: str | None, email: str | None, role: str | None
) -> None:
    """Rename a member or change their email or role (first name or prefix finds them).

    \b
    Example:
      pmtool member edit Lena --role "ML engineer"
      pmtool member edit "Jonas Weber" --email none
    """
    from pmtool.services import members, resolve

    if new_name is None and email is None and role is None:
        raise click.UsageError("nothing to change: give --name, --email or --role")
    with private_writing(app, options=CONTACT_OPTIONS) as gw:
        found = resolve.member(gw.reader, name)
        changed = members.edit_member(gw, found, name=new_name, email=email, role=role)
    shown = new_name.strip() if new_name else found["name"]
    click.echo(f"Updated member {shown}" if changed else f"{found['name']} is unchanged")


@member.command("rm")
@click.argument("name")
@click.option(
    "--unassign", is_flag=True, help="Unassign their tasks first (all in one undoable step)."
)
@pass_app
def member_rm(app: AppContext, name: str, unassign: bool) -> None:
    """Remove a member (refused while tasks are assigned to them, unless --unassign).

    The audit trail keeps who did what; `pmtool undo` brings the member back.

    \b
    Example:
      pmtool member rm "Tom Richter" --unassign
    """
    from pmtool.services import members, resolve

    with app.writing() as gw:
        found = resolve.member(gw.reader, name)
        unassigned = members.remove_member(gw, found, unassign=unassign)
    note = f"; {unassigned} task(s) unassigned" if unassigned else ""
    click.echo(f"Removed member {found['name']}{note} (pmtool undo restores)")


@member.command("forget")
@click.argument("name")
@pass_app
def member_forget(app: AppContext, name: str) -> None:
    """Erase a member's email address for good (GDPR Art. 17). Cannot be undone.

    The address is removed and the key that sealed it in the audit trail destroyed;
    the file is rewritten so it is gone from the database, its WAL and later backups.
    The name stays: it is who did the work (tasks and the trail's actors name it).
    `member edit NAME --email none` only clears the address (undo brings it back).

    \b
    Example:
      pmtool member forget "Jonas Weber"
    """
    from pmtool.services import members, partners, resolve

    with private_writing(app, options=CONTACT_OPTIONS) as gw:
        found = resolve.member(gw.reader, name)
        older = members.forget_member(gw, found)
    partners.scrub_file(app.location())
    click.echo(f"Erased the email address of member {found['name']}")
    if older:
        click.echo(
            f"Note: {older} row(s) of the trail (changes, command lines) written before "
            f"schema 0004 hold an address of {found['name']} in the clear; the "
            "append-only trail cannot erase them",
            err=True,
        )


@member.command("list")
@click.option("--include-personal", is_flag=True, help="Include email addresses.")
@format_option
@pass_app
def member_list(app: AppContext, include_personal: bool, fmt: str) -> None:
    """List members with their open work.

    \b
    Example:
      pmtool member list --format csv
    """
    from pmtool.services.read.members import list_members

    with app.reading() as reader:
        rows = list_members(reader, include_personal=include_personal)
    columns = [
        Column("name", "NAME"),
        Column("role", "ROLE", flexible=True),
        Column("open_tasks", "OPEN TASKS", align_right=True),
        Column("open_points", "OPEN POINTS", align_right=True),
    ]
    if include_personal:
        columns.insert(2, Column("email", "EMAIL"))
    emit_rows(rows, fmt, columns, empty_message="No members yet: pmtool member add NAME")
