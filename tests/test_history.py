"""The audit trail (who changed what, in which command), `pmtool log` and `pmtool undo`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Invoke
from pmcheck import count, dump, ok, query, refused

pytestmark = pytest.mark.both_backends


def task_keys(run: Invoke) -> list[str]:
    return [row["key"] for row in json.loads(ok(run("task", "list", "--format", "json")))]


def statuses(run: Invoke) -> dict[str, str]:
    rows = json.loads(ok(run("task", "list", "--format", "json")))
    return {row["key"]: row["status"] for row in rows}


def test_every_command_writes_audit_rows_with_its_actor(
    workspace: Invoke, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    commands_before = count(db_path, "command")
    script = [
        ("task", "add", "Cohort", "--points", "3"),
        ("task", "add", "Label"),
        ("task", "edit", "PM-1", "--points", "5", "--label", "data"),
        ("task", "move", "PM-1", "in_progress"),
        ("task", "rank", "PM-2", "--top"),
        ("task", "rm", "PM-2"),
        ("sprint", "add", "Sprint 1", "--start", "2026-11-23", "--length", "2w"),
        ("sprint", "start", "Sprint 1"),
        ("sprint", "close", "Sprint 1"),
        ("workflow", "wip", "review", "3"),
        ("dod", "add", "Tests pass"),
        ("member", "add", "Mia Schmidt"),
        ("project", "use", "PM"),
    ]
    for number, args in enumerate(script):
        if number % 2:
            ok(workspace("--as", "Lena Vogel", *args))
        else:
            monkeypatch.setenv("PMTOOL_USER", f"user{number}")
            ok(workspace(*args))
    commands = query(
        db_path,
        "SELECT c.id, c.actor, c.summary, COUNT(a.id),"
        " SUM(CASE WHEN a.actor = c.actor THEN 1 ELSE 0 END) "
        "FROM command c JOIN audit a ON a.command_id = c.id GROUP BY c.id ORDER BY c.id",
    )
    new_commands = commands[commands_before:]
    assert len(new_commands) == len(script)
    for number, (args, (_, actor, summary, changes, by_actor)) in enumerate(
        zip(script, new_commands, strict=True)
    ):
        assert actor == ("Lena Vogel" if number % 2 else f"user{number}")
        assert summary.endswith(
            " ".join(args)
            .replace("Sprint 1", "'Sprint 1'")
            .replace("Tests pass", "'Tests pass'")
            .replace("Mia Schmidt", "'Mia Schmidt'")
        )
        assert changes >= 1 and by_actor == changes


def test_audit_rows_record_old_and_new_values(workspace: Invoke, db_path: Path):
    ok(workspace("task", "add", "Cohort", "--points", "3"))
    ok(workspace("task", "edit", "PM-1", "--points", "5", "--title", "Frozen cohort"))
    rows = query(
        db_path,
        "SELECT entity, action, field, old, new FROM audit WHERE command_id = "
        "(SELECT MAX(id) FROM command) ORDER BY field",
    )
    assert rows == [
        ("task", "update", "points", "3", "5"),
        ("task", "update", "title", '"Cohort"', '"Frozen cohort"'),
    ]


def test_log_shows_everything_or_one_task(workspace: Invoke, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-27T10:00:00+00:00")
    ok(workspace("task", "add", "Cohort"))
    ok(workspace("task", "add", "Label"))
    ok(
        workspace(
            "--as", "Lena", "task", "edit", "PM-1", "--points", "3", "--assignee", "Lena Vogel"
        )
    )
    rows = json.loads(ok(workspace("log", "PM-1", "--format", "json")))
    assert [(r["actor"], r["action"], r["field"], r["old"], r["new"]) for r in rows] == [
        ("Lena", "update", "assignee", None, "Lena Vogel"),
        ("Lena", "update", "points", None, 3),
        ("tester", "create", None, None, "Cohort"),
    ]
    assert rows[0]["at"] == "2026-11-27T10:00:00Z"
    assert rows[0]["summary"] == "--as Lena task edit PM-1 --points 3 --assignee 'Lena Vogel'"
    assert {r["entity"] for r in rows} == {"task PM-1"}

    everything = json.loads(ok(workspace("log", "--format", "json")))
    assert {"task PM-1", "task PM-2", "project PM", "member Lena Vogel"} <= {
        r["entity"] for r in everything
    }
    assert len(json.loads(ok(workspace("log", "-n", "2", "--format", "json")))) == 2

    table = ok(workspace("log", "PM-1")).splitlines()
    assert table[0].split() == ["WHEN", "WHO", "#", "WHAT", "DID", "FIELD", "OLD", "NEW", "COMMAND"]
    assert table[2].startswith("2026-11-27 10:00  Lena")
    csv_lines = ok(workspace("log", "PM-1", "--format", "csv")).splitlines()
    assert csv_lines[0] == "id,at,actor,command,summary,entity,action,field,old,new"
    assert len(csv_lines) == 4
    markdown = ok(workspace("log", "PM-1", "--format", "md")).splitlines()
    assert markdown[0] == "| WHEN | WHO | # | WHAT | DID | FIELD | OLD | NEW | COMMAND |"


def test_log_refusals(workspace: Invoke):
    refused(workspace("log", "PM-9"), 1, "no task PM-9")
    refused(workspace("log", "bad"), 2, "'bad' is not a task key")
    assert ok(workspace("log", "-n", "1", "--format", "json")).startswith("[\n{")


def test_log_of_an_empty_history(run: Invoke):
    ok(run("init"))
    assert ok(run("log", "--format", "json")) == "[]\n"
    assert ok(run("log")) == "No history yet.\n"


def test_undo_reverts_a_bulk_move_as_one_step(workspace: Invoke, db_path: Path):
    for title in ("A", "B", "C"):
        ok(workspace("task", "add", title))
    ok(workspace("task", "move", "PM-3", "todo"))
    ok(workspace("task", "move", "PM-1", "PM-2", "done"))
    audit_before = count(db_path, "audit")
    undone = ok(workspace("undo"))
    assert undone.startswith("Undid #")
    assert "(task move PM-1 PM-2 done)" in undone
    assert statuses(workspace) == {"PM-1": "backlog", "PM-2": "backlog", "PM-3": "todo"}
    # Undo adds history, never removes it.
    assert count(db_path, "audit") > audit_before
    moved, undo_row = query(
        db_path, "SELECT id, summary, undo_of, undone_by FROM command ORDER BY id DESC LIMIT 2"
    )[::-1]
    assert undo_row[1:3] == (f"undo #{moved[0]}: task move PM-1 PM-2 done", moved[0])
    assert moved[3] == undo_row[0]
    log = json.loads(ok(workspace("log", "-n", "1", "--format", "json")))
    assert log[0]["summary"] == f"undo #{moved[0]}: task move PM-1 PM-2 done"


def test_repeated_undo_steps_further_back(workspace: Invoke, db_path: Path):
    ok(workspace("task", "add", "A", "--points", "1"))
    ok(workspace("task", "edit", "PM-1", "--points", "2"))
    ok(workspace("task", "edit", "PM-1", "--points", "3"))
    ok(workspace("task", "move", "PM-1", "review"))
    history = []
    audit_rows = [count(db_path, "audit")]
    for _ in range(4):
        ok(workspace("undo"))
        history.append(query(db_path, "SELECT points, status FROM task"))
        audit_rows.append(count(db_path, "audit"))
    assert history == [
        [(3, "backlog")],
        [(2, "backlog")],
        [(1, "backlog")],
        [],  # the task add is undone: the row is gone, its values stay in the trail
    ]
    assert query(db_path, "SELECT new FROM audit WHERE field = 'title' ORDER BY id") == [('"A"',)]
    assert audit_rows == sorted(audit_rows) and len(set(audit_rows)) == 5
    assert task_keys(workspace) == []


def test_undo_of_task_add_and_task_rm(workspace: Invoke, db_path: Path):
    ok(workspace("task", "add", "Keep"))
    ok(workspace("task", "add", "Mistake"))
    ok(workspace("undo"))
    assert task_keys(workspace) == ["PM-1"]
    refused(workspace("task", "show", "PM-2"), 1, "no task PM-2")
    assert ok(workspace("task", "add", "Next")) == "PM-3\n"  # numbers are never reused

    ok(workspace("task", "rm", "PM-1", "PM-3"))
    assert task_keys(workspace) == []
    assert "(task rm PM-1 PM-3)" in ok(workspace("undo"))
    assert task_keys(workspace) == ["PM-1", "PM-3"]
    assert query(db_path, "SELECT number FROM task WHERE deleted_at IS NULL ORDER BY 1") == [
        (1,),
        (3,),
    ]


def test_undo_of_a_sprint_close_puts_the_work_back(workspace: Invoke):
    ok(workspace("sprint", "add", "Sprint 1", "--start", "2026-11-23", "--length", "2w"))
    ok(workspace("task", "add", "A", "--sprint", "Sprint 1"))
    ok(workspace("sprint", "start", "Sprint 1"))
    ok(workspace("sprint", "close", "Sprint 1"))
    ok(workspace("undo"))
    sprint = json.loads(ok(workspace("sprint", "show", "--format", "json")))
    assert (sprint["name"], sprint["status"], sprint["closed"], sprint["tasks"]) == (
        "Sprint 1",
        "active",
        None,
        1,
    )


def test_undo_of_creations_that_are_deleted_for_real(workspace: Invoke, db_path: Path):
    ok(workspace("sprint", "add", "Sprint 1", "--start", "2026-11-23", "--length", "2w"))
    ok(workspace("member", "add", "Mia Schmidt", "--email", "mia@example.org"))
    ok(workspace("project", "use", "PM"))
    ok(workspace("project", "add", "OT", "Other"))
    for _ in range(4):
        ok(workspace("undo"))
    assert query(db_path, "SELECT key FROM project") == [("PM",)]
    assert query(db_path, "SELECT COUNT(*) FROM workflow_column") == [(5,)]
    assert query(db_path, "SELECT COUNT(*) FROM setting") == [(0,)]
    assert query(db_path, "SELECT name FROM member ORDER BY name") == [
        ("Jonas Weber",),
        ("Lena Vogel",),
    ]
    assert query(db_path, "SELECT COUNT(*) FROM sprint") == [(0,)]
    # Deletions are audited with a snapshot of the row.
    deleted = query(db_path, "SELECT entity, old FROM audit WHERE action = 'delete' ORDER BY id")
    assert [entity for entity, _ in deleted].count("column") == 5
    # ... where personal values are sealed with the person's key (docs/partners.md).
    assert not any("mia@example.org" in old for _, old in deleted)
    assert any("personal" in (json.loads(old).get("email") or {}) for _, old in deleted)


@pytest.mark.sqlite_only  # the server's test database is made initialised
def test_nothing_to_undo(run: Invoke, db_path: Path):
    refused(run("undo"), 1, "run `pmtool init`")
    assert not db_path.exists()
    ok(run("init"))
    before = dump(db_path)
    refused(run("undo"), 1, "nothing to undo")
    assert dump(db_path) == before
    ok(run("project", "add", "PM", "Sepsis"))
    ok(run("undo"))
    refused(run("undo"), 1, "nothing to undo")
    assert query(db_path, "SELECT COUNT(*) FROM project") == [(0,)]


@pytest.mark.parametrize(
    "created",
    [
        ("sprint", "add", "Sprint 1", "--start", "2026-11-23", "--length", "2w"),
        ("member", "add", "Mia Schmidt"),
        ("project", "add", "OT", "Other"),
    ],
)
def test_undo_steps_back_past_an_undone_task_add(
    workspace: Invoke, db_path: Path, created: tuple[str, ...]
):
    ok(workspace(*created))
    reference = {
        "sprint": ("--sprint", "Sprint 1"),
        "member": ("--assignee", "Mia Schmidt"),
        "project": (),
    }[created[0]]
    ok(workspace("-p", "OT" if created[0] == "project" else "PM", "task", "add", "A", *reference))
    ok(workspace("undo"))
    # Undoing the task add deleted the row, so nothing points at the sprint, member or
    # project any more and the undo before it goes through.
    assert ok(workspace("undo")).startswith("Undid #")
    table = {"sprint": "sprint", "member": "member", "project": "project"}[created[0]]
    name_column = "key" if table == "project" else "name"
    assert (
        query(
            db_path,
            f"SELECT {name_column} FROM {table} WHERE {name_column} IN "
            "('Sprint 1', 'Mia Schmidt', 'OT')",
        )
        == []
    )


def test_actor_comes_from_as_then_pmtool_user_then_git(
    workspace: Invoke, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("[user]\n\tname = Gitta Commit\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(tmp_path)  # outside any repository and its own user.name
    monkeypatch.setenv("PMTOOL_USER", "Env User")
    ok(workspace("--as", "Flag User", "task", "add", "A"))
    ok(workspace("task", "add", "B"))
    monkeypatch.delenv("PMTOOL_USER")
    ok(workspace("task", "add", "C"))
    ok(workspace("undo"))
    actors = query(db_path, "SELECT actor FROM command ORDER BY id DESC LIMIT 4")
    assert actors == [("Gitta Commit",), ("Gitta Commit",), ("Env User",), ("Flag User",)]


def test_a_task_added_after_an_undone_add_has_its_own_history(workspace: Invoke):
    ok(workspace("task", "add", "Scratch"))
    ok(workspace("undo"))
    ok(workspace("task", "add", "Keeper"))
    rows = json.loads(ok(workspace("log", "PM-2", "--format", "json")))
    assert [(row["action"], row["new"]) for row in rows] == [("create", "Keeper")]
