"""The dashboard: the running sprint, my tasks, overdue work and the registered panels."""

from __future__ import annotations

import json

from textual.widgets import Static
from tui_helpers import Invoke, MakeApp, settled, wait_for

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
        # The demo's reminders (its data-use agreement runs out in 40 days, an NDA soon, a
        # follow-up is late) and the panels of domains with something to say, nothing else.
        assert screen.query_one("#dashboard-panels").display
        shown = [box.id for box in screen.query(".follow-up") if box.display]
        assert shown == ["panel-attention", "panel-approvals", "panel-partners", "panel-compliance"]
        attention = str(screen.query_one("#panel-attention .panel-rows", Static).content)
        assert "data-use agreement #3" in attention and "(60-day reminder)" in attention
        approvals = str(screen.query_one("#panel-approvals .panel-rows", Static).content)
        assert "expires in 40 days" in approvals
        assert "approved with conditions, expires in" in approvals
        assert not screen.query(".placeholder")


async def test_needs_attention_appears_when_something_does(make_app: MakeApp, run: Invoke) -> None:
    assert run("workflow", "wip", "todo", "1").exit_code == 0  # the demo has 4 there
    app = make_app("dashboard", poll_interval=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        screen = app.screen
        assert screen.query_one("#dashboard-panels").display
        box = screen.query_one("#panel-attention")
        assert box.display
        assert box.border_title == "Needs attention (4)"  # and the demo's three reminders
        text = str(box.query_one(".panel-rows", Static).content)
        assert "      todo holds 4 tasks, over its WIP limit of 1" in text.splitlines()
        assert run("workflow", "wip", "todo", "none").exit_code == 0  # seen by polling
        await wait_for(pilot, lambda: box.border_title == "Needs attention (3)")
        assert "WIP" not in str(box.query_one(".panel-rows", Static).content)


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
