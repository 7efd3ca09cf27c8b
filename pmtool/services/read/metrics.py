"""Burndown and velocity, replayed from the audit trail.

Re-estimates, tasks moved back out of done, tasks added to or removed from a sprint
mid-way: the history has them all, so the numbers stay right where a snapshot of the
current state would not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pmtool.services.read.sprints import sprint_record
from pmtool.services.values import parse_timestamp
from pmtool.storage.reader import Reader, Row

_TRACKED_FIELDS = ("sprint_id", "status", "points", "deleted_at")


@dataclass
class _TaskState:
    sprint_id: int | None = None
    status: str = ""
    points: int = 0
    deleted: bool = False


@dataclass
class SprintHistory:
    """Every change to the tasks that were ever in one sprint, in order."""

    sprint_id: int
    done_statuses: set[str]
    events: list[tuple[datetime, int, str, Any]] = field(default_factory=list)

    def totals_at(self, moment: datetime, *, inclusive: bool = True) -> tuple[int, int]:
        """(scope, remaining) points of the sprint at ``moment``.

        ``inclusive=False`` leaves out changes made at that very moment: the carry-over
        that closing a sprint writes must not count as the sprint's own result.
        """
        states: dict[int, _TaskState] = {}
        for at, task_id, name, value in self.events:
            if at > moment or (at == moment and not inclusive):
                break
            state = states.setdefault(task_id, _TaskState())
            if name == "sprint_id":
                state.sprint_id = value
            elif name == "status":
                state.status = value
            elif name == "points":
                state.points = value or 0
            else:
                state.deleted = value is not None
        scope = remaining = 0
        for state in states.values():
            if state.sprint_id == self.sprint_id and not state.deleted:
                scope += state.points
                if state.status not in self.done_statuses:
                    remaining += state.points
        return scope, remaining


def load_history(reader: Reader, sprint: Row) -> SprintHistory:
    done = {
        row[0]
        for row in reader.tuples(
            "SELECT name FROM workflow_column WHERE project_id = :p AND is_done",
            {"p": sprint["project_id"]},
        )
    }
    rows = reader.tuples(
        """
        SELECT at, entity_id, field, new FROM audit
        WHERE entity = 'task' AND field IN ('sprint_id', 'status', 'points', 'deleted_at')
          AND entity_id IN (SELECT entity_id FROM audit
                            WHERE entity = 'task' AND field = 'sprint_id' AND new = :sprint)
        ORDER BY id
        """,
        {"sprint": json.dumps(sprint["id"])},
    )
    history = SprintHistory(sprint["id"], done)
    history.events = [
        (parse_timestamp(at), int(entity_id), name, None if new is None else json.loads(new))
        for at, entity_id, name, new in rows
    ]
    return history


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time()).astimezone().astimezone(UTC)


def _start_of_day(day: date) -> datetime:
    return datetime.combine(day, time()).astimezone().astimezone(UTC)


def committed_moment(sprint: Row) -> datetime:
    started = sprint.get("started_at")
    return parse_timestamp(started) if started else _start_of_day(_as_date(sprint["start_date"]))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


BURNDOWN_FIELDS = ("date", "remaining", "ideal", "completed", "scope")


def burndown_from_history(
    history: SprintHistory, sprint: Row, today: date, now: datetime
) -> tuple[int, list[Row]]:
    """(committed points, one row per sprint day). Future days have no remaining yet."""
    start, end = _as_date(sprint["start_date"]), _as_date(sprint["end_date"])
    committed, _ = history.totals_at(committed_moment(sprint))
    days = (end - start).days + 1
    closed = parse_timestamp(sprint["closed_at"]) if sprint.get("closed_at") else None
    rows: list[Row] = []
    for index in range(days):
        day = start + timedelta(days=index)
        ideal = round(committed * (1 - (index + 1) / days), 1)
        if day > today and closed is None:
            rows.append(
                {
                    "date": day.isoformat(),
                    "remaining": None,
                    "ideal": ideal,
                    "completed": None,
                    "scope": None,
                }
            )
            continue
        moment = min(_end_of_day(day), now)
        if closed is not None and moment >= closed:
            scope, remaining = history.totals_at(closed, inclusive=False)
        else:
            scope, remaining = history.totals_at(moment)
        rows.append(
            {
                "date": day.isoformat(),
                "remaining": remaining,
                "ideal": ideal,
                "completed": scope - remaining,
                "scope": scope,
            }
        )
    return committed, rows


def burndown(
    reader: Reader, project_id: int, sprint_name: str, today: date, now: datetime
) -> tuple[Row, int, list[Row]]:
    sprint = sprint_record(reader, project_id, sprint_name)
    history = load_history(reader, sprint)
    committed, rows = burndown_from_history(history, sprint, today, now)
    return sprint, committed, rows


VELOCITY_FIELDS = ("sprint", "start", "end", "committed", "completed", "added", "completion")


def velocity(reader: Reader, project_id: int, *, last: int | None = None) -> list[Row]:
    """Committed (at start) against completed (at close) points of each closed sprint."""
    sprints = reader.rows(
        "SELECT * FROM sprint WHERE project_id = :p AND status = 'closed' ORDER BY end_date, id",
        {"p": project_id},
    )
    if last is not None:
        sprints = sprints[-last:] if last > 0 else []
    rows: list[Row] = []
    for sprint in sprints:
        history = load_history(reader, sprint)
        committed, _ = history.totals_at(committed_moment(sprint))
        scope, remaining = history.totals_at(parse_timestamp(sprint["closed_at"]), inclusive=False)
        completed = scope - remaining
        rows.append(
            {
                "sprint": sprint["name"],
                "start": str(sprint["start_date"])[:10],
                "end": str(sprint["end_date"])[:10],
                "committed": committed,
                "completed": completed,
                "added": scope - committed,
                "completion": round(completed / committed, 2) if committed else None,
            }
        )
    return rows


def average_velocity(rows: list[Row], window: int = 3) -> float | None:
    recent = [row["completed"] for row in rows[-window:]]
    return round(sum(recent) / len(recent), 1) if recent else None
