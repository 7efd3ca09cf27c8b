"""The dashboard: the running sprint, my tasks, overdue work and the follow-up panels."""

from __future__ import annotations

import json

from textual.widgets import Static
from tui_helpers import Invoke, MakeApp, settled, wait_for

from pmtool.services.read.dashboard import PANELS
from pmtool.tui.screens.dialogs import TaskDetail
from pmtool.tui.widgets.charts import BurndownChart
from pmtool.tui.widgets.table import TaskTable

SIZE = (120, 40)


def keys(run: Invoke, *options: str) -> set[str]:
    result = run("task", "list", *options, "--format", "json")
    return {row["key"] for row in json.loads(result.output)}


async def test_dashboard_shows_sprint_my_tasks_and_overdue(make_app: MakeApp, run: Invoke) -> None:
    mine = keys(run, "--assignee", "Lena Vogel") - keys(run, "--status", "done")
    overdue = keys(run, "--overdue")
    app = make_app("dashboard")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        screen = app.screen
        assert screen.query_one("#sprint-panel").border_title == "Sprint 4 · day 6 of 14"
        assert {row["key"] for row in screen.query_one("#my-tasks", TaskTable).rows} == mine
        assert {row["key"] for row in screen.query_one("#overdue", TaskTable).rows} == overdue
        assert (
            screen.query_one("#mine-panel").border_title == f"My tasks · Lena Vogel ({len(mine)})"
        )
        assert screen.query_one(BurndownChart).rows
        for panel in PANELS:
            box = screen.query_one(f"#panel-{panel.id}")
            assert box.border_title == panel.title
            assert box.query_one(".placeholder", Static).content == panel.placeholder


async def test_enter_opens_a_task_of_mine(make_app: MakeApp) -> None:
    app = make_app("dashboard")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        mine = app.screen.query_one("#my-tasks", TaskTable)
        mine.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskDetail))
        assert app.screen.key == mine.current_key  # type: ignore[attr-defined]


async def test_without_a_running_sprint_the_panel_says_so(make_app: MakeApp, run: Invoke) -> None:
    assert run("sprint", "close", "Sprint 4").exit_code == 0
    app = make_app("dashboard")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        summary = app.screen.query_one("#sprint-summary", Static).content
        assert "No sprint is running" in str(summary)
        assert not app.screen.query_one(BurndownChart).display
