"""What a forecast starts from: the closed sprints' velocities and the open work in the
order the team will do it (read side, standard library only).

The simulation itself (Monte Carlo over these velocities) is in
:mod:`pmtool.exports.forecast`, which uses numpy and pandas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from pmtool.core.errors import NotFound, Refused
from pmtool.core.keys import parse_key
from pmtool.services.read import metrics
from pmtool.storage.reader import Reader

DEFAULT_SPRINT_DAYS = 14


@dataclass
class OpenTask:
    key: str
    title: str
    points: int | None
    status: str
    sprint: str | None


@dataclass
class ForecastInput:
    """The closed sprints' completed points, and the open work in order: the active
    sprint's first, then planned sprints' by start, then the backlog by rank."""

    project: str
    velocities: list[int]
    sprints_used: list[str]
    open_tasks: list[OpenTask]
    sprint_days: int
    first_sprint_end: date  # the active sprint's last day, or one sprint from today
    active_sprint: str | None
    line: str | None = None  # --through KEY: the work up to and including it
    unestimated: list[str] = field(default_factory=list)

    @property
    def remaining_points(self) -> int:
        return sum(task.points or 0 for task in self.open_tasks)

    def sprint_end(self, sprint_number: int) -> date:
        """The last day of the n-th sprint from now (1: the active or next sprint)."""
        return self.first_sprint_end + timedelta(days=self.sprint_days * (sprint_number - 1))

    def sprints_until(self, day: date) -> int:
        """How many whole sprints end on or before ``day``."""
        if day < self.first_sprint_end:
            return 0
        return (day - self.first_sprint_end).days // self.sprint_days + 1


def forecast_input(
    reader: Reader,
    project_id: int,
    today: date,
    *,
    history: int | None = None,
    through: str | None = None,
) -> ForecastInput:
    """Everything a forecast needs for one project; refused without a closed sprint."""
    project = reader.tuples("SELECT key FROM project WHERE id = :p", {"p": project_id})[0][0]
    closed = metrics.velocity(reader, project_id, last=history)
    if not closed:
        raise Refused(
            "no closed sprint yet: a forecast samples the velocity of closed sprints "
            "(three or more make it useful)"
        )
    velocities = [int(row["completed"]) for row in closed]
    if not any(velocities):
        raise Refused("the closed sprints completed no points: there is no velocity to sample")
    active = reader.rows(
        "SELECT name, start, \"end\" FROM v_sprint WHERE project_id = :p AND status = 'active'",
        {"p": project_id},
    )
    last = closed[-1]
    sprint_days = (date.fromisoformat(last["end"]) - date.fromisoformat(last["start"])).days + 1
    sprint_days = sprint_days if sprint_days > 0 else DEFAULT_SPRINT_DAYS
    if active:
        first_end = date.fromisoformat(str(active[0]["end"])[:10])
        first_end = max(first_end, today)
    else:
        first_end = today + timedelta(days=sprint_days - 1)
    rows = reader.tuples(
        """
        SELECT t.key, t.title, t.points, t.status, t.sprint
        FROM v_task t LEFT JOIN sprint s ON s.id = t.sprint_id
        WHERE t.project_id = :p AND NOT t.is_done
        ORDER BY CASE WHEN s.status = 'active' THEN 0 WHEN s.id IS NOT NULL THEN 1 ELSE 2 END,
                 s.start_date, t.status_position DESC, t.rank, t.number
        """,
        {"p": project_id},
    )
    open_tasks = [OpenTask(*row) for row in rows]
    line = None
    if through is not None:
        wanted = "{}-{}".format(*parse_key(through))
        keys = [task.key for task in open_tasks]
        if wanted not in keys:
            raise NotFound(f"{wanted} is not open work of {project} (done, removed or unknown)")
        open_tasks = open_tasks[: keys.index(wanted) + 1]
        line = wanted
    return ForecastInput(
        project=project,
        velocities=velocities,
        sprints_used=[row["sprint"] for row in closed],
        open_tasks=open_tasks,
        sprint_days=sprint_days,
        first_sprint_end=first_end,
        active_sprint=active[0]["name"] if active else None,
        line=line,
        unestimated=[task.key for task in open_tasks if task.points is None],
    )
