"""`pmtool export`: every format, the registry, files, spreadsheet safety, personal data."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import Invoke
from hypothesis import given, settings
from hypothesis import strategies as st
from pmcheck import dump, ok, refused

from pmtool.services.read import exports

pytestmark = pytest.mark.both_backends

ROOT = Path(__file__).resolve().parents[1]
DOMAIN_ENTITIES = (
    "stakeholders", "agreements", "approvals", "checklist-items", "theses", "milestones",
    "meetings", "commits",
)  # fmt: skip
EVIL_TITLE = '=HYPERLINK("http://evil.example","Click")'


@pytest.fixture
def tasks_workspace(workspace: Invoke, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-27T10:00:00+00:00")
    ok(workspace("member", "edit", "Lena Vogel", "--email", "lena@example.org"))
    ok(workspace("sprint", "add", "Sprint 1", "--start", "2026-11-23", "--length", "2w"))
    ok(workspace("task", "add", "Freeze cohort", "--points", "5", "--sprint", "Sprint 1",
                 "--assignee", "Lena", "--label", "data", "--label", "=cmd",
                 "--due", "2026-12-01"))  # fmt: skip
    ok(workspace("task", "add", EVIL_TITLE, "--points", "2"))
    ok(workspace("task", "add", "  -2+3 looks like a sum", "--type", "bug"))
    ok(workspace("sprint", "start", "Sprint 1"))
    return workspace


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_tasks_as_csv_neutralise_formulas_and_raw_keeps_them(tasks_workspace: Invoke):
    rows = _csv(ok(tasks_workspace("export", "tasks", "--format", "csv")))
    assert [row["key"] for row in rows] == ["PM-1", "PM-2", "PM-3"]
    assert rows[0]["labels"] == "data, =cmd"
    assert rows[0]["due"] == "2026-12-01" and rows[0]["points"] == "5"
    assert rows[1]["title"] == "'" + EVIL_TITLE
    assert rows[2]["title"] == "'-2+3 looks like a sum"  # leading spaces are not stored
    raw = _csv(ok(tasks_workspace("export", "tasks", "--format", "csv", "--raw")))
    assert raw[1]["title"] == EVIL_TITLE
    assert raw[2]["title"] == "-2+3 looks like a sum"


def test_a_first_label_that_looks_like_a_formula_is_neutralised(tasks_workspace: Invoke):
    ok(tasks_workspace("task", "add", "Labelled", "--label", "@SUM(A1)", "--label", "ok"))
    rows = _csv(ok(tasks_workspace("export", "tasks", "--format", "csv")))
    assert rows[-1]["labels"] == "'@SUM(A1), ok"


@pytest.mark.sqlite_only  # reads the SQLite file itself
def test_the_fast_csv_route_matches_the_row_by_row_route(tasks_workspace: Invoke, db_path: Path):
    """The database-built cells (tasks) equal cli/output.py's cells for the same rows."""
    from pmtool.cli.exports import export_cell
    from pmtool.services.read.agile_exports import task_csv_rows, task_rows
    from pmtool.storage.location import resolve_location
    from pmtool.storage.reader import reading

    ok(tasks_workspace("task", "add", "Tab\tinside", "--label", 'a"quote', "--label", "b"))
    ok(tasks_workspace("task", "add", "+49 phone", "--label", "-neg"))
    entity = exports.export_entity("tasks")
    with reading(resolve_location(str(db_path))) as reader:
        scope = exports.ExportScope(None, date(2026, 11, 27), datetime(2026, 11, 27, 10))
        for raw in (False, True):
            lines = list(task_csv_rows(reader, scope, {}, raw) or ())
            fast = [tuple(row) for row in csv.reader(io.StringIO("\n".join(lines)))]
            slow = [tuple(export_cell(row[name], raw) for name in entity.fields)
                    for row in task_rows(reader, scope, {})]  # fmt: skip
            assert fast == slow


TRICKY_TEXTS = [
    "=1+2", "+49 30", "-3", "@SUM(A1)", "  =x", "\t=x", "\n+x", "\r\n-x", "\tplain", "\rplain",
    "\x0bplain", "ok", "", "9 lives", " leading space", "a=b", "Ärzte", "😀=", "\x00x",
]  # fmt: skip


def test_the_database_neutralises_text_as_the_python_rule_does():
    import sqlite3

    from pmtool.cli.exports import export_cell
    from pmtool.services.read.agile_exports import _neutralised

    connection = sqlite3.connect(":memory:")
    for text in TRICKY_TEXTS:
        built = connection.execute(f"SELECT {_neutralised(':t', False)}", {"t": text}).fetchone()
        assert built[0] == export_cell(text, False), repr(text)
        assert export_cell(text, True) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12))
def test_the_database_and_python_agree_on_any_text(text: str):
    import sqlite3

    from pmtool.cli.exports import export_cell
    from pmtool.services.read.agile_exports import _neutralised

    connection = sqlite3.connect(":memory:")
    built = connection.execute(f"SELECT {_neutralised(':t', False)}", {"t": text}).fetchone()
    assert built[0] == export_cell(text, False)


def test_json_jsonl_and_markdown_carry_the_documented_fields(tasks_workspace: Invoke):
    fields = list(exports.export_entity("tasks").fields)
    array = json.loads(ok(tasks_workspace("export", "tasks", "--format", "json")))
    assert [list(row) for row in array] == [fields] * 3
    assert array[0]["labels"] == ["data", "=cmd"] and array[1]["title"] == EVIL_TITLE
    lines = ok(tasks_workspace("export", "tasks", "--format", "jsonl")).splitlines()
    assert [json.loads(line) for line in lines] == array
    markdown = ok(tasks_workspace("export", "tasks", "--format", "md")).splitlines()
    assert markdown[0] == "| " + " | ".join(fields) + " |"
    assert len(markdown) == 2 + 3
    assert ok(tasks_workspace("export", "tasks", "--status", "done", "--format", "json")) == "[]\n"


def test_filters_work_like_the_list_commands(tasks_workspace: Invoke):
    def keys(*args: str) -> list[str]:
        found = json.loads(ok(tasks_workspace("export", "tasks", "--format", "json", *args)))
        return [row["key"] for row in found]

    assert keys("--sprint", "current") == ["PM-1"]
    assert keys("--sprint", "none") == ["PM-2", "PM-3"]
    assert keys("--label", "data") == ["PM-1"]
    assert keys("--assignee", "Lena") == ["PM-1"]
    assert keys("--status", "backlog") == ["PM-2", "PM-3"]
    with_env = tasks_workspace("--db", os.environ["PMTOOL_DB"], "export", "tasks", "--overdue")
    assert json.loads(ok(with_env)) == []


def test_other_entities_export(tasks_workspace: Invoke):
    sprints = json.loads(ok(tasks_workspace("export", "sprints")))
    assert [(row["name"], row["status"]) for row in sprints] == [("Sprint 1", "active")]
    burndown = _csv(ok(tasks_workspace("export", "burndown", "--format", "csv")))
    assert len(burndown) == 14 and burndown[0]["sprint"] == "Sprint 1"
    today = next(row for row in burndown if row["date"] == "2026-11-27")
    assert today["scope"] == "5" and today["remaining"] == "5"
    assert json.loads(ok(tasks_workspace("export", "velocity", "--all"))) == []
    ok(tasks_workspace("task", "add", "Late work", "--due", "2026-11-20"))
    status = json.loads(ok(tasks_workspace("status", "--all", "--format", "json")))
    assert status and json.loads(ok(tasks_workspace("export", "status", "--all"))) == status


def test_personal_fields_only_on_request(tasks_workspace: Invoke):
    members = json.loads(ok(tasks_workspace("export", "members")))
    assert all("email" not in row for row in members)
    assert "lena@example.org" not in ok(tasks_workspace("export", "members", "--format", "csv"))
    ok(tasks_workspace("project", "add", "OT", "Other"))  # members need no project chosen
    with_personal = json.loads(ok(tasks_workspace("export", "members", "--include-personal")))
    assert {row["name"]: row["email"] for row in with_personal}["Lena Vogel"] == "lena@example.org"


@pytest.mark.sqlite_only  # reads the SQLite file itself
def test_an_output_file_is_private_atomic_and_never_overwritten(
    tasks_workspace: Invoke, tmp_path: Path
):
    target = tmp_path / "tasks.csv"
    assert ok(tasks_workspace("export", "tasks", "-o", str(target))) == ""
    assert _csv(target.read_text())[0]["key"] == "PM-1"  # the suffix chose CSV
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    before = target.read_bytes()
    refused(tasks_workspace("export", "tasks", "-o", str(target)), 1, "exists", "--force")
    assert target.read_bytes() == before
    ok(tasks_workspace("export", "tasks", "--status", "done", "-o", str(target), "--force"))
    assert target.read_text() == ",".join(exports.export_entity("tasks").fields) + "\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(path.name for path in tmp_path.iterdir()) == ["pmtool.db", "tasks.csv"]


@pytest.mark.sqlite_only  # reads the SQLite file itself
def test_a_failed_export_leaves_no_file(tasks_workspace: Invoke, tmp_path: Path):
    target = tmp_path / "out.json"
    refused(tasks_workspace("export", "tasks", "--sprint", "Nope", "-o", str(target)), 1, "Nope")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["pmtool.db"]
    refused(
        tasks_workspace("export", "tasks", "-o", str(tmp_path / "no" / "x.csv")), 2, "no folder"
    )
    refused(tasks_workspace("export", "tasks", "-o", str(tmp_path)), 2, "is a folder")


def test_xlsx_has_typed_cells_a_frozen_header_and_no_formulas(
    tasks_workspace: Invoke, tmp_path: Path
):
    from openpyxl import load_workbook

    target = tmp_path / "tasks.xlsx"
    ok(tasks_workspace("export", "tasks", "-o", str(target)))
    sheet = load_workbook(target).active
    assert sheet.title == "Tasks" and sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert list(header) == list(exports.export_entity("tasks").fields)
    first = dict(zip(header, rows[1], strict=True))
    assert first["points"] == 5 and first["due"] == datetime(2026, 12, 1)
    assert isinstance(first["created"], datetime) and first["labels"] == "data, =cmd"
    cells = {cell.value: cell.data_type for cell in sheet[3]}
    assert cells[EVIL_TITLE] == "s"  # text, not a formula
    assert sheet["A1"].font.bold


def test_xlsx_is_refused_on_a_terminal_but_flows_into_a_pipe(tasks_workspace: Invoke):
    from click.testing import CliRunner

    from pmtool.cli import cli

    result = CliRunner().invoke(cli, ["export", "tasks", "--format", "xlsx"])
    assert result.exit_code == 0 and result.stdout_bytes.startswith(b"PK")  # a zip file


def test_bad_requests_are_refused(tasks_workspace: Invoke, db_path: Path):
    before = dump(db_path)
    refused(tasks_workspace("export", "stakeholderz"), 2, "no export 'stakeholderz'", "tasks")
    refused(tasks_workspace("export", "members", "--sprint", "x"), 2, "members takes no filters")
    refused(tasks_workspace("export", "velocity", "--status", "x"), 2, "takes --last, not --status")
    refused(tasks_workspace("export", "burndown", "--all"), 2, "covers one project")
    refused(tasks_workspace("export", "tasks", "--all", "--sprint", "x"), 2, "needs one project")
    refused(tasks_workspace("export", "tasks", "--status", "nope"), 2, "no status 'nope'")
    for fmt in ("csv", "json", "jsonl", "md"):  # nothing on stdout before the refusal
        refused(tasks_workspace("export", "tasks", "--sprint", "Nope", "--format", fmt), 1, "Nope")
    refused(tasks_workspace("export", "burndown", "--sprint", "Nope", "--format", "csv"), 1)
    assert dump(db_path) == before


def test_the_list_names_entities_versions_and_personal_fields(workspace: Invoke):
    listed = json.loads(ok(workspace("export", "--list", "--format", "json")))
    by_entity = {row["entity"]: row for row in listed}
    assert {"tasks", "sprints", "burndown", "velocity", "members"} <= set(by_entity)
    assert by_entity["members"]["personal_fields"] == ["email"]
    assert by_entity["tasks"]["schema_version"] == 1
    assert "sprint" in by_entity["tasks"]["filters"]
    assert "tasks" in ok(workspace("export"))


def test_every_exported_field_is_documented():
    """docs/exports.md has a `### entity` section listing each field of each entity."""
    text = (ROOT / "docs" / "exports.md").read_text()
    sections = dict(re.findall(r"^### (\S+)\n(.*?)(?=^#|\Z)", text, re.S | re.M))
    registered = {entity.entity for entity in exports.export_entities()}
    assert set(DOMAIN_ENTITIES) <= registered  # every domain's entities are checked too
    for entity in exports.export_entities():
        assert entity.entity in sections, f"docs/exports.md has no section for {entity.entity}"
        section = sections[entity.entity]
        assert f"schema_version {entity.schema_version}." in section, entity.entity
        documented = re.findall(r"^\| `(\w+)` \|", section, re.M)
        assert documented == list(entity.fields + entity.personal_fields), entity.entity


def test_registering_an_entity_is_one_call(workspace: Invoke):
    """What a new domain does: one register_export call, and the CLI offers it."""

    def checklist(reader, scope, given):  # type: ignore[no-untyped-def]
        yield {"item": "Ethics vote", "done": given.get("overdue", False) is False}

    exports.register_export(
        "probe-items", checklist, ("item", "done"), title="Probe", schema_version=2
    )
    try:
        assert json.loads(ok(workspace("export", "probe-items"))) == [
            {"item": "Ethics vote", "done": True}
        ]
        with pytest.raises(ValueError, match="both ordinary and personal"):
            exports.register_export("x", checklist, ("a",), personal_fields=("a",))
    finally:
        exports._ENTITIES.pop("probe-items", None)


_PROBE = """
import sys
from pmtool.cli import main
import os
real_exit = os._exit
def report(code):
    heavy = ("pandas", "openpyxl", "jinja2", "numpy", "sqlalchemy", "textual")
    sys.stderr.write("LOADED " + ",".join(n for n in heavy if n in sys.modules) + "\\n")
    real_exit(code)
os._exit = report
sys.argv = ["pmtool", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["export", "tasks", "--format", "csv"], set()),
        (["export", "tasks", "--format", "json"], set()),
        (["export", "sprints", "--format", "md"], set()),
        (["export", "tasks", "--format", "xlsx", "-o", "{tmp}/t.xlsx"], {"openpyxl", "numpy"}),
    ],
)
@pytest.mark.sqlite_only  # reads the SQLite file itself
def test_exports_load_only_what_their_format_needs(
    tasks_workspace: Invoke, db_path: Path, tmp_path: Path, args: list[str], allowed: set[str]
):
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE, *(arg.format(tmp=tmp_path) for arg in args)],
        env={**os.environ, "PMTOOL_DB": str(db_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    line = next(line for line in completed.stderr.splitlines() if line.startswith("LOADED "))
    loaded = {name for name in line.removeprefix("LOADED ").split(",") if name}
    assert loaded == allowed


def test_an_export_into_a_pipe_writes_into_it_and_leaves_it_a_pipe(workspace: Invoke, tmp_path):
    """-o /dev/null or a FIFO: written into, never renamed over (root could replace it)."""
    import stat
    import threading

    ok(workspace("task", "add", "Freeze cohort"))
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    ok(workspace("export", "tasks", "--format", "csv", "-o", str(pipe)))
    reader.join(timeout=30)
    assert b"Freeze cohort" in received[0]
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    ok(workspace("export", "tasks", "--format", "json", "-o", os.devnull, "--force"))
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_an_export_never_writes_through_a_symbolic_link(workspace: Invoke, tmp_path):
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text("keep me\n")
    link = tmp_path / "tasks.csv"
    link.symlink_to(elsewhere)
    for args in ((), ("--force",)):
        refused(
            workspace("export", "tasks", "--format", "csv", "-o", str(link), *args),
            1,
            "is a symbolic link",
        )
    assert elsewhere.read_text() == "keep me\n" and link.is_symlink()
