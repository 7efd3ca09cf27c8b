"""The agile core's reports: a sprint (with burndown, velocity and the forecast) and the
status of what needs attention (the content of `pmtool status`).

Builders for :mod:`pmtool.services.read.reports`: ``build(reader, request) -> context``.
The sprint report runs the forecast (numpy, pandas) with a fixed seed, so the same
database gives the same document.
"""

from __future__ import annotations

from typing import Any

from pmtool.core.errors import PmError
from pmtool.services.read import metrics, sprints
from pmtool.services.read.attention import LEVELS, needs_attention
from pmtool.services.read.reports import ReportRequest
from pmtool.storage.reader import Reader

REPORT_SEED = 2026  # the forecast in a report is reproducible
VELOCITY_SPRINTS = 8


def _one_project(request: ReportRequest) -> int:
    assert request.project_ids is not None and len(request.project_ids) == 1
    return request.project_ids[0]


def sprint_report(reader: Reader, request: ReportRequest) -> dict[str, Any]:
    """One sprint: its state by status, its tasks, burndown, velocity and the forecast."""
    from pmtool.exports.forecast import when_done
    from pmtool.services.read.forecast import forecast_input

    project_id = _one_project(request)
    name = request.subject or "current"
    sprint = sprints.show_sprint(reader, project_id, name, request.today)
    record, committed, burndown = metrics.burndown(
        reader, project_id, sprint["name"], request.today, request.now
    )
    tasks = reader.rows(
        "SELECT key, title, status, points, assignee FROM v_task WHERE sprint_id = :s "
        "ORDER BY status_position, rank, number",
        {"s": record["id"]},
    )
    velocity = metrics.velocity(reader, project_id, last=VELOCITY_SPRINTS)
    forecast, forecast_note = None, None
    try:
        forecast = when_done(
            forecast_input(reader, project_id, request.today), runs=10_000, seed=REPORT_SEED
        )
    except PmError as error:
        forecast_note = str(error)
    return {
        "sprint": sprint,
        "committed": committed,
        "burndown": burndown,
        "tasks": tasks,
        "velocity": velocity,
        "average_velocity": metrics.average_velocity(velocity),
        "forecast": forecast,
        "forecast_note": forecast_note,
        "attention": needs_attention(reader, [project_id], request.today),
    }


def status_report(reader: Reader, request: ReportRequest) -> dict[str, Any]:
    """What `pmtool status` lists, by project, with each project's active sprint."""
    ids = request.project_ids
    if ids is None:
        ids = tuple(row[0] for row in reader.tuples("SELECT id FROM project ORDER BY key"))
    items = needs_attention(reader, list(ids), request.today)
    projects = []
    for project_id in ids:
        key, project_name = reader.tuples(
            "SELECT key, name FROM project WHERE id = :p", {"p": project_id}
        )[0]
        active = reader.rows(
            'SELECT name, start, "end", tasks, points, done_points FROM v_sprint '
            "WHERE project_id = :p AND status = 'active'",
            {"p": project_id},
        )
        own = [entry for entry in items if entry["project"] == key]
        projects.append(
            {
                "key": key,
                "name": project_name,
                "items": own,
                "active_sprint": active[0] if active else None,
                # Dated items as rows for the timeline chart (label, due, late).
                "timeline": [
                    {"label": entry["ref"], "due": entry["due"], "late": entry["level"] == "late"}
                    for entry in own
                    if entry["due"]
                ],
            }
        )
    counts = {level: sum(entry["level"] == level for entry in items) for level in LEVELS}
    return {"items": items, "projects": projects, "counts": counts}
