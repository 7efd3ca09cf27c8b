"""The TUI's pure parts: filter syntax, sorting, charts, edit diffs, and its read queries."""

from __future__ import annotations

import ast
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rich.style import Style

from pmtool.services.read import board, dashboard, planning
from pmtool.storage.location import DatabaseLocation
from pmtool.storage.reader import reading
from pmtool.tui.filtering import TaskFilter, filter_rows, parse_filter, sort_rows
from pmtool.tui.widgets.cards import fit, short_name, title_lines
from pmtool.tui.widgets.charts import burndown_text, velocity_text
from pmtool.tui.writes import TaskForm, changes_between


def row(number: int, **fields: Any) -> dict[str, Any]:
    base = {
        "key": f"PM-{number}", "number": number, "title": f"Task {number}", "status": "todo",
        "points": None, "assignee": None, "labels": [], "sprint": None, "due": None,
        "board_order": number,
    }  # fmt: skip
    base.update(fields)
    return base


def test_parse_filter_understands_every_kind() -> None:
    parsed = parse_filter('cohort s:todo status:in #data label:privacy @lena sprint:"Sprint 4"')
    assert parsed == TaskFilter(
        words=("cohort",),
        statuses=("todo", "in"),
        labels=("data", "privacy"),
        assignees=("lena",),
        sprints=("sprint 4",),
    )
    assert parse_filter('unclosed "quote').words == ("unclosed", "quote")
    assert parse_filter("   ").empty


def test_filter_rows() -> None:
    rows = [
        row(1, title="Freeze cohort", labels=["data"], assignee="Lena Vogel", sprint="Sprint 4"),
        row(2, title="DPIA input", labels=["privacy"], status="in_progress"),
        row(3, title="Cohort flowchart", labels=["data", "docs"], assignee="Jonas Weber"),
    ]
    keys = lambda text: [r["key"] for r in filter_rows(rows, text)]  # noqa: E731
    assert keys("cohort") == ["PM-1", "PM-3"]
    assert keys("#data @jonas") == ["PM-3"]
    assert keys("@none") == ["PM-2"]
    assert keys("s:in") == ["PM-2"]
    assert keys("sprint:none") == ["PM-2", "PM-3"]
    assert keys("sprint:4 #data") == ["PM-1"]
    assert keys("@vogel") == ["PM-1"]
    assert keys("#priv #docs") == ["PM-2", "PM-3"]  # one kind: any of them
    assert keys("pm-2") == ["PM-2"]


def test_sort_rows_keeps_empty_values_last() -> None:
    rows = [row(1, points=5), row(2), row(3, points=1), row(4, points=5)]
    assert [r["key"] for r in sort_rows(rows, "points", False)] == ["PM-3", "PM-1", "PM-4", "PM-2"]
    assert [r["key"] for r in sort_rows(rows, "points", True)] == ["PM-1", "PM-4", "PM-3", "PM-2"]
    assert [r["key"] for r in sort_rows(rows, "key", True)] == ["PM-4", "PM-3", "PM-2", "PM-1"]
    assert [r["key"] for r in sort_rows(rows[::-1], "rank", False)] == [
        "PM-1", "PM-2", "PM-3", "PM-4"
    ]  # fmt: skip


def test_card_text_helpers() -> None:
    assert short_name("Lena Vogel") == "Lena V."
    assert short_name("Dr. Miriam Koch") == "Miriam K."
    assert short_name(None) == ""
    assert fit("Explainability", 8) == "Explain…"
    assert fit("ok", 4) == "ok  "
    assert title_lines("Clinical review of false alarms with Dr. Koch", 14) == [
        "Clinical      ",
        "review of fal…",
    ]


def test_burndown_chart_fits_its_box() -> None:
    rows = [
        {"date": f"2026-11-{22 + i:02d}", "remaining": r, "ideal": 26 * (1 - (i + 1) / 5),
         "scope": 26 if r is not None else None}
        for i, r in enumerate([26, 20, 12, None, None])
    ]  # fmt: skip
    style = Style()
    text = burndown_text(rows, 26, 40, 10, bar=style, ideal=style, axis=style)
    lines = text.plain.splitlines()
    assert len(lines) == 10
    assert all(len(line) <= 40 for line in lines)
    assert lines[0].startswith("█ remaining")
    assert lines[1].startswith("26 │")
    assert lines[-1].strip().startswith("11-22") and lines[-1].rstrip().endswith("11-26")
    assert burndown_text([], 0, 40, 10, bar=style, ideal=style, axis=style).plain.startswith(
        "No sprint days"
    )


def test_velocity_chart_labels_each_sprint() -> None:
    rows = [
        {"sprint": "Sprint 1", "committed": 20, "completed": 18},
        {"sprint": "Sprint 2", "committed": 24, "completed": 26},
    ]
    style = Style()
    text = velocity_text(rows, 22.0, 60, done=style, planned=style, axis=style).plain
    assert "Sprint 1" in text and "18/20" in text and "26/24" in text
    assert "Average of the last 2: 22.0 points" in text


def test_changes_between_only_names_what_changed() -> None:
    original = {
        "key": "PM-1", "title": "Old", "description": None, "points": 3, "type": "task",
        "priority": "medium", "assignee": "Lena Vogel", "labels": ["data", "privacy"],
        "due": "2026-12-01", "sprint": "Sprint 4", "parent": None, "status": "todo",
    }  # fmt: skip
    same = TaskForm(
        title="Old", task_type="task", priority="medium", status="todo", points=3,
        assignee="Lena Vogel", labels=("data", "privacy"), due=date(2026, 12, 1),
        sprint="Sprint 4",
    )  # fmt: skip
    assert changes_between(original, same).empty
    changed = TaskForm(
        title="New", task_type="bug", priority="medium", status="review", points=None,
        assignee=None, labels=("data", "ethics"), due=None, sprint="Sprint 4",
        description="Why",
    )  # fmt: skip
    changes = changes_between(original, changed)
    assert changes.status == "review"
    assert changes.fields["title"] == "New"
    assert changes.fields["task_type"] == "bug"
    assert changes.fields["description"] == "Why"
    assert changes.fields["add_labels"] == ["ethics"]
    assert changes.fields["remove_labels"] == ["privacy"]
    cleared = {"points", "assignee", "due"}
    assert cleared <= set(changes.fields)
    assert "sprint" not in changes.fields and "priority" not in changes.fields


def test_board_read_side(demo: DatabaseLocation) -> None:
    with reading(demo) as reader:
        sprint_board = board.board(reader, 1)
        kanban = board.board(reader, 1, all_open=True)
        first, total = board.first_tasks(reader, 1, 5)
        everything = board.all_tasks(reader, 1)
        choices = board.choices(reader, 1)
    assert sprint_board["sprint"]["name"] == "Sprint 4"
    assert kanban["sprint"] is None
    shown = sum(len(column["cards"]) for column in kanban["columns"])
    assert shown > sum(len(column["cards"]) for column in sprint_board["columns"])
    assert [card["key"] for card in first] == [card["key"] for card in everything[:5]]
    assert total == len(everything)
    assert choices["statuses"] == ["backlog", "todo", "in_progress", "review", "done"]
    assert "Lena Vogel" in choices["members"]
    assert choices["sprints"] == ["Sprint 4"]


def test_planning_and_dashboard_read_side(demo: DatabaseLocation) -> None:
    with reading(demo) as reader:
        sprints = planning.sprint_names(reader, 1)
        plan = planning.plan(reader, 1, "Sprint 4")
        panels = dashboard.load_panels(reader, 1, date(2026, 11, 27))
    assert planning.default_sprint(sprints) == "Sprint 4"
    assert plan["capacity"] == 30 and plan["capacity_source"] == "capacity"
    assert plan["points"] == sum(card["points"] or 0 for card in plan["tasks"])
    # The demo's reminders (a late follow-up, an NDA and the data-use agreement running
    # out), then the panels of the domains the demo project uses.
    assert [panel["id"] for panel in panels] == ["attention", "approvals", "partners", "compliance"]
    assert [row["ref"] for row in panels[0]["rows"]] == ["contact #3", "agreement #2", "approval 3"]
    assert [row["ref"] for row in panels[1]["rows"]] == [f"approval {n}" for n in (3, 4, 1, 2)]


def overdue_count(reader: Any, project_id: int, today: date) -> list[dict[str, Any]]:
    """A panel loader as an area would write one."""
    from pmtool.services.read.tasks import list_tasks

    late = list_tasks(reader, project_id, overdue_on=today)
    return [{"when": today.isoformat(), "text": f"{len(late)} late", "ref": None, "level": "late"}]


def test_a_registered_panel_loader_fills_its_panel(
    demo: DatabaseLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dashboard, "_PANELS", list(dashboard.registered_panels()))
    dashboard.register_panel("x", "Late", overdue_count)
    with reading(demo) as reader:
        loaded = dashboard.load_panels(reader, 1, date(2026, 11, 27))
    assert [panel["id"] for panel in loaded][-1] == "x"  # after the demo's own panels
    assert loaded[-1]["rows"][0]["text"].endswith(" late")


SHELL_MODULES = ("pmtool.tui.app", "pmtool.tui.flows", "pmtool.tui.keys")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at run time or for type checking only."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_screens_never_import_the_app_shell() -> None:
    """Screens ask the app for things with messages; they never import it (no cycle)."""
    import pmtool.tui

    tui = Path(pmtool.tui.__file__).parent
    files = sorted([*(tui / "screens").glob("*.py"), *(tui / "widgets").glob("*.py")])
    assert len(files) > 10
    for path in files:
        assert not _imports(path) & set(SHELL_MODULES), path.name


def test_each_screen_module_loads_without_the_app() -> None:
    for module in ("backlog", "board", "dashboard", "dialogs", "editor", "sprints"):
        script = (
            f"import sys, pmtool.tui.screens.{module}\n"
            f"assert not {{m for m in sys.modules if m in {SHELL_MODULES!r}}}, sorted(sys.modules)"
        )
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        assert result.returncode == 0, (module, result.stderr[-500:])
