"""What stored text can do to a terminal, a spreadsheet or a Markdown page, and the
values and pipes that must end in a usage error or a quiet exit rather than a crash.

A shared database is written by every teammate: titles, descriptions, sprint names and
the actor (``--as``, PMTOOL_USER, git's user.name) reach everyone's terminal.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Invoke
from pmcheck import dump, error_line, ok, query, refused

REPO = Path(__file__).resolve().parent.parent
# What a terminal must never receive raw: C0 (except line breaks and tabs), DEL, C1, bidi.
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
OSC_TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
C1_CSI = "\x9b2J"
RLO = "\u202e"
ISOLATE = "\u2066"
# Titles refuse C0 controls (core/validation.py) but take C1, DEL and bidi.
EVIL_TITLE = f"Invoice{RLO}fdp.exe{C1_CSI}{ISOLATE}\x7f"
EVIL_DESCRIPTION = f"line one{OSC_TITLE}{CLEAR}\nline two{C1_CSI}{RLO}\rfake prompt $"
EVIL_ACTOR = f"mallory{OSC_TITLE}{CLEAR}"


def python_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


@pytest.fixture
def planted(workspace: Invoke, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """A teammate stored escapes in a title, a description, a sprint and their name."""
    monkeypatch.setenv("PMTOOL_USER", EVIL_ACTOR)
    ok(workspace("task", "add", EVIL_TITLE, "--description", EVIL_DESCRIPTION, "--label", RLO))
    ok(workspace("sprint", "add", f"S{C1_CSI}", "--start", "today", "--length", "1w"))
    monkeypatch.setenv("PMTOOL_USER", "tester")
    return workspace


def assert_no_raw_controls(text: str) -> None:
    found = RAW_CONTROL.findall(text)
    assert not found, (found, text)


READS = {
    "task list": ("task", "list"),
    "task show": ("task", "show", "PM-1"),
    "log": ("log",),
    "sprint list": ("sprint", "list"),
}


@pytest.mark.parametrize("fmt", ["table", "csv", "md", "json"])
@pytest.mark.parametrize("name", READS)
def test_stored_control_characters_never_reach_the_terminal(
    planted: Invoke, db_path: Path, name: str, fmt: str
):
    result = planted(*READS[name], "--format", fmt)
    assert result.exit_code == 0, result.output
    assert_no_raw_controls(result.stdout)
    assert_no_raw_controls(result.stderr)
    if fmt == "table":
        assert "␛" in result.stdout or "\ufffd" in result.stdout, result.stdout
    # Stored as typed: only the output is neutralised.
    assert query(db_path, "SELECT title, description FROM task") == [(EVIL_TITLE, EVIL_DESCRIPTION)]


def test_as_and_pmtool_user_are_shown_neutralised(workspace: Invoke, db_path: Path):
    ok(workspace("--as", EVIL_ACTOR, "task", "add", "Plain"))
    for fmt in ("table", "csv", "md"):
        output = ok(workspace("log", "-n", "1", "--format", fmt))
        assert_no_raw_controls(output)
        assert "mallory␛]0;pwned␇␛[2J" in output, output
    assert query(db_path, "SELECT DISTINCT actor FROM audit WHERE actor LIKE 'mallory%'") == [
        (EVIL_ACTOR,)
    ]


def test_note_and_error_lines_neutralise_stored_text(planted: Invoke):
    ok(planted("sprint", "edit", f"S{C1_CSI}", "--capacity", "1"))
    added = planted("task", "add", "Big", "--points", "8", "--sprint", f"S{C1_CSI}")
    assert added.exit_code == 0, added.output
    assert "Note:" in added.stderr
    assert_no_raw_controls(added.stderr)
    ok(planted("sprint", "start", f"S{C1_CSI}"))
    ok(planted("sprint", "close", f"S{C1_CSI}"))
    line = refused(planted("sprint", "start", f"S{C1_CSI}"), 1, "S\ufffd2J")
    assert_no_raw_controls(line)
    # A value the user typed, echoed back in an error, is neutralised as well.
    missing = refused(planted("task", "show", f"PM-1{OSC_TITLE}"), 2)
    assert_no_raw_controls(missing)


def test_descriptions_keep_their_lines_but_lose_their_escapes(planted: Invoke):
    output = ok(planted("task", "show", "PM-1"))
    # (click itself drops CSI sequences such as ESC[2J when stdout is not a terminal)
    assert "line one␛]0;pwned␇" in output, output
    assert "\nline two\ufffd2J\ufffd␍fake prompt $" in output, output


def test_json_escapes_c1_and_bidi_and_reads_back_the_stored_value(planted: Invoke):
    listed = ok(planted("task", "list", "--format", "json"))
    shown = ok(planted("task", "show", "PM-1", "--format", "json"))
    for output in (listed, shown):
        assert output.isascii() or not RAW_CONTROL.search(output)
        assert_no_raw_controls(output)
    assert "\\u202e" in listed and "\\u009b" in listed and "\\u007f" in listed
    assert json.loads(listed)[0]["title"] == EVIL_TITLE
    assert json.loads(listed)[0]["labels"] == [RLO]
    assert json.loads(shown)["description"] == EVIL_DESCRIPTION


def test_json_from_sqlite_matches_the_python_encoder_on_control_characters(
    planted: Invoke, db_path: Path
):
    from pmtool.cli.output import to_json
    from pmtool.services.read.tasks import list_tasks
    from pmtool.storage.location import resolve_location
    from pmtool.storage.reader import reading

    from_sqlite = ok(planted("task", "list", "--format", "json")).rstrip("\n")
    with reading(resolve_location(str(db_path))) as reader:
        from_python = to_json(list_tasks(reader, 1))
    assert from_sqlite == from_python


FORMULAS = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


def test_csv_neutralises_formulas_in_text_cells(workspace: Invoke):
    for number, formula in enumerate(FORMULAS, start=1):
        ok(workspace("task", "add", f"Task {number}", "--label", formula))
    ok(workspace("task", "add", "=1+1", "--points", "0", "--description", "@cmd"))
    rows = list(csv.DictReader(io.StringIO(ok(workspace("task", "list", "--format", "csv")))))
    assert [row["labels"] for row in rows[:4]] == ["'" + formula for formula in FORMULAS]
    assert rows[4]["title"] == "'=1+1"
    assert rows[4]["points"] == "0"
    shown = list(
        csv.DictReader(io.StringIO(ok(workspace("task", "show", "PM-5", "--format", "csv"))))
    )
    assert shown[0]["description"] == "'@cmd"
    raw = list(
        csv.DictReader(io.StringIO(ok(workspace("task", "list", "--format", "csv", "--raw"))))
    )
    assert [row["labels"] for row in raw[:4]] == FORMULAS
    assert raw[4]["title"] == "=1+1"


def test_csv_leaves_numbers_alone_and_catches_tab_and_cr():
    from pmtool.cli.output import to_csv

    rows = [{"n": -3, "f": -2.5, "t": "-3", "tab": "\t=1", "cr": "\r=1", "sp": "  +1", "ok": "a-b"}]
    lines = to_csv(rows, ["n", "f", "t", "tab", "cr", "sp", "ok"]).splitlines()
    assert lines[1] == "-3,-2.5,'-3,' =1,' =1,'  +1,a-b"
    assert to_csv(rows, ["n", "t"], raw=True).splitlines()[1] == "-3,-3"


def test_raw_is_documented_in_help(workspace: Invoke):
    assert "--raw" in ok(workspace("task", "list", "--help"))


def test_markdown_escapes_html_and_pipes(workspace: Invoke):
    ok(workspace("task", "add", "<img src=x onerror=alert(1)> | R&D"))
    table = ok(workspace("task", "list", "--format", "md"))
    assert "&lt;img src=x onerror=alert(1)&gt; \\| R&amp;D" in table
    assert "<img" not in table
    shown = ok(workspace("task", "show", "PM-1", "--format", "md"))
    assert "<img" not in shown and "&lt;img" in shown


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("task", "add", "X", "--due", "+9999y"), "'--due'"),
        (("task", "add", "X", "--due", "9999-12-31"), "'--due'"),
        (("task", "edit", "PM-1", "--due", "+9999y"), "'--due'"),
        (("sprint", "add", "S", "--start", "today", "--length", "9999y"), "'--length'"),
        (("sprint", "add", "S", "--start", "+9999y", "--length", "2w"), "'--start'"),
        (("sprint", "add", "S", "--start", "9999-12-25", "--length", "2w"), "'--start'"),
        (("log", "-n", "99999999999999999999"), "'--limit' / '-n'"),
        (("velocity", "--last", "99999999999999999999"), "'--last'"),
        (("workflow", "wip", "todo", "99999999999999999999"), "'LIMIT'"),
        (("task", "add", "bad \udcff byte"), "'TITLE'"),
        (("task", "add", "X", "--description", "\udcff"), "'--description' / '-d'"),
        (("task", "list", "--label", "\udcff"), "'--label'"),
        (("-p", "\udcff", "task", "list"), "'-p'"),
    ],
)
def test_values_that_cannot_be_stored_are_usage_errors(
    workspace: Invoke, db_path: Path, args: tuple[str, ...], option: str
):
    ok(workspace("task", "add", "Existing"))
    before = dump(db_path)
    line = error_line(workspace(*args), 2, option)
    assert "unexpected" not in line
    assert dump(db_path) == before


def test_non_utf8_argument_in_a_real_process(workspace: Invoke, db_path: Path):
    before = dump(db_path)
    completed = subprocess.run(
        [sys.executable, "-m", "pmtool", "task", "add", b"caf\xe9"],
        capture_output=True,
        env=python_env(),
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 2, completed.stderr
    stderr = completed.stderr.decode()
    assert "Error: Invalid value for 'TITLE': 'caf\\xe9' is not valid UTF-8" in stderr
    assert "Traceback" not in stderr
    assert dump(db_path) == before


@pytest.mark.parametrize(
    ("text", "cells"),
    [
        ("e\u0301clair", 6),  # e + combining acute
        ("a\u200bb", 2),  # zero-width space
        ("\U0001f469\u200d\U0001f4bb", 2),  # woman technologist: one ZWJ emoji
        ("\u2764\ufe0f", 1),  # a variation selector takes no cell of its own
        ("病院", 4),
    ],
)
def test_display_width_of_invisible_and_joining_characters(text: str, cells: int):
    from pmtool.cli.output import display_width

    assert display_width(text) == cells


def test_tabs_and_zero_width_characters_keep_table_columns_aligned(workspace: Invoke):
    from pmtool.cli.output import display_width

    titles = [
        "e\u0301clair au cafe\u0301",
        "tab\there",
        "zero\u200bwidth\u200d",
        "\U0001f469\u200d\U0001f4bb pair",
    ]
    for title in titles:
        ok(workspace("task", "add", title, "--assignee", "Lena Vogel"))
    lines = ok(workspace("task", "list")).splitlines()
    assert not any("\t" in line for line in lines)
    starts = {display_width(line.split("Lena Vogel")[0]) for line in lines[2:]}
    assert len(starts) == 1, lines


def test_search_takes_percent_and_underscore_literally(workspace: Invoke):
    ok(workspace("task", "add", "Reach 100% recall"))
    ok(workspace("task", "add", "Rename snake_case fields"))
    ok(workspace("task", "add", "Plain task"))

    def keys(text: str) -> list[str]:
        return [
            row["key"]
            for row in json.loads(
                ok(workspace("task", "list", "--search", text, "--format", "json"))
            )
        ]

    assert keys("%") == ["PM-1"]
    assert keys("_") == ["PM-2"]
    assert keys("100%") == ["PM-1"]
    assert keys("\\") == []
    assert keys("task") == ["PM-3"]


@pytest.mark.parametrize(
    ("args", "option", "limit"),
    [
        (("task", "add", "X", "--description"), "'--description' / '-d'", 10_000),
        (("task", "edit", "PM-1", "-d"), "'--description' / '-d'", 10_000),
        (("project", "add", "BIG", "Big", "--description"), "'--description'", 10_000),
        (
            ("sprint", "add", "S", "--start", "today", "--length", "1w", "--goal"),
            "'--goal'",
            10_000,
        ),
        (("member", "add", "Ann", "--email"), "'--email' / '-e'", 254),
    ],
)
def test_long_text_is_refused_at_the_option(
    workspace: Invoke, db_path: Path, args: tuple[str, ...], option: str, limit: int
):
    from pmtool.core import words as choices

    assert choices.MAX_DESCRIPTION_LENGTH == 10_000 and choices.MAX_LABEL_LENGTH == 40
    ok(workspace("task", "add", "Existing"))
    before = dump(db_path)

    def text(length: int) -> str:
        return "x" * (length - 8) + "@mail.de" if "--email" in option else "x" * length

    error_line(workspace(*args, text(limit + 1)), 2, option, f"at most {limit}")
    assert dump(db_path) == before
    ok(workspace(*args, text(limit)))


def test_a_megabyte_description_is_refused(workspace: Invoke, db_path: Path):
    before = dump(db_path)
    error_line(workspace("task", "add", "X", "-d", "x" * 1_000_000), 2, "'--description'")
    assert dump(db_path) == before


def test_label_limit_is_the_shared_constant(workspace: Invoke):
    from pmtool.core.words import MAX_LABEL_LENGTH

    ok(workspace("task", "add", "X", "--label", "l" * MAX_LABEL_LENGTH))
    refused(workspace("task", "add", "Y", "--label", "l" * (MAX_LABEL_LENGTH + 1)), 2)


def test_a_closed_pipe_ends_quietly_with_0(workspace: Invoke):
    for number in range(3):
        ok(workspace("task", "add", f"Task {number}"))
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader (`| true`, `| head -0`) is already gone
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "pmtool", "log", "-n", "1000"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=python_env(),
            check=False,
            timeout=60,
            text=True,
        )
    finally:
        os.close(write_end)
    assert (completed.returncode, completed.stderr) == (0, "")


def test_log_on_a_narrow_terminal_is_one_line_per_change(
    workspace: Invoke, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-27T10:00:00+00:00")
    ok(workspace("task", "add", "Freeze the ICU cohort", "--points", "3"))
    ok(workspace("task", "move", "PM-1", "todo"))
    monkeypatch.setenv("COLUMNS", "80")
    lines = ok(workspace("log", "-n", "3")).splitlines()
    assert lines[0] == "2026-11-27 10:00  task PM-1  status: backlog -> todo  (tester, #5)"
    assert lines[1] == "2026-11-27 10:00  task PM-1  created Freeze the ICU cohort  (tester, #4)"
    assert all(len(line) <= 80 for line in lines)
    monkeypatch.setenv("COLUMNS", "120")
    assert ok(workspace("log", "-n", "3")).startswith("WHEN")


def test_burndown_of_a_sprint_started_before_its_first_day_shows_today(
    workspace: Invoke, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-27T10:00:00+00:00")
    ok(workspace("sprint", "add", "S", "--start", "2026-12-01", "--length", "1w"))
    ok(workspace("task", "add", "A", "--points", "3", "--sprint", "S"))
    ok(workspace("task", "add", "B", "--points", "5", "--sprint", "S"))
    ok(workspace("sprint", "start", "S"))
    ok(workspace("task", "move", "PM-1", "done"))
    rows = json.loads(ok(workspace("sprint", "burndown", "S", "--format", "json")))
    assert rows[0] == {
        "date": "2026-11-27",
        "remaining": 5,
        "ideal": 8.0,
        "completed": 3,
        "scope": 8,
    }
    assert [row["date"] for row in rows[1:]] == [f"2026-12-0{day}" for day in range(1, 8)]
    table = ok(workspace("sprint", "burndown", "S")).splitlines()
    assert table[3].split()[:5] == ["2026-11-27", "5", "8", "3", "8"], table
    # Running late: the days of the sprint, then today.
    monkeypatch.setenv("PMTOOL_NOW", "2026-12-10T10:00:00+00:00")
    late = json.loads(ok(workspace("sprint", "burndown", "S", "--format", "json")))
    assert late[-1]["date"] == "2026-12-10" and late[-1]["remaining"] == 5
