"""`pmtool import taskwarrior|csv`: dry run, all or nothing, never twice, named errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Invoke
from pmcheck import count, dump, ok, query, refused

TW_TASKS = [
    {"id": 1, "description": "Write the methods chapter", "entry": "20261101T100000Z",
     "project": "thesis", "status": "pending", "tags": ["writing"], "priority": "H",
     "uuid": "00000000-0000-4000-8000-000000000001", "due": "20261215T120000Z", "estimate": "5",
     "urgency": 9.1, "annotations": [{"entry": "20261102T100000Z",
                                      "description": "ask Dr. Koch about the cohort"}]},
    {"id": 0, "description": "Set up the repository", "entry": "20261001T100000Z",
     "end": "20261003T100000Z", "status": "completed",
     "uuid": "00000000-0000-4000-8000-000000000002"},
    {"id": 0, "description": "Old idea", "status": "deleted",
     "uuid": "00000000-0000-4000-8000-000000000003"},
    {"id": 2, "description": "Run the baseline", "start": "20261105T100000Z", "status": "pending",
     "uuid": "00000000-0000-4000-8000-000000000004", "wait": "20261101T100000Z",
     "reviewer": "Lena"},
]  # fmt: skip


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def tw_file(tmp_path: Path) -> str:
    return _write(tmp_path, "tasks.json", json.dumps(TW_TASKS, indent=1))


def _tasks(run: Invoke) -> list[dict]:
    return json.loads(ok(run("task", "list", "--format", "json")))


def test_a_taskwarrior_dry_run_shows_the_plan_and_writes_nothing(
    workspace: Invoke, db_path: Path, tw_file: str
):
    before = dump(db_path)
    output = ok(workspace("import", "taskwarrior", tw_file))
    assert "Would add 3 tasks to PM" in output
    assert "Skipped task 3: deleted in Taskwarrior" in output
    assert "Ignored: UDA estimate (1), UDA reviewer (1), wait (1)" in output
    assert "Nothing written: run again with --apply" in output
    plan = json.loads(ok(workspace("import", "taskwarrior", tw_file, "--format", "json")))
    assert [(row["action"], row["record"], row["status"]) for row in plan] == [
        ("add", "task 1", "backlog"), ("add", "task 2", "done"), ("add", "task 4", "in_progress"),
    ]  # fmt: skip
    assert plan[0]["labels"] == ["project:thesis", "writing"] and plan[0]["priority"] == "high"
    assert dump(db_path) == before


def test_apply_imports_everything_once_and_undo_takes_it_back(
    workspace: Invoke, db_path: Path, tw_file: str
):
    output = ok(workspace("import", "taskwarrior", tw_file, "--apply", "--uda", "reviewer",
                          "--points-uda", "estimate"))  # fmt: skip
    assert "Added 3 tasks to PM: PM-1 to PM-3" in output
    tasks = {row["key"]: row for row in _tasks(workspace)}
    first = tasks["PM-1"]
    assert (first["title"], first["points"], first["due"], first["priority"]) == (
        "Write the methods chapter", 5, "2026-12-15", "high")  # fmt: skip
    assert tasks["PM-2"]["status"] == "done" and tasks["PM-3"]["labels"] == ["reviewer:Lena"]
    detail = json.loads(ok(workspace("task", "show", "PM-1", "--format", "json")))
    assert "- 2026-11-02: ask Dr. Koch about the cohort" in detail["description"]
    assert (
        "uuid 00000000-0000-4000-8000-000000000001), entered 2026-11-01." in (detail["description"])
    )
    assert count(db_path, "import_record") == 3
    # Again: nothing new.
    again = ok(workspace("import", "taskwarrior", tw_file, "--apply"))
    assert "Added 0 tasks" in again and "Skipped 3 imported before" in again
    assert len(_tasks(workspace)) == 3
    # A grown export adds only the new task.
    grown = [*TW_TASKS, {"description": "New one", "status": "pending", "uuid": "new-uuid"}]
    path = Path(tw_file)
    path.write_text(json.dumps(grown))
    assert "Added 1 tasks to PM: PM-4 to PM-4" in ok(
        workspace("import", "taskwarrior", tw_file, "--apply")
    )
    # One undo takes the last import back, records included; it can then be redone.
    ok(workspace("undo"))
    assert len(_tasks(workspace)) == 3 and count(db_path, "import_record") == 3
    assert "Added 1 tasks" in ok(workspace("import", "taskwarrior", tw_file, "--apply"))


def test_one_object_per_line_and_stdin(workspace: Invoke):
    lines = "\n".join(json.dumps(task) for task in TW_TASKS[:2]) + "\n"
    assert "Added 2 tasks" in ok(workspace("import", "taskwarrior", "-", "--apply", input=lines))
    assert [row["title"] for row in _tasks(workspace)] == [
        "Write the methods chapter", "Set up the repository",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ('[{"uuid": "a", "description": "x"},\n{"uuid": "b", "description": }]',
         ("not valid JSON at line 2, column 30",)),
        ('{"uuid": "a", "description": "x"}\n{"uuid": "b" "description": "y"}\n',
         ("line 2: not valid JSON",)),
        ('[{"uuid": "a", "description": "x", "description": "y"}]',
         ("task 1 (uuid a): duplicate key 'description'",)),
        ('[{"uuid": "a", "description": "x"}, {"uuid": "a", "description": "y"}]',
         ("task 2 (uuid a): the uuid appears twice (first as task 1)",)),
        ('[{"description": "x"}]', ("task 1: no uuid",)),
        ('[{"uuid": "a", "description": "  "}]', ("task 1 (uuid a): no description",)),
        ('[{"uuid": "a", "description": "x", "priority": "X"}]', ("unknown priority 'X'",)),
        ('[{"uuid": "a", "description": "x", "due": "someday"}]', ("'someday' is not a date",)),
        ('[{"uuid": "a", "description": "x", "estimate": "NaN"}]',
         ("task 1 (uuid a): points must be a whole number (got 'NaN')",)),
        ('{"tasks": []}', ("task 1: no uuid",)),
        ("[1]", ("task 1: expected a JSON object",)),
    ],
)  # fmt: skip
def test_bad_taskwarrior_files_are_refused_naming_the_record(
    workspace: Invoke, db_path: Path, tmp_path: Path, text: str, fragments: tuple[str, ...]
):
    before = dump(db_path)
    path = _write(tmp_path, "bad.json", text)
    refused(workspace("import", "taskwarrior", path, "--apply", "--points-uda", "estimate"), 2,
            *fragments)  # fmt: skip
    assert dump(db_path) == before


def test_a_huge_file_is_refused_before_it_is_read(workspace: Invoke, tmp_path: Path):
    huge = tmp_path / "huge.json"
    with huge.open("wb") as stream:
        stream.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk
    refused(workspace("import", "taskwarrior", str(huge)), 2, "is 200 MB", "up to 50 MB")
    refused(workspace("import", "csv", str(huge.rename(tmp_path / "huge.csv"))), 2, "200 MB")
    refused(workspace("import", "csv", str(tmp_path / "missing.csv")), 2, "no file")


JIRA = (
    "Issue key,Summary,Issue Type,Priority,Story Points,Labels,Labels,Due Date,Status,Reporter\n"
    "SEP-1,Freeze the cohort,Story,Highest,5,data,cohort,01/Dec/26 10:00 AM,To Do,ann\n"
    'SEP-2,"=HYPERLINK(""x"")",Bug,Minor,,,,2026-12-03,In Progress,bob\n'
    "SEP-3,Calibration plot,Task,Medium,3,model,,05.12.2026,Done,ann\n"
)
JIRA_MAP = (
    "title=Summary,points=Story Points,id=Issue key,type=Issue Type,priority=Priority,"
    "labels=Labels,due=Due Date,status=Status"
)


def test_a_jira_csv_with_a_map(workspace: Invoke, db_path: Path, tmp_path: Path):
    path = _write(tmp_path, "jira.csv", JIRA)
    before = dump(db_path)
    dry = ok(workspace("import", "csv", path, "--map", JIRA_MAP))
    assert "Would add 3 tasks to PM" in dry and "Ignored: column Reporter (3)" in dry
    assert dump(db_path) == before
    ok(workspace("import", "csv", path, "--map", JIRA_MAP, "--apply"))
    tasks = _tasks(workspace)
    assert [(t["key"], t["type"], t["priority"], t["status"], t["due"], t["points"]) for t in tasks
            ] == [("PM-1", "story", "critical", "todo", "2026-12-01", 5),
                  ("PM-2", "bug", "low", "in_progress", "2026-12-03", None),
                  ("PM-3", "task", "medium", "done", "2026-12-05", 3)]  # fmt: skip
    assert tasks[0]["labels"] == ["data", "cohort"]
    assert tasks[1]["title"] == '=HYPERLINK("x")'  # stored as given; exports neutralise it
    assert query(db_path, "SELECT source, source_id FROM import_record ORDER BY id") == [
        ("csv", "SEP-1"), ("csv", "SEP-2"), ("csv", "SEP-3"),
    ]  # fmt: skip
    assert "Added 0 tasks" in ok(workspace("import", "csv", path, "--map", JIRA_MAP, "--apply"))


def test_rows_without_an_id_are_known_by_their_content(workspace: Invoke, tmp_path: Path):
    path = _write(tmp_path, "plain.csv", "title,points,due\nA,1,2026-12-01\nB,2,\n")
    assert "Added 2 tasks" in ok(workspace("import", "csv", path, "--apply"))
    assert "Added 0 tasks" in ok(workspace("import", "csv", path, "--apply"))
    Path(path).write_text("title,points,due\nA,1,2026-12-01\nB,3,\n")  # B re-estimated
    assert "Added 1 tasks" in ok(workspace("import", "csv", path, "--apply"))


def test_a_date_format_can_be_given(workspace: Invoke, tmp_path: Path):
    path = _write(tmp_path, "us.csv", "title,due\nA,12/31/2026\n")
    refused(workspace("import", "csv", path), 2, "row 2: '12/31/2026' is not a date")
    ok(workspace("import", "csv", path, "--date-format", "%m/%d/%Y", "--apply"))
    assert _tasks(workspace)[0]["due"] == "2026-12-31"


@pytest.mark.parametrize(
    ("text", "args", "fragments"),
    [
        ("Summary,Points\nA,1\n", (), ("unknown column 'Summary'", "--map FIELD=COLUMN")),
        ("title,points\nA,1\n", ("--map", "title=Name"), ("no column 'Name'", "title, points")),
        ("title,points\nA,1\n", ("--map", "name=title"), ("unknown field 'name'",)),
        ("title,points\nA,1\n", ("--map", "title"), ("FIELD=COLUMN",)),
        ("title,title\nA,B\n", (), ("column 'title' appears 2 times",)),
        ("points\n1\n", (), ("no title column",)),
        ("title,points\nA,NaN\n", (), ("row 2: points must be a whole number (got 'NaN')",)),
        ("title,points\nA,2.5\n", (), ("row 2: points must be a whole number",)),
        ("title,due\nA,soon\n", (), ("row 2: 'soon' is not a date",)),
        ("title,type\nA,Saga\n", (), ("row 2: unknown type 'Saga'",)),
        ("title,status\nA,Blocked\n", (), ("row 2: PM has no status",)),
        ("title,assignee\nA,Nobody\n", (), ("row 2:", "Nobody")),
        ("title,points\nA,1\n,\nB,1\n,2\n", (), ("row 5: the title is empty",)),
        ("title,points\nA,1\nA,1\n", (), ("row 3: the same content", "--map id=")),
        ('title,points\n"A,1\n', (), ("not valid CSV",)),
    ],
)  # fmt: skip
def test_bad_csv_is_refused_naming_the_row(
    workspace: Invoke, db_path: Path, tmp_path: Path, text: str, args: tuple, fragments: tuple
):
    path = _write(tmp_path, "bad.csv", text)
    before = dump(db_path)
    refused(workspace("import", "csv", path, *args, "--apply"), 2, *fragments)
    assert dump(db_path) == before


def test_semicolons_and_a_byte_order_mark_as_excel_writes_them(workspace: Invoke, tmp_path: Path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufefftitle;points;labels\nÄrzte-Briefing;2;a,b\n".encode())
    ok(workspace("import", "csv", str(path), "--apply"))
    assert [(t["title"], t["points"], t["labels"]) for t in _tasks(workspace)] == [
        ("Ärzte-Briefing", 2, ["a", "b"])
    ]


def test_a_spreadsheet_with_typed_cells(workspace: Invoke, tmp_path: Path):
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Backlog"
    sheet.append(["Summary", "Estimate", "Due", "Notes"])
    sheet.append(["Draft the protocol", 3.0, datetime(2026, 12, 4), "x"])
    sheet.append(["Unestimated", None, None, None])
    sheet.append([None, None, None, None])  # a trailing empty row
    path = tmp_path / "backlog.xlsx"
    book.save(path)
    mapping = "title=Summary,points=Estimate,due=Due"
    ok(workspace("import", "csv", str(path), "--map", mapping, "--sheet", "Backlog", "--apply"))
    assert [(t["title"], t["points"], t["due"]) for t in _tasks(workspace)] == [
        ("Draft the protocol", 3, "2026-12-04"), ("Unestimated", None, None),
    ]  # fmt: skip
    refused(workspace("import", "csv", str(path), "--sheet", "Nope"), 2, "Nope")
    broken = _write(tmp_path, "broken.xlsx", "not a zip")
    refused(workspace("import", "csv", broken), 2, "not a readable .xlsx")


def test_apply_is_all_or_nothing(workspace: Invoke, db_path: Path, tmp_path: Path):
    """The WIP limit refuses the third task only when it is written: nothing is kept."""
    ok(workspace("workflow", "wip", "todo", "2"))
    path = _write(tmp_path, "todo.csv", "title,status\nA,todo\nB,todo\nC,todo\n")
    before = dump(db_path)
    refused(workspace("import", "csv", path, "--apply"), 1, "row 4:", "WIP")
    assert dump(db_path) == before
    assert "Added 3 tasks" in ok(workspace("import", "csv", path, "--apply", "--force"))


def test_only_csv_imports_load_pandas_and_none_the_orm(
    workspace: Invoke, db_path: Path, tmp_path: Path, tw_file: str
):
    probe = (
        "import sys, os\n"
        "from pmtool.cli import main\n"
        "real = os._exit\n"
        "def done(code):\n"
        "    heavy = [m for m in ('sqlmodel', 'sqlalchemy', 'alembic', 'textual', 'rich')\n"
        "             if m in sys.modules]\n"
        "    sys.stderr.write('PANDAS %s HEAVY %s\\n' % ('pandas' in sys.modules, heavy))\n"
        "    real(code)\n"
        "os._exit = done\n"
        "sys.argv = ['pmtool', *sys.argv[1:]]\n"
        "main()\n"
    )
    csv_file = _write(tmp_path, "a.csv", "title\nA\n")
    for args, expected in ((["import", "taskwarrior", tw_file], "False"),
                           (["import", "csv", csv_file], "True")):  # fmt: skip
        completed = subprocess.run(
            [sys.executable, "-c", probe, *args],
            env={**os.environ, "PMTOOL_DB": str(db_path)},
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert completed.returncode == 0, completed.stderr
        assert f"PANDAS {expected} HEAVY []" in completed.stderr


def test_the_plan_fields_are_documented():
    from pmtool.services.imports import PLAN_FIELDS

    text = (Path(__file__).resolve().parents[1] / "docs" / "json-fields.md").read_text()
    section = text.split("## Import plan", 1)[1].split("\n## ", 1)[0]
    documented = [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]
    assert documented == list(PLAN_FIELDS)
