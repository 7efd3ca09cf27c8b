"""The output contract of every list and show command, and how errors reach the user.

JSON is for scripts: arrays of objects with snake_case keys, ISO dates, `[]` when
empty. CSV carries the same fields. Tables fit the terminal. Nothing prompts when stdin
is not a terminal; a traceback appears only with PMTOOL_DEBUG=1.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Invoke
from pmcheck import dump, ok, refused

from pmtool.cli import cli
from pmtool.storage.engine import dispose_engines

LONG_TITLE = (
    "Freeze the retrospective ICU cohort with every inclusion and exclusion criterion "
    "agreed with the clinical partner"
)
SPRINT = "Sprint 1 - cohort and sepsis labels"

LIST_COMMANDS = {
    "task list": ("task", "list"),
    "project list": ("project", "list"),
    "member list": ("member", "list", "--include-personal"),
    "sprint list": ("sprint", "list"),
    "sprint burndown": ("sprint", "burndown", SPRINT),
    "velocity": ("velocity",),
    "log": ("log",),
    "log KEY": ("log", "PM-1"),
    "workflow show": ("workflow", "show"),
    "dod show": ("dod", "show"),
}
SHOW_COMMANDS = {
    "task show": ("task", "show", "PM-1"),
    "project show": ("project", "show", "PM"),
    "sprint show": ("sprint", "show", SPRINT),
    "db check": ("db", "check"),
}
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
DATE_FIELDS = {"due", "start", "end", "date"}
TIMESTAMP_FIELDS = {"created", "updated", "started", "closed", "at"}


def build_populated(run: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """Long names everywhere, a closed sprint for velocity, and some history."""
    ok(run("init"))
    ok(run("project", "add", "PM", "Sepsis early warning"))
    ok(run("member", "add", "Lena Vogel", "--role", "data scientist"))
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-20T10:00:00+00:00")
    ok(
        run(
            "member",
            "add",
            "Maximiliane Schmidt-Hauptmann",
            "--role",
            "clinical informatics liaison and data steward",
            "--email",
            "mx@example.org",
        )
    )
    ok(run("dod", "add", "Evaluation on the held-out set reported with intervals"))
    ok(
        run(
            "sprint",
            "add",
            SPRINT,
            "--start",
            "2026-11-23",
            "--length",
            "5d",
            "--goal",
            "Freeze the ICU cohort and agree the sepsis label with the clinicians",
        )
    )
    ok(
        run(
            "task",
            "add",
            LONG_TITLE,
            "--points",
            "8",
            "--assignee",
            "Maximiliane Schmidt-Hauptmann",
            "--label",
            "data",
            "--label",
            "cohort",
            "--label",
            "clinical-partner",
            "--due",
            "2026-12-01",
            "--sprint",
            SPRINT,
        )
    )
    ok(
        run(
            "task",
            "add",
            "Define the sepsis label (Sepsis-3)",
            "--points",
            "3",
            "--sprint",
            SPRINT,
            "--assignee",
            "Lena Vogel",
        )
    )
    ok(run("task", "add", "Short", "--status", "in_progress"))
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-23T09:00:00+00:00")
    ok(run("sprint", "start", SPRINT))
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-24T09:00:00+00:00")
    ok(run("task", "move", "PM-2", "done"))
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-27T17:00:00+00:00")
    ok(run("sprint", "close", SPRINT))


@pytest.fixture(scope="module")
def populated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once for this module; each test gets its own copy."""
    path = tmp_path_factory.mktemp("populated") / "pmtool.db"
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("PMTOOL_DB", str(path))
        monkeypatch.setenv("PMTOOL_USER", "tester")
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()
        for name in ("PMTOOL_PROJECT", "PMTOOL_DEBUG"):
            monkeypatch.delenv(name, raising=False)
        build_populated(
            lambda *args: runner.invoke(cli, list(args), catch_exceptions=False), monkeypatch
        )
    dispose_engines()
    assert not path.with_name("pmtool.db-wal").exists()
    return path


@pytest.fixture
def populated(populated_file: Path, db_path: Path, run: Invoke) -> Invoke:
    shutil.copyfile(populated_file, db_path)
    db_path.chmod(0o600)
    return run


def output_of(run: Invoke, args: tuple[str, ...], fmt: str) -> str:
    return ok(run(*args, "--format", fmt))


def check_json_values(record: dict) -> None:
    for key, value in record.items():
        assert SNAKE_CASE.match(key), key
        if key in DATE_FIELDS and value is not None:
            assert ISO_DATE.match(value), (key, value)
        if key in TIMESTAMP_FIELDS and value is not None:
            assert ISO_TIMESTAMP.match(value), (key, value)


@pytest.mark.parametrize("name", LIST_COMMANDS)
def test_list_json_is_an_array_of_snake_case_objects(populated: Invoke, name: str):
    rows = json.loads(output_of(populated, LIST_COMMANDS[name], "json"))
    assert isinstance(rows, list) and rows
    for row in rows:
        assert isinstance(row, dict)
        check_json_values(row)
    assert len({tuple(row) for row in rows}) == 1  # every row has the same fields


@pytest.mark.parametrize("name", SHOW_COMMANDS)
def test_show_json_is_one_object(populated: Invoke, name: str):
    record = json.loads(output_of(populated, SHOW_COMMANDS[name], "json"))
    assert isinstance(record, dict)
    check_json_values(record)


@pytest.mark.parametrize("name", LIST_COMMANDS)
def test_list_csv_carries_the_json_fields(populated: Invoke, name: str):
    args = LIST_COMMANDS[name]
    rows = json.loads(output_of(populated, args, "json"))
    parsed = list(csv.reader(io.StringIO(output_of(populated, args, "csv"))))
    assert parsed[0] == list(rows[0])
    assert len(parsed) == len(rows) + 1
    for line, row in zip(parsed[1:], rows, strict=True):
        for cell, value in zip(line, row.values(), strict=True):
            if isinstance(value, str):
                assert cell == value
            elif isinstance(value, int) and not isinstance(value, bool):
                assert cell == str(value)


@pytest.mark.parametrize("name", LIST_COMMANDS)
def test_list_markdown_is_a_table(populated: Invoke, name: str):
    args = LIST_COMMANDS[name]
    rows = json.loads(output_of(populated, args, "json"))
    lines = output_of(populated, args, "md").splitlines()
    if name in ("sprint burndown",):
        assert lines[0] == "| date | remaining | ideal | completed | scope |"
    assert len(lines) == len(rows) + 2
    assert all(line.startswith("| ") and line.endswith(" |") for line in [lines[0], *lines[2:]])
    assert re.fullmatch(r"\|(-{3}:?\|)+", lines[1])
    columns = lines[0].count(" | ") + 1
    assert all(line.count(" | ") + 1 == columns for line in lines[2:] if "\\|" not in line)


@pytest.mark.parametrize(
    ("args", "fields"),
    [
        (("task", "list"), ["key", "title", "status", "points", "sprint", "assignee", "labels"]),
        (("sprint", "list"), ["name", "start", "end", "status"]),
        (("velocity",), ["sprint", "start", "end", "committed", "completed", "added"]),
        (("log",), ["id", "at", "actor", "command", "summary"]),
    ],
)
def test_empty_lists(run: Invoke, args: tuple[str, ...], fields: list[str]):
    ok(run("init"))
    if args[0] != "log":
        ok(run("project", "add", "PM", "Sepsis"))
    assert output_of(run, args, "json") == "[]\n"
    header = output_of(run, args, "csv").splitlines()
    assert len(header) == 1 and header[0].split(",")[: len(fields)] == fields


def test_empty_csv_has_the_same_header_as_a_full_one(workspace: Invoke):
    commands = [("task", "list"), ("sprint", "list"), ("velocity",)]
    empty = [output_of(workspace, args, "csv") for args in commands]
    ok(workspace("sprint", "add", "S", "--start", "2026-11-23", "--length", "1w"))
    ok(workspace("task", "add", "T", "--sprint", "S"))
    ok(workspace("sprint", "start", "S"))
    ok(workspace("sprint", "close", "S"))
    full = [output_of(workspace, args, "csv").splitlines() for args in commands]
    assert [lines[0] + "\n" for lines in full] == empty
    assert all(len(lines) == 2 for lines in full)


def test_task_json_fixed_fields(populated: Invoke):
    rows = json.loads(output_of(populated, ("task", "list"), "json"))
    first = next(row for row in rows if row["key"] == "PM-1")
    assert {key: first[key] for key in list(first)[:8]} == {
        "key": "PM-1",
        "title": LONG_TITLE,
        "status": "todo",
        "points": 8,
        "sprint": None,  # carried back to the backlog when the sprint closed
        "assignee": "Maximiliane Schmidt-Hauptmann",
        "labels": ["data", "cohort", "clinical-partner"],
        "due": "2026-12-01",
    }
    sprint = json.loads(output_of(populated, ("sprint", "list"), "json"))[0]
    assert {key: sprint[key] for key in list(sprint)[:4]} == {
        "name": SPRINT,
        "start": "2026-11-23",
        "end": "2026-11-27",
        "status": "closed",
    }


TABLE_CASES = [
    pytest.param(name, width, id=f"{name}-{width}")
    for name in [*LIST_COMMANDS, *SHOW_COMMANDS]
    for width in (80, 100, 132)
]


@pytest.mark.parametrize(("name", "width"), TABLE_CASES)
def test_tables_fit_the_terminal(
    populated: Invoke, monkeypatch: pytest.MonkeyPatch, name: str, width: int
):
    monkeypatch.setenv("COLUMNS", str(width))
    args = {**LIST_COMMANDS, **SHOW_COMMANDS}[name]
    text = ok(populated(*args))
    lines = text.splitlines()
    if name == "dod show":  # a numbered checklist, not a table
        return
    assert max(len(line) for line in lines) <= width, text
    assert len(lines) >= 2


def test_tables_use_the_width_they_have(populated: Invoke, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COLUMNS", "80")
    narrow = ok(populated("task", "list"))
    monkeypatch.setenv("COLUMNS", "400")
    wide = ok(populated("task", "list"))
    assert "…" in narrow
    assert LONG_TITLE in wide and "…" not in wide


@pytest.mark.parametrize("command", [("task", "list"), ("sprint", "list"), ("log",)])
def test_narrow_tables_leave_columns_out(
    populated: Invoke, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
):
    monkeypatch.setenv("COLUMNS", "60")
    text = ok(populated(*command))
    assert max(len(line) for line in text.splitlines()) <= 60, text
    dropped = {"task": "LABELS", "sprint": "CAPACITY", "log": "COMMAND"}[command[0]]
    assert dropped not in text.splitlines()[0]


def test_unknown_format_is_a_usage_error(workspace: Invoke):
    result = workspace("task", "list", "--format", "xml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr
    assert "'table', 'json', 'csv', 'md'" in result.stderr


# --- errors and prompts --------------------------------------------------------------


def test_an_unexpected_error_is_one_line(
    workspace: Invoke, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("pmtool.services.tasks.add_task", broken)
    before = dump(db_path)
    refused(
        workspace("task", "add", "A"),
        1,
        "Error: unexpected RuntimeError: boom (PMTOOL_DEBUG=1 shows the traceback)",
    )
    assert dump(db_path) == before
    monkeypatch.setenv("PMTOOL_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        workspace("task", "add", "A")
    assert dump(db_path) == before


BROKEN_MAIN = """
import pmtool.services.tasks as tasks
def broken(*args, **kwargs):
    raise RuntimeError("boom")
tasks.add_task = broken
from pmtool.cli import main
main()
"""


def pmtool_process(
    *args: str, env: dict[str, str] | None = None, code: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """pmtool in its own process, stdin not a terminal (an empty pipe)."""
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "pmtool"]
    if not code:
        command += list(args)
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=Path(__file__).parent,
        check=False,
    )


def test_pmtool_debug_shows_the_traceback(workspace: Invoke, db_path: Path):
    quiet = pmtool_process("task", "add", "A", code=BROKEN_MAIN)
    assert quiet.returncode == 1
    assert quiet.stderr == (
        "Error: unexpected RuntimeError: boom (PMTOOL_DEBUG=1 shows the traceback)\n"
    )
    loud = pmtool_process("task", "add", "A", code=BROKEN_MAIN, env={"PMTOOL_DEBUG": "1"})
    assert loud.returncode == 1
    assert "Traceback (most recent call last)" in loud.stderr
    assert loud.stderr.rstrip().endswith("RuntimeError: boom")
    assert "Error: unexpected" not in loud.stderr


def test_no_prompts_when_stdin_is_not_a_terminal(workspace: Invoke, db_path: Path, tmp_path: Path):
    ok(workspace("task", "add", "A"))
    backup = tmp_path / "backup.db"
    ok(workspace("db", "backup", str(backup)))
    for args in (
        ("task", "rm", "PM-1"),
        ("undo",),
        ("db", "restore", str(backup)),
        ("sprint", "add", "S", "--start", "today", "--length", "1w"),
        ("sprint", "start", "S"),
        ("sprint", "close", "S"),
    ):
        completed = pmtool_process(*args, timeout=30)
        assert completed.returncode == 0, (args, completed.stderr)
        assert "[y/N]" not in completed.stdout and "Aborted" not in completed.stderr
    bare = pmtool_process(timeout=30)
    assert bare.returncode == 0
    assert bare.stdout.startswith("Usage: ")
    assert bare.stderr == ""


def test_json_list_from_sqlite_matches_the_python_encoder(workspace: Invoke, db_path: Path):
    """`task list --format json` is built by SQLite's JSON functions; it must be byte-for-byte
    what the Python renderer makes of the same rows (used on other databases)."""
    from pmtool.cli.output import to_json
    from pmtool.services.read.tasks import list_tasks
    from pmtool.storage.location import resolve_location
    from pmtool.storage.reader import reading

    ok(workspace("sprint", "add", "Sprint 1", "--start", "2026-11-23", "--length", "2w"))
    ok(workspace("task", "add", "Epic: cohort", "--type", "story", "--points", "13"))
    ok(
        workspace(
            "task",
            "add",
            'Übergabe – Ärztin 🩺 "quoted" \\ back',
            "--points",
            "0",
            "--label",
            "clinical",
            "--label",
            "ä-label",
            "--due",
            "2026-12-01",
            "--sprint",
            "Sprint 1",
            "--assignee",
            "Lena Vogel",
            "--parent",
            "PM-1",
        )
    )
    ok(workspace("task", "add", "No extras"))
    ok(workspace("task", "move", "PM-3", "done"))
    from_sqlite = ok(workspace("task", "list", "--format", "json")).rstrip("\n")
    with reading(resolve_location(str(db_path))) as reader:
        from_python = to_json(list_tasks(reader, 1))
    assert from_sqlite == from_python
    assert json.loads(from_sqlite)[1]["labels"] == ["clinical", "ä-label"]


def test_wide_characters_take_two_cells(workspace: Invoke, monkeypatch: pytest.MonkeyPatch):
    from pmtool.cli.output import display_width

    monkeypatch.setenv("COLUMNS", "70")
    ok(
        workspace(
            "task", "add", "病院データの前処理と匿名化を行う長いタイトル 🩺", "--label", "データ"
        )
    )
    ok(workspace("task", "add", "Plain ASCII title"))
    lines = ok(workspace("task", "list")).splitlines()
    assert all(display_width(line) <= 70 for line in lines), lines
    # Columns stay aligned: the STATUS column starts at the same cell on every row.
    starts = {display_width(line.split("backlog")[0]) for line in lines[2:]}
    assert len(starts) == 1
