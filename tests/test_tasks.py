"""Tasks through the CLI: add, list, show, edit, move, rank, rm, and their refusals."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import Invoke
from pmcheck import count, dump, error_line, ok, query, refused

pytestmark = pytest.mark.both_backends

FIXED_FIELDS = ["key", "title", "status", "points", "sprint", "assignee", "labels", "due"]


def tasks_json(run: Invoke, *args: str) -> list[dict]:
    result = run("task", "list", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def keys(run: Invoke, *args: str) -> list[str]:
    return [row["key"] for row in tasks_json(run, *args)]


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-27T10:00:00+00:00")  # a Friday


def test_task_add_prints_keys_numbered_per_project(workspace: Invoke):
    assert workspace("task", "add", "Freeze the ICU cohort").output == "PM-1\n"
    assert workspace("task", "add", "Define sepsis label").output == "PM-2\n"
    workspace("project", "add", "OT", "Other")
    assert workspace("-p", "OT", "task", "add", "Elsewhere").output == "OT-1\n"
    assert workspace("-p", "PM", "task", "add", "Third").output == "PM-3\n"
    assert workspace("-p", "OT", "task", "add", "Second").output == "OT-2\n"


def test_task_add_stores_every_field(workspace: Invoke, db_path: Path, frozen: None):
    added = workspace(
        "task",
        "add",
        "Define label",
        "--points",
        "3",
        "--type",
        "story",
        "--priority",
        "high",
        "--assignee",
        "lena vogel",
        "--label",
        "data",
        "--label",
        "icu",
        "--label",
        "data",
        "--due",
        "+3d",
        "-d",
        "Sepsis-3 definition",
    )
    assert added.output == "PM-1\n"
    shown = json.loads(workspace("task", "show", "PM-1", "--format", "json").output)
    assert list(shown)[:8] == FIXED_FIELDS
    assert shown == {
        "key": "PM-1",
        "title": "Define label",
        "status": "backlog",
        "points": 3,
        "sprint": None,
        "assignee": "Lena Vogel",
        "labels": ["data", "icu"],
        "due": "2026-11-30",
        "type": "story",
        "priority": "high",
        "parent": None,
        "project": "PM",
        "created": "2026-11-27T10:00:00Z",
        "updated": "2026-11-27T10:00:00Z",
        "description": "Sepsis-3 definition",
        "version": 1,
        "subtasks": [],
    }
    assert query(db_path, "SELECT number, title, points, labels, due_date, status FROM task") == [
        (1, "Define label", 3, '["data", "icu"]', "2026-11-30", "backlog")
    ]


def test_task_show_table_and_description(workspace: Invoke, frozen: None):
    workspace("task", "add", "Define label", "--points", "3", "-d", "Sepsis-3 definition")
    lines = workspace("task", "show", "PM-1").output.splitlines()
    assert lines[:4] == [
        "key       PM-1",
        "title     Define label",
        "status    backlog",
        "points    3",
    ]
    assert lines[-2:] == ["", "Sepsis-3 definition"]


def test_task_list_fixed_json_fields_and_other_formats(workspace: Invoke, frozen: None):
    workspace("task", "add", "First", "--points", "2", "--label", "data", "--due", "2026-12-01")
    workspace("task", "add", "Second, with comma")
    rows = tasks_json(workspace)
    assert [list(row)[:8] for row in rows] == [FIXED_FIELDS, FIXED_FIELDS]
    assert rows[0]["labels"] == ["data"] and rows[0]["due"] == "2026-12-01"
    assert rows[1]["labels"] == [] and rows[1]["due"] is None and rows[1]["points"] is None

    parsed = list(csv.DictReader(io.StringIO(workspace("task", "list", "--format", "csv").output)))
    assert [row["key"] for row in parsed] == ["PM-1", "PM-2"]
    assert parsed[1]["title"] == "Second, with comma"
    assert parsed[0]["due"] == "2026-12-01" and parsed[0]["labels"] == "data"

    markdown = workspace("task", "list", "--format", "md").output.splitlines()
    assert markdown == [
        "| KEY | STATUS | PTS | TITLE | ASSIGNEE | SPRINT | DUE | LABELS |",
        "|---|---|---:|---|---|---|---|---|",
        "| PM-1 | backlog | 2 | First |  |  | 2026-12-01 | data |",
        "| PM-2 | backlog |  | Second, with comma |  |  |  |  |",
    ]


def test_task_list_empty_outputs(workspace: Invoke):
    assert workspace("task", "list", "--format", "json").output == "[]\n"
    assert workspace("task", "list").output == "No tasks match.\n"
    markdown = workspace("task", "list", "--format", "md").output.splitlines()
    assert len(markdown) == 2 and markdown[0].startswith("| KEY |")


def test_task_list_filters(workspace: Invoke, frozen: None):
    workspace("sprint", "add", "Sprint 1", "--start", "2026-11-23", "--length", "2w")
    workspace("task", "add", "Cohort", "--label", "data", "--assignee", "Lena Vogel")
    workspace("task", "add", "Label", "--label", "data", "--label", "icu", "--sprint", "Sprint 1")
    workspace("task", "add", "Late", "--due", "2026-11-20", "--assignee", "Jonas Weber")
    workspace("task", "add", "Late but done", "--due", "2026-11-20")
    workspace("task", "move", "PM-4", "done")

    assert keys(workspace, "--status", "todo") == ["PM-2"]
    assert keys(workspace, "--status", "backlog", "--status", "done") == ["PM-1", "PM-3", "PM-4"]
    assert keys(workspace, "--sprint", "sprint 1") == ["PM-2"]
    assert keys(workspace, "--sprint", "none") == ["PM-1", "PM-3", "PM-4"]
    assert keys(workspace, "--assignee", "lena vogel") == ["PM-1"]
    assert keys(workspace, "--assignee", "none") == ["PM-2", "PM-4"]
    assert keys(workspace, "--label", "data") == ["PM-1", "PM-2"]
    assert keys(workspace, "--label", "data", "--label", "icu") == ["PM-2"]
    assert keys(workspace, "--overdue") == ["PM-3"]
    assert keys(workspace, "--search", "LATE") == ["PM-3", "PM-4"]
    assert keys(workspace, "--search", "pm-2") == ["PM-2"]
    refused(workspace("task", "list", "--status", "nope"), 2, "no status 'nope'")
    refused(workspace("task", "list", "--sprint", "Sprint 9"), 1, "no sprint 'Sprint 9'")


def test_task_planned_into_a_sprint_starts_in_todo(workspace: Invoke):
    workspace("sprint", "add", "Sprint 1", "--start", "2026-11-23", "--length", "2w")
    workspace("task", "add", "Planned", "--sprint", "Sprint 1")
    workspace("task", "add", "Unplanned")
    rows = tasks_json(workspace)
    assert [(r["key"], r["status"], r["sprint"]) for r in rows] == [
        ("PM-2", "backlog", None),
        ("PM-1", "todo", "Sprint 1"),
    ]


def test_task_edit_changes_and_clears_fields(workspace: Invoke, db_path: Path):
    workspace("sprint", "add", "Sprint 1", "--start", "2026-11-23", "--length", "2w")
    workspace(
        "task",
        "add",
        "Define label",
        "--points",
        "3",
        "--assignee",
        "Lena Vogel",
        "--label",
        "data",
        "--label",
        "icu",
        "--due",
        "2026-12-01",
        "-d",
        "text",
    )
    workspace("task", "add", "Epic")
    edited = workspace(
        "task",
        "edit",
        "pm-1",
        "--title",
        "Define the label",
        "--points",
        "5",
        "--priority",
        "critical",
        "--type",
        "bug",
        "--assignee",
        "jonas weber",
        "--unlabel",
        "icu",
        "--label",
        "ehr",
        "--sprint",
        "Sprint 1",
        "--parent",
        "PM-2",
    )
    assert edited.output == "Updated PM-1\n"
    row = json.loads(workspace("task", "show", "PM-1", "--format", "json").output)
    assert (row["title"], row["points"], row["priority"], row["type"]) == (
        "Define the label",
        5,
        "critical",
        "bug",
    )
    assert (row["assignee"], row["labels"], row["sprint"], row["parent"]) == (
        "Jonas Weber",
        ["data", "ehr"],
        "Sprint 1",
        "PM-2",
    )
    parent = json.loads(workspace("task", "show", "PM-2", "--format", "json").output)
    assert parent["subtasks"] == ["PM-1"]

    cleared = workspace(
        "task",
        "edit",
        "PM-1",
        "--points",
        "none",
        "--assignee",
        "none",
        "--due",
        "none",
        "-d",
        "none",
        "--sprint",
        "none",
        "--parent",
        "none",
    )
    assert cleared.exit_code == 0
    assert query(
        db_path,
        "SELECT points, assignee_id, due_date, description, sprint_id, parent_id FROM task "
        "WHERE number = 1",
    ) == [(None, None, None, None, None, None)]


def test_task_edit_points_to_zero(workspace: Invoke, db_path: Path):
    workspace("task", "add", "Spike", "--points", "3")
    assert workspace("task", "edit", "PM-1", "--points", "0").output == "Updated PM-1\n"
    assert query(db_path, "SELECT points FROM task") == [(0,)]


def test_task_edit_several_is_all_or_nothing(workspace: Invoke, db_path: Path):
    workspace("task", "add", "A", "--points", "1")
    workspace("task", "add", "B", "--points", "1")
    before = dump(db_path)
    refused(workspace("task", "edit", "PM-1", "PM-9", "--points", "8"), 1, "no task PM-9")
    assert dump(db_path) == before
    assert workspace("task", "edit", "PM-1", "PM-2", "--points", "8").output == (
        "Updated PM-1, PM-2\n"
    )
    assert query(db_path, "SELECT points FROM task ORDER BY number") == [(8,), (8,)]


def test_task_edit_refusals(workspace: Invoke, db_path: Path):
    workspace("task", "add", "Parent")
    workspace("task", "add", "Child", "--parent", "PM-1", "--label", "data")
    before = dump(db_path)
    error_line(workspace("task", "edit", "PM-1"), 2, "nothing to change")
    error_line(workspace("task", "edit", "PM-1", "--points", "x"), 2, "not a whole number")
    refused(workspace("task", "edit", "PM-1", "--points", "-2"), 2, "cannot be negative")
    refused(workspace("task", "edit", "PM-1", "--title", " "), 2, "the title cannot be empty")
    refused(workspace("task", "edit", "PM-1", "--parent", "PM-2"), 2, "its own ancestor")
    refused(workspace("task", "edit", "PM-1", "--parent", "PM-1"), 2, "its own ancestor")
    refused(workspace("task", "edit", "PM-2", "--unlabel", "nope"), 2, "has no label 'nope'")
    refused(workspace("task", "edit", "PM-2", "--label", "a,b"), 2, "cannot contain a comma")
    refused(workspace("task", "edit", "PM-2", "--assignee", "Nobody"), 1, "no member 'Nobody'")
    refused(workspace("task", "edit", "PM-2", "--sprint", "Sprint 9"), 1, "no sprint 'Sprint 9'")
    refused(workspace("task", "edit", "PM-99", "--points", "1"), 1, "no task PM-99")
    refused(workspace("task", "edit", "nokey", "--points", "1"), 2, "is not a task key")
    assert dump(db_path) == before


def test_task_move_reports_each_task(workspace: Invoke, db_path: Path):
    workspace("task", "add", "A")
    workspace("task", "add", "B")
    moved = workspace("task", "move", "PM-1", "PM-2", "in-progress")
    assert moved.output == "PM-1: backlog -> in_progress\nPM-2: backlog -> in_progress\n"
    assert query(db_path, "SELECT status FROM task ORDER BY number") == [
        ("in_progress",),
        ("in_progress",),
    ]
    # A move to where the task already is changes nothing and writes no history.
    commands = count(db_path, "command")
    assert workspace("task", "move", "PM-1", "in_progress").output == (
        "PM-1: in_progress -> in_progress\n"
    )
    assert count(db_path, "command") == commands


def test_task_move_refusals_leave_everything(workspace: Invoke, db_path: Path):
    workspace("task", "add", "A")
    before = dump(db_path)
    refused(workspace("task", "move", "PM-1", "bogus"), 2, "PM has no status 'bogus'")
    refused(workspace("task", "move", "PM-1", "PM-7", "done"), 1, "no task PM-7")
    refused(workspace("task", "move", "XX-1", "done"), 1, "no task XX-1")
    assert dump(db_path) == before


def test_parent_from_another_project_is_refused(workspace: Invoke, db_path: Path):
    ok(workspace("project", "add", "OT", "Other"))
    ok(workspace("-p", "OT", "task", "add", "Epic elsewhere"))
    before = dump(db_path)
    refused(
        workspace("-p", "PM", "task", "add", "Child", "--parent", "OT-1"),
        2,
        "OT-1 belongs to another project",
    )
    assert dump(db_path) == before


def test_task_rank_orders_within_a_column(workspace: Invoke, db_path: Path):
    for title in ("A", "B", "C", "D"):
        workspace("task", "add", title)
    assert workspace("task", "rank", "PM-3", "--top").output == "Ranked PM-3\n"
    assert keys(workspace) == ["PM-3", "PM-1", "PM-2", "PM-4"]
    workspace("task", "rank", "PM-3", "--bottom")
    assert keys(workspace) == ["PM-1", "PM-2", "PM-4", "PM-3"]
    workspace("task", "rank", "PM-4", "--before", "PM-1")
    assert keys(workspace) == ["PM-4", "PM-1", "PM-2", "PM-3"]
    workspace("task", "rank", "PM-4", "--after", "PM-2")
    assert keys(workspace) == ["PM-1", "PM-2", "PM-4", "PM-3"]
    # Ranks stay small whole numbers however often cards move.
    assert query(db_path, "SELECT rank FROM task ORDER BY rank") == [(1.0,), (2.0,), (3.0,), (4.0,)]


def test_task_rank_refusals(workspace: Invoke, db_path: Path):
    workspace("task", "add", "A")
    workspace("task", "add", "B", "--status", "todo")
    before = dump(db_path)
    error_line(workspace("task", "rank", "PM-1"), 2, "exactly one of --top")
    error_line(workspace("task", "rank", "PM-1", "--top", "--after", "PM-2"), 2, "exactly one")
    refused(workspace("task", "rank", "PM-1", "--before", "PM-2"), 2, "same column")
    refused(workspace("task", "rank", "PM-1", "--after", "PM-1"), 2, "next to itself")
    assert dump(db_path) == before


def test_task_rm_hides_the_task_but_keeps_it(workspace: Invoke, db_path: Path):
    workspace("task", "add", "A")
    workspace("task", "add", "B")
    assert workspace("task", "rm", "pm-1").output == "Removed PM-1 (pmtool undo restores)\n"
    assert keys(workspace) == ["PM-2"]
    refused(workspace("task", "show", "PM-1"), 1, "no task PM-1")
    refused(workspace("task", "move", "PM-1", "done"), 1, "no task PM-1")
    refused(workspace("task", "rm", "PM-1"), 1, "no task PM-1")
    # Kept in the database (soft delete), and its number is never given out again.
    assert query(db_path, "SELECT number, deleted_at IS NOT NULL FROM task ORDER BY number") == [
        (1, 1),
        (2, 0),
    ]
    assert workspace("task", "add", "C").output == "PM-3\n"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("task", "add", ""), 2, "the title cannot be empty"),
        (("task", "add", "   "), 2, "the title cannot be empty"),
        (("task", "add", "x" * 10_000), 2, "10000 characters long; at most 200 fit"),
        (("task", "add", "two\nlines"), 2, "line breaks"),
        (("task", "add", "T", "--points", "-1"), 2, "story points cannot be negative (got -1)"),
        (("task", "add", "T", "--points", "5000"), 2, "split the task"),
        (("task", "add", "T", "--assignee", "Nobody"), 1, "no member 'Nobody'"),
        (("task", "add", "T", "--sprint", "Sprint 9"), 1, "no sprint 'Sprint 9'"),
        (("task", "add", "T", "--sprint", "current"), 1, "PM has no active sprint"),
        (("task", "add", "T", "--status", "nowhere"), 2, "PM has no status 'nowhere'"),
        (("task", "add", "T", "--parent", "PM-9"), 1, "no task PM-9"),
        (("task", "add", "T", "--label", "a,b"), 2, "cannot contain a comma"),
    ],
)
def test_task_add_refusals_store_nothing(
    workspace: Invoke, db_path: Path, args: tuple[str, ...], code: int, message: str
):
    before = dump(db_path)
    refused(workspace(*args), code, message)
    assert dump(db_path) == before
    assert count(db_path, "task") == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("task", "add", "T", "--type", "epic"), "Invalid value for '--type'"),
        (("task", "add", "T", "--priority", "urgent"), "Invalid value for '--priority'"),
        (("task", "add", "T", "--points", "three"), "Invalid value for '--points'"),
    ],
)
def test_task_add_click_choices(workspace: Invoke, db_path: Path, args, message: str):
    before = dump(db_path)
    error_line(workspace(*args), 2, message)
    assert dump(db_path) == before
