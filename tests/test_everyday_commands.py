"""The everyday commands a first-time user missed: member edit|rm, project
edit|archive|unarchive, sprint rm, redo, and the wide task table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Invoke
from pmcheck import count, dump, ok, query, refused

pytestmark = pytest.mark.both_backends


def test_member_edit_renames_and_clears(workspace: Invoke, db_path: Path):
    ok(workspace("task", "add", "Label audit", "--assignee", "Lena"))
    assert ok(workspace("member", "edit", "Lena", "--name", "Lena Vogel-Maier")) == (
        "Updated member Lena Vogel-Maier\n"
    )
    ok(workspace("member", "edit", "Lena", "--role", "none", "--email", "lena@example.org"))
    assert query(db_path, "SELECT name, role, email FROM member WHERE name LIKE 'Lena%'") == [
        ("Lena Vogel-Maier", None, "lena@example.org")
    ]
    rows = json.loads(ok(workspace("task", "list", "--format", "json")))
    assert rows[0]["assignee"] == "Lena Vogel-Maier"
    refused(workspace("member", "edit", "Lena", "--name", "Jonas Weber"), 1, "exists already")
    refused(workspace("member", "edit", "Lena", "--email", "not-an-address"), 2, "not an email")


def test_member_rm_refuses_while_work_is_assigned(workspace: Invoke, db_path: Path):
    ok(workspace("task", "add", "Label audit", "--assignee", "Jonas"))
    before = dump(db_path)
    refused(workspace("member", "rm", "Jonas"), 1, "1 task(s) are assigned to Jonas Weber")
    assert dump(db_path) == before
    assert "1 task(s) unassigned" in ok(workspace("member", "rm", "Jonas", "--unassign"))
    assert query(db_path, "SELECT assignee_id FROM task") == [(None,)]
    assert count(db_path, "member") == 1
    ok(workspace("undo"))  # the member and the assignment come back together
    rows = json.loads(ok(workspace("task", "list", "--format", "json")))
    assert rows[0]["assignee"] == "Jonas Weber"


def test_project_edit_and_archive(workspace: Invoke, db_path: Path):
    ok(workspace("task", "add", "Freeze cohort"))
    assert ok(workspace("project", "edit", "PM", "--name", "Sepsis EWS")) == "Updated PM\n"
    ok(workspace("project", "add", "OT", "Other"))
    ok(workspace("project", "archive", "OT"))
    # With OT archived, PM is the only project again: commands need no -p.
    assert ok(workspace("task", "add", "Label audit")) == "PM-2\n"
    listed = json.loads(ok(workspace("project", "list", "--format", "json")))
    assert [row["key"] for row in listed] == ["PM"]
    every = json.loads(ok(workspace("project", "list", "--all", "--format", "json")))
    assert [(row["key"], row["archived"] is not None) for row in every] == [
        ("OT", True),
        ("PM", False),
    ]
    before = dump(db_path)
    refused(workspace("-p", "OT", "task", "add", "X"), 1, "project OT is archived")
    refused(workspace("project", "archive", "OT"), 1, "archived already")
    assert dump(db_path) == before
    assert json.loads(ok(workspace("-p", "OT", "task", "list", "--format", "json"))) == []
    ok(workspace("project", "unarchive", "OT"))
    assert ok(workspace("-p", "OT", "task", "add", "X")) == "OT-1\n"


def test_a_project_with_a_running_sprint_is_not_archived(workspace: Invoke):
    ok(workspace("sprint", "add", "Sprint 1", "--start", "2026-11-23", "--length", "2w"))
    ok(workspace("sprint", "start", "Sprint 1"))
    refused(workspace("project", "archive", "PM"), 1, "sprint Sprint 1 of PM is active")


def test_tasks_of_an_archived_project_are_closed_to_changes(workspace: Invoke, db_path: Path):
    ok(workspace("task", "add", "Freeze cohort"))
    ok(workspace("project", "archive", "PM"))
    before = dump(db_path)
    for args in (
        ("task", "move", "PM-1", "todo"),
        ("task", "edit", "PM-1", "--points", "3"),
        ("task", "rm", "PM-1"),
    ):
        refused(workspace(*args), 1, "project PM is archived")
    assert dump(db_path) == before


def test_sprint_rm_only_for_an_empty_planned_sprint(workspace: Invoke, db_path: Path):
    ok(workspace("sprint", "add", "Sprint 1", "--start", "2026-11-23", "--length", "2w"))
    ok(workspace("sprint", "add", "Sprint 9", "--start", "2027-03-01", "--length", "2w"))
    ok(workspace("task", "add", "Freeze cohort", "--sprint", "Sprint 9"))
    refused(workspace("sprint", "rm", "Sprint 9"), 1, "holds 1 task(s)")
    ok(workspace("task", "rm", "PM-1"))  # a removed task lets go of it
    assert ok(workspace("sprint", "rm", "Sprint 9")) == "Removed Sprint 9 (pmtool undo restores)\n"
    assert [row[0] for row in query(db_path, "SELECT name FROM sprint")] == ["Sprint 1"]
    ok(workspace("sprint", "start", "Sprint 1"))
    refused(workspace("sprint", "rm", "Sprint 1"), 1, "Sprint 1 is active")
    refused(workspace("sprint", "rm", "Sprint 7"), 1, "no sprint 'Sprint 7'")


def test_redo_takes_back_undos_in_order(workspace: Invoke, db_path: Path):
    ok(workspace("task", "add", "Freeze cohort"))
    ok(workspace("task", "edit", "PM-1", "--points", "5"))
    ok(workspace("undo"))
    ok(workspace("undo"))
    assert count(db_path, "task") == 0
    assert ok(workspace("redo")).startswith("Redid #4 (task add 'Freeze cohort')")
    assert ok(workspace("redo")).startswith("Redid #5 (task edit PM-1 --points 5)")
    assert query(db_path, "SELECT title, points FROM task") == [("Freeze cohort", 5)]
    before = dump(db_path)
    refused(workspace("redo"), 1, "nothing of yours (tester) to redo")
    assert dump(db_path) == before
    # A redo is a change like any other: undo takes it back.
    ok(workspace("undo"))
    assert query(db_path, "SELECT points FROM task") == [(None,)]
    # New work after an undo ends what can be redone.
    ok(workspace("task", "add", "Label audit"))
    refused(workspace("redo"), 1, "redo follows an undo")


@pytest.mark.parametrize(("width", "shown"), [("120", False), ("160", True)])
def test_wide_terminals_show_type_and_priority(
    workspace: Invoke, monkeypatch: pytest.MonkeyPatch, width: str, shown: bool
):
    ok(workspace("task", "add", "Freeze cohort", "--type", "story", "--priority", "high"))
    monkeypatch.setenv("COLUMNS", width)
    header = ok(workspace("task", "list")).splitlines()[0]
    assert ("TYPE" in header and "PRIORITY" in header) is shown
    if shown:
        assert "story" in ok(workspace("task", "list")) and "high" in ok(workspace("task", "list"))
