"""`pmtool partner`, `pmtool stakeholder` and `pmtool agreement`: clinical partners.

Stakeholders' names and contact details are personal data: they never reach the
command history (summaries say "…" or #ID instead), the audit trail holds them sealed,
and lists show email, phone and notes only with --include-personal.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import click

from pmtool.cli.context import AppContext, pass_app
from pmtool.cli.output import Column, emit_object, emit_rows, format_option
from pmtool.cli.params import DATE, DATE_OR_NONE, DESCRIPTION, EMAIL
from pmtool.cli.personal import private_summary, private_writing
from pmtool.core.words import (
    AGREEMENT_KINDS,
    AGREEMENT_STATUSES,
    ATTITUDES,
    CONTACT_KINDS,
    ENGAGEMENT_LEVELS,
    GRID_MAX,
    GRID_MIN,
    PARTNER_TYPES,
    QUADRANTS,
)

if TYPE_CHECKING:
    from pmtool.storage.reader import Reader, Row

GRID_VALUE = click.IntRange(GRID_MIN, GRID_MAX)


def optional_project(app: AppContext, reader: Reader) -> Row | None:
    """The project this command is about, if there is one to choose (-p, default, only)."""
    from pmtool.core.errors import InvalidInput, NotFound, Refused

    if app.project:
        return app.project_row(reader)
    try:
        return app.project_row(reader)
    except (NotFound, InvalidInput, Refused):  # none, several, or only archived ones
        return None


def _today() -> date:
    from pmtool.core import clock

    return clock.today()


# -- partner -------------------------------------------------------------------------------

PARTNER_COLUMNS = [
    Column("id", "#", align_right=True, drop_order=2),
    Column("name", "PARTNER", keep_width=True),
    Column("type", "TYPE"),
    Column("stakeholders", "PEOPLE", align_right=True),
    Column("agreements", "AGREEMENTS", align_right=True, drop_order=1),
    Column("notes", "NOTES", flexible=True, drop_order=3),
]


@click.group()
def partner() -> None:
    """Partner organisations: clinics, research institutes, companies, authorities."""


@partner.command("add")
@click.argument("name")
@click.option("--type", "partner_type", type=click.Choice(PARTNER_TYPES), required=True)
@click.option("--notes", type=DESCRIPTION, help="What the partnership is about.")
@pass_app
def partner_add(app: AppContext, name: str, partner_type: str, notes: str | None) -> None:
    """Add a partner organisation.

    \b
    Example:
      pmtool partner add "University Hospital ICU" --type clinic
    """
    from pmtool.services import partners

    with app.writing() as gw:
        created = partners.add_partner(gw, name, partner_type, notes=notes)
    click.echo(f"Added partner {created['name']} ({created['type']})")


@partner.command("list")
@format_option
@pass_app
def partner_list(app: AppContext, fmt: str) -> None:
    """List partner organisations with their stakeholders and agreements.

    \b
    Example:
      pmtool partner list --format json
    """
    from pmtool.services.read.partners import PARTNER_FIELDS, list_partners

    with app.reading() as reader:
        rows = list_partners(reader)
    emit_rows(
        rows,
        fmt,
        PARTNER_COLUMNS,
        empty_message="No partners yet: pmtool partner add NAME --type clinic",
        fields=PARTNER_FIELDS,
    )


@partner.command("show")
@click.argument("name")
@format_option
@pass_app
def partner_show(app: AppContext, name: str, fmt: str) -> None:
    """Show a partner with its people and agreements.

    \b
    Example:
      pmtool partner show "University Hospital"
    """
    from pmtool.services import resolve
    from pmtool.services.read.partners import show_partner

    with app.reading() as reader:
        found = resolve.partner(reader, name)
        record = show_partner(reader, found["id"], _today())
    if fmt == "table":  # one readable line each instead of the objects
        record["people"] = [person["name"] for person in record["people"]]
        record["contracts"] = [
            f"#{c['id']} {c['kind']} {c['status']}"
            + (f" until {c['valid_until']}" if c["valid_until"] else "")
            for c in record["contracts"]
        ]
    emit_object(record, fmt)


@partner.command("edit")
@click.argument("name")
@click.option("--name", "new_name", metavar="NEW", help="New name.")
@click.option("--type", "partner_type", type=click.Choice(PARTNER_TYPES))
@click.option("--notes", type=DESCRIPTION, help="New notes; 'none' clears them.")
@pass_app
def partner_edit(
    app: AppContext,
    name: str,
    new_name: str | None,
    partner_type: str | None,
    notes: str | None,
) -> None:
    """Rename a partner or change its type or notes.

    \b
    Example:
      pmtool partner edit "Uni Hospital" --name "University Hospital"
    """
    from pmtool.services import partners, resolve

    if new_name is None and partner_type is None and notes is None:
        raise click.UsageError("nothing to change: give --name, --type or --notes")
    with app.writing() as gw:
        found = resolve.partner(gw.reader, name)
        changed = partners.edit_partner(
            gw, found, name=new_name, partner_type=partner_type, notes=notes
        )
    click.echo(f"Updated partner {found['name']}" if changed else f"{found['name']} is unchanged")


@partner.command("rm")
@click.argument("name")
@pass_app
def partner_rm(app: AppContext, name: str) -> None:
    """Remove a partner entered by mistake (refused while people or agreements use it).

    \b
    Example:
      pmtool partner rm "Test clinic"
    """
    from pmtool.services import partners, resolve

    with app.writing() as gw:
        found = resolve.partner(gw.reader, name)
        partners.remove_partner(gw, found)
    click.echo(f"Removed partner {found['name']} (pmtool undo restores)")


# -- stakeholder ---------------------------------------------------------------------------

STAKEHOLDER_COLUMNS = [
    Column("id", "#", align_right=True, drop_order=3),
    Column("name", "NAME", keep_width=True),
    Column("partner", "PARTNER", flexible=True, drop_order=4),
    Column("role", "ROLE", flexible=True),
    Column("power", "P", align_right=True),
    Column("interest", "I", align_right=True),
    Column("quadrant", "QUADRANT", keep_width=True),
    Column("next_follow_up", "FOLLOW-UP", keep_width=True, drop_order=2),
    Column("projects", "PROJECTS", drop_order=1),
]
CONTACT_COLUMNS = [
    Column("id", "#", align_right=True),
    Column("date", "DATE", keep_width=True),
    Column("stakeholder", "WITH", keep_width=True),
    Column("kind", "KIND"),
    Column("summary", "SUMMARY", flexible=True),
    Column("follow_up", "FOLLOW-UP", keep_width=True, drop_order=2),
    Column("follow_up_status", "STATE", drop_order=1),
    Column("task", "TASK", drop_order=3),
]


@click.group()
def stakeholder() -> None:
    """Stakeholders: the people who matter, on a power/interest grid, with a contact log.

    Names are shown; email, phone and notes are personal data and appear only with
    --include-personal (and in `stakeholder show` on a terminal). `stakeholder forget`
    erases a person for good (GDPR Art. 17).
    """


def _stakeholder_options(function: Any) -> Any:
    options = [
        click.option("--partner", "partner_name", metavar="P", help="Their organisation."),
        click.option("--role", "-r", help="e.g. head of department, data protection officer."),
        click.option("--email", "-e", type=EMAIL, help="Email address (personal data)."),
        click.option("--phone", help="Phone number, e.g. +49 30 1234567 (personal data)."),
        click.option("--attitude", type=click.Choice(ATTITUDES)),
        click.option(
            "--engagement", type=click.Choice(ENGAGEMENT_LEVELS), help="Current engagement."
        ),
        click.option("--desired", type=click.Choice(ENGAGEMENT_LEVELS), help="Desired engagement."),
        click.option("--notes", type=DESCRIPTION, help="Notes on the person (personal data)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@stakeholder.command("add")
@click.argument("name")
@click.option("--power", type=GRID_VALUE, required=True, help="Influence on the project, 1-5.")
@click.option("--interest", type=GRID_VALUE, required=True, help="Stake in the outcome, 1-5.")
@_stakeholder_options
@click.option("--project-role", metavar="R", help="Their role in this project.")
@click.option("--no-project", is_flag=True, help="Do not link them to the current project.")
@pass_app
def stakeholder_add(
    app: AppContext,
    name: str,
    power: int,
    interest: int,
    partner_name: str | None,
    role: str | None,
    email: str | None,
    phone: str | None,
    attitude: str | None,
    engagement: str | None,
    desired: str | None,
    notes: str | None,
    project_role: str | None,
    no_project: bool,
) -> None:
    """Add a stakeholder; they are linked to the current project unless --no-project.

    \b
    Example:
      pmtool stakeholder add "Dr. Anna Schulz" --partner "University Hospital" \\
          --role "head of department" --power 5 --interest 4
    """
    from pmtool.services import partners, resolve

    with private_writing(app, name) as gw:
        organisation = resolve.partner(gw.reader, partner_name) if partner_name else None
        project = None if no_project else optional_project(app, gw.reader)
        created = partners.add_stakeholder(
            gw,
            name,
            power=power,
            interest=interest,
            partner=organisation,
            role=role,
            email=email,
            phone=phone,
            attitude=attitude,
            engagement_current=engagement,
            engagement_desired=desired,
            notes=notes,
            project=project,
            project_role=project_role,
        )
    where = f" in {project['key']}" if project else ""
    click.echo(f"Added stakeholder #{created['id']} {created['name']}{where}")


@stakeholder.command("list")
@click.option("--partner", "partner_name", metavar="P", help="Only this partner's people.")
@click.option("--quadrant", type=click.Choice(QUADRANTS), help="Only one quadrant of the grid.")
@click.option("--linked", is_flag=True, help="Only those linked to the current project.")
@click.option("--include-personal", is_flag=True, help="Add email, phone and notes.")
@click.option("--forgotten", is_flag=True, help="Also list forgotten (erased) people.")
@format_option
@pass_app
def stakeholder_list(
    app: AppContext,
    partner_name: str | None,
    quadrant: str | None,
    linked: bool,
    include_personal: bool,
    forgotten: bool,
    fmt: str,
) -> None:
    """List stakeholders with their place on the grid and their next follow-up.

    \b
    Example:
      pmtool stakeholder list --quadrant "manage closely"
      pmtool stakeholder list --format csv --include-personal > contacts.csv
    """
    from pmtool.services import resolve
    from pmtool.services.read.partners import (
        PERSONAL_FIELDS,
        STAKEHOLDER_FIELDS,
        list_stakeholders,
    )

    with app.reading() as reader:
        organisation = resolve.partner(reader, partner_name) if partner_name else None
        rows = list_stakeholders(
            reader,
            project_id=app.project_ref(reader)[0] if linked else None,
            partner_id=organisation["id"] if organisation else None,
            quadrant=quadrant,
            include_personal=include_personal,
            include_forgotten=forgotten,
        )
    columns = list(STAKEHOLDER_COLUMNS)
    fields: tuple[str, ...] = STAKEHOLDER_FIELDS
    if include_personal:
        columns[4:4] = [Column("email", "EMAIL"), Column("phone", "PHONE", drop_order=5)]
        fields += PERSONAL_FIELDS
    emit_rows(
        rows,
        fmt,
        columns,
        empty_message="No stakeholders yet: pmtool stakeholder add NAME --power N --interest N",
        fields=fields,
    )


@stakeholder.command("show")
@click.argument("name")
@click.option("--include-personal", is_flag=True, help="Add email, phone and notes.")
@format_option
@pass_app
def stakeholder_show(app: AppContext, name: str, include_personal: bool, fmt: str) -> None:
    """Show a stakeholder with their projects and contact log.

    On a terminal the table view includes email, phone and notes (you are looking at
    the person); json, csv and md leave them out unless --include-personal.

    \b
    Example:
      pmtool stakeholder show Schulz
    """
    import sys

    from pmtool.services import resolve
    from pmtool.services.read.partners import show_stakeholder

    personal = include_personal or (fmt == "table" and sys.stdout.isatty())
    with app.reading() as reader:
        found = resolve.stakeholder(reader, name)
        record = show_stakeholder(reader, found["id"], _today(), include_personal=personal)
    if fmt == "table":
        record["contacts"] = [
            f"#{c['id']} {c['date']} {c['kind']}: {c['summary']}" for c in record["contacts"]
        ]
    emit_object(record, fmt)


@stakeholder.command("edit")
@click.argument("name")
@click.option("--name", "new_name", metavar="NEW", help="New name.")
@click.option("--power", type=GRID_VALUE, help="Influence on the project, 1-5.")
@click.option("--interest", type=GRID_VALUE, help="Stake in the outcome, 1-5.")
@_stakeholder_options
@pass_app
def stakeholder_edit(
    app: AppContext,
    name: str,
    new_name: str | None,
    power: int | None,
    interest: int | None,
    partner_name: str | None,
    role: str | None,
    email: str | None,
    phone: str | None,
    attitude: str | None,
    engagement: str | None,
    desired: str | None,
    notes: str | None,
) -> None:
    """Change a stakeholder's details ('none' clears a field; --partner none too).

    \b
    Example:
      pmtool stakeholder edit Schulz --attitude supporter --desired leading
      pmtool stakeholder edit Schulz --phone none
    """
    from pmtool.core.words import CLEAR, is_none_word
    from pmtool.services import partners, resolve

    given = (new_name, power, interest, partner_name, role, email, phone, attitude)
    if all(value is None for value in (*given, engagement, desired, notes)):
        raise click.UsageError("nothing to change: give at least one option")
    with app.writing() as gw:
        found = resolve.stakeholder(gw.reader, name)
        gw.summary = private_summary(app.argv, name, replacement=f"#{found['id']}")
        organisation: Any = None
        if partner_name is not None:
            organisation = (
                CLEAR if is_none_word(partner_name) else resolve.partner(gw.reader, partner_name)
            )
        changed = partners.edit_stakeholder(
            gw,
            found,
            name=new_name,
            partner=organisation,
            role=role,
            email=email,
            phone=phone,
            power=power,
            interest=interest,
            attitude=attitude,
            engagement_current=engagement,
            engagement_desired=desired,
            notes=notes,
        )
    label = f"#{found['id']} {new_name.strip() if new_name else found['name']}"
    click.echo(f"Updated stakeholder {label}" if changed else f"{label} is unchanged")


@stakeholder.command("move")
@click.argument("name")
@click.option("--power", type=GRID_VALUE, help="New power, 1-5.")
@click.option("--interest", type=GRID_VALUE, help="New interest, 1-5.")
@pass_app
def stakeholder_move(app: AppContext, name: str, power: int | None, interest: int | None) -> None:
    """Move a stakeholder on the power/interest grid.

    \b
    Example:
      pmtool stakeholder move Schulz --interest 5
    """
    from pmtool.services import partners, resolve

    if power is None and interest is None:
        raise click.UsageError("give --power or --interest (or both)")
    with app.writing() as gw:
        found = resolve.stakeholder(gw.reader, name)
        gw.summary = private_summary(app.argv, name, replacement=f"#{found['id']}")
        before, after = partners.move_stakeholder(gw, found, power=power, interest=interest)
    where = after if before == after else f"{before} -> {after}"
    click.echo(f"Moved #{found['id']} {found['name']}: {where}")


@stakeholder.command("link")
@click.argument("name")
@click.option("--role", "-r", help="Their role in this project.")
@pass_app
def stakeholder_link(app: AppContext, name: str, role: str | None) -> None:
    """Link a stakeholder to the current project (-p KEY), with a project role.

    Linking again changes the role.

    \b
    Example:
      pmtool -p SEPSIS stakeholder link Schulz --role "clinical sponsor"
    """
    from pmtool.services import partners, resolve

    with app.writing() as gw:
        found = resolve.stakeholder(gw.reader, name)
        gw.summary = private_summary(app.argv, name, replacement=f"#{found['id']}")
        project = app.project_row(gw.reader)
        partners.link_stakeholder(gw, found, project, role)
    click.echo(f"Linked #{found['id']} {found['name']} to {project['key']}")


@stakeholder.command("unlink")
@click.argument("name")
@pass_app
def stakeholder_unlink(app: AppContext, name: str) -> None:
    """Unlink a stakeholder from the current project (-p KEY).

    \b
    Example:
      pmtool -p SEPSIS stakeholder unlink Schulz
    """
    from pmtool.services import partners, resolve

    with app.writing() as gw:
        found = resolve.stakeholder(gw.reader, name)
        gw.summary = private_summary(app.argv, name, replacement=f"#{found['id']}")
        project = app.project_row(gw.reader)
        partners.unlink_stakeholder(gw, found, project)
    click.echo(f"Unlinked #{found['id']} {found['name']} from {project['key']}")


@stakeholder.command("rm")
@click.argument("name")
@pass_app
def stakeholder_rm(app: AppContext, name: str) -> None:
    """Remove a stakeholder entered by mistake, with their contact log (undoable).

    The audit trail keeps their data sealed; to erase a person use `stakeholder forget`.

    \b
    Example:
      pmtool stakeholder rm "Test Person"
    """
    from pmtool.services import partners, resolve

    with app.writing() as gw:
        found = resolve.stakeholder(gw.reader, name)
        gw.summary = private_summary(app.argv, name, replacement=f"#{found['id']}")
        contacts = partners.remove_stakeholder(gw, found)
    note = f" and {contacts} contact(s)" if contacts else ""
    click.echo(f"Removed stakeholder #{found['id']} {found['name']}{note} (pmtool undo restores)")


@stakeholder.command("forget")
@click.argument("name")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation on a terminal.")
@pass_app
def stakeholder_forget(app: AppContext, name: str, yes: bool) -> None:
    """Erase a stakeholder's personal data for good (GDPR Art. 17). Cannot be undone.

    Name, email, phone and notes are erased from the live data and their key is
    destroyed, so the sealed audit rows can never be opened again (the trail itself
    stays append-only and verifiable). The file is then rewritten so that the values
    are gone from the database, its WAL and any backup made afterwards. The person
    stays as "forgotten #ID" so the contact log and history keep their shape.
    Backups made before remain: delete or re-make them.

    \b
    Example:
      pmtool stakeholder forget "Max Mustermann"
    """
    import sys

    from pmtool.services import partners, resolve

    with app.reading() as reader:
        target = resolve.stakeholder(reader, name)
    if not yes and sys.stdin.isatty() and sys.stdout.isatty():
        click.confirm(
            f"Erase #{target['id']} {target['name']} for good (this cannot be undone)?",
            abort=True,
        )
    with app.writing() as gw:
        found = resolve.stakeholder(gw.reader, f"#{target['id']}")
        gw.summary = private_summary(app.argv, name, replacement=f"#{found['id']}")
        tombstone = partners.forget_stakeholder(gw, found)
    clean = partners.scrub_file(app.location())
    click.echo(f"Erased the personal data of stakeholder #{found['id']}; now {tombstone!r}")
    if not clean:
        click.echo(
            "Note: another pmtool holds the database open; its write-ahead log is emptied "
            "when that one closes",
            err=True,
        )


@stakeholder.command("grid")
@click.option("--linked", is_flag=True, help="Only those linked to the current project.")
@format_option
@pass_app
def stakeholder_grid(app: AppContext, linked: bool, fmt: str) -> None:
    """The power/interest grid (Mendelow): who to manage closely, keep satisfied, keep
    informed, monitor. Power and interest of 4 or 5 count as high.

    \b
    Example:
      pmtool stakeholder grid
      pmtool stakeholder grid --format json
    """
    from pmtool.cli.output import fit_line, terminal_width
    from pmtool.services.read.partners import GRID_FIELDS, draw_grid, grid

    with app.reading() as reader:
        quadrants = grid(reader, project_id=app.project_ref(reader)[0] if linked else None)
    if fmt == "table":
        click.echo(draw_grid(quadrants, terminal_width(), fit=fit_line))
        return
    if fmt in ("csv", "md"):
        flat = [
            {
                **{k: q[k] for k in GRID_FIELDS[:3]},
                "stakeholders": [p["name"] for p in q["stakeholders"]],
            }
            for q in quadrants
        ]
        emit_rows(flat, fmt, fields=GRID_FIELDS)
        return
    emit_rows(quadrants, fmt, fields=GRID_FIELDS)


@stakeholder.command("log")
@click.argument("name")
@click.option("--kind", type=click.Choice(CONTACT_KINDS), required=True)
@click.option("--summary", type=DESCRIPTION, required=True, help="What it was about.")
@click.option("--decisions", type=DESCRIPTION, help="What was decided.")
@click.option("--on", "on_date", type=DATE, help="When it happened (default: today).")
@click.option("--follow-up", type=DATE, help="When to follow up: a date, +3d, friday ...")
@pass_app
def stakeholder_log(
    app: AppContext,
    name: str,
    kind: str,
    summary: str,
    decisions: str | None,
    on_date: date | None,
    follow_up: date | None,
) -> None:
    """Log a meeting, email or call with a stakeholder, with an optional follow-up date.

    Overdue follow-ups appear in `pmtool status` and on the dashboard.

    \b
    Example:
      pmtool stakeholder log Schulz --kind meeting --summary "Cohort criteria" \\
          --decisions "Adults only" --follow-up +1w
    """
    from pmtool.services import partners, resolve

    with app.writing() as gw:
        found = resolve.stakeholder(gw.reader, name)
        gw.summary = private_summary(app.argv, name, replacement=f"#{found['id']}")
        project = optional_project(app, gw.reader)
        contact = partners.log_contact(
            gw,
            found,
            kind=kind,
            summary=summary,
            on=on_date,
            decisions=decisions,
            follow_up=follow_up,
            project_id=project["id"] if project else None,
        )
    due = f"; follow up by {contact['follow_up']}" if contact["follow_up"] else ""
    click.echo(f"Logged contact #{contact['id']} with {found['name']}{due}")


@stakeholder.command("contacts")
@click.argument("name", required=False)
@click.option("--open", "open_only", is_flag=True, help="Only follow-ups still open.")
@click.option("--linked", is_flag=True, help="Only contacts logged in the current project.")
@format_option
@pass_app
def stakeholder_contacts(
    app: AppContext, name: str | None, open_only: bool, linked: bool, fmt: str
) -> None:
    """The contact log, newest first: everyone's or one stakeholder's.

    \b
    Example:
      pmtool stakeholder contacts --open
      pmtool stakeholder contacts Schulz --format json
    """
    from pmtool.services import resolve
    from pmtool.services.read.partners import CONTACT_FIELDS, list_contacts

    with app.reading() as reader:
        person = resolve.stakeholder(reader, name) if name else None
        rows = list_contacts(
            reader,
            _today(),
            stakeholder_id=person["id"] if person else None,
            project_id=app.project_ref(reader)[0] if linked else None,
            open_only=open_only,
        )
    emit_rows(
        rows,
        fmt,
        CONTACT_COLUMNS,
        empty_message="No contacts logged: pmtool stakeholder log NAME --kind meeting ...",
        fields=CONTACT_FIELDS,
    )


@stakeholder.group("follow-up")
def follow_up() -> None:
    """Close a follow-up of the contact log, or turn it into a task."""


@follow_up.command("task")
@click.argument("contact_id", metavar="ID")
@pass_app
def follow_up_task(app: AppContext, contact_id: str) -> None:
    """Turn a contact's follow-up into a task of the current project, due that day.

    The task names the contact by number, not the person (tasks reach exports and git).

    \b
    Example:
      pmtool stakeholder follow-up task 3
    """
    from pmtool.services import partners, resolve

    with app.writing() as gw:
        contact = resolve.contact(gw.reader, contact_id)
        if contact["project_id"] is not None and not app.project:
            project = resolve.project(gw.reader, _project_key(gw.reader, contact["project_id"]))
        else:
            project = app.project_row(gw.reader)
        created = partners.follow_up_task(gw, contact, project)
    click.echo(f"{project['key']}-{created['number']}")


def _project_key(reader: Reader, project_id: int) -> str:
    return str(reader.tuples("SELECT key FROM project WHERE id = :id", {"id": project_id})[0][0])


@follow_up.command("done")
@click.argument("contact_id", metavar="ID")
@pass_app
def follow_up_done(app: AppContext, contact_id: str) -> None:
    """Mark a contact's follow-up as done.

    \b
    Example:
      pmtool stakeholder follow-up done 3
    """
    from pmtool.services import partners, resolve

    with app.writing() as gw:
        contact = resolve.contact(gw.reader, contact_id)
        partners.follow_up_done(gw, contact)
    click.echo(f"Follow-up of contact #{contact['id']} done")


@stakeholder.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--partner", "partner_name", metavar="P", help="Link everyone to this partner.")
@click.option("--power", type=GRID_VALUE, default=3, show_default=True,
              help="Power for rows and cards that give none.")  # fmt: skip
@click.option("--interest", type=GRID_VALUE, default=3, show_default=True,
              help="Interest for rows and cards that give none.")  # fmt: skip
@click.option("--apply", "apply_", is_flag=True, help="Write them (default: a dry run).")
@click.option("--no-project", is_flag=True, help="Do not link them to the current project.")
@format_option
@pass_app
def stakeholder_import(
    app: AppContext,
    file: str,
    partner_name: str | None,
    power: int,
    interest: int,
    apply_: bool,
    no_project: bool,
    fmt: str,
) -> None:
    """Import stakeholders from a CSV file or vCards (.vcf); a dry run without --apply.

    CSV: a header row with `name` and any of email, phone, role, partner, power,
    interest, attitude, notes. vCard: FN, EMAIL, TEL, ORG (a known partner), TITLE or
    ROLE, NOTE. Someone whose email is known already (or twice in the file) is reported
    as a duplicate and skipped, never merged. Any invalid row or card refuses the whole
    import, naming it and the field; --apply writes all the others in one step.

    \b
    Example:
      pmtool stakeholder import clinic.vcf --partner "University Hospital"
      pmtool stakeholder import people.csv --apply
    """
    from pmtool.services import partners_import, resolve

    parsed = partners_import.read_people(file)
    if apply_:
        with private_writing(app) as gw:
            organisation = resolve.partner(gw.reader, partner_name) if partner_name else None
            project = None if no_project else optional_project(app, gw.reader)
            plan = partners_import.plan_import(
                gw.reader, parsed, partner=organisation, power=power, interest=interest
            )
            partners_import.apply_import(gw, plan, project=project)
    else:
        with app.reading() as reader:
            organisation = resolve.partner(reader, partner_name) if partner_name else None
            plan = partners_import.plan_import(
                reader, parsed, partner=organisation, power=power, interest=interest
            )
    rows = plan.rows()
    if fmt != "table":
        emit_rows(rows, fmt, fields=partners_import.PLAN_FIELDS)
        return
    emit_rows(
        rows,
        fmt,
        [
            Column("source", "FROM", keep_width=True),
            Column("action", "ACTION"),
            Column("name", "NAME", keep_width=True),
            Column("partner", "PARTNER", flexible=True),
            Column("note", "NOTE", flexible=True),
        ],
        empty_message=f"{file} holds nobody to import.",
    )
    added = sum(1 for row in rows if row["action"] == "add")
    skipped = len(rows) - added
    verb = "Imported" if apply_ else "Would import"
    tail = "" if apply_ else "; run again with --apply to write them"
    click.echo(f"{verb} {added} stakeholder(s), {skipped} duplicate(s) skipped{tail}")


# -- agreement -----------------------------------------------------------------------------

AGREEMENT_COLUMNS = [
    Column("id", "#", align_right=True),
    Column("kind", "KIND", keep_width=True),
    Column("partner", "PARTNER", flexible=True),
    Column("status", "STATUS", keep_width=True),
    Column("signed_on", "SIGNED", keep_width=True, drop_order=2),
    Column("valid_until", "VALID UNTIL", keep_width=True),
    Column("days_left", "DAYS", align_right=True, drop_order=1),
    Column("title", "TITLE", flexible=True, drop_order=3),
]


@click.group()
def agreement() -> None:
    """Agreements with partners: cooperation, NDA, DPA (GDPR Art. 28), joint controller
    (Art. 26), data use. Status: draft -> in_negotiation -> signed -> terminated;
    a signed agreement past its valid-until shows as expired.
    """


@agreement.command("add")
@click.argument("kind", type=click.Choice(AGREEMENT_KINDS))
@click.option("--partner", "partner_name", metavar="P", required=True)
@click.option("--title", help="A name for it, e.g. 'DPA for the ICU data export'.")
@click.option("--valid-until", type=DATE, help="The last day it is valid.")
@click.option("--document", help="Where the document is: a path or a link.")
@click.option("--no-project", is_flag=True, help="Not for the current project.")
@pass_app
def agreement_add(
    app: AppContext,
    kind: str,
    partner_name: str,
    title: str | None,
    valid_until: date | None,
    document: str | None,
    no_project: bool,
) -> None:
    """Record an agreement with a partner, as a draft; prints its id.

    \b
    Example:
      pmtool agreement add dpa --partner "University Hospital" --valid-until 2027-12-31
    """
    from pmtool.services import partners, resolve

    with app.writing() as gw:
        organisation = resolve.partner(gw.reader, partner_name)
        project = None if no_project else optional_project(app, gw.reader)
        created = partners.add_agreement(
            gw,
            kind,
            organisation,
            title=title,
            project_id=project["id"] if project else None,
            valid_until=valid_until,
            document=document,
        )
    click.echo(f"Added agreement #{created['id']} ({kind} with {organisation['name']}, draft)")


@agreement.command("list")
@click.option("--partner", "partner_name", metavar="P", help="Only this partner's.")
@click.option("--status", type=click.Choice(AGREEMENT_STATUSES))
@click.option(
    "--expiring",
    metavar="DAYS",
    help="Only signed ones ending within DAYS (60d, 8w), and the expired.",
)
@format_option
@pass_app
def agreement_list(
    app: AppContext, partner_name: str | None, status: str | None, expiring: str | None, fmt: str
) -> None:
    """List agreements with their status and how long they are valid.

    \b
    Example:
      pmtool agreement list --expiring 60d
    """
    from pmtool.core.dates import parse_days
    from pmtool.services import resolve
    from pmtool.services.read.partners import AGREEMENT_FIELDS, list_agreements

    within = None
    if expiring is not None:
        try:
            within = parse_days(expiring)
        except Exception as error:
            raise click.BadParameter(str(error), param_hint="'--expiring'") from error
    with app.reading() as reader:
        organisation = resolve.partner(reader, partner_name) if partner_name else None
        rows = list_agreements(
            reader,
            _today(),
            partner_id=organisation["id"] if organisation else None,
            status=status,
            expiring_within=within,
        )
    emit_rows(
        rows,
        fmt,
        AGREEMENT_COLUMNS,
        empty_message="No agreements: pmtool agreement add KIND --partner P",
        fields=AGREEMENT_FIELDS,
    )


@agreement.command("show")
@click.argument("agreement_id", metavar="ID")
@format_option
@pass_app
def agreement_show(app: AppContext, agreement_id: str, fmt: str) -> None:
    """Show one agreement.

    \b
    Example:
      pmtool agreement show 2 --format json
    """
    from pmtool.services import resolve
    from pmtool.services.read.partners import show_agreement

    with app.reading() as reader:
        found = resolve.agreement(reader, agreement_id)
        record = show_agreement(reader, found["id"], _today())
    emit_object(record, fmt)


@agreement.command("edit")
@click.argument("agreement_id", metavar="ID")
@click.option("--title", help="New title; 'none' clears it.")
@click.option("--valid-until", type=DATE_OR_NONE, help="New last day (renewal); 'none' clears.")
@click.option("--document", help="New path or link; 'none' clears it.")
@click.option("--partner", "partner_name", metavar="P", help="Another partner.")
@pass_app
def agreement_edit(
    app: AppContext,
    agreement_id: str,
    title: str | None,
    valid_until: Any,
    document: str | None,
    partner_name: str | None,
) -> None:
    """Change an agreement's title, validity, document or partner.

    \b
    Example:
      pmtool agreement edit 2 --valid-until 2028-06-30 --document https://dms/4711
    """
    from pmtool.core.words import CLEAR
    from pmtool.services import partners, resolve

    if all(v is None for v in (title, valid_until, document, partner_name)):
        raise click.UsageError(
            "nothing to change: give --title, --valid-until, --document or --partner"
        )
    with app.writing() as gw:
        found = resolve.agreement(gw.reader, agreement_id)
        organisation = resolve.partner(gw.reader, partner_name) if partner_name else None
        changed = partners.edit_agreement(
            gw,
            found,
            title=title,
            valid_until=CLEAR if valid_until == "none" else valid_until,
            document=document,
            partner=organisation,
        )
    click.echo(f"Updated agreement #{found['id']}" if changed else f"#{found['id']} is unchanged")


def _transition(app: AppContext, agreement_id: str, target: str, **options: Any) -> None:
    from pmtool.services import partners, resolve

    with app.writing() as gw:
        found = resolve.agreement(gw.reader, agreement_id)
        before, after = partners.change_agreement_status(gw, found, target, **options)
    click.echo(f"Agreement #{found['id']}: {before} -> {after}")


@agreement.command("negotiate")
@click.argument("agreement_id", metavar="ID")
@pass_app
def agreement_negotiate(app: AppContext, agreement_id: str) -> None:
    """Mark a draft agreement as in negotiation.

    \b
    Example:
      pmtool agreement negotiate 2
    """
    _transition(app, agreement_id, "in_negotiation")


@agreement.command("draft")
@click.argument("agreement_id", metavar="ID")
@pass_app
def agreement_draft(app: AppContext, agreement_id: str) -> None:
    """Send an agreement in negotiation back to draft.

    \b
    Example:
      pmtool agreement draft 2
    """
    _transition(app, agreement_id, "draft")


@agreement.command("sign")
@click.argument("agreement_id", metavar="ID")
@click.option("--on", "on_date", type=DATE, help="The day it was signed (default: today).")
@click.option("--valid-until", type=DATE, help="The last day it is valid.")
@pass_app
def agreement_sign(
    app: AppContext, agreement_id: str, on_date: date | None, valid_until: date | None
) -> None:
    """Record an agreement in negotiation as signed.

    \b
    Example:
      pmtool agreement sign 2 --on 2026-11-20 --valid-until 2028-11-19
    """
    _transition(app, agreement_id, "signed", on=on_date, valid_until=valid_until)


@agreement.command("terminate")
@click.argument("agreement_id", metavar="ID")
@click.option("--on", "on_date", type=DATE, help="The day it ended (default: today).")
@pass_app
def agreement_terminate(app: AppContext, agreement_id: str, on_date: date | None) -> None:
    """Terminate an agreement (or abandon a draft or a negotiation).

    \b
    Example:
      pmtool agreement terminate 2
    """
    _transition(app, agreement_id, "terminated", on=on_date)


@agreement.command("rm")
@click.argument("agreement_id", metavar="ID")
@pass_app
def agreement_rm(app: AppContext, agreement_id: str) -> None:
    """Remove a draft entered by mistake (others are terminated, not removed).

    \b
    Example:
      pmtool agreement rm 4
    """
    from pmtool.services import partners, resolve

    with app.writing() as gw:
        found = resolve.agreement(gw.reader, agreement_id)
        partners.remove_agreement(gw, found)
    click.echo(f"Removed agreement #{found['id']} (pmtool undo restores)")


@agreement.command("warn")
@click.argument("days", type=click.IntRange(0, 3660))
@pass_app
def agreement_warn(app: AppContext, days: int) -> None:
    """Set how many days before valid-until an agreement shows as expiring (default 60).

    \b
    Example:
      pmtool agreement warn 90
    """
    from pmtool.services import partners

    with app.writing() as gw:
        partners.set_expiry_days(gw, days)
    click.echo(f"Agreements now show as expiring {days} days before they end")
