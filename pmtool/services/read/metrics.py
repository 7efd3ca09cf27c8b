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

from pmtool.core.values import parse_timestamp
from pmtool.services import resolve
from pmtool.storage.reader import Reader, Row


@dataclass
class _TaskState:
    sprint_id: int | None = None
    status: str = ""
    points: int = 0
    deleted: bool = False


# A moment to take totals at; inclusive=False leaves out changes made at that very
# moment (the carry-over that closing a sprint writes is not the sprint's own result).
Checkpoint = tuple[datetime, bool]


@dataclass
class SprintHistory:
    """Every change to the tasks that were ever in one sprint, in order."""

    sprint_id: int
    done_statuses: set[str]
    events: list[tuple[datetime, int, str, Any]] = field(default_factory=list)

    def totals(self, checkpoints: list[Checkpoint]) -> list[tuple[int, int]]:
        """(scope, remaining) points at each checkpoint, in one pass over the events."""
        order = sorted(range(len(checkpoints)), key=lambda index: checkpoints[index])
        results: list[tuple[int, int]] = [(0, 0)] * len(checkpoints)
        states: dict[int, _TaskState] = {}
        events = self.events
        position = 0
        for index in order:
            moment, inclusive = checkpoints[index]
            while position < len(events):
                at, task_id, name, value = events[position]
                if at > moment or (at == moment and not inclusive):
                    break
                state = states.get(task_id)
                if state is None:
                    state = states[task_id] = _TaskState()
                if name == "sprint_id":
                    state.sprint_id = value
                elif name == "status":
                    state.status = value
                elif name == "points":
                    state.points = value or 0
                else:
                    state.deleted = value is not None
                position += 1
            results[index] = self._sum(states)
        return results

    def totals_at(self, moment: datetime, *, inclusive: bool = True) -> tuple[int, int]:
        return self.totals([(moment, inclusive)])[0]

    def _sum(self, states: dict[int, _TaskState]) -> tuple[int, int]:
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
    # `+field` keeps SQLite on the (entity, entity_id) index: the field index would
    # scan the tracked changes of every task in the project. (PostgreSQL has no unary
    # plus on text and plans this well without the hint.)
    field = "+field" if reader.dialect == "sqlite" else "field"
    rows = reader.tuples(
        f"""
        SELECT at, entity_id, field, new FROM audit
        WHERE entity = 'task' AND {field} IN ('sprint_id', 'status', 'points', 'deleted_at')
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
    days = (end - start).days + 1
    closed = parse_timestamp(sprint["closed_at"]) if sprint.get("closed_at") else None
    checkpoints: list[Checkpoint] = [(committed_moment(sprint), True)]
    shown_days = []
    for index in range(days):
        day = start + timedelta(days=index)
        if day > today and closed is None:
            continue
        moment = min(_end_of_day(day), now)
        if closed is not None and moment >= closed:
            checkpoints.append((closed, False))
        else:
            checkpoints.append((moment, True))
        shown_days.append(index)
    # An active sprint on a day outside its dates (started early, or running late) gets
    # a row for today, so the burndown shows where it stands instead of only empty cells.
    # A sprint still being planned has nothing to burn down yet.
    off_dates = bool(sprint.get("started_at")) and closed is None and not start <= today <= end
    if off_dates:
        checkpoints.append((now, True))
    totals = history.totals(checkpoints)
    committed = totals[0][0]
    by_day = dict(zip(shown_days, totals[1 : len(shown_days) + 1], strict=True))
    rows: list[Row] = []
    for index in range(days):
        day = start + timedelta(days=index)
        ideal = round(committed * (1 - (index + 1) / days), 1)
        if index not in by_day:
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
        scope, remaining = by_day[index]
        rows.append(
            {
                "date": day.isoformat(),
                "remaining": remaining,
                "ideal": ideal,
                "completed": scope - remaining,
                "scope": scope,
            }
        )
    if off_dates:
        scope, remaining = totals[-1]
        today_row = {
            "date": today.isoformat(),
            "remaining": remaining,
            "ideal": float(committed) if today < start else 0.0,
            "completed": scope - remaining,
            "scope": scope,
        }
        rows.insert(0 if today < start else len(rows), today_row)
    return committed, rows


def burndown(
    reader: Reader, project_id: int, sprint_name: str, today: date, now: datetime
) -> tuple[Row, int, list[Row]]:
    sprint = resolve.sprint(reader, project_id, sprint_name)
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
        (committed, _), (scope, remaining) = history.totals(
            [(committed_moment(sprint), True), (parse_timestamp(sprint["closed_at"]), False)]
        )
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
