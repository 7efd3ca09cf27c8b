"""The backlog: filter, sort, plan into a sprint and estimate inline, read back via the CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from textual.widgets import Label, Static
from tui_helpers import Invoke, MakeApp, after_write, choose, settled, wait_for

from pmtool.tui.app import PmApp
from pmtool.tui.screens import backlog as backlog_module
from pmtool.tui.screens.backlog import BacklogScreen
from pmtool.tui.widgets.table import TaskTable

SIZE = (120, 40)


def rows(run: Invoke, *options: str) -> list[dict[str, Any]]:
    result = run("task", "list", *options, "--format", "json")
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.output)
    return found


def shown(app: PmApp) -> list[str]:
    return [row["key"] for row in app.screen.query_one(TaskTable).rows]


async def type_filter(pilot: Any, text: str) -> None:
    await pilot.press("slash")
    await pilot.press(*(text or []))
    await pilot.pause()


async def test_lists_every_task_in_board_order(make_app: MakeApp, run: Invoke) -> None:
    app = make_app("backlog")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        assert shown(app) == [row["key"] for row in rows(run)]
        status = str(app.screen.query_one("#backlog-status", Static).content)
        assert status.startswith(f"{len(rows(run))} of {len(rows(run))} tasks")


@pytest.mark.parametrize(
    ("query", "options"),
    [
        ("status:todo", ("--status", "todo")),
        ("#data", ("--label", "data")),
        ("@lena", ("--assignee", "Lena Vogel")),
        ("sprint:none", ("--sprint", "none")),
        ('sprint:"sprint 3"', ("--sprint", "Sprint 3")),
        ("cohort", ("--search", "cohort")),
    ],
)
async def test_filters_match_the_cli(
    make_app: MakeApp, run: Invoke, query: str, options: tuple[str, ...]
) -> None:
    expected = [row["key"] for row in rows(run, *options)]
    assert expected, "the demo has tasks for every filter"
    app = make_app("backlog")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await type_filter(pilot, query)
        assert shown(app) == expected
        await pilot.press("escape")
        assert app.screen.focused is app.screen.query_one(TaskTable)


async def test_sorting_by_points_and_back(make_app: MakeApp, run: Invoke) -> None:
    all_rows = rows(run)
    app = make_app("backlog")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, BacklogScreen)
        while screen.sort_field != "points":
            await pilot.press("o")
        points = [row["points"] for row in screen.query_one(TaskTable).rows]
        estimated = [p for p in points if p is not None]
        assert estimated == sorted(estimated)
        assert points[len(estimated) :] == [None] * (len(points) - len(estimated))
        await pilot.press("O")
        points = [row["points"] for row in screen.query_one(TaskTable).rows]
        assert [p for p in points if p is not None] == sorted(estimated, reverse=True)
        while screen.sort_field != "rank":
            await pilot.press("o")  # a new sort field starts ascending
        assert shown(app) == [row["key"] for row in all_rows]


async def test_header_click_sorts(make_app: MakeApp) -> None:
    app = make_app("backlog")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.click(TaskTable, offset=(1, 0))  # the KEY header
        numbers = [row["number"] for row in app.screen.query_one(TaskTable).rows]
        assert numbers == sorted(numbers)
        await pilot.click(TaskTable, offset=(1, 0))
        numbers = [row["number"] for row in app.screen.query_one(TaskTable).rows]
        assert numbers == sorted(numbers, reverse=True)


async def test_assign_to_a_sprint(make_app: MakeApp, run: Invoke) -> None:
    unplanned = rows(run, "--sprint", "none")[0]["key"]
    app = make_app("backlog")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await type_filter(pilot, unplanned)
        await pilot.press("escape", "a")
        before = app.writes_done
        await choose(pilot, "Sprint 4")
        await after_write(pilot, before)
        assert app.screen.query_one(TaskTable).rows[0]["sprint"] == "Sprint 4"
    assert run("task", "show", unplanned, "--format", "json").output.count('"Sprint 4"') == 1


async def test_estimate_inline(make_app: MakeApp, run: Invoke) -> None:
    first = rows(run)[0]["key"]
    app = make_app("backlog")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("p")
        assert app.screen.query_one("#estimate-bar").display
        await pilot.press("ctrl+a", "ctrl+k", "2", "0", "0", "0", "enter")
        assert "more than 1000" in str(app.screen.query_one("#estimate-error", Label).content)
        assert app.writes_done == 0
        await pilot.press("ctrl+a", "ctrl+k", "1", "3")
        before = app.writes_done
        await pilot.press("enter")
        await after_write(pilot, before)
        assert not app.screen.query_one("#estimate-bar").display
        assert app.screen.query_one(TaskTable).rows[0]["points"] == 13
    shown_task = json.loads(run("task", "show", first, "--format", "json").output)
    assert shown_task["points"] == 13


async def test_estimate_escape_changes_nothing(make_app: MakeApp, run: Invoke) -> None:
    first = rows(run)[0]
    app = make_app("backlog")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("p", "ctrl+a", "ctrl+k", "1", "escape")
        await settled(pilot)
        assert not app.screen.query_one("#estimate-bar").display
        assert app.writes_done == 0
    assert rows(run)[0]["points"] == first["points"]


async def test_a_long_backlog_shows_a_first_page_then_the_rest(
    make_app: MakeApp, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backlog_module, "FIRST_PAGE", 5)
    total = len(rows(run))
    app = make_app("backlog")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, BacklogScreen)
        await wait_for(pilot, lambda: screen.loaded)
        first_page = len(screen.all_rows)
        await settled(pilot)
        assert first_page in (5, total)  # the rest may already be in on a fast machine
        assert len(screen.all_rows) == total
        assert screen.total == total
        assert "loading" not in str(screen.query_one("#backlog-status", Static).content)
