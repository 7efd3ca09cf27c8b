"""What the dashboard shows: the running sprint, my work, overdue work, and the panels.

The panels below those come from a registry the domains fill: a domain calls
:func:`register_panel` with an id, a title, a loader ``(reader, project_id, today) ->
rows`` (rows with the fields of :data:`PANEL_ROW_FIELDS`) and optionally a ``present``
check ``(reader, project_id) -> bool`` saying whether the domain is in use (its table
exists and has rows). A panel is on screen only when its domain is present, or, without
a ``present`` check, when its loader returned rows: the dashboard never shows a panel
for a domain that has nothing to say. Registrations are in
:mod:`pmtool.services.read.domains`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import NamedTuple

from pmtool.services.read import metrics
from pmtool.services.read.board import CARD_SELECT, card_row, project_header
from pmtool.services.read.sprints import show_sprint
from pmtool.storage.reader import Reader, Row

# A panel row: when (ISO date or None), text, ref (e.g. a task key or record id),
# level ("late", "soon", "over" or "info").
PANEL_ROW_FIELDS = ("when", "text", "ref", "level")

PanelLoader = Callable[[Reader, int, date], list[Row]]
Present = Callable[[Reader, int], bool]


class DashboardPanel(NamedTuple):
    id: str
    title: str
    loader: PanelLoader
    present: Present | None = None  # None: shown when the loader returns rows
    empty_text: str = "Nothing due."  # shown when the domain is present but has no rows


_PANELS: list[DashboardPanel] = []


def register_panel(
    panel_id: str,
    title: str,
    loader: PanelLoader,
    *,
    present: Present | None = None,
    empty_text: str = "Nothing due.",
) -> None:
    """Add a dashboard panel (a second registration of ``panel_id`` replaces the first)."""
    panel = DashboardPanel(panel_id, title, loader, present, empty_text)
    for index, known in enumerate(_PANELS):
        if known.id == panel_id:
            _PANELS[index] = panel
            return
    _PANELS.append(panel)


def registered_panels() -> tuple[DashboardPanel, ...]:
    """Every registered panel, in registration (screen) order."""
    from pmtool.services.read.domains import register_panels

    register_panels()
    return tuple(_PANELS)


def load_panels(reader: Reader, project_id: int, today: date) -> list[Row]:
    """The panels to show for this project, each ``{id, title, rows, empty_text}``."""
    shown = []
    for panel in registered_panels():
        if panel.present is not None and not panel.present(reader, project_id):
            continue
        rows = panel.loader(reader, project_id, today)
        if panel.present is None and not rows:
            continue
        shown.append(
            {"id": panel.id, "title": panel.title, "rows": rows, "empty_text": panel.empty_text}
        )
    return shown


def attention_rows(reader: Reader, project_id: int, today: date) -> list[Row]:
    """The "Needs attention" panel: the project's attention items as panel rows.

    Overdue tasks are listed one by one in the Overdue table beside it, so here they
    are one line: how many, and the oldest.
    """
    from pmtool.services.read.attention import needs_attention

    items = needs_attention(reader, [project_id], today)
    overdue = [entry for entry in items if entry["kind"] == "overdue_task"]
    rows = []
    if overdue:
        oldest = overdue[0]  # ordered by due date
        late = (today - date.fromisoformat(oldest["due"])).days
        text = (
            oldest["text"]
            if len(overdue) == 1
            else f"{len(overdue)} tasks are overdue, {oldest['ref']} the longest ({late} days)"
        )
        rows.append({"when": oldest["due"], "text": text, "ref": oldest["ref"], "level": "late"})
    rows += [
        {"when": entry["due"], "text": entry["text"], "ref": entry["ref"], "level": entry["level"]}
        for entry in items
        if entry["kind"] != "overdue_task"
    ]
    return rows


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
        "panels": load_panels(reader, project_id, today),
    }
