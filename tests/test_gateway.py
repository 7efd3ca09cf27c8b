"""The write gateway: its view of the schema, optimistic concurrency, the sealed trail,
batches, undo's refusals, and what each command imports."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Invoke
from pmcheck import assert_intact, count, dump, error_line, execute, ok, on_server, query, refused

from pmtool.core.errors import Conflict
from pmtool.storage.gateway import writing
from pmtool.storage.location import resolve_location
from pmtool.storage.schema import HEAD_REVISION
from pmtool.storage.tables import TABLES, UNAUDITED_TABLES

pytestmark = pytest.mark.both_backends


def pmtool(db: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pmtool", *args],
        env={**os.environ, "PMTOOL_USER": "tester"},  # PMTOOL_DB: the test's database
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_gateway_registry_matches_the_models():
    from datetime import date, datetime

    import pmtool.models  # noqa: F401  (registers every table)
    from pmtool.models.base import metadata

    kinds = {bool: "bool", datetime: "datetime", date: "date", float: "float", int: "int"}
    assert set(TABLES) | UNAUDITED_TABLES >= set(metadata.tables), "a table is not covered"
    assert set(TABLES) <= set(metadata.tables)
    for name, table in TABLES.items():
        model_table = metadata.tables[name]
        assert list(table.kinds) == [column.name for column in model_table.columns], name
        assert [column.name for column in model_table.primary_key] == [table.key]
        for column in model_table.columns:
            sql_type = getattr(column.type, "impl", column.type)  # through TypeDecorators
            expected = kinds.get(sql_type.python_type, "text")
            assert table.kinds[column.name] == expected, (name, column.name)
    # What the gateway writes into the trail exists in the model of the trail.
    audit_columns = {column.name for column in metadata.tables["audit"].columns}
    assert {"command_id", "at", "actor", "entity", "entity_id", "action"} <= audit_columns
    assert {"field", "old", "new", "chain"} <= audit_columns


def test_a_stale_version_is_a_conflict_and_writes_nothing(workspace: Invoke, db_path: Path):
    ok(workspace("task", "add", "Freeze cohort"))
    before = dump(db_path)
    location = resolve_location()
    with (
        pytest.raises(Conflict, match="changed by someone else"),
        writing(location, actor="tester", summary="stale edit") as gw,
    ):
        task_id = gw.reader.tuples("SELECT id FROM task")[0][0]
        gw.update("task", task_id, {"title": "Stale"}, version=7, what="PM-1")
    assert dump(db_path) == before


def test_two_writers_on_one_row_the_second_gets_a_conflict(workspace: Invoke, db_path: Path):
    ok(workspace("task", "add", "Freeze cohort"))
    # Writer A reads the task, writer B changes it, then A writes what it read.
    shown = pmtool(db_path, "task", "show", "PM-1", "--format", "json")
    version = json.loads(shown.stdout)["version"]
    assert pmtool(db_path, "task", "edit", "PM-1", "--title", "By B").returncode == 0
    commands = count(db_path, "command")
    second = pmtool(
        db_path, "task", "edit", "PM-1", "--title", "By A", "--if-version", str(version)
    )
    assert second.returncode == 1
    assert second.stderr.startswith("Error: PM-1 was changed by someone else")
    assert "Traceback" not in second.stderr
    assert query(db_path, "SELECT title FROM task") == [("By B",)]
    assert count(db_path, "command") == commands
    # With the current version the edit goes through, and the version moves on.
    current = json.loads(pmtool(db_path, "task", "show", "PM-1", "--format", "json").stdout)
    edited = pmtool(
        db_path, "task", "edit", "PM-1", "--title", "By A", "--if-version", str(current["version"])
    )
    assert edited.returncode == 0, edited.stderr
    assert query(db_path, "SELECT title, version FROM task") == [("By A", current["version"] + 1)]


def test_the_audit_trail_is_append_only_and_checked(workspace: Invoke, db_path: Path):
    ok(workspace("task", "add", "Freeze cohort"))
    for statement in (
        "UPDATE audit SET new = '\"x\"'",
        "DELETE FROM audit",
        "DELETE FROM command",
        "UPDATE command SET summary = 'nothing happened'",
    ):
        with pytest.raises(Exception, match="append-only"):
            execute(db_path, statement)
    # Someone who owns the database can drop the trigger; the chain still tells.
    dropped = (
        "DROP TRIGGER audit_no_change ON audit" if on_server() else ("DROP TRIGGER audit_no_update")
    )
    execute(db_path, dropped, "UPDATE audit SET actor = 'someone else' WHERE id = 2")
    error_line(workspace("db", "check"), 1, "the audit trail was tampered with", "audit row 2")


def test_db_check_verifies_the_chain(workspace: Invoke):
    ok(workspace("task", "add", "Freeze cohort"))
    ok(workspace("task", "move", "PM-1", "todo"))
    report = json.loads(ok(workspace("db", "check", "--format", "json")))
    assert report["ok"] is True
    assert report["chain_checked"] == report["audit_rows"] > 0


def test_a_batch_adds_every_line_in_one_command(
    workspace: Invoke, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-27T10:00:00+00:00")
    lines = "\n".join(
        [
            "title\tpoints\tlabels",
            "Freeze cohort\t5\tdata,icu",
            "Label audit\t\tdata",
        ]
    )
    assert ok(workspace("task", "add", "-", "--type", "story", input=lines)) == "PM-1\nPM-2\n"
    more = '{"title": "Baseline model", "points": 3, "due": "+1w", "priority": "high"}\n'
    more += "# a comment line\n\nSplit by site\t2\n"
    assert ok(workspace("task", "add", "-", "--label", "q1", input=more)) == "PM-3\nPM-4\n"
    rows = json.loads(ok(workspace("task", "list", "--format", "json")))
    by_key = {row["key"]: row for row in rows}
    assert by_key["PM-1"]["labels"] == ["data", "icu"] and by_key["PM-1"]["type"] == "story"
    assert by_key["PM-2"]["points"] is None
    assert by_key["PM-3"]["due"] == "2026-12-04" and by_key["PM-3"]["labels"] == ["q1"]
    assert by_key["PM-4"]["points"] == 2
    assert query(
        db_path, "SELECT COUNT(*) FROM command WHERE summary = 'task add - --label q1'"
    ) == [(1,)]
    # One undo takes the whole batch back.
    assert "Undid" in ok(workspace("undo"))
    assert [
        row["key"] for row in json.loads(ok(workspace("task", "list", "--format", "json")))
    ] == [
        "PM-1",
        "PM-2",
    ]


@pytest.mark.parametrize(
    ("lines", "code", "fragment"),
    [
        ("Fine\t3\nBroken\tmany\n", 2, "line 2: points must be a whole number"),
        ('Fine\n{"title": "x", "colour": "red"}\n', 2, "line 2: unknown field 'colour'"),
        ("Fine\n{not json\n", 2, "line 2: not valid JSON"),
        ("Fine\nOther\t1\tepic\n", 2, "type must be one of"),
        ("Fine\nOther\t1\ttask\tlow\tNobody\n", 1, "no member 'Nobody'"),
        ('{"title": "Long", "description": "' + "x" * 10_001 + '"}\n', 2, "at most 10000 fit"),
    ],
)
def test_a_bad_batch_line_is_named_and_nothing_is_written(
    workspace: Invoke, db_path: Path, lines: str, code: int, fragment: str
):
    before = dump(db_path)
    refused(workspace("task", "add", "-", input=lines), code, fragment)
    assert dump(db_path) == before


def test_a_batch_killed_midway_leaves_all_or_nothing(workspace: Invoke, db_path: Path):
    lines = "".join(f"Task {n}\t{n % 8}\n" for n in range(3000))
    outcomes = set()
    for delay in (0.15, 0.3, 0.45, 0.6, 0.9):
        before = count(db_path, "task")
        process = subprocess.Popen(
            [sys.executable, "-m", "pmtool", "task", "add", "-"],
            env=dict(os.environ),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert process.stdin is not None
        process.stdin.write(lines.encode())
        process.stdin.close()
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        added = count(db_path, "task") - before
        assert added in (0, 3000), added
        outcomes.add(added)
        assert_intact(db_path)
    assert 0 in outcomes  # at least one kill landed before the commit
    ok(workspace("db", "check"))


def test_undo_refuses_what_it_cannot_replay(workspace: Invoke, db_path: Path):
    ok(workspace("task", "add", "Freeze cohort"))
    command_id = query(db_path, "SELECT MAX(id) FROM command")[0][0]
    # A row of a kind this pmtool does not know (a newer version wrote it).
    execute(
        db_path,
        "INSERT INTO audit (command_id, at, actor, entity, entity_id, action, field, new) "
        f"VALUES ({command_id}, '2026-11-27 10:00:00.000000', 'tester', 'gadget', '1', "
        "'create', 'kind', '\"ethics\"')",
    )
    before = dump(db_path)
    refused(workspace("undo"), 1, "cannot undo", "gadget", "nothing was changed")
    assert dump(db_path) == before


def test_undo_is_your_own_unless_you_say_anyone(run: Invoke, db_path: Path):
    ok(run("init"))
    ok(run("--as", "Lena Vogel", "project", "add", "PM", "Sepsis"))
    ok(run("task", "add", "Mine"))
    ok(run("--as", "Lena Vogel", "task", "add", "Hers"))
    assert ok(run("undo")).startswith("Undid #2 (task add Mine)")  # mine, the older one
    titles = [row[0] for row in query(db_path, "SELECT title FROM task ORDER BY id")]
    assert titles == ["Hers"]
    before = dump(db_path)
    refused(run("undo"), 1, "nothing of yours (tester) to undo", "--anyone")
    assert dump(db_path) == before
    undone = ok(run("undo", "--anyone"))
    assert "by Lena Vogel" in undone and "task add Hers" in undone
    assert count(db_path, "task") == 0


@pytest.mark.sqlite_only  # the server's version: tests/test_team_mode.py
def test_an_upgraded_0001_database_keeps_working(run: Invoke, db_path: Path):
    from pmtool.storage import sqlite as sqlite_files
    from pmtool.storage.migrate import upgrade

    location = resolve_location(str(db_path))
    sqlite_files.create_private_file(db_path)
    upgrade(location, "0001")
    connection = sqlite3.connect(db_path)
    try:
        at = "2026-11-20 09:00:00.000000"
        connection.executescript(
            f"""
            INSERT INTO command (id, at, actor, summary) VALUES (1, '{at}', 'old', 'seed');
            INSERT INTO project (id, key, name, definition_of_done, next_task_number, created_at)
                VALUES (1, 'PM', 'Old project', '[]', 2, '{at}');
            INSERT INTO workflow_column (project_id, name, position, is_done) VALUES
                (1, 'backlog', 0, 0), (1, 'todo', 1, 0), (1, 'done', 2, 1);
            INSERT INTO task (id, project_id, number, title, type, status, priority, labels,
                rank, created_at, updated_at)
                VALUES (1, 1, 1, 'Old task', 'task', 'backlog', 'medium', '[]', 1.0,
                        '{at}', '{at}');
            INSERT INTO audit (command_id, at, actor, entity, entity_id, action, field, new)
                VALUES (1, '{at}', 'old', 'task', '1', 'create', 'title', '"Old task"');
            """
        )
        connection.commit()
    finally:
        connection.close()
    refused(run("task", "list"), 1, "run `pmtool db upgrade`")

    assert f"Upgraded schema 0001 -> {HEAD_REVISION}" in ok(run("db", "upgrade"))
    assert query(db_path, "SELECT version FROM task") == [(1,)]
    assert ok(run("task", "move", "PM-1", "todo")) == "PM-1: backlog -> todo\n"
    assert ok(run("task", "add", "New task")) == "PM-2\n"
    report = json.loads(ok(run("db", "check", "--format", "json")))
    assert report["ok"] is True and report["chain_checked"] > 0
    ok(run("undo"))
    ok(run("undo"))
    assert query(db_path, "SELECT title, status FROM task") == [("Old task", "backlog")]


READ_COMMANDS = [
    ["task", "list"],
    ["task", "list", "--format", "json"],
    ["task", "list", "--format", "csv", "--assignee", "Lena"],
    ["task", "show", "PM-1"],
    ["sprint", "list"],
    ["sprint", "show", "current"],
    ["sprint", "burndown", "current"],
    ["velocity"],
    ["log"],
    ["log", "PM-1"],
    ["project", "list"],
    ["project", "show"],
    ["member", "list"],
    ["workflow", "show"],
    ["dod", "show"],
    ["db", "path"],
    ["status", "--all"],
    ["approval", "list", "--expiring", "60d"],
    ["approval", "report"],
    ["thesis", "list"],
    ["thesis", "overview", "--format", "json"],
    ["thesis", "templates"],
    ["thesis", "settings"],
    ["partner", "list"],
    ["stakeholder", "list", "--include-personal"],
    ["stakeholder", "grid"],
    ["stakeholder", "contacts"],
    ["agreement", "list", "--expiring", "60d"],
    ["compliance", "profile"],
    ["compliance", "template", "list"],
    ["compliance", "checklist", "list"],
    ["compliance", "item", "list", "--format", "json"],
    ["compliance", "classify", "--questions"],
    ["compliance", "document", "annex-iv"],
    ["export", "tasks", "--format", "csv"],
    ["export", "tasks", "--format", "json"],
    ["export", "sprints", "--format", "md"],
    ["export", "--list"],
    ["report", "status"],
    ["git", "list"],
    ["git", "commits", "PM-1", "--format", "json"],
    ["git", "activity"],
    ["report", "approvals"],
    ["report", "thesis"],
]
WRITE_COMMANDS = [
    ["task", "add", "Second", "--points", "2", "--assignee", "Lena"],
    ["task", "add", "-"],
    ["task", "edit", "PM-2", "--points", "3", "--label", "x"],
    ["task", "move", "PM-2", "todo"],
    ["task", "rank", "PM-2", "--top"],
    ["task", "rm", "PM-2"],
    ["undo"],
    ["member", "add", "Aylin Demir"],
    ["project", "add", "OT", "Other"],
    ["project", "use", "PM"],
    ["workflow", "wip", "todo", "5"],
    ["workflow", "add", "validation", "--before", "done"],
    ["workflow", "rm", "validation"],
    ["dod", "add", "Model card updated"],
    ["dod", "rm", "1"],
    ["sprint", "add", "Sprint 2", "--start", "2026-12-10", "--length", "2w"],
    ["sprint", "edit", "Sprint 2", "--goal", "Ship"],
    ["sprint", "close", "current", "--carry-over", "Sprint 2"],
    ["sprint", "start", "Sprint 2"],
    ["approval", "add", "ethics", "--body", "EC"],
    ["approval", "submit", "1", "--ref", "EA1/1/26"],
    ["approval", "decide", "1", "conditional", "--valid-until", "+1y", "--condition", "C"],
    ["approval", "condition", "met", "1", "1", "--evidence", "Letter"],
    ["approval", "show", "1"],
    ["task", "edit", "PM-1", "--requires", "1", "--label", "needs:ethics"],
    ["task", "move", "PM-1", "in_progress"],
    ["thesis", "add", "Mara Schulz", "--title", "T", "--start", "2026-11-02"],
    ["thesis", "edit", "1", "--cohort", "WS2026"],
    ["thesis", "move", "1", "registered"],
    ["thesis", "milestone", "done", "1", "1-2", "--on", "2026-11-02"],
    ["thesis", "milestone", "add", "1", "Extra", "--due", "2027-01-04", "--after", "2"],
    ["thesis", "milestone", "move", "1", "extra", "2027-01-11"],
    ["thesis", "milestone", "depend", "1", "extra", "--on", "3"],
    ["thesis", "meeting", "add", "1", "--action", "Send the exposé"],
    ["thesis", "replan", "1", "--start", "2026-11-09"],
    ["thesis", "extend", "1", "--weeks", "2", "--reason", "illness"],
    ["thesis", "settings", "meeting-cadence", "14"],
    ["thesis", "programme", "set", "HTW", "--weeks", "17"],
    # reads of the thesis just added
    ["thesis", "show", "1"],
    ["thesis", "milestone", "list", "1"],
    ["thesis", "meeting", "list", "1"],
    ["thesis", "history", "1"],
    ["partner", "add", "Uni Clinic", "--type", "clinic"],
    [
        "stakeholder",
        "add",
        "Eva Klein",
        "--partner",
        "Uni",
        "--power",
        "4",
        "--interest",
        "5",
        "--email",
        "eva@example.org",
    ],
    ["stakeholder", "move", "Eva", "--power", "2"],
    ["stakeholder", "log", "Eva", "--kind", "call", "--summary", "Access", "--follow-up", "+1d"],
    ["stakeholder", "show", "Eva"],
    ["stakeholder", "follow-up", "task", "1"],
    ["agreement", "add", "dpa", "--partner", "Uni"],
    ["agreement", "negotiate", "1"],
    ["agreement", "show", "1"],
    ["stakeholder", "forget", "Eva"],
    ["member", "forget", "Lena"],
    ["compliance", "profile", "--ai-act-role", "provider"],
    ["compliance", "classify", "--answer", "q1=yes,q2=no,q5=no,q7=no"],
    ["compliance", "checklist", "add", "tripod-ai"],
    ["compliance", "item", "done", "1", "--evidence", "docs/title.md"],
    ["compliance", "item", "na", "2", "--reason", "No abstract"],
    ["compliance", "item", "task", "3"],
    ["compliance", "item", "dod", "4"],
    ["compliance", "checklist", "add", "claim"],
    ["compliance", "checklist", "rm", "claim"],
]

_PROBE = """
import json, sys
from pmtool.cli import main
heavy = ("sqlmodel", "sqlalchemy", "pydantic", "alembic", "textual", "rich", "pandas", "git")
import atexit
def report():
    loaded = sorted(name for name in heavy if name in sys.modules)
    sys.stderr.write("LOADED " + json.dumps(loaded) + "\\n")
    sys.stderr.flush()
import os
real_exit = os._exit
def exit_after_report(code):
    report()
    real_exit(code)
os._exit = exit_after_report
sys.argv = ["pmtool", *sys.argv[1:]]
main()
"""


def _loaded_modules(db: Path, args: list[str], stdin: str = "") -> list[str]:
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        env={**os.environ, "PMTOOL_USER": "tester"},  # PMTOOL_DB: the test's database
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, (args, completed.stderr)
    line = next(line for line in completed.stderr.splitlines() if line.startswith("LOADED "))
    return list(json.loads(line.removeprefix("LOADED ")))


@pytest.mark.sqlite_only  # imports do not depend on the backend; psycopg's own are allowed
def test_reads_and_writes_load_no_orm_and_reads_no_ui(workspace: Invoke, db_path: Path):
    ok(workspace("sprint", "add", "Sprint 1", "--start", "2026-11-23", "--length", "2w"))
    ok(workspace("task", "add", "First", "--sprint", "Sprint 1", "--assignee", "Lena"))
    ok(workspace("sprint", "start", "Sprint 1"))
    problems = []
    for args in READ_COMMANDS + WRITE_COMMANDS:
        loaded = _loaded_modules(db_path, args, stdin="Batch task\t1\n")
        if loaded:
            problems.append(f"pmtool {' '.join(args)} loaded {', '.join(loaded)}")
    assert not problems, "\n".join(problems)
