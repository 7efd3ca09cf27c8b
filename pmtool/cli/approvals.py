"""`pmtool approval`: ethics votes and data-protection records, their conditions,
amendments and incidents, reminders and the report."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from pmtool.cli.context import AppContext, pass_app
from pmtool.cli.output import Column, emit_object, emit_rows, format_option
from pmtool.cli.params import DATE, DATE_OR_NONE, DESCRIPTION
from pmtool.core.words import (
    APPROVAL_KINDS,
    APPROVAL_STATUSES,
    CLEAR,
    DATA_FORMS,
    DECISION_OUTCOMES,
    EXPIRED,
    INCIDENT_KINDS,
    is_none_word,
)

APPROVAL_COLUMNS = [
    Column("id", "ID", align_right=True),
    Column("kind", "KIND"),
    Column("status", "STATUS", keep_width=True),
    Column("valid_until", "VALID UNTIL", keep_width=True),
    Column("days_left", "DAYS", align_right=True, drop_order=2),
    Column("conditions_open", "OPEN COND.", align_right=True, drop_order=1),
    Column("reference", "REFERENCE", drop_order=3),
    Column("body", "BODY", drop_order=4),
    Column("title", "TITLE", flexible=True),
]
CONDITION_COLUMNS = [
    Column("number", "#", align_right=True),
    Column("status", "STATUS"),
    Column("due", "DUE", keep_width=True),
    Column("met_on", "MET", keep_width=True, drop_order=1),
    Column("text", "CONDITION", flexible=True),
    Column("evidence", "EVIDENCE", drop_order=2),
]
AMENDMENT_COLUMNS = [
    Column("number", "#", align_right=True),
    Column("status", "STATUS"),
    Column("submitted_on", "SUBMITTED", keep_width=True),
    Column("decided_on", "DECIDED", keep_width=True),
    Column("summary", "AMENDMENT", flexible=True),
]
INCIDENT_COLUMNS = [
    Column("id", "ID", align_right=True),
    Column("kind", "KIND"),
    Column("occurred_on", "OCCURRED", keep_width=True),
    Column("reported_on", "REPORTED", keep_width=True),
    Column("summary", "SUMMARY", flexible=True),
]
KIND_HELP = "|".join(APPROVAL_KINDS)


def _text_or_clear(value: str | None) -> Any:
    return CLEAR if value is not None and (is_none_word(value) or not value.strip()) else value


def _date_or_clear(value: Any) -> Any:
    return CLEAR if value == "none" else value


def _shown(status: str) -> str:
    return status.replace("_", " ")


@click.group()
def approval() -> None:
    """Ethics votes, exemptions, DPIAs, data agreements and permits, and the gates they
    put on work.

    Kinds: ethics, exemption, dpia, dpa, dua, data-access, ehds-permit. The state
    machine: draft -> submitted -> under_review <-> clarification_requested ->
    approved | approved_with_conditions | resubmission_requested | rejected; an approved
    record past its valid-until date shows as expired. docs/approvals.md explains it.
    """


def _changed(app: AppContext, approval_id: str, change: Any) -> None:
    """Run one state change and print ``Approval 3: from -> to``."""
    from pmtool.services import resolve

    with app.writing() as gw:
        record = resolve.approval(gw.reader, approval_id)
        before = record["status"]
        change(gw, record)
    click.echo(f"Approval {record['id']}: {_shown(before)} -> {_shown(record['status'])}")


@approval.command("add")
@click.argument("kind", metavar=f"KIND ({KIND_HELP})")
@click.option("--body", required=True, help="Who decides: the committee, DPO, data owner.")
@click.option("--title", help="What it covers (default: the kind's name).")
@click.option("--ref", "reference", help="The body's reference number, if known already.")
@click.option("--applicant", help="Who applies (a person or the project).")
@click.option("--valid-from", type=DATE, help="First day in force (known when recording).")
@click.option("--valid-until", type=DATE, help="Last day in force.")
@click.option("--report-due", type=DATE, help="When the next progress report is due.")
@click.option("--legal-basis", help="GDPR legal basis, e.g. 'Art. 9(2)(j) with Art. 89'.")
@click.option("--data-form", type=click.Choice(DATA_FORMS), help="The form of the data.")
@click.option("--dpo-consulted", type=DATE, help="When the data protection officer was consulted.")
@click.option("--document", "documents", multiple=True, help="A document (repeatable).")
@click.option("--notes", type=DESCRIPTION, help="Free text.")
@pass_app
def approval_add(
    app: AppContext,
    kind: str,
    body: str,
    title: str | None,
    reference: str | None,
    applicant: str | None,
    valid_from: date | None,
    valid_until: date | None,
    report_due: date | None,
    legal_basis: str | None,
    data_form: str | None,
    dpo_consulted: date | None,
    documents: tuple[str, ...],
    notes: str | None,
) -> None:
    """Record an approval (a draft until it is submitted) and print its number.

    \b
    Example:
      pmtool approval add ethics --body "Ethics Committee Charité" \\
          --title "Retrospective ICU sepsis cohort" --data-form pseudonymised
    """
    from pmtool.services import approvals

    with app.writing() as gw:
        created = approvals.add_approval(
            gw,
            app.project_row(gw.reader),
            kind,
            body=body,
            title=title,
            reference=reference,
            applicant=applicant,
            valid_from=valid_from,
            valid_until=valid_until,
            next_report_due=report_due,
            legal_basis=legal_basis,
            data_form=data_form,
            dpo_consulted_on=dpo_consulted,
            documents=documents,
            notes=notes,
        )
    click.echo(created["id"])


@approval.command("submit")
@click.argument("approval_id", metavar="ID")
@click.option("--ref", "reference", help="The reference number the body assigned.")
@click.option("--on", "day", type=DATE, help="Submission date (default: today).")
@pass_app
def approval_submit(
    app: AppContext, approval_id: str, reference: str | None, day: date | None
) -> None:
    """Submit a draft to its body (draft -> submitted).

    \b
    Example:
      pmtool approval submit 1 --ref EA1/123/26 --on 2026-10-02
    """
    from pmtool.services import approvals

    _changed(app, approval_id, lambda gw, a: approvals.submit(gw, a, reference=reference, on=day))


@approval.command("review")
@click.argument("approval_id", metavar="ID")
@pass_app
def approval_review(app: AppContext, approval_id: str) -> None:
    """The body is reviewing it (submitted, or a clarification answered -> under_review).

    \b
    Example:
      pmtool approval review 1
    """
    from pmtool.services import approvals

    _changed(app, approval_id, approvals.start_review)


@approval.command("clarify")
@click.argument("approval_id", metavar="ID")
@click.option("--question", type=DESCRIPTION, help="What the body asked (kept in the log).")
@pass_app
def approval_clarify(app: AppContext, approval_id: str, question: str | None) -> None:
    """The body asked for clarification (under_review -> clarification_requested).

    Answer it, then `pmtool approval review ID` puts it back under review.

    \b
    Example:
      pmtool approval clarify 1 --question "How is re-identification prevented?"
    """
    from pmtool.services import approvals

    _changed(app, approval_id, lambda gw, a: approvals.request_clarification(gw, a, question))


@approval.command("decide")
@click.argument("approval_id", metavar="ID")
@click.argument("outcome", metavar=f"OUTCOME ({'|'.join(DECISION_OUTCOMES)})")
@click.option("--on", "day", type=DATE, help="Decision date (default: today).")
@click.option("--valid-from", type=DATE, help="First day in force (default: the decision date).")
@click.option("--valid-until", type=DATE, help="Last day in force.")
@click.option("--report-due", type=DATE, help="When the first progress report is due.")
@click.option("--condition", "conditions", multiple=True, help="A condition (repeatable).")
@pass_app
def approval_decide(
    app: AppContext,
    approval_id: str,
    outcome: str,
    day: date | None,
    valid_from: date | None,
    valid_until: date | None,
    report_due: date | None,
    conditions: tuple[str, ...],
) -> None:
    """Record the body's decision on a submitted approval.

    OUTCOME: approved; conditional (approved with conditions, each given with
    --condition; it becomes approved when all are met); resubmit (rework and submit
    again); rejected.

    \b
    Example:
      pmtool approval decide 1 conditional --valid-until +1y \\
          --condition "Send the final consent form" --condition "Name the data custodian"
    """
    from pmtool.services import approvals

    _changed(
        app,
        approval_id,
        lambda gw, a: approvals.decide(
            gw,
            a,
            outcome,
            on=day,
            valid_from=valid_from,
            valid_until=valid_until,
            next_report_due=report_due,
            conditions=conditions,
        ),
    )


@approval.command("withdraw")
@click.argument("approval_id", metavar="ID")
@pass_app
def approval_withdraw(app: AppContext, approval_id: str) -> None:
    """Withdraw an application (draft, submitted or under review -> withdrawn).

    \b
    Example:
      pmtool approval withdraw 4
    """
    from pmtool.services import approvals

    _changed(app, approval_id, approvals.withdraw)


@approval.command("not-required")
@click.argument("approval_id", metavar="ID")
@click.option("--reason", required=True, type=DESCRIPTION, help="Why none is needed (audited).")
@pass_app
def approval_not_required(app: AppContext, approval_id: str, reason: str) -> None:
    """Document that no such approval is needed (draft -> not_required).

    A record in this state opens its `needs:KIND` gates, like one in force.

    \b
    Example:
      pmtool approval not-required 5 --reason "Anonymised open data; the DPO confirmed"
    """
    from pmtool.services import approvals

    _changed(app, approval_id, lambda gw, a: approvals.mark_not_required(gw, a, reason))


@approval.command("resubmit")
@click.argument("approval_id", metavar="ID")
@pass_app
def approval_resubmit(app: AppContext, approval_id: str) -> None:
    """Rework an application the body sent back (resubmission_requested -> draft).

    \b
    Example:
      pmtool approval resubmit 1 && pmtool approval submit 1 --ref EA1/123/26-R
    """
    from pmtool.services import approvals

    _changed(app, approval_id, approvals.request_resubmission)


@approval.command("suspend")
@click.argument("approval_id", metavar="ID")
@click.option("--reason", required=True, type=DESCRIPTION, help="Why (audited).")
@pass_app
def approval_suspend(app: AppContext, approval_id: str, reason: str) -> None:
    """The body suspended an approval (approved -> suspended); its gates close.

    \b
    Example:
      pmtool approval suspend 1 --reason "Data breach under investigation"
    """
    from pmtool.services import approvals

    _changed(app, approval_id, lambda gw, a: approvals.suspend(gw, a, reason))


@approval.command("close")
@click.argument("approval_id", metavar="ID")
@click.option("--on", "day", type=DATE, help="The study's end (default: today).")
@click.option("--report-due", type=DATE, help="End-of-study notice due (default: 90 days later).")
@pass_app
def approval_close(
    app: AppContext, approval_id: str, day: date | None, report_due: date | None
) -> None:
    """Close an approval at the end of the study (approved -> closed).

    The end-of-study notice becomes due (a reminder until `approval edit ID
    --report-due none` records it sent).

    \b
    Example:
      pmtool approval close 1 --on 2027-06-30
    """
    from pmtool.services import approvals, resolve

    with app.writing() as gw:
        record = resolve.approval(gw.reader, approval_id)
        due = approvals.close(gw, record, on=day, report_due=report_due)
    click.echo(f"Approval {record['id']}: approved -> closed")
    click.echo(f"End-of-study notice due {due}")


@approval.command("renew")
@click.argument("approval_id", metavar="ID")
@click.option("--valid-until", type=DATE, required=True, help="The new last day in force.")
@click.option("--on", "day", type=DATE, help="Renewal date (default: today).")
@pass_app
def approval_renew(app: AppContext, approval_id: str, valid_until: date, day: date | None) -> None:
    """Extend an approval's validity; an expired one is in force again.

    \b
    Example:
      pmtool approval renew 3 --valid-until 2027-12-31
    """
    from pmtool.services import approvals, resolve

    with app.writing() as gw:
        record = resolve.approval(gw.reader, approval_id)
        approvals.renew(gw, record, valid_until=valid_until, on=day)
    click.echo(f"Approval {record['id']}: valid until {valid_until}")


@approval.command("edit")
@click.argument("approval_id", metavar="ID")
@click.option("--title", help="New title.")
@click.option("--body", help="The deciding body.")
@click.option("--ref", "reference", help="Reference number ('none' clears it).")
@click.option("--applicant", help="Applicant ('none' clears it).")
@click.option("--valid-from", type=DATE_OR_NONE, help="First day in force, or 'none'.")
@click.option("--valid-until", type=DATE_OR_NONE, help="Last day in force, or 'none'.")
@click.option("--report-due", type=DATE_OR_NONE, help="Next report due, or 'none' (sent).")
@click.option("--legal-basis", help="GDPR legal basis ('none' clears it).")
@click.option("--data-form", help=f"{', '.join(DATA_FORMS)} or 'none'.")
@click.option("--dpo-consulted", type=DATE_OR_NONE, help="When the DPO was consulted, or 'none'.")
@click.option("--document", "add_documents", multiple=True, help="Add a document.")
@click.option("--drop-document", "remove_documents", multiple=True, help="Remove a document.")
@click.option("--notes", type=DESCRIPTION, help="Free text ('none' clears it).")
@pass_app
def approval_edit(
    app: AppContext,
    approval_id: str,
    title: str | None,
    body: str | None,
    reference: str | None,
    applicant: str | None,
    valid_from: Any,
    valid_until: Any,
    report_due: Any,
    legal_basis: str | None,
    data_form: str | None,
    dpo_consulted: Any,
    add_documents: tuple[str, ...],
    remove_documents: tuple[str, ...],
    notes: str | None,
) -> None:
    """Change the record's details (its state changes through the other commands).

    \b
    Example:
      pmtool approval edit 1 --document vote-letter.pdf --report-due 2027-10-01
    """
    from pmtool.services import approvals, resolve

    fields: dict[str, Any] = {
        "title": title,
        "body": body,
        "reference": _text_or_clear(reference),
        "applicant": _text_or_clear(applicant),
        "valid_from": _date_or_clear(valid_from),
        "valid_until": _date_or_clear(valid_until),
        "next_report_due": _date_or_clear(report_due),
        "legal_basis": _text_or_clear(legal_basis),
        "data_form": _text_or_clear(data_form),
        "dpo_consulted_on": _date_or_clear(dpo_consulted),
        "notes": _text_or_clear(notes),
    }
    if (
        all(value is None for value in fields.values())
        and not add_documents
        and not remove_documents
    ):
        raise click.UsageError("nothing to change: give at least one option (see --help)")
    with app.writing() as gw:
        record = resolve.approval(gw.reader, approval_id)
        changed = approvals.edit_approval(
            gw, record, add_documents=add_documents, remove_documents=remove_documents, **fields
        )
    names = ", ".join(sorted(changed)) if changed else "nothing changed"
    click.echo(f"Updated approval {record['id']} ({names})")


@approval.command("rm")
@click.argument("approval_id", metavar="ID")
@pass_app
def approval_rm(app: AppContext, approval_id: str) -> None:
    """Remove a draft recorded by mistake (anything further along is withdrawn instead).

    \b
    Example:
      pmtool approval rm 6
    """
    from pmtool.services import approvals, resolve

    with app.writing() as gw:
        record = resolve.approval(gw.reader, approval_id)
        approvals.remove_approval(gw, record)
    click.echo(f"Removed approval {record['id']} (pmtool undo restores)")


@approval.command("list")
@click.option(
    "--status",
    type=click.Choice((*APPROVAL_STATUSES, EXPIRED)),
    help="Only approvals in this state (expired: derived from valid-until).",
)
@click.option("--kind", help=f"Only this kind ({KIND_HELP}).")
@click.option(
    "--expiring",
    metavar="DURATION",
    help="Only granted approvals ending within this time, e.g. 60d (expired ones too).",
)
@format_option
@pass_app
def approval_list(
    app: AppContext, status: str | None, kind: str | None, expiring: str | None, fmt: str
) -> None:
    """List the project's approvals with their state and expiry.

    JSON fields: id kind status valid_until title body reference applicant
    stored_status in_force days_left submitted_on decided_on valid_from next_report_due
    conditions_open conditions project.

    \b
    Example:
      pmtool approval list --expiring 60d --format json
    """
    from pmtool.core import clock
    from pmtool.core.dates import parse_days
    from pmtool.core.errors import InvalidInput
    from pmtool.services.approvals import check_kind
    from pmtool.services.read import approvals

    try:
        days = parse_days(expiring) if expiring is not None else None
    except InvalidInput as error:
        raise click.BadParameter(str(error), param_hint="'--expiring'") from None
    with app.reading() as reader:
        project_id, _ = app.project_ref(reader)
        rows = approvals.list_approvals(
            reader,
            project_id,
            clock.today(),
            status=status,
            kind=check_kind(kind) if kind else None,
            expiring_days=days,
        )
    if fmt == "table":  # people read "conditional"; scripts keep the state's name
        for row in rows:
            if row["status"] == "approved_with_conditions":
                row["status"] = "conditional"
    emit_rows(
        rows,
        fmt,
        APPROVAL_COLUMNS,
        empty_message=(
            "No approvals expiring then."
            if expiring
            else "No approvals yet: pmtool approval add KIND --body NAME"
        ),
        fields=approvals.APPROVAL_FIELDS,
    )


@approval.command("show")
@click.argument("approval_id", metavar="ID")
@format_option
@pass_app
def approval_show(app: AppContext, approval_id: str, fmt: str) -> None:
    """Show one approval in full: state, dates, GDPR fields, conditions, amendments,
    incidents and the tasks that require it.

    \b
    Example:
      pmtool approval show 1
    """
    from pmtool.core import clock
    from pmtool.services import resolve
    from pmtool.services.read import approvals

    with app.reading() as reader:
        record = approvals.show_approval(
            reader, resolve.approval(reader, approval_id)["id"], clock.today()
        )
    if fmt in ("table", "md", "csv"):
        record["documents"] = ", ".join(record["documents"])
        record["required_by"] = ", ".join(record["required_by"])
        record["condition_list"] = "; ".join(
            f"{c['number']}. [{'x' if c['status'] == 'met' else ' '}] {c['text']}"
            + (f" (due {c['due']})" if c["due"] and c["status"] == "open" else "")
            for c in record["condition_list"]
        )
        record["amendments"] = "; ".join(
            f"{a['number']}. {a['summary']} ({a['status']})" for a in record["amendments"]
        )
        record["incidents"] = "; ".join(
            f"{i['occurred_on']} {i['kind']}: {i['summary']}"
            + ("" if i["reported_on"] else " (not reported)")
            for i in record["incidents"]
        )
    emit_object(record, fmt)


@approval.command("report")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("md", "html", "json")),
    default="md",
    show_default=True,
    help="Markdown or HTML for people (the template of `pmtool report approvals`), "
    "JSON (every approval in full) for scripts.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (mode 0600)."
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@pass_app
def approval_report(app: AppContext, fmt: str, output: str | None, force: bool) -> None:
    """The project's approvals for an ethics committee meeting or a supervisor: a table
    by state with expiry countdowns, each record with its conditions, amendments and
    incidents, and what is due. The same document as `pmtool report approvals`.

    \b
    Example:
      pmtool approval report -o approvals.md
      pmtool approval report --format html -o approvals.html
    """
    import json

    from pmtool.core import clock
    from pmtool.services.read import approvals

    today = clock.today()
    with app.reading() as reader:
        project_id, shown = app.project_ref(reader)
        if fmt == "json":
            records = [
                approvals.show_approval(reader, row["id"], today)
                for row in approvals.list_approvals(reader, project_id, today)
            ]
            text = json.dumps(records, ensure_ascii=False, indent=2) + "\n"
        else:
            from pmtool.exports.reports import document
            from pmtool.services.read.reports import ReportRequest

            request = ReportRequest((project_id,), None, today, clock.utcnow())
            text = document("approvals", fmt, reader, request, shown)
    if output:
        from pmtool.cli.files import write_text

        write_text(output, text, force=force)
        click.echo(f"Wrote {output}")
    else:
        click.echo(text, nl=False)


@approval.command("reminders")
@click.argument("days", required=False, metavar="[DAYS]")
@pass_app
def approval_reminders(app: AppContext, days: str | None) -> None:
    """Show or set the reminder days before an approval expires (default 60,15).

    \b
    Example:
      pmtool approval reminders 90,30,7
    """
    if days is None:
        from pmtool.services.read import approvals as read_approvals

        with app.reading() as reader:
            current = read_approvals.reminder_days(reader)
        click.echo(",".join(str(day) for day in current))
        return
    from pmtool.services import approvals

    with app.writing() as gw:
        chosen = approvals.set_reminder_days(gw, days)
    click.echo(f"Reminders {', '.join(str(day) for day in chosen)} days before expiry")


# --- conditions --------------------------------------------------------------------------------


@approval.group("condition")
def approval_condition() -> None:
    """Conditions of an approval granted with conditions; met with evidence."""


@approval_condition.command("add")
@click.argument("approval_id", metavar="ID")
@click.argument("text")
@click.option("--due", type=DATE, help="By when it must be met.")
@pass_app
def condition_add(app: AppContext, approval_id: str, text: str, due: date | None) -> None:
    """Add a condition to an approval granted with conditions; prints its number.

    \b
    Example:
      pmtool approval condition add 1 "Report the final cohort size" --due +4w
    """
    from pmtool.services import approvals, resolve

    with app.writing() as gw:
        record = resolve.approval(gw.reader, approval_id)
        created = approvals.add_condition(gw, record, text, due=due)
    click.echo(created["number"])


@approval_condition.command("met")
@click.argument("approval_id", metavar="ID")
@click.argument("number", type=click.IntRange(min=1, max=10**9))
@click.option("--evidence", required=True, help="What shows it is met (a letter, a document).")
@click.option("--on", "day", type=DATE, help="When it was met (default: today).")
@pass_app
def condition_met(
    app: AppContext, approval_id: str, number: int, evidence: str, day: date | None
) -> None:
    """Mark a condition met; when every condition is met the approval becomes approved.

    \b
    Example:
      pmtool approval condition met 1 2 --evidence "Committee letter of 2026-11-20"
    """
    from pmtool.services import approvals, resolve

    with app.writing() as gw:
        record = resolve.approval(gw.reader, approval_id)
        approved = approvals.meet_condition(gw, record, number, evidence=evidence, on=day)
    click.echo(f"Condition {number} of approval {record['id']} met")
    if approved:
        click.echo(f"Approval {record['id']}: approved with conditions -> approved (all met)")


@approval_condition.command("list")
@click.argument("approval_id", metavar="ID")
@format_option
@pass_app
def condition_list(app: AppContext, approval_id: str, fmt: str) -> None:
    """List an approval's conditions.

    JSON fields: approval_id number text status due evidence met_on.

    \b
    Example:
      pmtool approval condition list 1 --format json
    """
    from pmtool.services import resolve
    from pmtool.services.read import approvals

    with app.reading() as reader:
        rows = approvals.conditions(reader, resolve.approval(reader, approval_id)["id"])
    emit_rows(
        rows,
        fmt,
        CONDITION_COLUMNS,
        empty_message="No conditions.",
        fields=approvals.CONDITION_FIELDS,
    )


# --- amendments --------------------------------------------------------------------------------


@approval.group("amendment")
def approval_amendment() -> None:
    """Numbered amendments to a granted approval, each with its own decision."""


@approval_amendment.command("add")
@click.argument("approval_id", metavar="ID")
@click.argument("summary")
@pass_app
def amendment_add(app: AppContext, approval_id: str, summary: str) -> None:
    """Draft an amendment to a granted approval; prints its number.

    \b
    Example:
      pmtool approval amendment add 1 "Add 2025 admissions to the cohort"
    """
    from pmtool.services import approvals, resolve

    with app.writing() as gw:
        record = resolve.approval(gw.reader, approval_id)
        created = approvals.add_amendment(gw, record, summary)
    click.echo(created["number"])


def _move_amendment(
    app: AppContext, approval_id: str, number: int, target: str, day: date | None
) -> None:
    from pmtool.services import approvals, resolve

    with app.writing() as gw:
        record = resolve.approval(gw.reader, approval_id)
        before = approvals.amendment(gw, record, number)["status"]
        approvals.move_amendment(gw, record, number, target, on=day)
    click.echo(f"Amendment {number} of approval {record['id']}: {before} -> {target}")


@approval_amendment.command("submit")
@click.argument("approval_id", metavar="ID")
@click.argument("number", type=click.IntRange(min=1, max=10**9))
@click.option("--on", "day", type=DATE, help="Submission date (default: today).")
@pass_app
def amendment_submit(app: AppContext, approval_id: str, number: int, day: date | None) -> None:
    """Submit an amendment (draft -> submitted).

    \b
    Example:
      pmtool approval amendment submit 1 1
    """
    _move_amendment(app, approval_id, number, "submitted", day)


@approval_amendment.command("decide")
@click.argument("approval_id", metavar="ID")
@click.argument("number", type=click.IntRange(min=1, max=10**9))
@click.argument("outcome", type=click.Choice(("approved", "rejected")))
@click.option("--on", "day", type=DATE, help="Decision date (default: today).")
@pass_app
def amendment_decide(
    app: AppContext, approval_id: str, number: int, outcome: str, day: date | None
) -> None:
    """Record the decision on a submitted amendment (it takes effect only if approved).

    \b
    Example:
      pmtool approval amendment decide 1 1 approved
    """
    _move_amendment(app, approval_id, number, outcome, day)


@approval_amendment.command("withdraw")
@click.argument("approval_id", metavar="ID")
@click.argument("number", type=click.IntRange(min=1, max=10**9))
@pass_app
def amendment_withdraw(app: AppContext, approval_id: str, number: int) -> None:
    """Withdraw an amendment not yet decided.

    \b
    Example:
      pmtool approval amendment withdraw 1 2
    """
    _move_amendment(app, approval_id, number, "withdrawn", None)


@approval_amendment.command("list")
@click.argument("approval_id", metavar="ID")
@format_option
@pass_app
def amendment_list(app: AppContext, approval_id: str, fmt: str) -> None:
    """List an approval's amendments.

    JSON fields: approval_id number summary status submitted_on decided_on.

    \b
    Example:
      pmtool approval amendment list 1
    """
    from pmtool.services import resolve
    from pmtool.services.read import approvals

    with app.reading() as reader:
        rows = approvals.amendments(reader, resolve.approval(reader, approval_id)["id"])
    emit_rows(
        rows,
        fmt,
        AMENDMENT_COLUMNS,
        empty_message="No amendments.",
        fields=approvals.AMENDMENT_FIELDS,
    )


# --- incidents ---------------------------------------------------------------------------------


@approval.group("incident")
def approval_incident() -> None:
    """Incidents and protocol deviations under an approval, and when they were reported."""


@approval_incident.command("add")
@click.argument("approval_id", metavar="ID")
@click.argument("summary")
@click.option("--on", "day", type=DATE, required=True, help="When it happened.")
@click.option("--kind", type=click.Choice(INCIDENT_KINDS), default="deviation", show_default=True)
@click.option("--reported", type=DATE, help="When it was reported to the committee or DPO.")
@pass_app
def incident_add(
    app: AppContext,
    approval_id: str,
    summary: str,
    day: date,
    kind: str,
    reported: date | None,
) -> None:
    """Record an incident or deviation; prints its id (unreported ones need attention).

    \b
    Example:
      pmtool approval incident add 1 "Export contained birth dates" --on yesterday --kind breach
    """
    from pmtool.services import approvals, resolve

    with app.writing() as gw:
        record = resolve.approval(gw.reader, approval_id)
        created = approvals.add_incident(
            gw, record, summary, occurred_on=day, kind=kind, reported_on=reported
        )
    click.echo(created["id"])


@approval_incident.command("reported")
@click.argument("approval_id", metavar="ID")
@click.argument("incident_id", type=click.IntRange(min=1, max=2**62), metavar="INCIDENT")
@click.option("--on", "day", type=DATE, help="When it was reported (default: today).")
@pass_app
def incident_reported(
    app: AppContext, approval_id: str, incident_id: int, day: date | None
) -> None:
    """Record that an incident was reported.

    \b
    Example:
      pmtool approval incident reported 1 1
    """
    from pmtool.services import approvals, resolve

    with app.writing() as gw:
        record = resolve.approval(gw.reader, approval_id)
        done = approvals.report_incident(gw, record, incident_id, on=day)
    click.echo(
        f"Incident {incident_id} of approval {record['id']} reported on {done['reported_on']}"
    )


@approval_incident.command("list")
@click.argument("approval_id", metavar="ID")
@format_option
@pass_app
def incident_list(app: AppContext, approval_id: str, fmt: str) -> None:
    """List an approval's incidents and deviations.

    JSON fields: approval_id id kind occurred_on summary reported_on.

    \b
    Example:
      pmtool approval incident list 1
    """
    from pmtool.services import resolve
    from pmtool.services.read import approvals

    with app.reading() as reader:
        rows = approvals.incidents(reader, resolve.approval(reader, approval_id)["id"])
    emit_rows(
        rows, fmt, INCIDENT_COLUMNS, empty_message="No incidents.", fields=approvals.INCIDENT_FIELDS
    )
