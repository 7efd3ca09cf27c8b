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

    # Git sync: last sync of each linked repository and the newest commits.
    from pmtool.services.read import gitsync

    dashboard.register_panel(
        "git", "Git", gitsync.panel_rows, present=gitsync.in_use, empty_text="No commits yet."
    )
