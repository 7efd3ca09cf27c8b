"""`pmtool export` of the domains' entities (stakeholders, agreements, approvals,
checklist items, theses, milestones, meetings, commits) from the demo workspace: the
documented fields in JSON and CSV, personal data only on request, forgotten people as
tombstones, a filter each, scoping, an xlsx round trip, and what each export imports."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import FROZEN_NOW, Invoke
from pmcheck import ok, refused

from pmtool.services.read import exports

ENTITIES = (
    "stakeholders", "agreements", "approvals", "checklist-items", "theses", "milestones",
    "meetings", "commits",
)  # fmt: skip
STAKEHOLDER_PERSONAL = ["role", "email", "phone", "notes"]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo in its own folder (with its synced git repository), built once: the
    exports only read it."""
    folder = tmp_path_factory.mktemp("demo")
    environment = {**os.environ, "TMPDIR": str(folder), "PMTOOL_NOW": FROZEN_NOW, "TZ": "UTC"}
    environment.pop("PMTOOL_DB", None)
    subprocess.run(
        [sys.executable, "-m", "pmtool", "demo", "--no-tui"],
        env=environment,
        check=True,
        capture_output=True,
        timeout=120,
    )
    [database] = folder.glob("pmtool-demo-*/demo.db")
    return database


@pytest.fixture
def demo(run: Invoke, demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    monkeypatch.setenv("PMTOOL_DB", str(demo_db))
    monkeypatch.setenv("PMTOOL_NOW", FROZEN_NOW)
    return run


@pytest.fixture
def demo_copy(
    run: Invoke, demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Invoke:
    """A copy of the demo that a test may change."""
    copy = tmp_path / "demo-copy.db"
    shutil.copy(demo_db, copy)
    monkeypatch.setenv("PMTOOL_DB", str(copy))
    monkeypatch.setenv("PMTOOL_NOW", FROZEN_NOW)
    return run


def as_json(run: Invoke, *args: str) -> list[dict[str, Any]]:
    return json.loads(ok(run("export", *args, "--format", "json")))


def as_csv(run: Invoke, *args: str) -> tuple[list[str], list[dict[str, str]]]:
    text = ok(run("export", *args, "--format", "csv"))
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    return list(reader.fieldnames or ()), rows


@pytest.mark.parametrize("entity", ENTITIES)
def test_each_entity_exports_its_documented_fields_in_json_and_csv(demo: Invoke, entity: str):
    fields = list(exports.export_entity(entity).fields)
    rows = as_json(demo, entity)
    assert rows, f"the demo has {entity}"
    assert all(list(row) == fields for row in rows)
    header, lines = as_csv(demo, entity)
    assert header == fields
    assert len(lines) == len(rows)
    # The same records in the same order (the first field identifies them in each).
    assert [line[fields[0]] for line in lines] == [str(row[fields[0]]) for row in rows]
    assert as_json(demo, entity) == rows  # a stable order


def test_rows_come_in_a_stable_documented_order(demo: Invoke):
    milestones = as_json(demo, "milestones")
    keys = [(row["thesis"], row["number"]) for row in milestones]
    assert keys == sorted(keys) and len({row["thesis"] for row in milestones}) == 3
    meetings = as_json(demo, "meetings")
    keys = [(row["thesis"], row["date"], row["id"]) for row in meetings]
    assert keys == sorted(keys)
    commits = as_json(demo, "commits")
    assert [row["date"] for row in commits] == sorted(row["date"] for row in commits)
    approvals = as_json(demo, "approvals")
    assert [row["id"] for row in approvals] == sorted(row["id"] for row in approvals)


def test_meeting_actions_are_one_line_each_with_assignee_and_task(demo: Invoke):
    meetings = as_json(demo, "meetings", "--thesis", "1")
    actions = [action for row in meetings for action in row["actions"]]
    assert actions == ["Write up the cohort flowchart for the midterm (Lena Vogel) [THESES-1]"]
    _, lines = as_csv(demo, "meetings", "--thesis", "1")
    assert [line["actions"] for line in lines if line["actions"]] == actions
    assert all(line["attendees"] == "Lena Vogel, Dr. Miriam Koch" for line in lines)


def test_stakeholders_personal_data_only_on_request(demo: Invoke):
    plain = as_json(demo, "stakeholders")
    assert not set(STAKEHOLDER_PERSONAL) & set(plain[0])
    assert all(row["name"] for row in plain)  # names are shown
    header, _ = as_csv(demo, "stakeholders")
    assert not set(STAKEHOLDER_PERSONAL) & set(header)
    full = as_json(demo, "stakeholders", "--include-personal")
    assert list(full[0])[-4:] == STAKEHOLDER_PERSONAL
    assert any(row["email"] for row in full) and any(row["role"] for row in full)
    header, lines = as_csv(demo, "stakeholders", "--include-personal")
    assert header[-4:] == STAKEHOLDER_PERSONAL
    assert any("@" in line["email"] for line in lines)
    listed = {row["entity"]: row for row in json.loads(ok(demo("export", "--list", "--format",
                                                                 "json")))}  # fmt: skip
    assert listed["stakeholders"]["personal_fields"] == STAKEHOLDER_PERSONAL
    assert all(not listed[entity]["personal_fields"] for entity in ENTITIES[1:])


def test_a_forgotten_stakeholder_is_exported_as_the_tombstone(demo_copy: Invoke):
    before = as_json(demo_copy, "stakeholders", "--include-personal")
    person = next(row for row in before if row["email"])
    ok(demo_copy("stakeholder", "forget", f"#{person['id']}", "--yes"))
    after = as_json(demo_copy, "stakeholders", "--include-personal")
    assert len(after) == len(before)
    [tombstone] = [row for row in after if row["id"] == person["id"]]
    assert tombstone["name"] == f"forgotten #{person['id']}"
    assert tombstone["forgotten"] is not None
    assert [tombstone[name] for name in STAKEHOLDER_PERSONAL] == [None] * 4
    text = ok(demo_copy("export", "stakeholders", "--include-personal", "--format", "csv"))
    assert person["name"] not in text and person["email"] not in text


@pytest.mark.parametrize(
    ("entity", "args", "check"),
    [
        ("stakeholders", ["--quadrant", "manage closely"],
         lambda row: row["quadrant"] == "manage closely"),
        ("stakeholders", ["--partner", "Data Integration"],
         lambda row: row["partner"] == "Data Integration Centre"),
        ("agreements", ["--status", "signed"], lambda row: row["status"] == "signed"),
        ("agreements", ["--expiring", "60d"],
         lambda row: row["status"] == "expired"
         or (row["status"] == "signed" and (row["valid_until"] or "9") <= "2027-01-26")),
        ("approvals", ["--kind", "dua"], lambda row: row["kind"] == "dua"),
        ("approvals", ["--status", "approved", "--status", "draft"],
         lambda row: row["status"] in ("approved", "draft")),
        ("checklist-items", ["--status", "done"], lambda row: row["status"] == "done"),
        ("checklist-items", ["--checklist", "TRIPOD-AI"],
         lambda row: row["checklist"] == "tripod-ai"),
        ("theses", ["--status", "planning"], lambda row: row["status"] == "planning"),
        ("theses", ["--supervisor", "Neumann"],
         lambda row: row["external_supervisor"] == "Dr. Felix Neumann"),
        ("milestones", ["--thesis", "2", "--state", "late"],
         lambda row: row["thesis"] == 2 and row["state"] == "late"),
        ("meetings", ["--thesis", "Lena", "--since", "2026-10-01"],
         lambda row: row["student"] == "Lena Vogel" and row["date"] >= "2026-10-01"),
        ("commits", ["--since", "2026-11-01"], lambda row: row["date"] >= "2026-11-01"),
        ("commits", ["--author", "koch"], lambda row: row["author"] == "Dr. Miriam Koch"),
    ],
)  # fmt: skip
def test_a_filter_keeps_only_what_it_names(demo: Invoke, entity: str, args: list[str], check: Any):
    everything = as_json(demo, entity)
    kept = as_json(demo, entity, *args)
    assert kept, f"{entity} {args} keeps something in the demo"
    assert len(kept) < len(everything)
    assert all(check(row) for row in kept)
    assert [row for row in everything if check(row)] == kept


def test_commits_of_one_task(demo: Invoke):
    commits = as_json(demo, "commits")
    key = commits[0]["tasks"][0]
    citing = as_json(demo, "commits", "--task", key)
    assert citing == [row for row in commits if key in row["tasks"]]
    assert len(citing) >= 2  # the demo's "refs" and "fixes"
    refused(demo("export", "commits", "--task", "SEPSIS-999"), 1, "no task SEPSIS-999")


def test_bad_filter_values_are_refused_naming_the_choices(demo: Invoke):
    refused(demo("export", "approvals", "--status", "aproved"), 2, "approved_with_conditions")
    refused(demo("export", "stakeholders", "--quadrant", "top"), 2, "manage closely")
    refused(demo("export", "approvals", "--kind", "visa"), 2, "ethics")
    refused(demo("export", "agreements", "--expiring", "soon"), 2, "--expiring")
    refused(demo("export", "milestones", "--state", "overdue"), 2, "done, late, due, open")
    refused(demo("export", "milestones", "--thesis", "99"), 1, "no thesis 99")
    refused(demo("export", "theses", "--sprint", "current"), 2, "--status, --supervisor")


def test_project_records_follow_the_project_and_workspace_records_do_not(demo: Invoke):
    sepsis = as_json(demo, "approvals")
    assert sepsis and {row["project"] for row in sepsis} == {"SEPSIS"}
    assert as_json(demo, "approvals", "--all") == sepsis
    assert json.loads(ok(demo("-p", "THESES", "export", "approvals", "--format", "json"))) == []
    assert json.loads(ok(demo("-p", "THESES", "export", "checklist-items"))) == []
    # Theses belong to the workspace: every one, with or without a project, whichever
    # project is chosen (as `thesis list` shows them).
    theses = as_json(demo, "theses")
    assert None in {row["project"] for row in theses} and len(theses) == 3
    assert json.loads(ok(demo("-p", "SEPSIS", "export", "theses"))) == theses
    listed = json.loads(ok(demo("thesis", "list", "--format", "json")))
    assert theses == listed


def test_an_xlsx_round_trip_keeps_typed_cells(demo: Invoke, tmp_path: Path):
    from openpyxl import load_workbook

    target = tmp_path / "approvals.xlsx"
    ok(demo("export", "approvals", "-o", str(target)))
    rows = as_json(demo, "approvals")
    sheet = load_workbook(target).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    fields = list(exports.export_entity("approvals").fields)
    assert list(values[0]) == fields
    assert len(values) == 1 + len(rows)
    for row, cells in zip(rows, values[1:], strict=True):
        read = dict(zip(fields, cells, strict=True))
        assert read["id"] == row["id"] and read["title"] == row["title"]
        assert read["in_force"] is row["in_force"]
        for name in ("valid_until", "submitted_on", "decided_on"):
            if row[name] is None:
                assert read[name] is None
            else:  # a typed date cell, not text
                assert isinstance(read[name], datetime)
                assert read[name].date() == date.fromisoformat(row[name])


_PROBE = """
import os, sys
from pmtool.cli import main
real_exit = os._exit
def report(code):
    heavy = ("pandas", "openpyxl", "jinja2", "numpy", "sqlalchemy", "textual", "rich")
    sys.stderr.write("LOADED " + ",".join(n for n in heavy if n in sys.modules) + "\\n")
    real_exit(code)
os._exit = report
sys.argv = ["pmtool", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("entity", ENTITIES)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_json_and_csv_exports_load_no_heavy_library(demo_db: Path, entity: str, fmt: str):
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE, "export", entity, "--all", "--format", fmt],
        env={**os.environ, "PMTOOL_DB": str(demo_db), "PMTOOL_NOW": FROZEN_NOW},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    line = next(line for line in completed.stderr.splitlines() if line.startswith("LOADED "))
    assert line == "LOADED ", line
    assert completed.stdout.startswith(
        "[" if fmt == "json" else exports.export_entity(entity).fields[0]
    )
