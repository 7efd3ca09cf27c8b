"""`pmtool thesis`: theses planned from templates, milestones, re-planning, meetings,
the supervisor's overview, the timeline and the calendar export."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import click

from pmtool.cli.context import AppContext, pass_app
from pmtool.cli.output import Column, emit_object, emit_rows, format_option, terminal_width
from pmtool.cli.params import DATE, DATE_OR_NONE, DESCRIPTION
from pmtool.core.words import THESIS_SETTINGS, THESIS_STATUSES

if TYPE_CHECKING:
    from pmtool.storage.reader import Reader

THESIS_COLUMNS = [
    Column("id", "ID", align_right=True),
    Column("student", "STUDENT", keep_width=True),
    Column("status", "STATUS"),
    Column("start", "START", keep_width=True, drop_order=2),
    Column("deadline", "DEADLINE", keep_width=True),
    Column("milestones_done", "DONE", align_right=True, drop_order=3),
    Column("milestones", "OF", align_right=True, drop_order=3),
    Column("overdue", "LATE", align_right=True),
    Column("title", "TITLE", flexible=True, drop_order=1),
]
OVERVIEW_COLUMNS = [
    Column("id", "ID", align_right=True),
    Column("student", "STUDENT", keep_width=True),
    Column("phase", "PHASE"),
    Column("next_milestone", "NEXT", flexible=True, drop_order=3),
    Column("next_due", "DUE", keep_width=True, drop_order=2),
    Column("days_to_deadline", "DAYS", align_right=True),
    Column("overdue", "LATE", align_right=True),
    Column("approvals", "APPROVALS", drop_order=4),
    Column("last_meeting", "MET", align_right=True, drop_order=5),
    Column("last_commit", "COMMIT", align_right=True, drop_order=1),
    Column("risk", "RISK"),
]
# The overview's table says the same in fewer columns (JSON keeps the full values).
_SHORT_PHASES = {"preparation": "prep", "past deadline": "overdue"}
MILESTONE_COLUMNS = [
    Column("number", "#", align_right=True),
    Column("title", "MILESTONE", flexible=True),
    Column("due", "DUE", keep_width=True),
    Column("done", "DONE", keep_width=True),
    Column("state", "STATE"),
    Column("after", "AFTER", drop_order=2),
    Column("needs", "NEEDS", drop_order=1),
    Column("critical_mark", "CP", drop_order=3),
]

# Options shared by `thesis add` and `thesis edit`: (option, field, help).
_TEXT_OPTIONS = (
    ("--question", "research_question", "The research question."),
    ("--programme", "programme", "Degree programme (its processing time and plan apply)."),
    ("--cohort", "cohort", "Cohort, e.g. WS2026."),
    ("--first-examiner", "first_examiner", "First examiner (usually the supervisor)."),
    ("--second-examiner", "second_examiner", "Second examiner."),
    ("--external-supervisor", "external_supervisor", "Company or clinic supervisor."),
    ("--company", "company", "Company or institution of an external thesis."),
    ("--repo", "repository_path", "Path of the thesis's git repository."),
)
_DATE_OPTIONS = (
    ("--confidential-until", "confidential_until", "Sperrvermerk: confidential until DATE."),
    ("--registered", "registered_on", "Date the registration was filed."),
    ("--defence", "defence_on", "Date of the defence (Kolloquium)."),
)


def _detail_options(function: Any) -> Any:
    for option, field, text in reversed(_DATE_OPTIONS):
        function = click.option(option, field, type=DATE_OR_NONE, help=text)(function)
    for option, field, text in reversed(_TEXT_OPTIONS):
        kind = DESCRIPTION if field == "research_question" else str
        function = click.option(option, field, type=kind, help=text)(function)
    return click.option(
        "--linked-project",
        metavar="KEY",
        help="Project for the thesis's tasks and approvals ('none' unlinks).",
    )(function)


def _details(values: dict[str, Any], *, clearing: bool) -> dict[str, Any]:
    from pmtool.core.words import CLEAR, is_none_word

    details: dict[str, Any] = {}
    for _, field, _ in _TEXT_OPTIONS:
        value = values.get(field)
        if clearing and isinstance(value, str) and (is_none_word(value) or not value.strip()):
            value = CLEAR
        details[field] = value
    for _, field, _ in _DATE_OPTIONS:
        value = values.get(field)
        if value == "none":
            value = CLEAR if clearing else None
        details[field] = value
    return details


@click.group()
def thesis() -> None:
    """Master's theses: plans from templates, milestones, meetings, the supervisor's overview."""


def _linked_project(app: AppContext, reader: Reader, wanted: str | None) -> int | None:
    """The project a new thesis links to: --linked-project, else -p / the default / the only
    project when there is exactly one answer, else none."""
    from pmtool.core.errors import InvalidInput, NotFound
    from pmtool.core.words import is_none_word
    from pmtool.services import resolve

    if wanted is not None:
        return None if is_none_word(wanted) else resolve.project_ref(reader, wanted)[0]
    try:
        return resolve.project_ref(reader, app.project)[0]
    except (NotFound, InvalidInput):
        if app.project:
            raise
        return None


@thesis.command("add")
@click.argument("student")
@click.option("--title", required=True, help="Working title.")
@click.option("--start", type=DATE, required=True, help="Official start (registration).")
@click.option("--weeks", type=int, help="Processing time [default: the programme's or 26].")
@click.option("--template", help="Milestone plan: default, short-17w, or a .toml file.")
@_detail_options
@pass_app
def thesis_add(
    app: AppContext,
    student: str,
    title: str,
    start: date,
    weeks: int | None,
    template: str | None,
    linked_project: str | None,
    **values: Any,
) -> None:
    """Add a thesis with its milestone plan; the deadline is start + processing time.

    The plan is copied from the template, so a later change to the template does not
    change this thesis. The thesis links to --linked-project, else to the project of -p
    (or the default or only project), for action items and approvals.

    \b
    Example:
      pmtool thesis add "Mara Schulz" --title "Sepsis onset prediction" --start 2027-01-04
      pmtool thesis add "Jan Ott" --title "ECG triage" --start 2027-03-01 --template short-17w
    """
    from pmtool.services import thesis as theses

    details = _details(values, clearing=False)
    with app.writing() as gw:
        project_id = _linked_project(app, gw.reader, linked_project)
        created = theses.add_thesis(
            gw,
            student,
            title,
            start,
            weeks=weeks,
            template=template,
            project_id=project_id,
            **details,
        )
        project = None
        if project_id is not None:
            project = gw.reader.tuples("SELECT key FROM project WHERE id = :id", {"id": project_id})
    click.echo(
        f"Thesis {created['id']}: {created['student']}, {created['weeks']} weeks from "
        f"{created['start_date']}, deadline {created['deadline']} "
        f"({created['milestones']} milestones from {created['template']})"
    )
    if project:
        click.echo(f"Linked to project {project[0][0]}")
    else:
        click.echo("Not linked to a project (--linked-project KEY links one)")


@thesis.command("edit")
@click.argument("thesis_ref", metavar="ID")
@click.option("--title", help="New title.")
@click.option("--student", help="Student's name.")
@_detail_options
@pass_app
def thesis_edit(
    app: AppContext,
    thesis_ref: str,
    title: str | None,
    student: str | None,
    linked_project: str | None,
    **values: Any,
) -> None:
    """Change a thesis's details; 'none' empties a field. A new --defence date moves the
    defence milestone. The start and deadline change with `replan` and `extend`.

    \b
    Example:
      pmtool thesis edit 3 --second-examiner "Prof. Weber" --defence 2027-08-20
    """
    from pmtool.core.words import CLEAR, is_none_word
    from pmtool.services import resolve
    from pmtool.services import thesis as theses

    details = _details(values, clearing=True)
    with app.writing() as gw:
        record = resolve.thesis(gw.reader, thesis_ref)
        project: Any = None
        if linked_project is not None:
            project = (
                CLEAR
                if is_none_word(linked_project)
                else resolve.project_ref(gw.reader, linked_project)[0]
            )
        if all(v is None for v in (title, student, project, *details.values())):
            raise click.UsageError("nothing to change: give an option such as --title")
        changed = theses.edit_thesis(
            gw, record, title=title, student=student, project_id=project, **details
        )
    if changed:
        click.echo(f"Updated thesis {record['id']}: {', '.join(sorted(changed))}")
    else:
        click.echo(f"Thesis {record['id']} already had these values")


@thesis.command("move")
@click.argument("thesis_ref", metavar="ID")
@click.argument("status", type=click.Choice(THESIS_STATUSES))
@pass_app
def thesis_move(app: AppContext, thesis_ref: str, status: str) -> None:
    """Move a thesis to STATUS: planning -> registered -> in_progress -> submitted ->
    defended -> graded; withdrawn before submission.

    \b
    Example:
      pmtool thesis move 3 registered
    """
    from pmtool.services import resolve
    from pmtool.services import thesis as theses

    with app.writing() as gw:
        record = resolve.thesis(gw.reader, thesis_ref)
        moved = theses.move_thesis(gw, record, status)
    click.echo(f"Thesis {record['id']}: {record['status']} -> {moved['status']}")


@thesis.command("rm")
@click.argument("thesis_ref", metavar="ID")
@pass_app
def thesis_rm(app: AppContext, thesis_ref: str) -> None:
    """Remove a thesis with its plan and meetings (`pmtool undo` restores them).

    \b
    Example:
      pmtool thesis rm 3
    """
    from pmtool.services import resolve
    from pmtool.services import thesis as theses

    with app.writing() as gw:
        record = resolve.thesis(gw.reader, thesis_ref)
        theses.remove_thesis(gw, record)
    click.echo(f"Removed thesis {record['id']} ({record['student']}) (pmtool undo restores)")


@thesis.command("list")
@click.option("--status", type=click.Choice(THESIS_STATUSES), help="Only theses in this state.")
@click.option("--supervisor", metavar="NAME", help="Only theses this examiner supervises.")
@format_option
@pass_app
def thesis_list(app: AppContext, status: str | None, supervisor: str | None, fmt: str) -> None:
    """List theses by deadline.

    JSON fields: id student title start deadline status programme cohort weeks
    extension_weeks defence first_examiner second_examiner external_supervisor company
    confidential_until project repository template milestones milestones_done overdue.

    \b
    Example:
      pmtool thesis list --format json
    """
    from pmtool.core import clock
    from pmtool.services.read import thesis as read

    with app.reading() as reader:
        rows = read.list_theses(reader, clock.today(), status=status, supervisor=supervisor)
    emit_rows(
        rows,
        fmt,
        THESIS_COLUMNS,
        empty_message='No theses yet: pmtool thesis add STUDENT --title "..." --start DATE',
        fields=read.THESIS_FIELDS,
    )


@thesis.command("overview")
@click.option("--supervisor", metavar="NAME", help="Only theses this examiner supervises.")
@click.option("--all", "include_closed", is_flag=True, help="Defended, graded, withdrawn too.")
@format_option
@pass_app
def thesis_overview(
    app: AppContext, supervisor: str | None, include_closed: bool, fmt: str
) -> None:
    """Every thesis at a glance, riskiest first: phase, next milestone, days to the
    deadline, late milestones, approvals, last meeting, last commit (when git sync is
    set up) and the risk level with its reasons (docs/thesis.md "Risk rules").

    JSON fields: id student title status phase next_milestone next_due days_to_deadline
    deadline overdue approvals last_meeting last_commit risk reasons first_examiner project.

    \b
    Example:
      pmtool thesis overview --supervisor Koch
    """
    from pmtool.core import clock
    from pmtool.services.read import thesis as read

    with app.reading() as reader:
        rows = read.overview_rows(
            reader, clock.today(), supervisor=supervisor, include_closed=include_closed
        )
    if fmt != "table":
        emit_rows(rows, fmt, OVERVIEW_COLUMNS, fields=read.OVERVIEW_FIELDS)
        return
    if not rows:
        click.echo("No theses to follow" + (f" supervised by {supervisor}." if supervisor else "."))
        return
    today = clock.today()
    columns = list(OVERVIEW_COLUMNS)
    if not any(row["last_commit"] for row in rows):
        columns = [c for c in columns if c.field != "last_commit"]  # git sync not set up
    for row in rows:
        row["phase"] = _SHORT_PHASES.get(row["phase"], row["phase"].replace("week ", "wk "))
        row["approvals"] = _short_approvals(row["approvals"])
        row["last_meeting"] = _days_ago(row["last_meeting"], today)
        row["last_commit"] = _days_ago(row["last_commit"], today)
    emit_rows(rows, fmt, columns)
    risky = [row for row in rows if row["reasons"]]
    if risky:
        import textwrap

        click.echo("")
        width = max(terminal_width(), 40)
        for row in risky:
            text = f"{row['id']:>3} {row['student']} ({row['risk']}): {'; '.join(row['reasons'])}"
            click.echo(textwrap.fill(text, width, subsequent_indent="      "))


def _days_ago(iso: str | None, today: date) -> str:
    if not iso:
        return "never"
    return f"{(today - date.fromisoformat(iso[:10])).days}d"


def _short_approvals(summary: str) -> str:
    if summary.startswith("missing: "):
        return f"{len(summary.split(', '))} missing"
    return summary or "-"


@thesis.command("show")
@click.argument("thesis_ref", metavar="ID")
@format_option
@pass_app
def thesis_show(app: AppContext, thesis_ref: str, fmt: str) -> None:
    """Show a thesis, its timeline (milestones on a week axis, today marked, late ones
    flagged) and its plan.

    \b
    Example:
      pmtool thesis show "Mara Schulz"
    """
    from pmtool.core import clock
    from pmtool.services import resolve
    from pmtool.services.read import thesis as read

    today = clock.today()
    with app.reading() as reader:
        record = resolve.thesis(reader, thesis_ref)
        shown = read.show_thesis(reader, record, today)
        milestones = read.milestone_rows(reader, record, today)
        meetings = read.meeting_rows(reader, record)
    if fmt == "json":
        emit_object({**shown, "plan": milestones, "meetings": meetings}, fmt)
        return
    if fmt != "table":
        emit_object(shown, fmt)
        return
    shown = {name: value for name, value in shown.items() if value not in (None, [], "")}
    emit_object(shown, fmt)
    width = terminal_width()
    click.echo("")
    for line in read.timeline(milestones, today, width):
        click.echo(line)
    click.echo("")
    _emit_milestones(milestones, fmt)


def _emit_milestones(milestones: list[dict[str, Any]], fmt: str) -> None:
    from pmtool.services.read import thesis as read

    if fmt == "table" or fmt == "md":
        for row in milestones:
            row["critical_mark"] = "*" if row["critical"] else ""
    emit_rows(
        milestones,
        fmt,
        MILESTONE_COLUMNS,
        empty_message="No milestones.",
        fields=read.MILESTONE_FIELDS,
    )


@thesis.command("history")
@click.argument("thesis_ref", metavar="ID")
@format_option
@pass_app
def thesis_history(app: AppContext, thesis_ref: str, fmt: str) -> None:
    """Old and new dates: re-planning, extensions (with their reason), status changes,
    milestones moved and done.

    JSON fields: at actor what field old new command.

    \b
    Example:
      pmtool thesis history 3
    """
    from pmtool.services import resolve
    from pmtool.services.read import thesis as read

    with app.reading() as reader:
        rows = read.history_rows(reader, resolve.thesis(reader, thesis_ref))
    if fmt == "table":
        from pmtool.core.values import local_minute

        for row in rows:
            row["at"] = local_minute(row["at"])
    emit_rows(
        rows,
        fmt,
        [
            Column("at", "WHEN", keep_width=True),
            Column("what", "WHAT", flexible=True),
            Column("field", "FIELD"),
            Column("old", "OLD", keep_width=True),
            Column("new", "NEW", flexible=True),
            Column("actor", "BY", drop_order=1),
        ],
        empty_message="No changes yet.",
        fields=read.HISTORY_FIELDS,
    )


@thesis.command("replan")
@click.argument("thesis_ref", metavar="ID")
@click.option("--start", type=DATE, help="New official start.")
@click.option("--weeks", type=int, help="New processing time in weeks.")
@pass_app
def thesis_replan(app: AppContext, thesis_ref: str, start: date | None, weeks: int | None) -> None:
    """Re-plan after a changed start or processing time: the deadline follows and open
    milestones move; done ones keep their dates, old dates stay in `thesis history`.

    \b
    Example:
      pmtool thesis replan 3 --start 2027-02-01
    """
    from pmtool.services import resolve
    from pmtool.services import thesis as theses

    if start is None and weeks is None:
        raise click.UsageError("nothing to re-plan: give --start and/or --weeks")
    with app.writing() as gw:
        record = resolve.thesis(gw.reader, thesis_ref)
        result = theses.replan(gw, record, start=start, weeks=weeks)
    click.echo(
        f"Thesis {record['id']}: start {result['start_date']}, deadline {record['deadline']} "
        f"-> {result['deadline']}; {result['moved']} open milestones moved"
    )


@thesis.command("extend")
@click.argument("thesis_ref", metavar="ID")
@click.option("--weeks", type=int, required=True, help="Length of the approved extension.")
@click.option("--reason", required=True, help="Why (e.g. illness, certificate of 2027-03-02).")
@pass_app
def thesis_extend(app: AppContext, thesis_ref: str, weeks: int, reason: str) -> None:
    """Record an approved extension: the deadline and open milestones move, the reason and
    the old deadline stay in `thesis history`.

    \b
    Example:
      pmtool thesis extend 3 --weeks 4 --reason "illness, certificate of 2027-03-02"
    """
    from pmtool.services import resolve
    from pmtool.services import thesis as theses

    with app.writing() as gw:
        record = resolve.thesis(gw.reader, thesis_ref)
        result = theses.extend(gw, record, weeks, reason)
    click.echo(
        f"Thesis {record['id']}: deadline {record['deadline']} -> {result['deadline']} "
        f"(+{weeks} weeks); {result['moved']} open milestones moved"
    )


@thesis.command("templates")
@format_option
def thesis_templates(fmt: str) -> None:
    """The milestone plans `thesis add --template` can use.

    JSON fields: name weeks milestones description.

    \b
    Example:
      pmtool thesis templates
    """
    from pmtool.services import thesis_plan

    rows = []
    for name in thesis_plan.template_names():
        plan = thesis_plan.load_template(name)
        rows.append(
            {
                "name": name,
                "weeks": plan.weeks,
                "milestones": len(plan.milestones),
                "description": plan.description,
            }
        )
    emit_rows(
        rows,
        fmt,
        [
            Column("name", "TEMPLATE"),
            Column("weeks", "WEEKS", align_right=True),
            Column("milestones", "MILESTONES", align_right=True),
            Column("description", "DESCRIPTION", flexible=True),
        ],
        fields=("name", "weeks", "milestones", "description"),
    )


@thesis.command("settings")
@click.argument("name", required=False, type=click.Choice(list(THESIS_SETTINGS)))
@click.argument("days", required=False, type=int)
@format_option
@pass_app
def thesis_settings(app: AppContext, name: str | None, days: int | None, fmt: str) -> None:
    """Show the thesis settings, or set one (in days): meeting-cadence (default 21),
    meeting-stale (42: a risk), deadline-warning (28).

    JSON fields: name days default meaning.

    \b
    Example:
      pmtool thesis settings meeting-cadence 14
    """
    from pmtool.services import thesis as theses

    if name is not None:
        if days is None:
            raise click.UsageError(f"give the number of days for {name}")
        with app.writing() as gw:
            theses.set_setting(gw, name, days)
        click.echo(f"{name} = {days} days")
        return
    with app.reading() as reader:
        rows = [
            {
                "name": setting,
                "days": theses.setting_value(reader, setting),
                "default": default,
                "meaning": meaning,
            }
            for setting, (_, default, meaning) in THESIS_SETTINGS.items()
        ]
    emit_rows(rows, fmt, fields=("name", "days", "default", "meaning"))


@thesis.group("programme")
def thesis_programme() -> None:
    """Processing time and plan per degree programme (e.g. 17 weeks at HTW Berlin)."""


@thesis_programme.command("set")
@click.argument("name")
@click.option("--weeks", type=int, required=True, help="Processing time in weeks.")
@click.option("--template", help="Milestone plan for its theses.")
@pass_app
def programme_set(app: AppContext, name: str, weeks: int, template: str | None) -> None:
    """Set a programme's processing time (and plan) for theses added with --programme.

    \b
    Example:
      pmtool thesis programme set "MSc Health AI (HTW)" --weeks 17 --template short-17w
    """
    from pmtool.services import thesis as theses

    with app.writing() as gw:
        theses.set_programme(gw, name, weeks=weeks, template=template)
    plan = f", plan {template}" if template else ""
    click.echo(f"Programme {name.strip()}: {weeks} weeks{plan}")


@thesis_programme.command("list")
@format_option
@pass_app
def programme_list(app: AppContext, fmt: str) -> None:
    """The programmes with their processing time and plan.

    JSON fields: name weeks template.

    \b
    Example:
      pmtool thesis programme list
    """
    import json

    from pmtool.core.words import THESIS_PROGRAMME_PREFIX

    with app.reading() as reader:
        found = reader.tuples(
            "SELECT value FROM setting WHERE key LIKE :p ORDER BY key",
            {"p": THESIS_PROGRAMME_PREFIX + "%"},
        )
    rows = [json.loads(value) for (value,) in found]
    emit_rows(
        rows,
        fmt,
        empty_message="No programmes set: pmtool thesis programme set NAME --weeks N",
        fields=("name", "weeks", "template"),
    )


# --- milestones -----------------------------------------------------------------------------


@thesis.group("milestone")
def thesis_milestone() -> None:
    """A thesis's milestones: list, add, done, reopen, edit, move, depend.

    MILESTONE is its number (`thesis milestone list ID`) or its id in the plan, e.g.
    data-access.
    """


@thesis_milestone.command("list")
@click.argument("thesis_ref", metavar="ID")
@format_option
@pass_app
def milestone_list(app: AppContext, thesis_ref: str, fmt: str) -> None:
    """The plan in order: due and done dates, state (done, late, due, open), the
    milestones each comes after, the approvals it needs, and the critical path.

    JSON fields: number id title due done state after needs critical.

    \b
    Example:
      pmtool thesis milestone list 3 --format json
    """
    from pmtool.core import clock
    from pmtool.services import resolve
    from pmtool.services.read import thesis as read

    with app.reading() as reader:
        rows = read.milestone_rows(reader, resolve.thesis(reader, thesis_ref), clock.today())
    _emit_milestones(rows, fmt)


@thesis_milestone.command("add")
@click.argument("thesis_ref", metavar="ID")
@click.argument("title")
@click.option("--due", type=DATE, required=True, help="Due date.")
@click.option("--id", "code", help="Short id in the plan [default: from the title].")
@click.option("--after", multiple=True, metavar="MILESTONE", help="Comes after (repeatable).")
@click.option("--needs", multiple=True, metavar="KIND", help="Approval in force, e.g. dua.")
@pass_app
def milestone_add(
    app: AppContext,
    thesis_ref: str,
    title: str,
    due: date,
    code: str | None,
    after: tuple[str, ...],
    needs: tuple[str, ...],
) -> None:
    """Add a milestone to a thesis's plan.

    \b
    Example:
      pmtool thesis milestone add 3 "Second data delivery" --due +6w --after data-access --needs dua
    """
    from pmtool.services import resolve
    from pmtool.services import thesis as theses

    with app.writing() as gw:
        record = resolve.thesis(gw.reader, thesis_ref)
        created = theses.add_milestone(gw, record, title, due, code=code, after=after, needs=needs)
    click.echo(
        f"Milestone {created['position']} ({created['code']}) of thesis {record['id']}, "
        f"due {created['due_date']}"
    )


@thesis_milestone.command("done")
@click.argument("thesis_ref", metavar="ID")
@click.argument("milestone")
@click.option("--on", "on", type=DATE, help="Day it was done [default: today].")
@click.option("--force", is_flag=True, help="Mark it done over open dependencies or approvals.")
@click.option("--reason", help="Why the gate is passed (required with --force; audited).")
@pass_app
def milestone_done(
    app: AppContext,
    thesis_ref: str,
    milestone: str,
    on: date | None,
    force: bool,
    reason: str | None,
) -> None:
    """Mark a milestone done (or a range such as 1-8, in order). Refused while a milestone
    it comes after is open or an approval it needs is not in force; --force --reason
    overrides (audited).

    \b
    Example:
      pmtool thesis milestone done 3 data-access
      pmtool thesis milestone done 3 1-8 --on 2027-01-04
    """
    from pmtool.services import resolve
    from pmtool.services import thesis as theses

    if force and not (reason and reason.strip()):
        raise click.UsageError("--force needs --reason (it is recorded in the trail)")
    first, _, last = milestone.partition("-")
    wanted = (
        [str(n) for n in range(int(first), int(last) + 1)]
        if first.isdigit() and last.isdigit()
        else [milestone]
    )
    finished = []
    with app.writing() as gw:
        record = resolve.thesis(gw.reader, thesis_ref)
        for ref in wanted:  # in order: each may wait for the one before
            target = resolve.thesis_milestone(gw.reader, record, ref)
            finished.append(
                (
                    target,
                    theses.complete_milestone(
                        gw, record, target, on=on, force=force, reason=reason
                    ),
                )
            )
    for target, done in finished:
        forced = " (forced: recorded with the reason)" if done["forced"] else ""
        click.echo(
            f"Milestone {target['position']} done on {done['done_on']}: {target['title']}{forced}"
        )


@thesis_milestone.command("reopen")
@click.argument("thesis_ref", metavar="ID")
@click.argument("milestone")
@pass_app
def milestone_reopen(app: AppContext, thesis_ref: str, milestone: str) -> None:
    """Mark a done milestone open again.

    \b
    Example:
      pmtool thesis milestone reopen 3 draft
    """
    from pmtool.services import resolve
    from pmtool.services import thesis as theses

    with app.writing() as gw:
        record = resolve.thesis(gw.reader, thesis_ref)
        target = resolve.thesis_milestone(gw.reader, record, milestone)
        theses.reopen_milestone(gw, record, target)
    click.echo(f"Milestone {target['position']} is open again: {target['title']}")


@thesis_milestone.command("edit")
@click.argument("thesis_ref", metavar="ID")
@click.argument("milestone")
@click.option("--title", help="New title.")
@click.option("--due", type=DATE, help="New due date.")
@click.option("--needs", multiple=True, metavar="KIND", help="Approvals it needs ('none': none).")
@pass_app
def milestone_edit(
    app: AppContext,
    thesis_ref: str,
    milestone: str,
    title: str | None,
    due: date | None,
    needs: tuple[str, ...],
) -> None:
    """Change a milestone's title, due date or the approvals it needs.

    \b
    Example:
      pmtool thesis milestone edit 3 data-access --needs "ethics|exemption" --needs dua
    """
    from pmtool.core.words import is_none_word
    from pmtool.services import resolve
    from pmtool.services import thesis as theses

    needed: list[str] | None = None
    if needs:
        needed = [] if len(needs) == 1 and is_none_word(needs[0]) else list(needs)
    with app.writing() as gw:
        record = resolve.thesis(gw.reader, thesis_ref)
        target = resolve.thesis_milestone(gw.reader, record, milestone)
        changed = theses.edit_milestone(gw, record, target, title=title, due=due, needs=needed)
    what = ", ".join(sorted(changed)) if changed else "nothing changed"
    click.echo(f"Milestone {target['position']} of thesis {record['id']}: {what}")


@thesis_milestone.command("move")
@click.argument("thesis_ref", metavar="ID")
@click.argument("milestone")
@click.argument("due", type=DATE)
@pass_app
def milestone_move(app: AppContext, thesis_ref: str, milestone: str, due: date) -> None:
    """Move one milestone to a new due date (the old one stays in `thesis history`).

    \b
    Example:
      pmtool thesis milestone move 3 midterm 2027-04-12
    """
    from pmtool.services import resolve
    from pmtool.services import thesis as theses

    with app.writing() as gw:
        record = resolve.thesis(gw.reader, thesis_ref)
        target = resolve.thesis_milestone(gw.reader, record, milestone)
        theses.edit_milestone(gw, record, target, due=due)
    click.echo(f"Milestone {target['position']}: {target['due_date']} -> {due}")


@thesis_milestone.command("depend")
@click.argument("thesis_ref", metavar="ID")
@click.argument("milestone")
@click.option("--on", "before", required=True, metavar="MILESTONE", help="It comes after this.")
@click.option("--remove", is_flag=True, help="Remove the dependency instead.")
@pass_app
def milestone_depend(
    app: AppContext, thesis_ref: str, milestone: str, before: str, remove: bool
) -> None:
    """Make MILESTONE come after another one (refused when it would close a circle).

    \b
    Example:
      pmtool thesis milestone depend 3 draft --on validation
    """
    from pmtool.services import resolve
    from pmtool.services import thesis as theses

    with app.writing() as gw:
        record = resolve.thesis(gw.reader, thesis_ref)
        target = resolve.thesis_milestone(gw.reader, record, milestone)
        first = resolve.thesis_milestone(gw.reader, record, before)
        if remove:
            theses.remove_dependency(gw, target, first)
        else:
            theses.add_dependency(gw, record, target, first)
    verb = "no longer comes" if remove else "comes"
    click.echo(f"Milestone {target['position']} {verb} after {first['position']}")


# --- meetings -------------------------------------------------------------------------------


@thesis.group("meeting")
def thesis_meeting() -> None:
    """Supervision meetings: notes, decisions, action items (they become tasks)."""


@thesis_meeting.command("add")
@click.argument("thesis_ref", metavar="ID")
@click.option("--on", "held_on", type=DATE, default="today", help="Day of the meeting.")
@click.option("--attendee", "attendees", multiple=True, help="Who took part (repeatable).")
@click.option("--notes", type=DESCRIPTION, help="Notes.")
@click.option("--decision", "decisions", multiple=True, help="A decision (repeatable).")
@click.option("--action", "actions", multiple=True, help="An action item (repeatable).")
@click.option(
    "--action-assignee",
    "assignees",
    multiple=True,
    metavar="NAME",
    help="Who does the action item given at the same place (repeatable).",
)
@click.option("--next", "next_on", type=DATE, help="Next meeting [default: the cadence].")
@pass_app
def meeting_add(
    app: AppContext,
    thesis_ref: str,
    held_on: date,
    attendees: tuple[str, ...],
    notes: str | None,
    decisions: tuple[str, ...],
    actions: tuple[str, ...],
    assignees: tuple[str, ...],
    next_on: date | None,
) -> None:
    """Record a supervision meeting. Each --action becomes a task in the thesis's project
    (label `thesis`, due at the next meeting); the n-th --action-assignee does the n-th
    --action.

    \b
    Example:
      pmtool thesis meeting add 3 --attendee "Mara Schulz" --decision "6 h window"
      pmtool thesis meeting add 3 --action "Send exposé" --action-assignee "Mara Schulz"
    """
    from pmtool.services import resolve
    from pmtool.services import thesis as theses

    if len(assignees) > len(actions):
        raise click.UsageError("more --action-assignee than --action; give one per action")
    pairs = [
        (text, assignees[index] if index < len(assignees) else None)
        for index, text in enumerate(actions)
    ]
    with app.writing() as gw:
        record = resolve.thesis(gw.reader, thesis_ref)
        meeting = theses.add_meeting(
            gw,
            record,
            held_on,
            attendees=attendees,
            notes=notes,
            decisions=decisions,
            actions=pairs,
            next_on=next_on,
        )
    click.echo(
        f"Meeting {meeting['id']} of thesis {record['id']} on {meeting['held_on']}; "
        f"next {meeting['next_on']}"
    )
    for action in meeting["actions"]:
        where = f" -> task {action['task']}" if action["task"] else ""
        who = f" ({action['assignee']})" if action["assignee"] else ""
        click.echo(f"  action: {action['text']}{who}{where}")


@thesis_meeting.command("list")
@click.argument("thesis_ref", metavar="ID")
@format_option
@pass_app
def meeting_list(app: AppContext, thesis_ref: str, fmt: str) -> None:
    """A thesis's supervision meetings, newest first.

    JSON fields: id date attendees notes decisions actions next (actions: text assignee
    task).

    \b
    Example:
      pmtool thesis meeting list 3
    """
    from pmtool.services import resolve
    from pmtool.services.read import thesis as read

    with app.reading() as reader:
        rows = read.meeting_rows(reader, resolve.thesis(reader, thesis_ref))
    if fmt in ("table", "md", "csv"):
        for row in rows:
            row["actions"] = [
                action["text"] + (f" [{action['task']}]" if action["task"] else "")
                for action in row["actions"]
            ]
    emit_rows(
        rows,
        fmt,
        [
            Column("date", "DATE", keep_width=True),
            Column("attendees", "WHO", flexible=True, drop_order=2),
            Column("decisions", "DECISIONS", flexible=True, drop_order=1),
            Column("actions", "ACTIONS", flexible=True),
            Column("next", "NEXT", keep_width=True),
        ],
        empty_message="No meetings yet: pmtool thesis meeting add ID --on DATE --notes ...",
        fields=read.MEETING_FIELDS,
    )


@thesis.command("calendar")
@click.argument("thesis_ref", metavar="[ID]", required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File [default: stdout].")
@click.option("--supervisor", metavar="NAME", help="Without ID: the theses of this examiner.")
@pass_app
def thesis_calendar(
    app: AppContext, thesis_ref: str | None, output: str | None, supervisor: str | None
) -> None:
    """Export milestones, deadlines, meetings and defences as iCalendar (.ics) for Outlook
    or Thunderbird; without ID every open thesis. Importing again updates the events.

    \b
    Example:
      pmtool thesis calendar 3 -o mara.ics
      pmtool thesis calendar --supervisor Koch -o theses.ics
    """
    from pmtool.core import clock
    from pmtool.services import resolve
    from pmtool.services.read import thesis as read
    from pmtool.services.thesis_calendar import build_calendar

    with app.reading() as reader:
        if thesis_ref is not None:
            ids = [resolve.thesis(reader, thesis_ref)["id"]]
        else:
            rows = read.list_theses(
                reader, clock.today(), supervisor=supervisor, include_closed=False
            )
            ids = [row["id"] for row in rows]
        events = read.calendar_events(reader, ids)
    content = build_calendar(events)
    if output is None:
        import sys

        # iCalendar lines end in CRLF, which the terminal filter would show as ␍; the
        # library has escaped everything else.
        out = getattr(sys.stdout, "unfiltered", sys.stdout)
        out.write(content.decode("utf-8"))
        out.flush()
        return
    with open(output, "wb") as handle:
        handle.write(content)
    click.echo(f"Wrote {len(events)} events of {len(ids)} theses to {output}")
