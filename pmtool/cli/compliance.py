"""`pmtool compliance`: regulatory profile, MDR Rule 11, checklists, generated documents."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import Any

import click

from pmtool.cli.context import AppContext, pass_app
from pmtool.cli.output import Column, emit_object, emit_rows, format_option
from pmtool.cli.params import DATE_OR_NONE, DESCRIPTION
from pmtool.core.words import AI_ACT_ROLES, IEC62304_CLASSES, ITEM_STATUSES

ITEM_COLUMNS = [
    Column("id", "ID", align_right=True),
    Column("checklist", "CHECKLIST", drop_order=3),
    Column("number", "#", keep_width=True),
    Column("status", "STATUS"),
    Column("label", "ITEM", flexible=True),
    Column("owner", "OWNER", drop_order=2),
    Column("due", "DUE", keep_width=True, drop_order=1),
    Column("evidence", "EVIDENCE", drop_order=4),
]
CHECKLIST_COLUMNS = [
    Column("id", "ID", align_right=True),
    Column("template", "TEMPLATE"),
    Column("title", "TITLE", flexible=True),
    Column("bar", "PROGRESS", keep_width=True),
    Column("finished", "FINISHED", align_right=True),
    Column("items", "ITEMS", align_right=True),
    Column("overdue", "OVERDUE", align_right=True, drop_order=2),
    Column("thesis_id", "THESIS", align_right=True, drop_order=1),
]
TEMPLATE_COLUMNS = [
    Column("name", "NAME"),
    Column("title", "TITLE", flexible=True),
    Column("kind", "KIND", drop_order=2),
    Column("items", "ITEMS", align_right=True),
    Column("origin", "ORIGIN", drop_order=1),
]
DOCUMENTS = ("annex-iv", "model-card", "reporting-appendix")


def _yes_or_no(question_id: str, text: str) -> bool:
    """An answer typed at the prompt (yes, y, no, n, ...); anything else asks again."""
    from pmtool.core.errors import InvalidInput
    from pmtool.services.compliance_rules import parse_answer

    try:
        return parse_answer(question_id, text)
    except InvalidInput as error:
        raise click.BadParameter(str(error)) from error


def _interactive() -> bool:
    """Questions are asked only on a terminal; scripts give every answer as options."""
    return sys.stdin.isatty() and sys.stdout.isatty()


@click.group()
def compliance() -> None:
    """Regulatory profile, MDR Rule 11, checklists and the documents they feed.

    A project's profile holds its AI Act role and tier and its IEC 62304 safety class,
    each with a reason; `classify` runs MDR Rule 11 and keeps every run. Checklists
    (AI Act, GDPR, TRIPOD+AI, CLAIM, STARD, DECIDE-AI, or your own) are copied into the
    project, and each item carries a status, an owner, evidence and a due date. See
    docs/compliance.md.
    """


# --- profile and classification ------------------------------------------------------------


@compliance.command("profile")
@click.option("--intended-purpose", type=DESCRIPTION, help="What the system is for, for whom.")
@click.option(
    "--ai-act-role", type=click.Choice(AI_ACT_ROLES, case_sensitive=False), help="Your role."
)
@click.option(
    "--ai-act-tier",
    metavar="TIER",
    help="prohibited, high-risk, transparency or minimal (needs --ai-act-reason); 'auto' "
    "lets the MDR class decide again.",
)
@click.option("--ai-act-reason", metavar="TEXT", help="Why the AI Act tier is what it is.")
@click.option(
    "--iec62304",
    type=click.Choice(IEC62304_CLASSES, case_sensitive=False),
    help="IEC 62304 software safety class (needs --iec62304-reason).",
)
@click.option("--iec62304-reason", metavar="TEXT", help="Why this safety class.")
@format_option
@pass_app
def compliance_profile(
    app: AppContext,
    intended_purpose: str | None,
    ai_act_role: str | None,
    ai_act_tier: str | None,
    ai_act_reason: str | None,
    iec62304: str | None,
    iec62304_reason: str | None,
    fmt: str,
) -> None:
    """Show the project's regulatory profile, or change it.

    Without options it shows the profile: AI Act role and tier (derived from the MDR
    class when not set by hand: class IIa and above is high-risk, Art. 6(1) + Annex I),
    the latest MDR Rule 11 result with its rationale and the one before it, the
    IEC 62304 class, and hints.

    JSON fields: see docs/json-fields.md (Compliance profile).

    \b
    Example:
      pmtool compliance profile --ai-act-role provider --iec62304 B --iec62304-reason "Minor injury"
      pmtool compliance profile --format json
    """
    from pmtool.services.read import compliance as read

    options = (
        intended_purpose,
        ai_act_role,
        ai_act_tier,
        ai_act_reason,
        iec62304,
        iec62304_reason,
    )
    if any(value is not None for value in options):
        from pmtool.services import compliance as service

        with app.writing() as gw:
            project = app.project_row(gw.reader)
            changed = service.set_profile(
                gw,
                project,
                intended_purpose=intended_purpose,
                ai_act_role=ai_act_role,
                ai_act_tier=ai_act_tier,
                ai_act_reason=ai_act_reason,
                iec62304_class=iec62304,
                iec62304_reason=iec62304_reason,
            )
        if fmt == "table":
            if changed:
                names = ", ".join(name.replace("_", " ") for name in changed)
                click.echo(f"{project['key']}: profile updated ({names})")
            else:
                click.echo(f"{project['key']}: the profile has these values already")
            return
    with app.reading() as reader:
        project_id, _key = app.project_ref(reader)
        record = read.profile(reader, project_id)
    if fmt == "table":
        _print_profile(record)
        return
    emit_object(record, fmt)


def _print_profile(record: dict[str, Any]) -> None:
    def line(label: str, value: Any) -> None:
        click.echo(f"{label:<18}{value if value not in (None, '') else '-'}")

    line("Project", record["project"])
    line("Intended purpose", record["intended_purpose"])
    line("AI Act role", record["ai_act_role"])
    tier = record["ai_act_tier"]
    if tier and record["ai_act_tier_derived"]:
        tier += " (derived)"
    line("AI Act tier", tier)
    line("  reason", record["ai_act_reason"])
    mdr = record["mdr_class"]
    if mdr and record["mdr_classified_at"]:
        mdr += f" (MDR Rule 11, {record['mdr_classified_at'][:10]})"
    line("MDR class", mdr)
    for step in record["mdr_rationale"]:
        click.echo(f"{'':<18}{step}")
    if record["previous_mdr_class"]:
        line(
            "  previous",
            f"{record['previous_mdr_class']} ({record['previous_mdr_classified_at'][:10]}; "
            "`pmtool compliance classify --diff` compares)",
        )
    line("IEC 62304 class", record["iec62304_class"])
    line("  reason", record["iec62304_reason"])
    for hint in record["hints"]:
        click.echo(f"Hint: {hint}")


@compliance.command("classify")
@click.option(
    "--answer",
    "answers",
    multiple=True,
    metavar="Q=A",
    help="An answer, e.g. q1=yes (repeat, or q1=yes,q2=no). Missing ones are asked on a terminal.",
)
@click.option("--diff", is_flag=True, help="Compare with the run before (alone: the last two).")
@click.option("--questions", "list_questions", is_flag=True, help="List the questions.")
@format_option
@pass_app
def compliance_classify(
    app: AppContext, answers: tuple[str, ...], diff: bool, list_questions: bool, fmt: str
) -> None:
    """Classify the software with MDR Annex VIII Rule 11, and keep the run.

    Yes/no questions with ids (q1, q2, ...; `--questions` lists them). On a terminal
    the questions on the path that have no --answer are asked; otherwise a missing one
    is an error naming it (exit 2). Each run is stored with its answers and rationale;
    `--diff` shows what changed against the run before.

    \b
    Example:
      pmtool compliance classify --answer q1=yes,q2=yes,q3=no,q4=no --answer q7=no
      pmtool compliance classify --diff
    """
    from pmtool.services import compliance_rules as rules
    from pmtool.services.read import compliance as read

    if list_questions:
        if fmt != "table":
            emit_rows(read.questions(), fmt, fields=read.QUESTION_FIELDS)
            return
        for entry in read.questions():
            click.echo(f"{entry['id']}  {entry['text']}")
            click.echo(f"    {entry['help']}")
            click.echo(f"    yes: {entry['yes']}; no: {entry['no']}")
        return
    given = rules.parse_answers(list(answers))
    if diff and not answers:
        with app.reading() as reader:
            project_id, _key = app.project_ref(reader)
            _print_diff(*read.classification_diff(reader, project_id), fmt=fmt)
        return
    if _interactive():
        while (question := rules.next_question(given)) is not None:
            click.echo(f"{question.id}: {question.text}")
            click.echo(f"    {question.help}")
            given[question.id] = click.prompt(
                "    yes/no", value_proc=partial(_yes_or_no, question.id)
            )
    from pmtool.services import compliance as service

    with app.writing() as gw:
        project = app.project_row(gw.reader)
        outcome = service.classify(gw, project, given)
    result = outcome.result
    if diff:
        with app.reading() as reader:
            _print_diff(*read.classification_diff(reader, project["id"]), fmt=fmt)
        return
    previous = outcome.previous
    record = {
        "project": project["key"],
        "mdr_class": result.mdr_class,
        "rationale": result.rationale,
        "answers": {question_id: "yes" if answer else "no" for question_id, answer in result.path},
        "unused_answers": result.unused,
        "previous_mdr_class": previous["result"] if previous else None,
    }
    if fmt != "table":
        emit_object(record, fmt)
        return
    click.echo(f"{project['key']}: MDR class {result.mdr_class}")
    for step in result.rationale:
        click.echo(f"  {step}")
    if result.unused:
        click.echo(f"Not on the path (ignored): {', '.join(result.unused)}")
    if previous is not None:
        same = "unchanged" if previous["result"] == result.mdr_class else "changed"
        click.echo(f"Previous run: class {previous['result']} ({same}; --diff compares)")


def _print_diff(
    previous: dict[str, Any] | None,
    latest: dict[str, Any] | None,
    rows: list[dict[str, Any]],
    *,
    fmt: str,
) -> None:
    from pmtool.core.errors import NotFound

    if latest is None:
        raise NotFound("no MDR classification yet: run `pmtool compliance classify`")
    if fmt != "table":
        emit_rows(rows, fmt, fields=("question", "text", "previous", "current", "changed"))
        return
    if previous is None:
        click.echo(f"Only one run so far: class {latest['result']}.")
        return
    verdict = (
        f"class {previous['result']} -> {latest['result']}"
        if previous["result"] != latest["result"]
        else f"class {latest['result']} (unchanged)"
    )
    click.echo(f"Rule 11 run {previous['id']} -> {latest['id']}: {verdict}")
    emit_rows(
        [row for row in rows if row["changed"]] or rows,
        fmt,
        [
            Column("question", "Q"),
            Column("previous", "BEFORE"),
            Column("current", "NOW"),
            Column("text", "QUESTION", flexible=True),
        ],
    )


# --- templates -------------------------------------------------------------------------------


@compliance.group("template")
def compliance_template() -> None:
    """Checklist templates: shipped with pmtool, or your own (an institution's SOP)."""


@compliance_template.command("list")
@format_option
@pass_app
def template_list(app: AppContext, fmt: str) -> None:
    """List the checklist templates, shipped and added.

    JSON fields: name title kind items origin source applies_from.

    \b
    Example:
      pmtool compliance template list
    """
    from pmtool.services.compliance_templates import all_templates, describe
    from pmtool.services.read.compliance import TEMPLATE_FIELDS

    with app.reading() as reader:
        rows = [describe(template) for template in all_templates(reader)]
    emit_rows(rows, fmt, TEMPLATE_COLUMNS, fields=TEMPLATE_FIELDS)


@compliance_template.command("show")
@click.argument("name")
@format_option
@pass_app
def template_show(app: AppContext, name: str, fmt: str) -> None:
    """List a template's items: number, section, label.

    \b
    Example:
      pmtool compliance template show tripod-ai
    """
    from pmtool.services.compliance_templates import find_template

    with app.reading() as reader:
        template = find_template(reader, name)
    if fmt == "table":
        click.echo(f"{template.title} ({template.name}, {len(template.items)} items)")
        click.echo(f"Source: {template.source}")
    emit_rows(
        [
            {"number": entry.number, "section": entry.section, "label": entry.label}
            for entry in template.items
        ],
        fmt,
        [Column("number", "#"), Column("section", "SECTION"), Column("label", "ITEM", True)],
    )


@compliance_template.command("add")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def template_add(app: AppContext, file: Path) -> None:
    """Check a checklist file (TOML, the format of templates/checklists) and store it.

    The file is copied into the database: editing it later changes nothing, neither
    the template nor the checklists made from it. A problem names the file, the line
    and the field.

    \b
    Example:
      pmtool compliance template add uni-sop.toml
    """
    from pmtool.services import compliance as service
    from pmtool.services.compliance_templates import read_template_file

    template = read_template_file(file)
    with app.writing() as gw:
        service.add_template(gw, template, file.name)
    click.echo(f"Added template {template.name}: {template.title}, {len(template.items)} items")


# --- checklists --------------------------------------------------------------------------


@compliance.group("checklist")
def compliance_checklist() -> None:
    """A project's (or a thesis') checklists, copied from templates."""


@compliance_checklist.command("add")
@click.argument("template")
@click.option("--thesis", "thesis_id", type=click.IntRange(min=1), help="For this thesis (id).")
@click.option("--owner", metavar="NAME", help="Owner of every item (a member).")
@pass_app
def checklist_add(app: AppContext, template: str, thesis_id: int | None, owner: str | None) -> None:
    """Add a checklist from a template to the project (or to one of its theses).

    The items are copied: later changes to the template do not change this checklist.

    \b
    Example:
      pmtool compliance checklist add tripod-ai --owner Lena
    """
    from pmtool.services import compliance as service

    with app.writing() as gw:
        project = app.project_row(gw.reader)
        created = service.add_checklist(gw, project, template, thesis_id=thesis_id, owner=owner)
    whose = f"thesis {thesis_id}" if thesis_id is not None else project["key"]
    click.echo(
        f"Added {created['title']} to {whose}: {created['items']} items (checklist {created['id']})"
    )


@compliance_checklist.command("rm")
@click.argument("name")
@click.option("--thesis", "thesis_id", type=click.IntRange(min=1), help="The thesis' checklist.")
@click.option("--force", is_flag=True, help="Also when items have work recorded.")
@pass_app
def checklist_rm(app: AppContext, name: str, thesis_id: int | None, force: bool) -> None:
    """Remove a checklist added by mistake, with its items (linked tasks stay).

    A checklist with items done, not applicable, in progress or with evidence needs
    --force; `pmtool undo` puts everything back.

    \b
    Example:
      pmtool compliance checklist rm claim
    """
    from pmtool.services import compliance as service

    with app.writing() as gw:
        project = app.project_row(gw.reader)
        entry = service.checklist(gw.reader, project["id"], name, thesis_id)
        removed = service.remove_checklist(gw, entry, force=force)
    click.echo(f"Removed {entry['title']} ({removed} items; pmtool undo restores)")


@compliance_checklist.command("list")
@format_option
@pass_app
def checklist_list(app: AppContext, fmt: str) -> None:
    """List the project's checklists with their progress.

    Done and not-applicable items count as finished. JSON fields: see
    docs/json-fields.md (Compliance checklist).

    \b
    Example:
      pmtool compliance checklist list --format json
    """
    from pmtool.core import clock
    from pmtool.services.read import compliance as read

    with app.reading() as reader:
        project_id, _key = app.project_ref(reader)
        rows = read.list_checklists(reader, project_id, clock.today())
    if fmt == "table":
        for row in rows:
            row["bar"] = read.progress_bar(row["progress"])
            row["finished"] = row["done"] + row["not_applicable"]
    emit_rows(
        rows,
        fmt,
        CHECKLIST_COLUMNS if fmt == "table" else None,
        empty_message="No checklists yet: pmtool compliance checklist add TEMPLATE "
        "(pmtool compliance template list shows them)",
        fields=read.CHECKLIST_FIELDS,
    )


# --- items -------------------------------------------------------------------------------


@compliance.group("item")
def compliance_item() -> None:
    """Checklist items: ID is the number `item list` shows, or CHECKLIST:NUMBER."""


@compliance_item.command("list")
@click.option("--checklist", "checklist_name", metavar="NAME", help="Only this checklist.")
@click.option("--thesis", "thesis_id", type=click.IntRange(min=1), help="The thesis' checklist.")
@click.option("--status", type=click.Choice(ITEM_STATUSES), help="Only items in this status.")
@click.option("--open", "unfinished", is_flag=True, help="Only open and in-progress items.")
@click.option("--overdue", is_flag=True, help="Only unfinished items past their due date.")
@click.option("--owner", metavar="NAME", help="Only this owner's items.")
@format_option
@pass_app
def item_list(
    app: AppContext,
    checklist_name: str | None,
    thesis_id: int | None,
    status: str | None,
    unfinished: bool,
    overdue: bool,
    owner: str | None,
    fmt: str,
) -> None:
    """List checklist items with status, owner, due date and evidence.

    JSON fields: see docs/json-fields.md (Compliance item).

    \b
    Example:
      pmtool compliance item list --checklist tripod-ai --open
    """
    from pmtool.core import clock
    from pmtool.services import compliance as service
    from pmtool.services import resolve
    from pmtool.services.read import compliance as read

    with app.reading() as reader:
        project_id, _key = app.project_ref(reader)
        if owner is not None:
            owner = resolve.member(reader, owner)["name"]  # "Lena" means Lena Vogel
        checklist_id = None
        if checklist_name is not None:
            checklist_id = service.checklist(reader, project_id, checklist_name, thesis_id)["id"]
        elif thesis_id is not None:
            raise click.UsageError("--thesis chooses among checklists: give --checklist too")
        rows = read.list_items(
            reader,
            project_id,
            checklist_id=checklist_id,
            status=status,
            unfinished=unfinished,
            overdue_on=clock.today() if overdue else None,
            owner=owner,
        )
    emit_rows(
        rows,
        fmt,
        ITEM_COLUMNS,
        empty_message="No checklist items here.",
        fields=read.ITEM_FIELDS,
    )


def _item(app: AppContext, reader: Any, ref: str) -> dict[str, Any]:
    from pmtool.services import compliance as service

    project_id = None
    if not ref.strip().isdigit():
        project_id = app.project_ref(reader)[0]
    return service.item(reader, ref, project_id)


@compliance_item.command("show")
@click.argument("item_ref", metavar="ID")
@format_option
@pass_app
def item_show(app: AppContext, item_ref: str, fmt: str) -> None:
    """Show one checklist item.

    \b
    Example:
      pmtool compliance item show tripod-ai:7
    """
    from pmtool.services.read import compliance as read

    with app.reading() as reader:
        found = _item(app, reader, item_ref)
        record = read.show_item(reader, found["id"])
    emit_object(record, fmt)


@compliance_item.command("done")
@click.argument("item_ref", metavar="ID")
@click.option(
    "--evidence",
    required=True,
    metavar="E",
    help="A file path, URL, task key (PM-12) or commit sha that shows it is done.",
)
@pass_app
def item_done(app: AppContext, item_ref: str, evidence: str) -> None:
    """Mark an item done, with its evidence.

    \b
    Example:
      pmtool compliance item done tripod-ai:10 --evidence docs/sample-size.md
    """
    from pmtool.services import compliance as service

    with app.writing() as gw:
        found = _item(app, gw.reader, item_ref)
        done = service.mark_done(gw, found, evidence)
    click.echo(
        f"Item {done['id']} ({done['checklist']} {done['number']}) done: "
        f"{done['evidence_kind']} {done['evidence']}"
    )


@compliance_item.command("na")
@click.argument("item_ref", metavar="ID")
@click.option("--reason", metavar="R", help="Why the item does not apply (required).")
@pass_app
def item_na(app: AppContext, item_ref: str, reason: str | None) -> None:
    """Mark an item not applicable; the reason is required.

    \b
    Example:
      pmtool compliance item na tripod-ai:24 --reason "No model updating in this study"
    """
    from pmtool.services import compliance as service

    with app.writing() as gw:
        found = _item(app, gw.reader, item_ref)
        marked = service.mark_not_applicable(gw, found, reason)
    click.echo(f"Item {marked['id']} ({marked['checklist']} {marked['number']}) not applicable")


@compliance_item.command("edit")
@click.argument("item_ref", metavar="ID")
@click.option(
    "--status",
    type=click.Choice(["open", "in_progress", "in-progress"]),
    help="Reopen, or start working on it.",
)
@click.option("--owner", metavar="NAME", help="A member ('none' clears).")
@click.option("--due", type=DATE_OR_NONE, help="Due date ('none' clears).")
@click.option("--evidence", metavar="E", help="Evidence ('none' clears).")
@pass_app
def item_edit(
    app: AppContext,
    item_ref: str,
    status: str | None,
    owner: str | None,
    due: Any,
    evidence: str | None,
) -> None:
    """Change an item's status (open, in_progress), owner, due date or evidence.

    \b
    Example:
      pmtool compliance item edit 12 --owner Lena --due +2w --status in_progress
    """
    from pmtool.core.words import CLEAR, is_none_word
    from pmtool.services import compliance as service

    if status is None and owner is None and due is None and evidence is None:
        raise click.UsageError("nothing to change: give --status, --owner, --due or --evidence")

    def cleared(value: Any) -> Any:
        return CLEAR if isinstance(value, str) and is_none_word(value) else value

    with app.writing() as gw:
        found = _item(app, gw.reader, item_ref)
        if owner is not None or due is not None or evidence is not None:
            service.edit_item(
                gw, found, owner=cleared(owner), due=cleared(due), evidence=cleared(evidence)
            )
            found = service.item(gw.reader, found["id"])
        if status is not None:
            service.set_status(gw, found, status)
    click.echo(f"Updated item {found['id']} ({found['checklist']} {found['number']})")


@compliance_item.command("task")
@click.argument("item_ref", metavar="ID")
@click.option("--sprint", metavar="NAME", help="Plan the new task into this sprint.")
@pass_app
def item_task(app: AppContext, item_ref: str, sprint: str | None) -> None:
    """Turn an item into a task of the project, linked back (the item is in progress).

    The task gets the label `compliance`, the item's owner as assignee and its due date.

    \b
    Example:
      pmtool compliance item task tripod-ai:14
    """
    from pmtool.services import compliance as service

    with app.writing() as gw:
        found = _item(app, gw.reader, item_ref)
        created = service.make_task(gw, found, sprint=sprint)
    click.echo(
        f"{created['key']}  (for item {found['id']}, {found['checklist']} {found['number']})"
    )


@compliance_item.command("link")
@click.argument("item_ref", metavar="ID")
@click.argument("task_key", metavar="KEY-N")
@pass_app
def item_link(app: AppContext, item_ref: str, task_key: str) -> None:
    """Link an existing task of the project to an item.

    \b
    Example:
      pmtool compliance item link tripod-ai:8 SEPSIS-7
    """
    from pmtool.services import compliance as service

    with app.writing() as gw:
        found = _item(app, gw.reader, item_ref)
        task = service.link_task(gw, found, task_key)
    click.echo(f"Linked {task['key']} to item {found['id']}")


@compliance_item.command("dod")
@click.argument("item_ref", metavar="ID")
@click.option("--remove", is_flag=True, help="Take it out of the definition of done.")
@pass_app
def item_dod(app: AppContext, item_ref: str, remove: bool) -> None:
    """Make an item part of the project's definition of done (`pmtool dod show`).

    It is shown with the definition of done whenever a task is moved to done, and
    counts as satisfied once the item is done or not applicable.

    \b
    Example:
      pmtool compliance item dod tripod-ai:23
    """
    from pmtool.services import compliance as service

    with app.writing() as gw:
        found = _item(app, gw.reader, item_ref)
        service.set_in_dod(gw, found, not remove)
    where = "out of" if remove else "in"
    click.echo(f"Item {found['id']} ({found['checklist']} {found['number']}) is {where} the DoD")


# --- documents -------------------------------------------------------------------------------


@compliance.command("document")
@click.argument("kind", type=click.Choice(DOCUMENTS))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("md", "html")),
    help="Markdown (default), or HTML in the reports' printable layout (default for -o X.html).",
)
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
@click.option("--checklist", "checklist_name", metavar="NAME", help="reporting-appendix: which.")
@click.option("--thesis", "thesis_id", type=click.IntRange(min=1), help="The thesis' checklist.")
@pass_app
def compliance_document(
    app: AppContext,
    kind: str,
    output: Path | None,
    fmt: str | None,
    force: bool,
    checklist_name: str | None,
    thesis_id: int | None,
) -> None:
    """Write Annex IV, a model card or the reporting appendix from the records.

    In Markdown (or HTML, printable, with --format html or -o FILE.html): the AI Act
    Annex IV technical documentation skeleton, a model card skeleton, or the
    reporting-guideline appendix of a thesis or paper.

    What the records do not hold yet is marked `GAP:`. Each document says which
    records it came from and when. With -o the file is written atomically, readable
    by you only, and never over an existing file unless --force.

    \b
    Example:
      pmtool compliance document annex-iv -o annex-iv.md
      pmtool compliance document reporting-appendix --checklist tripod-ai
      pmtool compliance document model-card -o model-card.html
    """
    from pmtool.core import clock
    from pmtool.services import compliance_documents as documents

    if fmt is None:
        fmt = "html" if output and output.suffix.lower() in (".html", ".htm") else "md"
    now = clock.utcnow()
    with app.reading() as reader:
        project_id, key = app.project_ref(reader)
        text = documents.render(
            reader,
            kind,
            project_id,
            database=app.location().describe(),
            now=now,
            checklist_name=checklist_name,
            thesis_id=thesis_id,
        )
    gaps = text.count(documents.GAP_MARKER)
    if fmt == "html":
        text = _as_html(text, kind, key, now)
    if output is None:
        click.echo(text, nl=False)
        return
    from pmtool.cli.files import write_text

    write_text(str(output.expanduser()), text, force=force)
    click.echo(f"Wrote {output} ({kind}, {gaps} gaps)")


def _as_html(markdown: str, kind: str, project: str, now: Any) -> str:
    """The Markdown document in the reports' printable HTML layout, gaps highlighted."""
    from markdown_it import MarkdownIt
    from markupsafe import Markup

    from pmtool.exports.reports import render
    from pmtool.services import compliance_documents as documents

    # Raw HTML in records (a title, a note) stays text: html=False escapes it.
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    marker = documents.GAP_MARKER
    body = body.replace(marker, f'<span class="gap">{marker}</span>')
    context = {
        "body": Markup(body),
        "report": {
            "title": documents.TITLES[kind],
            "project": project,
            "today": now.date().isoformat(),
            "generated": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    }
    return render("compliance-document", "html", context, None)
