"""The Approvals screen (key 5) on the demo, and the approval gates on the board."""

from __future__ import annotations

import json
from typing import Any

from textual.widgets import Input, Static
from tui_helpers import Invoke, MakeApp, after_write, choose, notifications, settled, wait_for

from pmtool.tui.screens.approvals import ApprovalsScreen, TextDialog
from pmtool.tui.screens.board import BoardScreen
from pmtool.tui.widgets.cards import CardList
from pmtool.tui.widgets.table import TaskTable

SIZE = (120, 40)
GATED = "SEPSIS-31"  # External validation on the 2023 cohort: requires approval 4


def approval(run: Invoke, number: int) -> dict[str, Any]:
    result = run("approval", "show", str(number), "--format", "json")
    assert result.exit_code == 0, result.output
    shown: dict[str, Any] = json.loads(result.output)
    return shown


async def select(pilot: Any, table: TaskTable, key: str) -> None:
    table.focus()
    table.cursor = next(i for i, row in enumerate(table.rows) if row["key"] == key)
    await pilot.pause()


async def test_approvals_are_grouped_by_what_they_need_with_countdowns(
    make_app: MakeApp, run: Invoke
) -> None:
    app = make_app("approvals")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, ApprovalsScreen)
        rows = screen.query_one("#approvals", TaskTable).rows
        assert [(row["key"], row["group_label"]) for row in rows] == [
            ("3", "Attention"),  # the data-use agreement: 40 days left
            ("4", "Conditions"),
            ("1", "In force"),
            ("2", ""),
        ]
        assert rows[0]["state_short"] == "approved · 40 days"
        assert rows[1]["state_short"].startswith("conditional · ")
        detail = str(screen.query_one("#approval-detail", Static).content)
        assert "data-use agreement · Data Integration Centre" in detail
        await select(pilot, screen.query_one("#approvals", TaskTable), "4")
        detail = str(screen.query_one("#approval-detail", Static).content)
        assert "approved with conditions not yet all met" in detail
        assert "☑ 1. Inform the ICU nursing staff before the silent run" in detail
        assert "☐ 2. Submit the final data-flow diagram" in detail
        assert "Required by   SEPSIS-3, SEPSIS-31" in detail
    assert approval(run, 4)["status"] == "approved_with_conditions"


async def test_meeting_the_last_condition_approves_and_opens_the_gate(
    make_app: MakeApp, run: Invoke
) -> None:
    app = make_app("approvals")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await select(pilot, app.screen.query_one("#approvals", TaskTable), "4")
        await pilot.press("m")
        await choose(pilot, "2")
        await wait_for(pilot, lambda: isinstance(app.screen, TextDialog))
        app.screen.query_one(Input).value = "Data-flow diagram v3, sent 28 Nov"
        before = app.writes_done
        await pilot.press("enter")
        await after_write(pilot, before)
        assert any("Approval 4 is approved" in text for text in notifications(app))
        rows = app.screen.query_one("#approvals", TaskTable).rows
        assert ("4", "approved") in [(row["key"], row["stored_status"]) for row in rows]
    shown = approval(run, 4)
    assert shown["status"] == "approved"
    assert shown["condition_list"][1]["evidence"] == "Data-flow diagram v3, sent 28 Nov"
    assert run("task", "move", GATED, "in_progress").exit_code == 0


async def test_decide_from_the_screen_records_the_outcome(make_app: MakeApp, run: Invoke) -> None:
    assert run("approval", "add", "dpa", "--body", "Cloud GPU provider").output == "5\n"
    app = make_app("approvals")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        table = app.screen.query_one("#approvals", TaskTable)
        await select(pilot, table, "5")
        await pilot.press("d")  # a draft is not decided: the screen says so
        await wait_for(pilot, lambda: any("is draft" in t for t in notifications(app)))
        await pilot.press("enter")  # the next step of a draft: submit, with its reference
        await wait_for(pilot, lambda: isinstance(app.screen, TextDialog))
        app.screen.query_one(Input).value = "AVV-2026-12"
        before = app.writes_done
        await pilot.press("enter")
        await after_write(pilot, before)
        await select(pilot, app.screen.query_one("#approvals", TaskTable), "5")
        await pilot.press("d")
        await choose(pilot, "approved")
        await wait_for(pilot, lambda: isinstance(app.screen, TextDialog))
        app.screen.query_one(Input).value = "2027-11-30"
        before = app.writes_done
        await pilot.press("enter")
        await after_write(pilot, before)
    shown = approval(run, 5)
    assert (shown["status"], shown["reference"], shown["valid_until"]) == (
        "approved",
        "AVV-2026-12",
        "2027-11-30",
    )


async def test_a_gated_card_shows_a_lock_and_moving_it_is_refused(
    make_app: MakeApp, run: Invoke
) -> None:
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        todo = board.query_one("#cards-todo", CardList)
        card = next(card for card in todo.cards if card["key"] == GATED)
        assert card["gate"] == "ethics #4 conditional"
        free = [card for card in todo.cards if card["key"] != GATED]
        assert all(card["gate"] is None for card in free)
        todo.cursor = todo.index_of(GATED)  # type: ignore[assignment]
        await pilot.pause()
        await pilot.press("shift+right")
        await settled(pilot)
        assert any(
            f"{GATED} cannot move to in_progress: requires approval 4" in text
            and "approved with conditions not yet all met" in text
            for text in notifications(app)
        )
        assert GATED in [card["key"] for card in todo.cards]
    assert json.loads(run("task", "show", GATED, "--format", "json").output)["status"] == "todo"


async def test_forcing_a_gated_card_asks_for_the_reason_and_audits_it(
    make_app: MakeApp, run: Invoke
) -> None:
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        todo = app.screen.query_one("#cards-todo", CardList)
        todo.cursor = todo.index_of(GATED)  # type: ignore[assignment]
        await pilot.pause()
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        commands["Move card past its WIP limit…"].callback()
        await choose(pilot, "in_progress")
        await wait_for(pilot, lambda: isinstance(app.screen, TextDialog))
        app.screen.query_one(Input).value = "Committee chair cleared it by phone"
        before = app.writes_done
        await pilot.press("enter")
        await after_write(pilot, before)
    assert json.loads(run("task", "show", GATED, "--format", "json").output)["status"] == (
        "in_progress"
    )
    log = json.loads(run("log", GATED, "--format", "json").output)
    notes = [entry for entry in log if entry.get("field") == "gate_override"]
    assert notes and "reason: Committee chair cleared it by phone" in json.dumps(notes)
