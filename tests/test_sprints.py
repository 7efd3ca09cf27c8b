"""The sprint lifecycle: plan, start (one active per project), close with carry-over."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Invoke
from pmcheck import dump, error_line, query, refused

pytestmark = pytest.mark.both_backends

SPRINT_FIELDS = ["name", "start", "end", "status"]


@pytest.fixture
def planned(workspace: Invoke, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Sprint 1 (with PM-1..PM-3, 1+2+3 points) and Sprint 2, both planned; PM-4 in the backlog."""
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-23T09:00:00+00:00")  # a Monday
    workspace(
        "sprint",
        "add",
        "Sprint 1",
        "--start",
        "2026-11-23",
        "--length",
        "2w",
        "--goal",
        "Cohort frozen",
        "--capacity",
        "20",
    )
    workspace("sprint", "add", "Sprint 2", "--start", "2026-12-07", "--end", "2026-12-20")
    for points in (1, 2, 3):
        workspace("task", "add", f"Task {points}", "--points", str(points), "--sprint", "Sprint 1")
    workspace("task", "add", "Backlog item", "--points", "5")
    return workspace


def sprint_rows(run: Invoke) -> list[dict]:
    return json.loads(run("sprint", "list", "--format", "json").output)


def task_sprints(run: Invoke) -> dict[str, str | None]:
    rows = json.loads(run("task", "list", "--format", "json").output)
    return {row["key"]: row["sprint"] for row in rows}


def test_sprint_add_with_end_or_length(workspace: Invoke, db_path: Path):
    with_length = workspace("sprint", "add", "Sprint 1", "--start", "2026-11-23", "--length", "2w")
    assert with_length.output == "Planned Sprint 1: 2026-11-23 to 2026-12-06\n"
    with_end = workspace(
        "sprint", "add", "Sprint 2", "--start", "2026-12-07", "--end", "2026-12-18"
    )
    assert with_end.output == "Planned Sprint 2: 2026-12-07 to 2026-12-18\n"
    assert workspace(
        "sprint", "add", "Sprint 3", "--start", "2026-12-21", "--length", "10d"
    ).output == ("Planned Sprint 3: 2026-12-21 to 2026-12-30\n")
    assert query(db_path, "SELECT name, start_date, end_date, status FROM sprint ORDER BY id") == [
        ("Sprint 1", "2026-11-23", "2026-12-06", "planned"),
        ("Sprint 2", "2026-12-07", "2026-12-18", "planned"),
        ("Sprint 3", "2026-12-21", "2026-12-30", "planned"),
    ]


def test_sprint_list_formats(planned: Invoke):
    rows = sprint_rows(planned)
    assert [list(row)[:4] for row in rows] == [SPRINT_FIELDS, SPRINT_FIELDS]
    assert rows[0] == {
        "name": "Sprint 1",
        "start": "2026-11-23",
        "end": "2026-12-06",
        "status": "planned",
        "goal": "Cohort frozen",
        "capacity": 20,
        "tasks": 3,
        "points": 6,
        "done_points": 0,
        "project": "PM",
        "started": None,
        "closed": None,
    }
    assert planned("sprint", "list").output.splitlines() == [
        "SPRINT    STATUS   START       END         TASKS  DONE  POINTS  CAPACITY  GOAL",
        "────────  ───────  ──────────  ──────────  ─────  ────  ──────  ────────  ─────────────",
        "Sprint 1  planned  2026-11-23  2026-12-06      3     0       6        20  Cohort frozen",
        "Sprint 2  planned  2026-12-07  2026-12-20      0     0       0",
    ]
    csv_lines = planned("sprint", "list", "--format", "csv").output.splitlines()
    assert csv_lines[0].startswith("name,start,end,status,")
    assert csv_lines[1].startswith("Sprint 1,2026-11-23,2026-12-06,planned,Cohort frozen,20,")
    markdown = planned("sprint", "list", "--format", "md").output.splitlines()
    assert markdown[0].startswith("| SPRINT | STATUS | START | END |")
    assert len(markdown) == 4
    assert [
        r["name"]
        for r in json.loads(
            planned("sprint", "list", "--status", "planned", "--format", "json").output
        )
    ] == [
        "Sprint 1",
        "Sprint 2",
    ]


def test_sprint_list_empty(workspace: Invoke):
    assert workspace("sprint", "list", "--format", "json").output == "[]\n"
    assert workspace("sprint", "list").output == (
        "No sprints yet: pmtool sprint add NAME --start DATE --length 2w\n"
    )


def test_start_then_show_current(planned: Invoke, db_path: Path):
    started = planned("sprint", "start", "sprint 1")
    assert started.output == "Started Sprint 1 (ends 2026-12-06)\n"
    shown = json.loads(planned("sprint", "show", "--format", "json").output)
    assert shown["name"] == "Sprint 1" and shown["status"] == "active"
    assert shown["started"] == "2026-11-23T09:00:00Z"
    assert (shown["days_left"], shown["length_days"]) == (14, 14)
    assert shown["by_status"] == [{"status": "todo", "tasks": 3, "points": 6}]
    table = planned("sprint", "show", "current").output
    assert "by_status    todo 3 (6 pts)" in table
    assert query(db_path, "SELECT status, started_at IS NOT NULL FROM sprint ORDER BY id") == [
        ("active", 1),
        ("planned", 0),
    ]
    project = json.loads(planned("project", "show", "--format", "json").output)
    assert project["active_sprint"] == "Sprint 1"


def test_only_one_active_sprint_per_project(planned: Invoke, db_path: Path):
    planned("sprint", "start", "Sprint 1")
    before = dump(db_path)
    refused(
        planned("sprint", "start", "Sprint 2"),
        1,
        "sprint Sprint 1 is active; close it first (one active sprint per project)",
    )
    refused(planned("sprint", "start", "Sprint 1"), 1, "sprint Sprint 1 is already active")
    assert dump(db_path) == before
    # Another project has its own active sprint.
    planned("project", "add", "OT", "Other")
    planned("-p", "OT", "sprint", "add", "OT 1", "--start", "2026-11-23", "--length", "1w")
    assert planned("-p", "OT", "sprint", "start", "OT 1").exit_code == 0


def test_close_carries_unfinished_work_to_a_named_sprint(
    planned: Invoke, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    planned("sprint", "start", "Sprint 1")
    planned("task", "move", "PM-1", "done")
    planned("task", "move", "PM-2", "review")
    monkeypatch.setenv("PMTOOL_NOW", "2026-12-06T17:00:00+00:00")
    closed = planned("sprint", "close", "Sprint 1", "--carry-over", "sprint 2")
    assert closed.output == (
        "Closed Sprint 1: 1 tasks, 1 points done\nCarried over to Sprint 2: PM-2, PM-3\n"
    )
    assert task_sprints(planned) == {
        "PM-1": "Sprint 1",
        "PM-2": "Sprint 2",
        "PM-3": "Sprint 2",
        "PM-4": None,
    }
    rows = sprint_rows(planned)
    assert (rows[0]["status"], rows[0]["closed"], rows[0]["done_points"]) == (
        "closed",
        "2026-12-06T17:00:00Z",
        1,
    )
    # Carried work keeps its status.
    assert query(db_path, "SELECT number, status FROM task WHERE number IN (2, 3)") == [
        (2, "review"),
        (3, "todo"),
    ]


def test_close_returns_unfinished_work_to_the_backlog(planned: Invoke):
    planned("sprint", "start", "Sprint 1")
    planned("task", "move", "PM-3", "done")
    closed = planned("sprint", "close", "current")
    assert closed.output == (
        "Closed Sprint 1: 1 tasks, 3 points done\nCarried over to the backlog: PM-1, PM-2\n"
    )
    assert task_sprints(planned) == {
        "PM-1": None,
        "PM-2": None,
        "PM-3": "Sprint 1",
        "PM-4": None,
    }
    assert planned("sprint", "start", "Sprint 2").exit_code == 0


def test_close_refusals(planned: Invoke, db_path: Path):
    before = dump(db_path)
    refused(planned("sprint", "close", "Sprint 1"), 1, "sprint Sprint 1 has not started")
    refused(planned("sprint", "close", "current"), 1, "PM has no active sprint")
    refused(planned("sprint", "close", "Sprint 9"), 1, "no sprint 'Sprint 9' in PM")
    assert dump(db_path) == before
    planned("sprint", "start", "Sprint 1")
    before = dump(db_path)
    refused(
        planned("sprint", "close", "Sprint 1", "--carry-over", "Sprint 1"),
        2,
        "cannot be carried over into the sprint being closed",
    )
    refused(planned("sprint", "close", "Sprint 1", "--carry-over", "Nowhere"), 1, "no sprint")
    assert dump(db_path) == before


def test_closing_twice_is_refused(planned: Invoke, db_path: Path):
    planned("sprint", "start", "Sprint 1")
    assert planned("sprint", "close", "Sprint 1").exit_code == 0
    before = dump(db_path)
    refused(planned("sprint", "close", "Sprint 1"), 1, "sprint Sprint 1 is already closed")
    refused(planned("sprint", "start", "Sprint 1"), 1, "is closed and cannot start again")
    refused(planned("sprint", "edit", "Sprint 1", "--goal", "x"), 1, "its record is final")
    refused(planned("task", "add", "Late", "--sprint", "Sprint 1"), 1, "sprint Sprint 1 is closed")
    refused(planned("task", "edit", "PM-4", "--sprint", "Sprint 1"), 1, "is closed")
    # Carrying over into a closed sprint is refused too.
    planned("sprint", "start", "Sprint 2")
    before = dump(db_path)
    refused(planned("sprint", "close", "Sprint 2", "--carry-over", "Sprint 1"), 1, "is closed")
    assert dump(db_path) == before


def test_capacity_and_goal_can_change(planned: Invoke, db_path: Path):
    assert planned(
        "sprint", "edit", "Sprint 2", "--capacity", "30", "--goal", "Model v1"
    ).output == ("Updated Sprint 2\n")
    shown = json.loads(planned("sprint", "show", "Sprint 2", "--format", "json").output)
    assert (shown["capacity"], shown["goal"]) == (30, "Model v1")
    planned("sprint", "edit", "Sprint 2", "--end", "2026-12-24")
    assert query(db_path, "SELECT end_date FROM sprint WHERE name = 'Sprint 2'") == [
        ("2026-12-24",)
    ]
    planned("sprint", "start", "Sprint 1")
    refused(
        planned("sprint", "edit", "Sprint 1", "--start", "2026-11-24"), 1, "start date is fixed"
    )
    error_line(planned("sprint", "edit", "Sprint 1"), 2, "nothing to change")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--start", "2026-12-01"), 2, "give either --end or --length"),
        (("--start", "2026-12-01", "--end", "2026-12-10", "--length", "1w"), 2, "either --end"),
        (("--start", "2026-12-10", "--end", "2026-12-01"), 2, "before it starts"),
        (("--start", "2026-12-01", "--length", "2y"), 2, "longer than a year"),
        (("--start", "2026-12-01", "--length", "0d"), 2, "cannot read '0d' as a duration"),
        (("--start", "2026-12-01", "--length", "2 weeks"), 2, "as a duration"),
        (("--start", "someday", "--length", "2w"), 2, "cannot read 'someday' as a date"),
        (("--start", "2026-12-01", "--length", "2w", "--capacity", "-5"), 2, "negative"),
    ],
)
def test_sprint_add_bad_input(
    workspace: Invoke, db_path: Path, args: tuple[str, ...], code: int, message: str
):
    before = dump(db_path)
    error_line(workspace("sprint", "add", "Sprint 1", *args), code, message)
    assert dump(db_path) == before


def test_sprint_names_are_unique_and_not_reserved(planned: Invoke, db_path: Path):
    before = dump(db_path)
    args = ("--start", "2026-12-01", "--length", "1w")
    refused(planned("sprint", "add", "sprint 1", *args), 1, "has a sprint called Sprint 1")
    refused(planned("sprint", "add", "current", *args), 2, "is a reserved word")
    refused(planned("sprint", "add", "Backlog", *args), 2, "is a reserved word")
    assert dump(db_path) == before


def test_show_without_an_active_sprint(planned: Invoke):
    refused(planned("sprint", "show"), 1, "no active sprint; start one with `pmtool sprint start")
    refused(planned("sprint", "show", "Sprint 9"), 1, "no sprint 'Sprint 9'")


def test_planning_past_capacity_warns_but_plans(planned: Invoke, db_path: Path):
    # Sprint 1 has capacity 20 and holds 6 points.
    within = planned("task", "add", "Fits", "--points", "14", "--sprint", "Sprint 1")
    assert (within.exit_code, within.stdout, within.stderr) == (0, "PM-5\n", "")
    over = planned("task", "add", "Too much", "--points", "1", "--sprint", "Sprint 1")
    assert (over.exit_code, over.stdout) == (0, "PM-6\n")
    assert over.stderr == "Note: Sprint 1 now holds 21 points against a capacity of 20\n"
    moved = planned("task", "edit", "PM-4", "--sprint", "Sprint 1")
    assert moved.stdout == "Updated PM-4\n"
    assert moved.stderr == "Note: Sprint 1 now holds 26 points against a capacity of 20\n"
    assert query(db_path, "SELECT COUNT(*) FROM task WHERE sprint_id = 1") == [(6,)]
    # No capacity, no note.
    quiet = planned("task", "add", "Anything", "--points", "100", "--sprint", "Sprint 2")
    assert quiet.stderr == ""
