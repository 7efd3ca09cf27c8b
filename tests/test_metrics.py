"""Burndown and velocity, replayed from the history: every command placed on its day.

The scenario sprint runs Monday 2026-11-23 to Friday 2026-11-27 (5 days). Ideal is the
committed points spread evenly, reaching 0 at the end of the last day.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable

import pytest
from conftest import Invoke
from pmcheck import ok

pytestmark = pytest.mark.both_backends

At = Callable[[str], None]


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> At:
    """Run the following commands at this UTC moment ("2026-11-23T09:00")."""

    def place(moment: str) -> None:
        monkeypatch.setenv("PMTOOL_NOW", moment + ":00+00:00")

    return place


def burndown(run: Invoke, sprint: str = "Sprint 1") -> list[dict]:
    result = run("sprint", "burndown", sprint, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def remaining(rows: list[dict]) -> list[int | None]:
    return [row["remaining"] for row in rows]


def velocity(run: Invoke, *args: str) -> list[dict]:
    result = run("velocity", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def plan_sprint_one(run: Invoke, at: At) -> None:
    """Sprint 1 holds PM-1 (3), PM-2 (5), PM-3 (8), PM-4 (2): 18 points committed."""
    at("2026-11-20T10:00")
    ok(run("sprint", "add", "Sprint 1", "--start", "2026-11-23", "--length", "5d"))
    for title, points in (("Cohort", 3), ("Label", 5), ("Model", 8), ("Report", 2)):
        ok(run("task", "add", title, "--points", str(points), "--sprint", "Sprint 1"))
    at("2026-11-23T09:00")
    ok(run("sprint", "start", "Sprint 1"))


def play_the_turbulent_sprint(run: Invoke, at: At) -> None:
    plan_sprint_one(run, at)
    # Monday: PM-1 done.
    at("2026-11-23T15:00")
    ok(run("task", "move", "PM-1", "done"))
    # Tuesday: PM-2 through review to done; PM-3 to done by mistake and undone;
    # PM-1 reopened (done -> review).
    at("2026-11-24T10:00")
    ok(run("task", "move", "PM-2", "review"))
    ok(run("task", "move", "PM-2", "done"))
    at("2026-11-24T11:00")
    ok(run("task", "move", "PM-3", "done"))
    at("2026-11-24T11:05")
    ok(run("undo"))
    at("2026-11-24T14:00")
    ok(run("task", "move", "PM-1", "review"))
    # Wednesday: PM-3 re-estimated 8 -> 13; PM-5 (4) added mid-sprint.
    at("2026-11-25T10:00")
    ok(run("task", "edit", "PM-3", "--points", "13"))
    assert ok(run("task", "add", "Bias audit", "--points", "4", "--sprint", "current")) == "PM-5\n"
    # Thursday: PM-4 removed; PM-1 done again.
    at("2026-11-26T10:00")
    ok(run("task", "rm", "PM-4"))
    ok(run("task", "move", "PM-1", "review"))
    ok(run("task", "move", "PM-1", "done"))
    # Friday: PM-3 done; the sprint closes, PM-5 goes back to the backlog.
    at("2026-11-27T12:00")
    ok(run("task", "move", "PM-3", "done"))
    at("2026-11-27T17:00")
    assert ok(run("sprint", "close", "Sprint 1")) == (
        "Closed Sprint 1: 3 tasks, 21 points done\nCarried over to the backlog: PM-5\n"
    )


EXPECTED_AFTER_CLOSE = [
    {"date": "2026-11-23", "remaining": 15, "ideal": 14.4, "completed": 3, "scope": 18},
    {"date": "2026-11-24", "remaining": 13, "ideal": 10.8, "completed": 5, "scope": 18},
    {"date": "2026-11-25", "remaining": 22, "ideal": 7.2, "completed": 5, "scope": 27},
    {"date": "2026-11-26", "remaining": 17, "ideal": 3.6, "completed": 8, "scope": 25},
    {"date": "2026-11-27", "remaining": 4, "ideal": 0, "completed": 21, "scope": 25},
]


def test_burndown_follows_reopened_reestimated_added_and_removed_work(run: Invoke, at: At):
    ok(run("init"))
    ok(run("project", "add", "PM", "Sepsis early warning"))
    play_the_turbulent_sprint(run, at)
    at("2026-11-30T09:00")
    assert burndown(run) == EXPECTED_AFTER_CLOSE


def test_burndown_mid_sprint_leaves_future_days_empty(run: Invoke, at: At):
    ok(run("init"))
    ok(run("project", "add", "PM", "Sepsis early warning"))
    plan_sprint_one(run, at)
    at("2026-11-23T15:00")
    ok(run("task", "move", "PM-1", "done"))
    at("2026-11-24T10:00")
    ok(run("task", "move", "PM-2", "done"))
    at("2026-11-24T12:00")
    rows = burndown(run, "current")
    assert rows == [
        {"date": "2026-11-23", "remaining": 15, "ideal": 14.4, "completed": 3, "scope": 18},
        # Today counts up to now.
        {"date": "2026-11-24", "remaining": 10, "ideal": 10.8, "completed": 8, "scope": 18},
        {"date": "2026-11-25", "remaining": None, "ideal": 7.2, "completed": None, "scope": None},
        {"date": "2026-11-26", "remaining": None, "ideal": 3.6, "completed": None, "scope": None},
        {"date": "2026-11-27", "remaining": None, "ideal": 0, "completed": None, "scope": None},
    ]
    # Earlier the same day, the move at 10:00 has not happened yet.
    at("2026-11-24T09:00")
    assert remaining(burndown(run, "current"))[:2] == [15, 15]


def test_burndown_before_the_sprint_starts(run: Invoke, at: At):
    ok(run("init"))
    ok(run("project", "add", "PM", "Sepsis early warning"))
    at("2026-11-20T10:00")
    ok(run("sprint", "add", "Sprint 1", "--start", "2026-11-23", "--length", "5d"))
    ok(run("task", "add", "Cohort", "--points", "10", "--sprint", "Sprint 1"))
    rows = burndown(run)
    assert remaining(rows) == [None] * 5
    assert [row["ideal"] for row in rows] == [8, 6, 4, 2, 0]


def test_burndown_table_and_other_formats(run: Invoke, at: At):
    ok(run("init"))
    ok(run("project", "add", "PM", "Sepsis early warning"))
    play_the_turbulent_sprint(run, at)
    at("2026-11-30T09:00")
    table = run("sprint", "burndown", "Sprint 1").output.splitlines()
    assert table[0] == "Sprint 1: committed 18 points"
    assert table[1].split() == ["DATE", "REMAINING", "IDEAL", "DONE", "SCOPE"]
    assert table[3].startswith("2026-11-23         15   14.4     3     18  █")
    assert table[7].startswith("2026-11-27          4      0    21     25  █")

    csv_text = run("sprint", "burndown", "Sprint 1", "--format", "csv").output
    assert csv_text.splitlines() == [
        "date,remaining,ideal,completed,scope",
        "2026-11-23,15,14.4,3,18",
        "2026-11-24,13,10.8,5,18",
        "2026-11-25,22,7.2,5,27",
        "2026-11-26,17,3.6,8,25",
        "2026-11-27,4,0,21,25",
    ]
    assert list(csv.DictReader(io.StringIO(csv_text)))[2]["scope"] == "27"
    markdown = run("sprint", "burndown", "Sprint 1", "--format", "md").output.splitlines()
    assert markdown == [
        "| date | remaining | ideal | completed | scope |",
        "|---|---|---|---|---|",
        "| 2026-11-23 | 15 | 14.4 | 3 | 18 |",
        "| 2026-11-24 | 13 | 10.8 | 5 | 18 |",
        "| 2026-11-25 | 22 | 7.2 | 5 | 27 |",
        "| 2026-11-26 | 17 | 3.6 | 8 | 25 |",
        "| 2026-11-27 | 4 | 0 | 21 | 25 |",
    ]


def test_velocity_counts_committed_completed_and_added(run: Invoke, at: At):
    ok(run("init"))
    ok(run("project", "add", "PM", "Sepsis early warning"))
    play_the_turbulent_sprint(run, at)
    # Added is the net scope change: +5 re-estimate, +4 new task, -2 removed task.
    assert velocity(run) == [
        {
            "sprint": "Sprint 1",
            "start": "2026-11-23",
            "end": "2026-11-27",
            "committed": 18,
            "completed": 21,
            "added": 7,
            "completion": 1.17,
        }
    ]


def test_velocity_across_sprints_with_carry_over(run: Invoke, at: At):
    ok(run("init"))
    ok(run("project", "add", "PM", "Sepsis early warning"))
    plan_sprint_one(run, at)
    ok(run("sprint", "add", "Sprint 2", "--start", "2026-11-30", "--length", "5d"))
    at("2026-11-25T10:00")
    ok(run("task", "move", "PM-1", "PM-3", "done"))  # 11 of 18
    at("2026-11-27T17:00")
    ok(run("sprint", "close", "Sprint 1", "--carry-over", "Sprint 2"))  # PM-2 (5), PM-4 (2)
    at("2026-11-28T10:00")
    ok(run("task", "edit", "PM-2", "--points", "8"))  # re-estimated before the start: committed
    ok(run("task", "add", "New", "--points", "1", "--sprint", "Sprint 2"))
    at("2026-11-30T09:00")
    ok(run("sprint", "start", "Sprint 2"))
    at("2026-12-01T10:00")
    ok(run("task", "move", "PM-2", "done"))
    at("2026-12-02T10:00")
    ok(run("task", "edit", "PM-4", "--sprint", "none"))  # taken out mid-sprint
    at("2026-12-04T17:00")
    ok(run("sprint", "close", "Sprint 2"))

    rows = velocity(run)
    assert [(r["sprint"], r["committed"], r["completed"], r["added"]) for r in rows] == [
        ("Sprint 1", 18, 11, 0),
        ("Sprint 2", 11, 8, -2),
    ]
    assert [r["completion"] for r in rows] == [0.61, 0.73]
    assert [r["sprint"] for r in velocity(run, "--last", "1")] == ["Sprint 2"]

    table = run("velocity").output.splitlines()
    assert table[0].split() == [
        "SPRINT",
        "START",
        "END",
        "COMMITTED",
        "COMPLETED",
        "ADDED",
        "RATIO",
    ]
    assert table[2].split() == ["Sprint", "1", "2026-11-23", "2026-11-27", "18", "11", "0", "0.61"]
    assert table[-1] == "Average of the last 2: 9.5 points"

    assert ok(run("velocity", "--format", "csv")).splitlines() == [
        "sprint,start,end,committed,completed,added,completion",
        "Sprint 1,2026-11-23,2026-11-27,18,11,0,0.61",
        "Sprint 2,2026-11-30,2026-12-04,11,8,-2,0.73",
    ]
    markdown = run("velocity", "--format", "md").output.splitlines()
    assert markdown[0] == "| SPRINT | START | END | COMMITTED | COMPLETED | ADDED | RATIO |"
    assert markdown[1] == "|---|---|---|---:|---:|---:|---:|"
    assert markdown[3] == "| Sprint 2 | 2026-11-30 | 2026-12-04 | 11 | 8 | -2 | 0.73 |"


def test_velocity_before_any_sprint_closed(workspace: Invoke):
    assert workspace("velocity", "--format", "json").output == "[]\n"
    assert workspace("velocity").output == "No closed sprints yet.\n"
    assert workspace("velocity", "--format", "csv").output.startswith("sprint,start,end,")


def test_sprint_closed_early_keeps_its_result_on_later_days(run: Invoke, at: At):
    ok(run("init"))
    ok(run("project", "add", "PM", "Sepsis early warning"))
    plan_sprint_one(run, at)
    at("2026-11-24T10:00")
    ok(run("task", "move", "PM-3", "done"))
    at("2026-11-25T10:00")
    ok(run("sprint", "close", "Sprint 1"))
    at("2026-11-26T10:00")
    ok(run("task", "move", "PM-1", "done"))  # after the close: not the sprint's work
    at("2026-11-30T10:00")
    assert remaining(burndown(run)) == [18, 10, 10, 10, 10]
    assert [(r["committed"], r["completed"]) for r in velocity(run)] == [(18, 8)]


def test_days_follow_the_local_time_zone(run: Invoke, at: At, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        ok(run("init"))
        ok(run("project", "add", "PM", "Sepsis early warning"))
        plan_sprint_one(run, at)
        # 23:30 UTC on Monday is already Tuesday 00:30 in Berlin.
        at("2026-11-23T23:30")
        ok(run("task", "move", "PM-2", "done"))
        at("2026-11-30T10:00")
        assert remaining(burndown(run))[:2] == [18, 13]
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()
