"""`pmtool member`: the people work is assigned to."""

from __future__ import annotations

import click

from pmtool.cli.context import AppContext, pass_app
from pmtool.cli.output import Column, emit_rows, format_option
from pmtool.cli.params import EMAIL


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

    with app.writing() as gw:
        added = add_member(gw, name, email=email, role=role)
    click.echo(f"Added member {added['name']}")


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
