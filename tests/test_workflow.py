"""Workflow columns, WIP limits with their audited override, and the definition of done."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Invoke
from pmcheck import dump, query, refused

pytestmark = pytest.mark.both_backends

CLINICAL_AI_FIRST = "Code reviewed and merged; tests pass in CI"
CLINICAL_AI_LAST = "Reporting-guideline items touched by this work updated (e.g. TRIPOD+AI)"


def statuses(run: Invoke) -> list[str]:
    return [t["status"] for t in json.loads(run("task", "list", "--format", "json").output)]


def test_wip_limit_is_shown_and_stored(workspace: Invoke, db_path: Path):
    assert workspace("workflow", "wip", "in_progress", "2").output == (
        "PM in_progress: WIP limit 2\n"
    )
    assert workspace("workflow", "show").output.splitlines() == [
        "#  STATUS       TASKS  WIP LIMIT  DONE",
        "─  ───────────  ─────  ─────────  ────",
        "0  backlog          0             no",
        "1  todo             0             no",
        "2  in_progress      0          2  no",
        "3  review           0             no",
        "4  done             0             yes",
    ]
    rows = json.loads(workspace("workflow", "show", "--format", "json").output)
    assert rows[2] == {
        "status": "in_progress",
        "position": 2,
        "wip_limit": 2,
        "is_done": False,
        "tasks": 0,
    }
    assert query(db_path, "SELECT wip_limit FROM workflow_column WHERE name = 'in_progress'") == [
        (2,)
    ]
    assert workspace("workflow", "wip", "in_progress", "none").output == (
        "PM in_progress: WIP limit none\n"
    )
    assert query(db_path, "SELECT wip_limit FROM workflow_column WHERE name = 'in_progress'") == [
        (None,)
    ]


def test_moving_past_the_wip_limit_is_refused(workspace: Invoke, db_path: Path):
    workspace("workflow", "wip", "in_progress", "2")
    for title in ("A", "B", "C"):
        workspace("task", "add", title)
    workspace("task", "move", "PM-1", "PM-2", "in_progress")
    before = dump(db_path)
    refused(
        workspace("task", "move", "PM-3", "in_progress"),
        1,
        "in_progress is at its WIP limit (2/2); finish something first or use --force",
    )
    refused(workspace("task", "add", "D", "--status", "in_progress"), 1, "WIP limit (2/2)")
    assert dump(db_path) == before
    assert statuses(workspace) == ["backlog", "in_progress", "in_progress"]


def test_a_bulk_move_over_the_limit_moves_nothing(workspace: Invoke, db_path: Path):
    workspace("workflow", "wip", "review", "2")
    for title in ("A", "B", "C"):
        workspace("task", "add", title)
    before = dump(db_path)
    refused(
        workspace("task", "move", "PM-1", "PM-2", "PM-3", "review"),
        1,
        "review would be 3/2; room for 2 under its WIP limit of 2",
    )
    assert dump(db_path) == before


def test_force_moves_past_the_limit_and_the_log_says_so(workspace: Invoke, db_path: Path):
    workspace("workflow", "wip", "in_progress", "1")
    workspace("task", "add", "A")
    workspace("task", "add", "B")
    workspace("task", "move", "PM-1", "in_progress")
    forced = workspace("--as", "Lena Vogel", "task", "move", "PM-2", "in_progress", "--force")
    assert forced.exit_code == 0
    assert forced.output == "PM-2: backlog -> in_progress\n"
    assert statuses(workspace) == ["in_progress", "in_progress"]

    notes = query(db_path, "SELECT actor, entity, field, new FROM audit WHERE action = 'note'")
    assert notes == [
        (
            "Lena Vogel",
            "task",
            "wip_override",
            json.dumps("in_progress past its WIP limit (2/1)"),
        )
    ]
    history = json.loads(workspace("log", "PM-2", "--format", "json").output)
    assert history[0] | {"id": None, "at": None} == {
        "id": None,
        "at": None,
        "actor": "Lena Vogel",
        "command": history[1]["command"],
        "summary": "--as 'Lena Vogel' task move PM-2 in_progress --force",
        "entity": "task PM-2",
        "action": "note",
        "field": "wip_override",
        "old": None,
        "new": "in_progress past its WIP limit (2/1)",
    }
    assert (history[1]["field"], history[1]["new"]) == ("status", "in_progress")
    table = workspace("log", "PM-2").output.splitlines()
    assert "note" in table[2] and "wip_override" in table[2]


def test_task_add_with_force_into_a_full_column(workspace: Invoke):
    workspace("workflow", "wip", "todo", "1")
    workspace("task", "add", "A", "--status", "todo")
    assert workspace("task", "add", "B", "--status", "todo", "--force").output == "PM-2\n"
    assert statuses(workspace) == ["todo", "todo"]


def test_wip_limit_refusals(workspace: Invoke, db_path: Path):
    before = dump(db_path)
    refused(workspace("workflow", "wip", "in_progress", "0"), 2, "at least 1")
    refused(workspace("workflow", "wip", "in_progress", "many"), 2, "'many' is not a number")
    refused(workspace("workflow", "wip", "nope", "3"), 2, "PM has no status 'nope'")
    assert dump(db_path) == before


def test_workflow_add_and_remove_a_status(workspace: Invoke, db_path: Path):
    added = workspace("workflow", "add", "clinical-validation", "--before", "done")
    assert added.output == "PM: added status clinical_validation\n"
    rows = json.loads(workspace("workflow", "show", "--format", "json").output)
    assert [row["status"] for row in rows] == [
        "backlog",
        "todo",
        "in_progress",
        "review",
        "clinical_validation",
        "done",
    ]
    assert [row["position"] for row in rows] == [0, 1, 2, 3, 4, 5]
    workspace("task", "add", "Validate", "--status", "clinical_validation")
    before = dump(db_path)
    refused(workspace("workflow", "rm", "clinical_validation"), 1, "1 task(s) are in")
    refused(workspace("workflow", "add", "review"), 1, "has a status review already")
    assert dump(db_path) == before
    workspace("task", "move", "PM-1", "done")
    assert workspace("workflow", "rm", "clinical_validation").output == (
        "PM: removed status clinical_validation\n"
    )
    rows = json.loads(workspace("workflow", "show", "--format", "json").output)
    assert [(r["status"], r["position"]) for r in rows][-1] == ("done", 4)


def test_definition_of_done_shown_on_move_to_done(workspace: Invoke, db_path: Path):
    assert workspace("dod", "show").output == (
        "PM has no definition of done yet (pmtool dod add ITEM).\n"
    )
    assert workspace("dod", "add", "Tests pass").output == "1. Tests pass\n"
    assert workspace("dod", "add", "Model card updated").output == (
        "1. Tests pass\n2. Model card updated\n"
    )
    workspace("task", "add", "A")
    workspace("task", "add", "B")
    to_review = workspace("task", "move", "PM-1", "review")
    assert to_review.output == "PM-1: backlog -> review\n"  # no checklist before done
    done = workspace("task", "move", "PM-1", "PM-2", "done")
    assert done.output == (
        "PM-1: review -> done\n"
        "PM-2: backlog -> done\n"
        "Definition of done:\n"
        "  [ ] Tests pass\n"
        "  [ ] Model card updated\n"
    )
    assert json.loads(workspace("dod", "show", "--format", "json").output) == [
        {"number": 1, "item": "Tests pass"},
        {"number": 2, "item": "Model card updated"},
    ]
    assert workspace("dod", "rm", "1").output == "1. Model card updated\n"
    assert query(db_path, "SELECT definition_of_done FROM project") == [
        (json.dumps(["Model card updated"]),)
    ]
    before = dump(db_path)
    refused(workspace("dod", "rm", "5"), 1, "the definition of done of PM has no item 5")
    refused(workspace("dod", "add", "  "), 2, "checklist item cannot be empty")
    assert dump(db_path) == before


def test_project_from_the_clinical_ai_template(run: Invoke, db_path: Path):
    run("init")
    created = run("project", "add", "SEPSIS", "Sepsis", "--dod-template", "clinical-ai")
    assert created.output == "Created project SEPSIS: Sepsis\n"
    items = json.loads(run("dod", "show", "--format", "json").output)
    assert len(items) == 8
    assert items[0]["item"] == CLINICAL_AI_FIRST and items[-1]["item"] == CLINICAL_AI_LAST
    run("task", "add", "Freeze cohort")
    moved = run("task", "move", "SEPSIS-1", "done").output.splitlines()
    assert moved[:3] == [
        "SEPSIS-1: backlog -> done",
        "Definition of done:",
        f"  [ ] {CLINICAL_AI_FIRST}",
    ]
    assert moved[-1] == f"  [ ] {CLINICAL_AI_LAST}"
    assert len(moved) == 10


def test_template_and_own_items_combine(run: Invoke):
    run("init")
    run("project", "add", "PM", "P", "--dod-template", "software", "--dod", "Demo to partner")
    items = json.loads(run("dod", "show", "--format", "json").output)
    assert items[-1] == {"number": len(items), "item": "Demo to partner"}
    assert len(items) > 1


def test_unknown_template_is_refused(run: Invoke, db_path: Path):
    run("init")
    refused(
        run("project", "add", "PM", "P", "--dod-template", "nope"),
        1,
        "no checklist template 'nope'; templates: clinical-ai, software",
    )
    assert query(db_path, "SELECT COUNT(*) FROM project") == [(0,)]
