"""Monte Carlo forecasts over the closed sprints' velocities (numpy and pandas).

Each run draws one past velocity per future sprint (with replacement: every closed
sprint is as likely as any other) and adds them up. Over many runs this gives, for the
open work, the number of sprints it takes at 50, 85 and 95% confidence; for a fixed
number of sprints (or a date), the points done with that confidence and how far down
the ordered work they reach.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from pmtool.services.read.forecast import ForecastInput

CONFIDENCES = (50, 85, 95)
DEFAULT_RUNS = 10_000
MAX_SPRINTS = 520  # twenty years of two-week sprints: "not in any useful time"

FORECAST_FIELDS = (
    "project", "mode", "remaining_points", "remaining_tasks", "unestimated_tasks", "line",
    "velocities", "sprint_days", "runs", "seed", "results",
)  # fmt: skip


def _summary(source: ForecastInput, mode: str, runs: int, seed: int | None) -> dict[str, Any]:
    return {
        "project": source.project,
        "mode": mode,
        "remaining_points": source.remaining_points,
        "remaining_tasks": len(source.open_tasks),
        "unestimated_tasks": source.unestimated,
        "line": source.line,
        "velocities": [
            {"sprint": name, "completed": value}
            for name, value in zip(source.sprints_used, source.velocities, strict=True)
        ],
        "sprint_days": source.sprint_days,
        "runs": runs,
        "seed": seed,
    }


def when_done(
    source: ForecastInput, *, runs: int = DEFAULT_RUNS, seed: int | None = None
) -> dict[str, Any]:
    """How many sprints (and until which date) the open work takes, per confidence."""
    generator = np.random.default_rng(seed)
    velocities = np.asarray(source.velocities, dtype=np.int64)
    remaining = source.remaining_points
    mean = float(velocities[velocities > 0].mean())
    horizon = min(MAX_SPRINTS, max(4, math.ceil(remaining / mean) * 4 + 4))
    draws = generator.choice(velocities, size=(runs, horizon))
    totals = draws.cumsum(axis=1)
    finished = totals >= remaining
    # The first sprint whose running total covers the work; runs that never get there
    # within the horizon count as beyond it.
    needed = np.where(finished.any(axis=1), finished.argmax(axis=1) + 1, horizon + 1)
    if remaining == 0:
        needed = np.zeros(runs, dtype=np.int64)
    sprints = pd.Series(needed)
    results = []
    for confidence in CONFIDENCES:
        count = int(sprints.quantile(confidence / 100, interpolation="higher"))
        beyond = count > horizon
        results.append(
            {
                "confidence": confidence,
                "sprints": None if beyond else count,
                "date": None
                if beyond
                else (source.sprint_end(count).isoformat() if count else None),
                "points": remaining,
                "tasks": len(source.open_tasks),
                "through": source.open_tasks[-1].key if source.open_tasks else None,
            }
        )
    return {**_summary(source, "when", runs, seed), "results": results}


def how_much(
    source: ForecastInput, sprint_count: int, *, runs: int = DEFAULT_RUNS, seed: int | None = None
) -> dict[str, Any]:
    """The points done in ``sprint_count`` sprints, per confidence (85%: at least this
    many in 85 runs of 100), and the ordered open work they cover."""
    generator = np.random.default_rng(seed)
    velocities = np.asarray(source.velocities, dtype=np.int64)
    totals = pd.Series(generator.choice(velocities, size=(runs, sprint_count)).sum(axis=1))
    cumulative = np.cumsum([task.points or 0 for task in source.open_tasks])
    results = []
    for confidence in CONFIDENCES:
        points = int(totals.quantile(1 - confidence / 100, interpolation="lower"))
        covered = int(np.searchsorted(cumulative, points, side="right"))
        results.append(
            {
                "confidence": confidence,
                "sprints": sprint_count,
                "date": source.sprint_end(sprint_count).isoformat(),
                "points": points,
                "tasks": covered,
                "through": source.open_tasks[covered - 1].key if covered else None,
            }
        )
    return {**_summary(source, "how_much", runs, seed), "results": results}
