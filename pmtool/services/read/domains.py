"""Which domain contributes which dashboard panels and attention items, in one place.

:func:`register_attention_sources` and :func:`register_panels` register them once
per process. Panels appear in the order registered; attention items are sorted by
project, level and date. (Two functions, so that `pmtool status` does not import the
dashboard's queries.) A new domain (approvals, thesis, partners, git) adds its lines to
both, pointing at functions in its own read module, for example::

    from pmtool.services.read import approvals

    attention.register_attention(
        "approval_expiring", approvals.expiring, present=attention.table_has_rows("approval")
    )
    dashboard.register_panel(
        "approvals", "Approvals", approvals.panel_rows,
        present=attention.table_has_rows("approval"),
    )

Standard library only: `pmtool status` runs this on every call.
"""

from __future__ import annotations

_loaded: set[str] = set()


def _first_time(registry: str) -> bool:
    if registry in _loaded:
        return False
    _loaded.add(registry)
    return True


def register_attention_sources() -> None:
    """Register every domain's sources of attention items."""
    if not _first_time("attention"):
        return
    from pmtool.services.read import attention

    # The agile core: tasks, sprints, the workflow.
    attention.register_attention("overdue_task", attention.overdue_tasks)
    attention.register_attention("sprint_ending", attention.sprints_ending)
    attention.register_attention("wip_exceeded", attention.wip_exceeded)

    # Approvals: expiry reminders (60 and 15 days by default), conditions, reports, incidents.
    from pmtool.services.read import approvals

    has_approvals = attention.table_has_rows("approval")
    attention.register_attention("approval_expired", approvals.expired, present=has_approvals)
    attention.register_attention("approval_expiring", approvals.expiring, present=has_approvals)
    attention.register_attention(
        "approval_condition_overdue", approvals.conditions_overdue, present=has_approvals
    )
    attention.register_attention(
        "approval_report_due", approvals.reports_due, present=has_approvals
    )
    attention.register_attention(
        "approval_incident_unreported", approvals.incidents_unreported, present=has_approvals
    )

    # Theses linked to the project (docs/thesis.md).
    from pmtool.services.read import thesis

    linked_theses = attention.table_has_rows("thesis")
    attention.register_attention(
        "thesis_milestone_overdue", thesis.overdue_milestones, present=linked_theses
    )
    attention.register_attention("thesis_deadline", thesis.deadlines_near, present=linked_theses)
    attention.register_attention(
        "thesis_meeting_missed", thesis.meetings_missed, present=linked_theses
    )
    attention.register_attention("thesis_at_risk", thesis.theses_at_risk, present=linked_theses)

    # Clinical partners: follow-ups due, agreements expiring or expired.
    from pmtool.services.read import partners

    attention.register_attention(
        "follow_up_overdue", partners.overdue_follow_ups, present=partners.in_use
    )
    attention.register_attention(
        "agreement_expiring", partners.expiring_agreements, present=partners.in_use
    )

    # Compliance: checklist items overdue or due within a week, a missing classification.
    from pmtool.services.read import compliance

    checklists_in_use = attention.table_has_rows("compliance_checklist")
    attention.register_attention(
        "checklist_item_overdue", compliance.overdue_items, present=checklists_in_use
    )
    attention.register_attention(
        "checklist_item_due", compliance.due_soon_items, present=checklists_in_use
    )
    attention.register_attention(
        "classification_missing", compliance.classification_missing, present=checklists_in_use
    )

    # Git sync: linked repositories never or long not synced; unknown task references.
    from pmtool.services.read import gitsync

    attention.register_attention("git_never_synced", gitsync.never_synced, present=gitsync.in_use)
    attention.register_attention("git_sync_stale", gitsync.sync_stale, present=gitsync.in_use)
    attention.register_attention(
        "git_unknown_refs", gitsync.unknown_references, present=gitsync.in_use
    )


def register_panels() -> None:
    """Register every domain's dashboard panels."""
    if not _first_time("panels"):
        return
    from pmtool.services.read import dashboard

    # Everything `pmtool status` reports for the project, when there is something.
    dashboard.register_panel("attention", "Needs attention", dashboard.attention_rows)

    # Approvals still in play, with their expiry countdowns.
    from pmtool.services.read import approvals, attention

    dashboard.register_panel(
        "approvals",
        "Approvals",
        approvals.panel_rows,
        present=attention.table_has_rows("approval"),
        empty_text="No approvals in play.",
    )

    # Theses linked to the project, riskiest first.
    from pmtool.services.read import thesis

    dashboard.register_panel(
        "theses",
        "Theses",
        thesis.panel_rows,
        present=attention.table_has_rows("thesis"),
        empty_text="No thesis in progress.",
    )

    # Clinical partners: shown once the project has stakeholders or agreements.
    from pmtool.services.read import partners

    dashboard.register_panel(
        "partners",
        "Partners",
        partners.panel_rows,
        present=partners.in_use,
        empty_text="No follow-ups due, no agreement ending.",
    )

    # Compliance: progress per checklist.
    from pmtool.services.read import attention, compliance

    dashboard.register_panel(
        "compliance",
        "Compliance checklists",
        compliance.panel_rows,
        present=attention.table_has_rows("compliance_checklist"),
        empty_text="No checklists.",
    )

    # Git sync: last sync of each linked repository and the newest commits.
    from pmtool.services.read import gitsync

    dashboard.register_panel(
        "git", "Git", gitsync.panel_rows, present=gitsync.in_use, empty_text="No commits yet."
    )


def register_exports() -> None:
    """Register every domain's exportable entities (`pmtool export ENTITY`).

    A domain adds one line here, e.g.
    ``approvals.register_exports(exports.register_export)`` or direct
    ``exports.register_export("approvals", approvals.export_rows, approvals.FIELDS, ...)``
    calls; docs/exports.md documents each entity's fields.
    """
    if not _first_time("exports"):
        return
    from pmtool.services.read import agile_exports, exports

    # The agile core: tasks, sprints, burndown, velocity, members.
    agile_exports.register(exports.register_export)
    # The domains: stakeholders, agreements, approvals, checklist items, theses,
    # milestones, meetings, commits.
    from pmtool.services.read import domain_exports

    domain_exports.register(exports.register_export)


def register_reports() -> None:
    """Register every domain's reports (`pmtool report NAME`).

    A domain adds one line here, e.g. ``reports.register_report("thesis",
    "pmtool.services.read.thesis:thesis_report", title="Thesis progress",
    subject="THESIS")``, and its templates ``templates/reports/thesis.md.j2`` and
    ``thesis.html.j2``.
    """
    if not _first_time("reports"):
        return
    from pmtool.services.read import reports

    # The agile core: one sprint, and what needs attention.
    reports.register_report(
        "sprint",
        "pmtool.exports.agile_reports:sprint_report",
        title="Sprint report",
        subject="SPRINT",
        subject_default="current",
        subject_help="The sprint (default: the active one).",
        help="A sprint: its goal, work by status, tasks, burndown, velocity and the forecast.",
    )
    reports.register_report(
        "status",
        "pmtool.exports.agile_reports:status_report",
        title="Status report",
        every_project=True,
        help="What needs attention (the content of `pmtool status`), with each project's "
        "active sprint.",
    )
    # Approvals (also `pmtool approval report`) and theses.
    reports.register_report(
        "approvals",
        "pmtool.services.read.approvals:approvals_report",
        title="Approvals",
        help="The project's approvals for an ethics committee meeting or a supervisor: a "
        "table by state with expiry countdowns, each record with its conditions, amendments, "
        "incidents and what is due.",
    )
    reports.register_report(
        "thesis",
        "pmtool.services.read.thesis:thesis_report",
        title="Thesis progress",
        subject="THESIS",
        subject_help="The thesis (id or student); without one, every thesis of the "
        "supervisor's overview.",
        scope="Theses",
        help="One thesis: its record, the plan with milestone states and timeline, meetings, "
        "extensions and the risk with its reasons; or the overview of every open thesis.",
    )
