"""What the dashboard shows: the running sprint, my work, overdue work, and follow-ups.

The follow-up panels (approvals, thesis milestones, partner follow-ups) belong to
other areas. Each is a :class:`DashboardPanel` in :data:`PANELS`; an area fills its
panel by naming a loader (``"module:function"``, called with ``(reader, project_id,
today)`` and returning :data:`PANEL_ROW_FIELDS` rows). Until then the panel says what
will appear there; it never shows made-up data.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from pmtool.services.read import metrics
from pmtool.services.read.board import CARD_SELECT, card_row, project_header
from pmtool.services.read.sprints import show_sprint
from pmtool.storage.reader import Reader, Row

# A panel row: when (ISO date or None), text, ref (e.g. a task key or record id),
# level ("late", "soon" or "info").
PANEL_ROW_FIELDS = ("when", "text", "ref", "level")


@dataclass(frozen=True)
class DashboardPanel:
    id: str
    title: str
    placeholder: str
    loader: str | None = None  # "package.module:function"


PANELS: tuple[DashboardPanel, ...] = (
    DashboardPanel(
        "approvals",
        "Approvals",
        "Will list ethics votes and data agreements expiring within 60 days.",
    ),
    DashboardPanel(
        "milestones",
        "Milestones",
        "Will list thesis milestones that are late or due within 14 days.",
    ),
    DashboardPanel(
        "follow_ups",
        "Follow-ups",
        "Will list follow-ups promised to partners and stakeholders.",
    ),
)


def _loader(panel: DashboardPanel) -> Callable[[Reader, int, date], list[Row]] | None:
    if panel.loader is None:
        return None
    module_name, _, function_name = panel.loader.partition(":")
    function: Callable[[Reader, int, date], list[Row]] = getattr(
        importlib.import_module(module_name), function_name
    )
    return function


def load_panel(reader: Reader, panel: DashboardPanel, project_id: int, today: date) -> Row:
    loader = _loader(panel)
    return {
        "id": panel.id,
        "title": panel.title,
        "available": loader is not None,
        "placeholder": panel.placeholder,
        "rows": [] if loader is None else loader(reader, project_id, today),
    }


def active_sprint(reader: Reader, project_id: int, today: date, now: datetime) -> Row | None:
    """The running sprint with its progress and burndown, or None."""
    running = reader.tuples(
        "SELECT name FROM sprint WHERE project_id = :p AND status = 'active'", {"p": project_id}
    )
    if not running:
        return None
    summary = show_sprint(reader, project_id, running[0][0], today)
    _record, committed, burndown = metrics.burndown(reader, project_id, running[0][0], today, now)
    start = date.fromisoformat(summary["start"])
    summary["day"] = min(max((today - start).days + 1, 0), summary["length_days"])
    summary["committed"] = committed
    summary["burndown"] = burndown
    summary["progress"] = (
        round(summary["done_points"] / summary["points"], 2) if summary["points"] else 0.0
    )
    return summary


def dashboard(
    reader: Reader, project_id: int, *, today: date, now: datetime, me: str | None
) -> Row:
    project = project_header(reader, project_id)
    my_tasks = (
        [
            card_row(values)
            for values in reader.tuples(
                f"{CARD_SELECT} WHERE v.project_id = :p AND lower(v.assignee) = lower(:me) "
                "AND NOT v.is_done ORDER BY v.due IS NULL, v.due, v.status_position DESC, v.rank",
                {"p": project_id, "me": me},
            )
        ]
        if me
        else []
    )
    overdue = [
        card_row(values)
        for values in reader.tuples(
            f"{CARD_SELECT} WHERE v.project_id = :p AND v.due < :today AND NOT v.is_done "
            "ORDER BY v.due, v.number",
            {"p": project_id, "today": today.isoformat()},
        )
    ]
    return {
        "project": project["key"],
        "project_name": project["name"],
        "today": today.isoformat(),
        "me": me,
        "sprint": active_sprint(reader, project_id, today, now),
        "my_tasks": my_tasks,
        "overdue": overdue,
        "panels": [load_panel(reader, panel, project_id, today) for panel in PANELS],
    }
