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


def register_panels() -> None:
    """Register every domain's dashboard panels."""
    if not _first_time("panels"):
        return
    from pmtool.services.read import dashboard

    # Everything `pmtool status` reports for the project, when there is something.
    dashboard.register_panel("attention", "Needs attention", dashboard.attention_rows)


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
