"""`pmtool status`: what needs attention, the attention registry, and the dashboard panels.

The clock is frozen at Friday 27 Nov 2026 (PMTOOL_NOW); tests move it to see a
sprint end or a task become late.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import Invoke
from pmcheck import ok, refused

from pmtool.services.read import attention, dashboard
from pmtool.storage.location import resolve_location
from pmtool.storage.reader import Reader, Row, reading

NOW = "2026-11-27T10:00:00+00:00"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMTOOL_NOW", NOW)


def status_json(run: Invoke, *options: str) -> list[dict[str, object]]:
    result = run("status", *options, "--format", "json")
    assert result.exit_code == 0, result.output
    items: list[dict[str, object]] = json.loads(result.output)
    return items


def test_nothing_needs_attention_in_an_empty_project(workspace: Invoke):
    assert ok(workspace("status")) == "Nothing needs attention.\n"
    assert ok(workspace("status", "--format", "json")) == "[]\n"
    assert ok(workspace("status", "--format", "md")) == "| LEVEL | DUE | WHAT |\n|---|---|---|\n"
    quiet = workspace("status", "--check")
    assert (quiet.exit_code, quiet.output) == (0, "")  # cron mails nothing
    assert ok(workspace("status", "--check", "--format", "json")) == "[]\n"


def test_an_overdue_task_needs_attention_and_check_exits_3(workspace: Invoke):
    ok(workspace("task", "add", "Freeze the ICU cohort", "--due", "2026-11-24"))
    ok(workspace("task", "add", "Due today", "--due", "2026-11-27"))
    ok(workspace("task", "add", "Done late", "--due", "2026-11-20", "--status", "done"))
    ok(workspace("task", "add", "Label", "--due", "2026-11-26", "--assignee", "Lena Vogel"))
    assert status_json(workspace) == [
        {
            "project": "PM",
            "kind": "overdue_task",
            "level": "late",
            "ref": "PM-1",
            "text": "PM-1 Freeze the ICU cohort is 3 days overdue",
            "due": "2026-11-24",
        },
        {
            "project": "PM",
            "kind": "overdue_task",
            "level": "late",
            "ref": "PM-4",
            "text": "PM-4 Label is 1 day overdue (Lena Vogel)",
            "due": "2026-11-26",
        },
    ]
    checked = workspace("status", "--check")
    assert checked.exit_code == 3
    assert checked.stdout.splitlines() == [
        "LEVEL  DUE         WHAT",
        "─────  ──────────  ────────────────────────────────────────────",
        "late   2026-11-24  PM-1 Freeze the ICU cohort is 3 days overdue",
        "late   2026-11-26  PM-4 Label is 1 day overdue (Lena Vogel)",
    ]
    assert checked.stderr == ""
    as_json = workspace("status", "--check", "--format", "json")
    assert as_json.exit_code == 3
    assert [item["ref"] for item in json.loads(as_json.stdout)] == ["PM-1", "PM-4"]
    assert workspace("status").exit_code == 0  # without --check it is only a report
    ok(workspace("task", "move", "PM-1", "done"))
    ok(workspace("task", "edit", "PM-4", "--due", "2026-12-01"))
    assert workspace("status", "--check").exit_code == 0


def test_a_sprint_ending_with_unfinished_work(workspace: Invoke, monkeypatch: pytest.MonkeyPatch):
    ok(workspace("sprint", "add", "Sprint 1", "--start", "2026-11-16", "--end", "2026-11-29"))
    ok(workspace("sprint", "add", "Sprint 2", "--start", "2026-11-30", "--end", "2026-12-13"))
    ok(workspace("sprint", "add", "Finished", "--start", "2026-11-16", "--end", "2026-11-28"))
    ok(workspace("sprint", "start", "Sprint 1"))
    ok(workspace("task", "add", "Cohort", "--points", "5", "--sprint", "Sprint 1"))
    ok(workspace("task", "add", "Labels", "--points", "3", "--sprint", "Sprint 1"))
    ok(workspace("task", "add", "Model", "--points", "8", "--sprint", "Sprint 1"))
    ok(workspace("task", "move", "PM-2", "done"))
    ok(workspace("task", "add", "Later", "--sprint", "Sprint 2"))
    ok(workspace("task", "add", "All done", "--sprint", "Finished", "--status", "done"))
    assert status_json(workspace) == [
        {
            "project": "PM",
            "kind": "sprint_ending",
            "level": "soon",
            "ref": "Sprint 1",
            "text": "Sprint 1 ends in 2 days with 2 of 3 tasks unfinished, 13 points",
            "due": "2026-11-29",
        }
    ]
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-28T10:00:00+00:00")
    assert [i["text"] for i in status_json(workspace)] == [
        "Sprint 1 ends tomorrow with 2 of 3 tasks unfinished, 13 points"
    ]
    monkeypatch.setenv("PMTOOL_NOW", "2026-12-01T10:00:00+00:00")
    assert [(i["level"], i["text"]) for i in status_json(workspace)] == [
        ("late", "Sprint 1 ended 2 days ago with 2 of 3 tasks unfinished, 13 points")
    ]
    assert workspace("status", "--check").exit_code == 3
    ok(workspace("sprint", "close", "Sprint 1"))
    assert status_json(workspace) == []  # closing moved the open work out of it


def test_a_column_over_its_wip_limit(workspace: Invoke):
    ok(workspace("workflow", "wip", "in_progress", "1"))
    ok(workspace("task", "add", "A"))
    ok(workspace("task", "add", "B"))
    ok(workspace("task", "move", "PM-1", "in_progress"))
    assert status_json(workspace) == []  # at the limit is fine
    ok(workspace("task", "move", "PM-2", "in_progress", "--force"))
    assert status_json(workspace) == [
        {
            "project": "PM",
            "kind": "wip_exceeded",
            "level": "over",
            "ref": "in_progress",
            "text": "in_progress holds 2 tasks, over its WIP limit of 1",
            "due": None,
        }
    ]
    assert workspace("status", "--check").exit_code == 3


def test_markdown_lists_every_item(workspace: Invoke):
    ok(workspace("workflow", "wip", "todo", "1"))
    ok(workspace("task", "add", "Cohort | ICU", "--due", "2026-11-20", "--status", "todo"))
    ok(workspace("task", "add", "Labels", "--status", "todo", "--force"))
    assert ok(workspace("status", "--format", "md")).splitlines() == [
        "| LEVEL | DUE | WHAT |",
        "|---|---|---|",
        "| late | 2026-11-20 | PM-1 Cohort \\| ICU is 7 days overdue |",
        "| over |  | todo holds 2 tasks, over its WIP limit of 1 |",
    ]


def test_all_covers_every_project_and_p_picks_one(workspace: Invoke):
    ok(workspace("project", "add", "OT", "Other trial"))
    ok(workspace("-p", "PM", "task", "add", "Late in PM", "--due", "2026-11-25"))
    ok(workspace("-p", "OT", "task", "add", "Late in OT", "--due", "2026-11-26"))
    everywhere = status_json(workspace, "--all")
    assert [(item["project"], item["ref"]) for item in everywhere] == [
        ("OT", "OT-1"),
        ("PM", "PM-1"),
    ]
    assert [item["ref"] for item in status_json(workspace, "-p", "ot")] == ["OT-1"]
    table = ok(workspace("status", "--all")).splitlines()
    assert table[0] == "PROJECT  LEVEL  DUE         WHAT"
    assert table[2].startswith("OT       late   2026-11-26  OT-1 Late in OT")


def test_status_of_an_unknown_project_is_refused(workspace: Invoke):
    refused(workspace("-p", "NOPE", "status"), 1, "no project NOPE (projects: PM)")
    refused(workspace("-p", "NOPE", "status", "--check"), 1, "no project NOPE")


def test_status_reads_without_the_orm_or_textual(workspace: Invoke):
    ok(workspace("task", "add", "Late", "--due", "2026-11-20"))
    script = (
        "import sys\n"
        "from pmtool.cli import cli\n"
        "try:\n"
        "    cli.main(['status', '--check', '--format', 'json'], prog_name='pmtool')\n"
        "except SystemExit as finished:\n"
        "    code = finished.code\n"
        "heavy = [m for m in ('sqlmodel', 'sqlalchemy', 'textual', 'rich') if m in sys.modules]\n"
        "print('exit', code, 'heavy', heavy, file=sys.stderr)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert completed.stderr.strip() == "exit 3 heavy []", completed.stderr
    assert json.loads(completed.stdout)[0]["ref"] == "PM-1"


# --- the registries ----------------------------------------------------------------------


@pytest.fixture
def fresh_registries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registrations made by a test are undone after it."""
    monkeypatch.setattr(attention, "_SOURCES", list(attention.attention_sources()))
    monkeypatch.setattr(dashboard, "_PANELS", list(dashboard.registered_panels()))


def expiring_approvals(reader: Reader, project_id: int, today: date) -> list[Row]:
    key = reader.tuples("SELECT key FROM project WHERE id = :p", {"p": project_id})[0][0]
    return [attention.item(key, "approval_expiring", "soon", "7", "Ethics vote expires", today)]


@pytest.mark.usefixtures("fresh_registries")
def test_a_domain_adds_attention_items_by_one_registration(workspace: Invoke):
    attention.register_attention("approval_expiring", expiring_approvals)
    assert [item["kind"] for item in status_json(workspace)] == ["approval_expiring"]
    assert workspace("status", "--check").exit_code == 3
    attention.register_attention(
        "approval_expiring", expiring_approvals, present=attention.table_has_rows("approval")
    )  # replaces the first; there is no approval table yet, so it is not asked
    assert status_json(workspace) == []
    kinds = [source.kind for source in attention.attention_sources()]
    # The core's sources first, the domains' after them; the new one last, once.
    assert kinds[:3] == ["overdue_task", "sprint_ending", "wip_exceeded"]
    assert kinds[-1] == "approval_expiring" and kinds.count("approval_expiring") == 1


def panel_rows(reader: Reader, project_id: int, today: date) -> list[Row]:
    return []


@pytest.mark.usefixtures("fresh_registries")
def test_panels_show_only_when_their_domain_has_something(workspace: Invoke, db_path: Path):
    ok(workspace("task", "add", "Late", "--due", "2026-11-20"))
    dashboard.register_panel("empty", "Never shown", panel_rows)
    dashboard.register_panel("absent", "Absent", panel_rows, present=attention.table_exists("nope"))
    dashboard.register_panel(
        "tasks", "Domain in use", panel_rows, present=attention.table_has_rows("task")
    )
    with reading(resolve_location(str(db_path))) as reader:
        panels = dashboard.load_panels(reader, 1, date(2026, 11, 27))
    assert panels == [
        {
            "id": "attention",
            "title": "Needs attention",
            "rows": [
                {
                    "when": "2026-11-20",
                    "text": "PM-1 Late is 7 days overdue",
                    "ref": "PM-1",
                    "level": "late",
                }
            ],
            "empty_text": "Nothing due.",
        },
        {"id": "tasks", "title": "Domain in use", "rows": [], "empty_text": "Nothing due."},
    ]


def test_no_panel_without_anything_to_show(workspace: Invoke, db_path: Path):
    with reading(resolve_location(str(db_path))) as reader:
        assert dashboard.load_panels(reader, 1, date(2026, 11, 27)) == []


def test_the_attention_panel_sums_up_overdue_tasks(workspace: Invoke, db_path: Path):
    ok(workspace("task", "add", "Cohort", "--due", "2026-11-20"))
    ok(workspace("task", "add", "Labels", "--due", "2026-11-25"))
    with reading(resolve_location(str(db_path))) as reader:
        rows = dashboard.attention_rows(reader, 1, date(2026, 11, 27))
    assert rows == [
        {
            "when": "2026-11-20",
            "text": "2 tasks are overdue, PM-1 the longest (7 days)",
            "ref": "PM-1",
            "level": "late",
        }
    ]


def test_json_fields_doc_lists_the_status_item_fields(workspace: Invoke):
    from test_docs import _documented_fields

    ok(workspace("task", "add", "Late", "--due", "2026-11-20"))
    printed = status_json(workspace)[0]
    assert list(printed) == _documented_fields()["Status item"] == list(attention.ITEM_FIELDS)
    assert ok(workspace("status", "--format", "csv")).splitlines() == [
        "project,kind,level,ref,text,due",
        "PM,overdue_task,late,PM-1,PM-1 Late is 7 days overdue,2026-11-20",
    ]
