"""What a first-time user tripped on: names, the history of removed tasks."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Invoke
from pmcheck import dump, ok, refused


def keys(run: Invoke, *args: str) -> list[str]:
    return [row["key"] for row in json.loads(ok(run("task", "list", "--format", "json", *args)))]


def test_a_first_name_or_prefix_finds_the_member_on_every_filter(workspace: Invoke):
    ok(workspace("task", "add", "Label audit", "--assignee", "Lena"))
    ok(workspace("task", "add", "Cohort", "--assignee", "jonas weber"))
    ok(workspace("task", "add", "Nobody's"))
    assert keys(workspace, "--assignee", "Lena") == ["PM-1"]
    assert keys(workspace, "--assignee", "lena vogel") == ["PM-1"]
    assert keys(workspace, "--assignee", "Jon") == ["PM-2"]
    assert keys(workspace, "--assignee", "none") == ["PM-3"]
    table = ok(workspace("task", "list", "--format", "csv", "--assignee", "Lena"))
    assert "Label audit" in table and "Cohort" not in table
    ok(workspace("task", "edit", "PM-3", "--assignee", "Lena"))
    assert keys(workspace, "--assignee", "Lena") == ["PM-1", "PM-3"]


def test_an_ambiguous_name_names_the_candidates(workspace: Invoke, db_path: Path):
    ok(workspace("member", "add", "Lena Schmidt"))
    ok(workspace("task", "add", "Label audit"))
    refused(
        workspace("task", "list", "--assignee", "Lena"),
        1,
        "'Lena' could be several members: Lena Schmidt, Lena Vogel",
    )
    before = dump(db_path)
    refused(workspace("task", "edit", "PM-1", "--assignee", "Lena"), 1, "Lena Schmidt, Lena Vogel")
    assert dump(db_path) == before
    refused(workspace("task", "list", "--assignee", "Maria"), 1, "no member 'Maria'")


def test_the_history_of_an_undone_task_stays_reachable_by_its_key(workspace: Invoke):
    ok(workspace("task", "add", "Freeze cohort"))
    ok(workspace("task", "add", "Draft DPIA"))
    ok(workspace("undo"))
    refused(workspace("task", "show", "PM-2"), 1, "no task PM-2")
    history = json.loads(ok(workspace("log", "PM-2", "--format", "json")))
    assert [(row["entity"], row["action"]) for row in history] == [
        ("task PM-2", "delete"),
        ("task PM-2", "create"),
    ]
    assert history[0]["old"] == "Draft DPIA"  # the title, not a dump of the row
    table = ok(workspace("log", "-n", "3"))
    assert "task PM-2" in table and "Draft DPIA" in table
    assert "project_id" not in table and "{" not in table
    refused(workspace("log", "PM-9"), 1, "no task PM-9")
