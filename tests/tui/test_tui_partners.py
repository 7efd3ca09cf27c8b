"""The partners screen: stakeholders, the grid, moving people on it, contacts, follow-ups."""

from __future__ import annotations

import json
from typing import Any

from textual.widgets import Input, Static
from tui_helpers import Invoke, MakeApp, after_write, settled, wait_for

from pmtool.tui.screens.partners import ContactDialog, PartnersScreen
from pmtool.tui.widgets.table import TaskTable

SIZE = (120, 40)


def people(run: Invoke) -> dict[str, dict[str, Any]]:
    result = run("stakeholder", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    return {row["name"]: row for row in json.loads(result.output)}


async def select(pilot: Any, name: str) -> None:
    table = pilot.app.screen.query_one("#people", TaskTable)
    table.cursor = next(i for i, row in enumerate(table.rows) if row["name"] == name)
    await pilot.pause()


async def test_the_screen_lists_people_and_draws_the_grid(make_app: MakeApp, run: Invoke) -> None:
    app = make_app("partners")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, PartnersScreen)
        table = screen.query_one("#people", TaskTable)
        assert {row["name"] for row in table.rows} == set(people(run))
        await select(pilot, "Sabine Krüger")
        grid = str(screen.query_one("#stakeholder-grid", Static).render())
        assert "KEEP SATISFIED (2)" in grid and "▶ Sabine Krüger (4/3)" in grid
        detail = str(screen.query_one("#stakeholder-detail", Static).render())
        assert "DPIA scope and pseudonymisation" in detail and "overdue" in detail
        assert "@" not in detail + grid  # no contact details on screen
        agreements = str(screen.query_one("#agreements", Static).render())
        assert "NDA · VitalSense Analytics GmbH · signed until 2026-12-22" in agreements


async def test_shift_arrows_move_a_person_on_the_grid(make_app: MakeApp, run: Invoke) -> None:
    app = make_app("partners")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await select(pilot, "Lars Meier")
        before = app.writes_done
        await pilot.press("shift+up", "shift+up")
        await after_write(pilot, before + 1)
        lars = people(run)["Lars Meier"]
        assert (lars["power"], lars["interest"], lars["quadrant"]) == (4, 3, "keep satisfied")
        grid = str(app.screen.query_one("#stakeholder-grid", Static).render())
        assert "▶ Lars Meier (4/3)" in grid
        await pilot.press("shift+right")
        await after_write(pilot, before + 2)
        assert people(run)["Lars Meier"]["quadrant"] == "manage closely"
        log = json.loads(run("log", "-n", "1", "--format", "json").output)
        assert log[0]["summary"] == "tui: stakeholder move #6 --power 4 --interest 4"


async def test_log_a_contact_and_turn_a_follow_up_into_a_task(
    make_app: MakeApp, run: Invoke
) -> None:
    app = make_app("partners")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await select(pilot, "Helga Jansen")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ContactDialog))
        app.screen.query_one("#contact-summary", Input).value = "Alert wording reviewed"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.focused is not None
                       and app.screen.focused.id == "contact-due")  # fmt: skip
        app.screen.query_one("#contact-due", Input).value = "2026-11-30"
        before = app.writes_done
        await pilot.press("enter")
        await after_write(pilot, before)
        contacts = json.loads(run("stakeholder", "contacts", "Jansen", "--format", "json").output)
        assert (contacts[0]["summary"], contacts[0]["kind"], contacts[0]["follow_up"]) == (
            "Alert wording reviewed", "meeting", "2026-11-30",
        )  # fmt: skip
        # Sabine's overdue follow-up becomes a task with one key.
        await select(pilot, "Sabine Krüger")
        await pilot.press("t")
        await after_write(pilot, before + 1)
        tasks = json.loads(
            run("task", "list", "--label", "stakeholders", "--format", "json").output
        )
        assert [t["title"] for t in tasks if t["title"].startswith("Follow up")] == [
            "Follow up contact #3: DPIA scope and pseudonymisation"
        ]
        detail = str(app.screen.query_one("#stakeholder-detail", Static).render())
        assert "task" in detail


async def test_key_7_opens_the_screen_and_enter_shows_a_person(make_app: MakeApp) -> None:
    from pmtool.tui.screens.partners import StakeholderDetail

    app = make_app("dashboard")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("7")
        await wait_for(pilot, lambda: isinstance(app.screen, PartnersScreen))
        await settled(pilot)
        await select(pilot, "Dr. Yusuf Aydin")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, StakeholderDetail))
        text = str(app.screen.query_one("#stakeholder-lines", Static).render())
        assert "Partner: Data Integration Centre" in text and "manage closely" in text
        assert "@" not in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, PartnersScreen))


async def test_the_grid_has_edges_and_t_needs_an_open_follow_up(make_app: MakeApp) -> None:
    from tui_helpers import notifications

    app = make_app("partners")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await select(pilot, "Helga Jansen")  # interest 5 already
        before = app.writes_done
        await pilot.press("shift+right")
        await wait_for(pilot, lambda: "Power and interest run from 1 to 5." in notifications(app))
        await select(pilot, "Lars Meier")  # no contact logged
        await pilot.press("t")
        await wait_for(pilot, lambda: "Lars Meier has no open follow-up." in notifications(app))
        await settled(pilot)
        assert app.writes_done == before
