"""The sprints screen: plan against capacity, start, close with carry-over, charts."""

from __future__ import annotations

import json
from typing import Any

from textual.widgets import Static
from tui_helpers import Invoke, MakeApp, after_write, choose, notifications, settled, wait_for

from pmtool.tui.screens.dialogs import ConfirmDialog
from pmtool.tui.screens.sprints import SprintsScreen
from pmtool.tui.widgets.charts import BurndownChart, Meter, VelocityChart
from pmtool.tui.widgets.table import TaskTable

SIZE = (120, 40)


def keys(run: Invoke, *options: str) -> list[str]:
    result = run("task", "list", *options, "--format", "json")
    assert result.exit_code == 0, result.output
    return [row["key"] for row in json.loads(result.output)]


def sprint(run: Invoke, name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(run("sprint", "show", name, "--format", "json").output)
    return found


async def test_plan_shows_the_sprint_against_capacity(make_app: MakeApp, run: Invoke) -> None:
    app = make_app("sprints")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, SprintsScreen)
        assert screen.sprint == "Sprint 4"
        in_sprint = [row["key"] for row in screen.query_one("#in-sprint", TaskTable).rows]
        assert in_sprint == keys(run, "--sprint", "Sprint 4")
        candidates = {row["key"] for row in screen.query_one("#candidates", TaskTable).rows}
        open_unplanned = set(keys(run, "--sprint", "none")) - set(keys(run, "--status", "done"))
        assert candidates == open_unplanned
        points = sprint(run, "Sprint 4")["points"]
        meter = screen.query_one("#capacity", Static).content
        assert isinstance(meter, Meter)
        assert meter.label.startswith(f"{points} of 30 points planned")
        assert screen.query_one("#capacity").has_class("over") == (points > 30)


async def test_add_and_remove_from_the_sprint(make_app: MakeApp, run: Invoke) -> None:
    app = make_app("sprints")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        candidates = app.screen.query_one("#candidates", TaskTable)
        adding = candidates.current_key
        assert adding is not None
        candidates.focus()
        before = app.writes_done
        await pilot.press("a")
        await after_write(pilot, before)
        assert adding in keys(run, "--sprint", "Sprint 4")
        in_sprint = app.screen.query_one("#in-sprint", TaskTable)
        assert adding in [row["key"] for row in in_sprint.rows]
        in_sprint.focus()
        removing = in_sprint.current_key
        assert removing is not None
        await pilot.press("r")
        await after_write(pilot, before + 1)
        assert removing in keys(run, "--sprint", "none")


async def test_close_with_carry_over_then_start_the_next(make_app: MakeApp, run: Invoke) -> None:
    done = set(keys(run, "--status", "done"))
    unfinished = [key for key in keys(run, "--sprint", "Sprint 4") if key not in done]
    assert unfinished
    assert (
        run("sprint", "add", "Sprint 5", "--start", "2026-12-07", "--length", "2w").exit_code == 0
    )
    app = make_app("sprints")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        # Starting Sprint 5 while Sprint 4 runs is refused, with a notice.
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: app.screen.sprint == "Sprint 5")  # type: ignore[attr-defined]
        await settled(pilot)
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await settled(pilot)
        assert any("close it first" in text for text in notifications(app))
        # Close Sprint 4, carrying its unfinished work into Sprint 5.
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: app.screen.sprint == "Sprint 4")  # type: ignore[attr-defined]
        await settled(pilot)
        await pilot.press("C")
        before = app.writes_done
        await choose(pilot, "Sprint 5")
        await after_write(pilot, before)
        assert sprint(run, "Sprint 4")["status"] == "closed"
        assert keys(run, "--sprint", "Sprint 5") == [key for key in keys(run) if key in unfinished]
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: app.screen.sprint == "Sprint 5")  # type: ignore[attr-defined]
        await settled(pilot)
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await after_write(pilot, before + 1)
    assert sprint(run, "Sprint 5")["status"] == "active"


async def test_close_to_the_backlog(make_app: MakeApp, run: Invoke) -> None:
    done = set(keys(run, "--status", "done"))
    unfinished = [key for key in keys(run, "--sprint", "Sprint 4") if key not in done]
    app = make_app("sprints")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("C")
        before = app.writes_done
        await choose(pilot, "backlog")
        await after_write(pilot, before)
        assert any("Closed Sprint 4" in text for text in notifications(app))
    assert sprint(run, "Sprint 4")["status"] == "closed"
    assert set(unfinished) <= set(keys(run, "--sprint", "none"))


async def test_burndown_and_velocity_views(make_app: MakeApp, run: Invoke) -> None:
    burndown = json.loads(run("sprint", "burndown", "Sprint 4", "--format", "json").output)
    velocity = json.loads(run("velocity", "--format", "json").output)
    app = make_app("sprints")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("v")
        assert app.screen.query_one("#sprint-views").active == "burndown"  # type: ignore[attr-defined]
        chart = app.screen.query_one(BurndownChart)
        assert [row["remaining"] for row in chart.rows] == [r["remaining"] for r in burndown]
        assert "committed" in str(chart.render())
        await pilot.press("v")
        bars = app.screen.query_one(VelocityChart)
        assert [row["completed"] for row in bars.rows] == [r["completed"] for r in velocity]
        rendered = str(bars.render())
        for row in velocity:
            assert f"{row['completed']}/{row['committed']}" in rendered
