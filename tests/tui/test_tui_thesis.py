"""The Theses screen: the supervisor's overview on the demo, its timeline, the detail."""

from __future__ import annotations

import json

from textual.widgets import Static
from tui_helpers import Invoke, MakeApp, settled, wait_for

from pmtool.tui.screens.thesis import ThesesScreen, ThesisDetail
from pmtool.tui.widgets.table import TaskTable

SIZE = (120, 40)


async def test_the_overview_lists_the_theses_riskiest_first(make_app: MakeApp, run: Invoke) -> None:
    app = make_app("theses")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, ThesesScreen)
        rows = screen.query_one("#theses", TaskTable).rows
        overview = json.loads(run("thesis", "overview", "--format", "json").output)
        assert [row["student"] for row in rows] == [row["student"] for row in overview]
        assert [row["risk"] for row in rows] == ["high", "high", "low"]
        header = str(screen.query_one("#theses-header", Static).content)
        assert header.startswith("3 theses in progress · 2 at high risk")
        # The highlighted (first) thesis's timeline is drawn below, today marked.
        await wait_for(pilot, lambda: "today 2026-11-27" in _timeline(screen))
        assert rows[0]["student"] in str(screen.query_one("#thesis-timeline-box").border_title)


async def test_moving_the_cursor_shows_another_timeline_and_enter_opens(make_app: MakeApp) -> None:
    app = make_app("theses")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, ThesesScreen)
        table = screen.query_one("#theses", TaskTable)
        table.focus()
        await pilot.press("end")
        last = table.rows[-1]
        await wait_for(
            pilot,
            lambda: last["student"] in str(screen.query_one("#thesis-timeline-box").border_title),
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ThesisDetail) and app.screen.loaded)
        detail = app.screen
        text = str(detail.query_one("#thesis-detail-header", Static).content)
        assert text.startswith(f"{last['student']} · ")
        plan = str(detail.query_one("#thesis-detail-plan", Static).content)
        assert "Submission" in plan and "* on the critical path" in plan
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ThesesScreen))


async def test_number_key_6_reaches_the_theses(make_app: MakeApp) -> None:
    app = make_app("dashboard")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("6")
        await wait_for(pilot, lambda: isinstance(app.screen, ThesesScreen))
        await settled(pilot)


def _timeline(screen: ThesesScreen) -> str:
    return str(screen.query_one("#thesis-timeline", Static).content)


async def test_d_marks_the_next_milestone_done_after_a_yes(make_app: MakeApp, run: Invoke) -> None:
    from tui_helpers import after_write

    from pmtool.tui.screens.dialogs import ConfirmDialog

    app = make_app("theses")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, ThesesScreen)
        table = screen.query_one("#theses", TaskTable)
        table.focus()
        await pilot.press("end")  # Lena Vogel, low risk: the midterm review is next
        lena = table.rows[-1]
        await wait_for(pilot, lambda: int(lena["key"]) in screen.next_open)
        await settled(pilot)
        assert screen.next_open[int(lena["key"])]["id"] == "midterm"
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        before = app.writes_done
        await pilot.press("y")
        await after_write(pilot, before)
        plan = json.loads(
            run("thesis", "milestone", "list", lena["key"], "--format", "json").output
        )
        assert next(m for m in plan if m["id"] == "midterm")["done"] == "2026-11-27"
        log = json.loads(run("log", "--format", "json", "-n", "1").output)
        assert log[0]["summary"] == f"tui: thesis milestone done {lena['key']} 11"
