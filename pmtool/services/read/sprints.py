"""Sprints as rows (read side)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pmtool.core.values import iso_date, iso_timestamp
from pmtool.services import resolve
from pmtool.storage.reader import Reader, Row

SPRINT_FIELDS = (
    "name", "start", "end", "status", "goal", "capacity", "tasks", "points", "done_points",
    "project", "started", "closed",
)  # fmt: skip

_SELECT = """
SELECT name, start, "end", status, goal, capacity, tasks, points, done_points, project,
       started_at, closed_at
FROM v_sprint
"""


def _to_output(values: Any) -> Row:
    row = dict(zip(SPRINT_FIELDS, values, strict=True))
    row["start"] = iso_date(row["start"])
    row["end"] = iso_date(row["end"])
    row["started"] = iso_timestamp(row["started"])
    row["closed"] = iso_timestamp(row["closed"])
    return row


def list_sprints(reader: Reader, project_id: int, *, status: str | None = None) -> list[Row]:
    sql = f"{_SELECT} WHERE project_id = :p"
    params: dict[str, Any] = {"p": project_id}
    if status:
        sql += " AND status = :s"
        params["s"] = status
    return [_to_output(values) for values in reader.tuples(sql + " ORDER BY start, id", params)]


def show_sprint(reader: Reader, project_id: int, name: str, today: date) -> Row:
    record = resolve.sprint(reader, project_id, name)
    row = _to_output(reader.tuples(f"{_SELECT} WHERE id = :id", {"id": record["id"]})[0])
    end = date.fromisoformat(row["end"])
    start = date.fromisoformat(row["start"])
    row["days_left"] = max(0, (end - today).days + 1) if row["status"] != "closed" else 0
    row["length_days"] = (end - start).days + 1
    by_status = reader.rows(
        "SELECT status, COUNT(*) AS tasks, COALESCE(SUM(points), 0) AS points FROM v_task "
        "WHERE sprint_id = :id GROUP BY status, status_position ORDER BY status_position",
        {"id": record["id"]},
    )
    row["by_status"] = by_status
    return row
