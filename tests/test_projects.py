"""Projects and members through the CLI: add, list, show, choose, and their refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Invoke
from pmcheck import count, dump, ok, query, refused

pytestmark = pytest.mark.both_backends


@pytest.fixture
def initialised(run: Invoke) -> Invoke:
    assert run("init").exit_code == 0
    return run


def test_project_add_then_list_and_show(initialised: Invoke, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-27T10:00:00+00:00")
    added = initialised("project", "add", "pm", "Sepsis early warning", "--dod", "Tests pass")
    assert added.exit_code == 0
    assert added.output == "Created project PM: Sepsis early warning\n"

    listed = initialised("project", "list")
    assert listed.output.splitlines() == [
        "KEY  NAME                  OPEN  TASKS  ACTIVE SPRINT  DEFAULT",
        "───  ────────────────────  ────  ─────  ─────────────  ───────",
        "PM   Sepsis early warning     0      0                 no",
    ]
    assert json.loads(initialised("project", "list", "--format", "json").output) == [
        {
            "key": "PM",
            "name": "Sepsis early warning",
            "tasks": 0,
            "open_tasks": 0,
            "active_sprint": None,
            "default": False,
            "created": "2026-11-27T10:00:00Z",
            "archived": None,
        }
    ]
    shown = json.loads(initialised("project", "show", "PM", "--format", "json").output)
    assert shown["key"] == "PM"
    assert shown["definition_of_done"] == ["Tests pass"]
    assert [column["status"] for column in shown["workflow"]] == [
        "backlog",
        "todo",
        "in_progress",
        "review",
        "done",
    ]
    assert [column["done"] for column in shown["workflow"]] == [False] * 4 + [True]
    assert shown["sprints"] == [] and shown["tasks"] == 0


def test_project_list_is_empty_before_the_first_project(initialised: Invoke):
    assert initialised("project", "list", "--format", "json").output == "[]\n"
    assert initialised("project", "list").output == (
        'No projects yet. Create one: pmtool project add KEY "Name"\n'
    )
    assert initialised("project", "list", "--format", "csv").output.startswith("key,name,")


def test_project_show_formats(initialised: Invoke):
    initialised("project", "add", "PM", "Sepsis early warning")
    table = initialised("project", "show", "PM").output
    assert "workflow            backlog (0), todo (0), in_progress (0), review (0), done (0)" in (
        table
    )
    csv_text = initialised("project", "show", "PM", "--format", "csv").output
    assert csv_text.splitlines()[0].split(",")[:4] == ["key", "name", "description", "created"]
    markdown = initialised("project", "show", "PM", "--format", "md").output.splitlines()
    assert markdown[:3] == ["| field | value |", "|---|---|", "| key | PM |"]


def test_duplicate_key_is_refused_and_nothing_changes(initialised: Invoke, db_path: Path):
    initialised("project", "add", "PM", "Sepsis early warning")
    before = dump(db_path)
    refused(initialised("project", "add", "pm", "Another"), 1, "project PM exists already")
    assert dump(db_path) == before


@pytest.mark.parametrize("key", ["P", "1PM", "PM-1", "TOOLONGKEY1", "P M"])
def test_malformed_project_key_is_bad_input(initialised: Invoke, db_path: Path, key: str):
    refused(initialised("project", "add", key, "Name"), 2, "must be 2-10 letters or digits")
    assert count(db_path, "project") == 0


def test_empty_project_name_is_bad_input(initialised: Invoke, db_path: Path):
    refused(initialised("project", "add", "PM", "   "), 2, "project name cannot be empty")
    assert count(db_path, "project") == 0


def test_unknown_project_is_refused(workspace: Invoke):
    refused(workspace("project", "show", "XX"), 1, "no project XX (projects: PM)")
    refused(workspace("-p", "XX", "task", "list"), 1, "no project XX")
    refused(workspace("-p", "XX", "task", "add", "Title"), 1, "no project XX")


def test_several_projects_need_a_choice(workspace: Invoke, db_path: Path):
    workspace("project", "add", "OT", "Other project")
    before = dump(db_path)
    for args in (("task", "list"), ("task", "add", "Orphan"), ("sprint", "list")):
        refused(workspace(*args), 2, "there are several projects: choose one with -p KEY")
    assert dump(db_path) == before

    assert workspace("-p", "OT", "task", "add", "For OT").output == "OT-1\n"
    assert workspace("--project", "pm", "task", "add", "For PM").output == "PM-1\n"


def test_pmtool_project_env_and_project_use(
    workspace: Invoke, monkeypatch: pytest.MonkeyPatch, db_path: Path
):
    workspace("project", "add", "OT", "Other project")
    monkeypatch.setenv("PMTOOL_PROJECT", "OT")
    assert workspace("task", "add", "Via env").output == "OT-1\n"
    monkeypatch.delenv("PMTOOL_PROJECT")

    assert workspace("project", "use", "OT").output == "Commands now use OT by default.\n"
    assert workspace("task", "add", "Via default").output == "OT-2\n"
    assert query(db_path, "SELECT key, value FROM setting") == [("default_project", "OT")]
    rows = json.loads(workspace("project", "list", "--format", "json").output)
    assert [(row["key"], row["default"]) for row in rows] == [("OT", True), ("PM", False)]
    # An explicit -p still wins over the default.
    assert workspace("-p", "PM", "task", "add", "Explicit").output == "PM-1\n"


def test_member_add_and_list(initialised: Invoke, db_path: Path, monkeypatch):
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-27T10:00:00+00:00")
    added = initialised(
        "member", "add", "Lena Vogel", "--role", "data scientist", "--email", "lena@example.org"
    )
    assert added.output == "Added member Lena Vogel\n"
    assert initialised("member", "list").output.splitlines() == [
        "NAME        ROLE            OPEN TASKS  OPEN POINTS",
        "──────────  ──────────────  ──────────  ───────────",
        "Lena Vogel  data scientist           0            0",
    ]
    # Email is personal data: only shown when asked for.
    plain = json.loads(initialised("member", "list", "--format", "json").output)
    assert plain == [
        {
            "name": "Lena Vogel",
            "role": "data scientist",
            "open_tasks": 0,
            "open_points": 0,
            "created": "2026-11-27T10:00:00Z",
        }
    ]
    assert "lena@example.org" not in initialised("member", "list", "--format", "csv").output
    personal = initialised("member", "list", "--include-personal", "--format", "csv").output
    assert "lena@example.org" in personal
    assert query(db_path, "SELECT name, email, role FROM member") == [
        ("Lena Vogel", "lena@example.org", "data scientist")
    ]


def test_member_open_work_counts(workspace: Invoke):
    workspace("task", "add", "A", "--points", "3", "--assignee", "lena vogel")
    workspace("task", "add", "B", "--points", "5", "--assignee", "Lena Vogel")
    workspace("task", "add", "C", "--points", "8", "--assignee", "Jonas Weber")
    workspace("task", "move", "PM-2", "done")
    rows = json.loads(workspace("member", "list", "--format", "json").output)
    assert [(r["name"], r["open_tasks"], r["open_points"]) for r in rows] == [
        ("Jonas Weber", 1, 8),
        ("Lena Vogel", 1, 3),
    ]


def test_member_refusals(workspace: Invoke, db_path: Path):
    before = dump(db_path)
    refused(workspace("member", "add", "lena vogel"), 1, "a member called 'lena vogel' exists")
    refused(workspace("member", "add", "Bob", "--email", "nope"), 2, "is not an email address")
    refused(workspace("member", "add", " "), 2, "cannot be empty")
    assert dump(db_path) == before


def test_member_list_empty(initialised: Invoke):
    assert initialised("member", "list", "--format", "json").output == "[]\n"
    assert initialised("member", "list").output == "No members yet: pmtool member add NAME\n"


def test_global_options_may_follow_the_command(workspace: Invoke):
    ok(workspace("project", "add", "OT", "Other project"))
    ok(workspace("task", "add", "In other", "-p", "OT"))
    ok(workspace("task", "add", "In PM", "--project=PM"))
    listed = json.loads(ok(workspace("task", "list", "--format", "json", "-p", "OT")))
    assert [task["key"] for task in listed] == ["OT-1"]
    assert [
        t["title"]
        for t in json.loads(ok(workspace("-p", "PM", "task", "list", "--format", "json")))
    ] == ["In PM"]
    # A title that happens to read like an option stays a title after `--`.
    ok(workspace("-p", "PM", "task", "add", "--", "-p"))
    assert (
        json.loads(ok(workspace("-p", "PM", "task", "show", "PM-2", "--format", "json")))["title"]
        == "-p"
    )
