"""The sprint board, driven by keys and mouse; every change is read back from the database.

Tests take the keys they act on from the demo's Sprint 4 as the CLI lists it, and set
up the conditions they need (a full column) with the CLI too.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from textual.widgets import Input, Label, Select, Static
from tui_helpers import (
    Invoke,
    MakeApp,
    after_write,
    choose,
    notifications,
    settled,
    wait_for,
)

from pmtool.tui.app import PmApp
from pmtool.tui.screens.board import BoardScreen
from pmtool.tui.screens.dialogs import ChoiceDialog, ConfirmDialog, TaskDetail
from pmtool.tui.screens.editor import TaskEditor
from pmtool.tui.widgets.cards import CardList

SIZE = (120, 40)


def task(run: Invoke, key: str) -> dict[str, Any]:
    result = run("task", "show", key, "--format", "json")
    assert result.exit_code == 0, result.output
    shown: dict[str, Any] = json.loads(result.output)
    return shown


def listed(run: Invoke, *options: str) -> list[str]:
    result = run("task", "list", *options, "--format", "json")
    assert result.exit_code == 0, result.output
    return [row["key"] for row in json.loads(result.output)]


def keys_in(board: BoardScreen, status: str) -> list[str]:
    return [card["key"] for card in board.query_one(f"#cards-{status}", CardList).cards]


def board_of(app: PmApp) -> BoardScreen:
    screen = app.screen_stack[0] if app.screen.is_modal else app.screen
    assert isinstance(screen, BoardScreen)
    return screen


@pytest.mark.both_backends
async def test_board_shows_the_active_sprint_by_status(make_app: MakeApp, run: Invoke) -> None:
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        board = board_of(app)
        assert board.statuses == ["backlog", "todo", "in_progress", "review", "done"]
        for status in board.statuses:
            expected = listed(run, "--sprint", "Sprint 4", "--status", status)
            assert keys_in(board, status) == expected
        assert board.active == next(s for s in board.statuses if keys_in(board, s))
        in_progress = len(listed(run, "--status", "in_progress"))
        title = board.query_one("#title-in_progress").lines  # type: ignore[attr-defined]
        assert title[1] == f"WIP {in_progress}/4"


@pytest.mark.both_backends
async def test_move_card_right_is_a_task_move(make_app: MakeApp, run: Invoke) -> None:
    moving = listed(run, "--sprint", "Sprint 4", "--status", "todo")[0]
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        assert board_of(app).active == "todo"
        before = app.writes_done
        await pilot.press("shift+right")
        await after_write(pilot, before)
        board = board_of(app)
        assert keys_in(board, "in_progress")[-1] == moving
        assert moving not in keys_in(board, "todo")
        assert board.active == "in_progress"
        assert board.query_one("#cards-in_progress", CardList).current_key == moving
    assert task(run, moving)["status"] == "in_progress"
    history = json.loads(run("log", moving, "--format", "json").output)
    assert history[0]["summary"] == f"tui: task move {moving} in_progress"
    assert history[0]["actor"] == "Lena Vogel"


async def test_two_quick_moves_arrive_in_order(make_app: MakeApp, run: Invoke) -> None:
    moving = listed(run, "--sprint", "Sprint 4", "--status", "todo")[0]
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("shift+right", "shift+right")
        await settled(pilot)
        assert keys_in(board_of(app), "review") == [moving]
    assert task(run, moving)["status"] == "review"


@pytest.mark.both_backends
async def test_moving_into_a_full_column_is_refused_with_a_notice(
    make_app: MakeApp, run: Invoke
) -> None:
    in_progress = len(listed(run, "--status", "in_progress"))
    assert run("workflow", "wip", "in_progress", str(in_progress)).exit_code == 0
    moving = listed(run, "--sprint", "Sprint 4", "--status", "todo")[0]
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("shift+right")
        await settled(pilot)
        assert any(f"WIP limit ({in_progress}/{in_progress})" in t for t in notifications(app))
        assert keys_in(board_of(app), "todo")[0] == moving
        assert board_of(app).active == "todo"
    assert task(run, moving)["status"] == "todo"


async def test_force_move_from_the_palette_passes_the_limit(make_app: MakeApp, run: Invoke) -> None:
    in_progress = len(listed(run, "--status", "in_progress"))
    assert run("workflow", "wip", "in_progress", str(in_progress)).exit_code == 0
    moving = listed(run, "--sprint", "Sprint 4", "--status", "todo")[0]
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        commands["Move card past its WIP limit…"].callback()
        before = app.writes_done
        await choose(pilot, "in_progress")
        await after_write(pilot, before)
        assert moving in keys_in(board_of(app), "in_progress")
    assert task(run, moving)["status"] == "in_progress"
    history = json.loads(run("log", moving, "--format", "json").output)
    assert any(entry["field"] == "wip_override" for entry in history)


async def test_rank_card_down_reorders_the_column(make_app: MakeApp, run: Invoke) -> None:
    first, second, *rest = listed(run, "--sprint", "Sprint 4", "--status", "todo")
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        before = app.writes_done
        await pilot.press("shift+down")
        await after_write(pilot, before)
        assert keys_in(board_of(app), "todo") == [second, first, *rest]
        assert board_of(app).query_one("#cards-todo", CardList).current_key == first
    assert listed(run, "--sprint", "Sprint 4", "--status", "todo") == [second, first, *rest]


async def test_open_shows_the_task_and_escape_closes(make_app: MakeApp, run: Invoke) -> None:
    second = listed(run, "--sprint", "Sprint 4", "--status", "todo")[1]
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskDetail))
        detail = app.screen
        assert isinstance(detail, TaskDetail)
        await wait_for(pilot, lambda: detail.task_title != "")
        assert detail.key == second
        assert detail.task_title == task(run, second)["title"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen))


async def test_edit_saves_changed_fields_only(make_app: MakeApp, run: Invoke) -> None:
    editing = listed(run, "--sprint", "Sprint 4", "--status", "todo")[0]
    assignee = task(run, editing)["assignee"]
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskEditor))
        editor = app.screen
        editor.query_one("#title", Input).value = "A better title for the ward"
        editor.query_one("#points", Input).value = "8"
        before = app.writes_done
        await pilot.press("ctrl+s")
        await after_write(pilot, before)
        assert isinstance(app.screen, BoardScreen)
    saved = task(run, editing)
    assert saved["title"] == "A better title for the ward"
    assert saved["points"] == 8
    assert saved["assignee"] == assignee
    history = json.loads(run("log", editing, "--format", "json").output)
    assert history[0]["summary"] == f"tui: task edit {editing} (points, title)"


async def test_editor_shows_problems_next_to_fields_and_escape_saves_nothing(
    make_app: MakeApp, run: Invoke
) -> None:
    editing = listed(run, "--sprint", "Sprint 4", "--status", "todo")[0]
    original = task(run, editing)
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskEditor))
        editor = app.screen
        editor.query_one("#title", Input).value = "   "
        editor.query_one("#points", Input).value = "lots"
        editor.query_one("#due", Input).value = "someday"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor
        errors = {
            name: str(editor.query_one(f"#error-{name}", Label).content)
            for name in ("title", "points", "due")
        }
        assert errors["title"] == "the title cannot be empty"
        assert errors["points"] == "'lots' is not a whole number"
        assert "cannot read 'someday' as a date" in errors["due"]
        assert editor.query_one("#error-title").display
        assert not editor.query_one("#error-labels").display
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen))
        assert app.writes_done == 0
    assert task(run, editing) == original


async def test_new_card_lands_in_the_first_column_and_the_sprint(
    make_app: MakeApp, run: Invoke
) -> None:
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        assert board_of(app).active == "todo"
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskEditor))
        editor = app.screen
        editor.query_one("#title", Input).value = "Check alarm fatigue survey"
        editor.query_one("#labels", Input).value = "clinical, stakeholders"
        editor.query_one("#due", Input).value = "+7d"
        before = app.writes_done
        await pilot.press("ctrl+s")
        await after_write(pilot, before)
        assert not isinstance(app.screen, TaskEditor)
        assert "SEPSIS-35" in keys_in(board_of(app), "backlog")
    created = task(run, "SEPSIS-35")
    assert created["title"] == "Check alarm fatigue survey"
    assert created["status"] == "backlog"
    assert created["sprint"] == "Sprint 4"
    assert created["labels"] == ["clinical", "stakeholders"]
    assert created["due"] == "2026-12-04"


def fill_in_progress(run: Invoke) -> None:
    in_progress = len(listed(run, "--status", "in_progress"))
    assert run("workflow", "wip", "in_progress", str(in_progress)).exit_code == 0


async def test_new_card_on_a_full_column_starts_in_the_first_column(
    make_app: MakeApp, run: Invoke
) -> None:
    fill_in_progress(run)
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("right")
        assert board_of(app).active == "in_progress"
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskEditor))
        assert app.screen.query_one("#status", Select).value == "backlog"


async def test_a_refused_save_keeps_the_form_and_what_was_typed(
    make_app: MakeApp, run: Invoke
) -> None:
    fill_in_progress(run)
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskEditor))
        editor = app.screen
        assert isinstance(editor, TaskEditor)
        editor.query_one("#title", Input).value = "Audit the alarm thresholds"
        editor.query_one("#status", Select).value = "in_progress"
        await pilot.press("ctrl+s")
        refusal = editor.query_one("#save-error", Label)
        await wait_for(pilot, lambda: refusal.display)
        await settled(pilot)
        assert app.screen is editor
        assert "WIP limit" in str(refusal.content)
        assert editor.query_one("#title", Input).value == "Audit the alarm thresholds"
        editor.query_one("#status", Select).value = "todo"
        before = app.writes_done
        await pilot.press("ctrl+s")
        await after_write(pilot, before)
        assert not isinstance(app.screen, TaskEditor)
        assert "SEPSIS-35" in keys_in(board_of(app), "todo")
    assert task(run, "SEPSIS-35")["title"] == "Audit the alarm thresholds"


async def test_delete_asks_first(make_app: MakeApp, run: Invoke) -> None:
    removing = listed(run, "--sprint", "Sprint 4", "--status", "todo")[0]
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("escape")
        await pilot.pause()
        assert app.writes_done == 0
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        before = app.writes_done
        await pilot.press("y")
        await after_write(pilot, before)
        assert removing not in keys_in(board_of(app), "todo")
    assert run("task", "show", removing).exit_code == 1


async def test_edit_of_a_task_changed_underneath_is_a_conflict(
    make_app: MakeApp, run: Invoke
) -> None:
    editing = listed(run, "--sprint", "Sprint 4", "--status", "todo")[0]
    title = task(run, editing)["title"]
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskEditor))
        # Someone else re-estimates the task from the command line meanwhile.
        assert run("task", "edit", editing, "--points", "13").exit_code == 0
        app.screen.query_one("#title", Input).value = "My version of the title"
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert any("was changed by someone else" in text for text in notifications(app))
    kept = task(run, editing)
    assert kept["points"] == 13
    assert kept["title"] == title


async def test_changes_from_another_terminal_appear(make_app: MakeApp, run: Invoke) -> None:
    first, second, *rest = listed(run, "--sprint", "Sprint 4", "--status", "todo")
    app = make_app("board", poll_interval=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        assert run("task", "move", second, "review").exit_code == 0
        await wait_for(pilot, lambda: second in keys_in(board_of(app), "review"))
        assert keys_in(board_of(app), "todo") == [first, *rest]


async def test_undo_reverts_the_last_change(make_app: MakeApp, run: Invoke) -> None:
    moving = listed(run, "--sprint", "Sprint 4", "--status", "todo")[0]
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        before = app.writes_done
        await pilot.press("shift+right")
        await after_write(pilot, before)
        assert task(run, moving)["status"] == "in_progress"
        await pilot.press("ctrl+z")
        await after_write(pilot, before + 1)
        assert moving in keys_in(board_of(app), "todo")
    assert task(run, moving)["status"] == "todo"


async def test_move_to_a_chosen_status(make_app: MakeApp, run: Invoke) -> None:
    moving = listed(run, "--sprint", "Sprint 4", "--status", "todo")[0]
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        before = app.writes_done
        await pilot.press("down", "down", "enter")  # backlog, in_progress, [review], done
        await after_write(pilot, before)
        assert keys_in(board_of(app), "review")[-1] == moving
    assert task(run, moving)["status"] == "review"


async def test_mouse_selects_and_double_click_opens(make_app: MakeApp, run: Invoke) -> None:
    done = listed(run, "--sprint", "Sprint 4", "--status", "done")
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.click("#cards-done", offset=(3, 6))  # the second card
        board = board_of(app)
        assert board.active == "done"
        assert board.query_one("#cards-done", CardList).current_key == done[1]
        await pilot.double_click("#cards-done", offset=(3, 1))
        await wait_for(pilot, lambda: isinstance(app.screen, TaskDetail))
        assert isinstance(app.screen, TaskDetail)
        assert app.screen.key == done[0]


async def test_board_of_another_sprint_and_of_all_open_work(make_app: MakeApp, run: Invoke) -> None:
    sprint_one = set(listed(run, "--sprint", "Sprint 1"))
    unplanned = set(listed(run, "--sprint", "none"))
    app = make_app("board", sprint="Sprint 1")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        board = board_of(app)
        shown = {key for status in board.statuses for key in keys_in(board, status)}
        assert shown == sprint_one
        await pilot.press("v")
        await choose(pilot, "*")
        await settled(pilot)
        shown = {key for status in board.statuses for key in keys_in(board, status)}
        assert unplanned <= shown
        assert not shown & sprint_one  # Sprint 1 is closed: its work is history


async def test_text_with_brackets_is_shown_as_typed(make_app: MakeApp, run: Invoke) -> None:
    """Titles and names are data, not markup: brackets must neither vanish nor crash."""
    title = "Check [red]alarm[/] thresholds [/bold]"
    assert run("task", "add", title, "--sprint", "Sprint 4").exit_code == 0
    assert run("sprint", "edit", "Sprint 4", "--goal", "Goal [with] brackets").exit_code == 0
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        board = board_of(app)
        assert "Goal [with] brackets" in str(board.query_one("#board-title", Static).content)
        await pilot.press("end")
        assert board.query_one("#cards-todo", CardList).current_key == "SEPSIS-35"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskDetail))
        detail = app.screen
        assert isinstance(detail, TaskDetail)
        await wait_for(pilot, lambda: detail.task_title == title)
        assert title in str(detail.query_one("#detail-title", Label).content)
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert app.is_running


SMALL = (80, 24)


def _shown_title(first: str, second: str) -> str:
    """What a card's two title lines say, joined again (hyphen breaks undone)."""
    first, second = first.strip(), second.strip().removesuffix("…")
    if first.endswith("-"):
        return first[:-1] + second
    return f"{first} {second}"


async def test_small_board_cards_show_the_start_of_each_title(make_app: MakeApp) -> None:
    app = make_app("board")
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        checked = 0
        for cards in board_of(app).query(CardList):
            for index, card in enumerate(cards.cards):
                key_line, first, second, _meta = (
                    strip.text for strip in cards._card_strips(index, False)
                )
                assert card["key"] in key_line
                assert not first.rstrip().endswith("…"), (card["title"], first)
                shown = "".join(_shown_title(first, second).split())
                assert "".join(card["title"].split()).startswith(shown), (card["title"], shown)
                checked += 1
        assert checked >= 5


async def test_an_overflowing_column_keeps_key_lines_in_view(
    make_app: MakeApp, run: Invoke
) -> None:
    for number in range(6):
        added = run("task", "add", f"Review cohort slice {number}", "--sprint", "Sprint 4",
                    "--status", "todo")  # fmt: skip
        assert added.exit_code == 0, added.output
    app = make_app("board")
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        board = board_of(app)
        assert board.active == "todo"
        cards = board.query_one("#cards-todo", CardList)
        assert len(cards.cards) * 5 > cards.size.height  # it overflows

        def top_line() -> str:
            """The first line in view with anything on it."""
            lines = (cards.render_line(y).text.strip() for y in range(cards.size.height))
            return next(line for line in lines if line)

        for _ in cards.cards:
            await pilot.press("down")
            await pilot.pause()
            assert top_line().startswith("SEPSIS-"), cards.scroll_y
        for offset in range(1, 10):  # the mouse wheel scrolls by lines
            cards.scroll_to(y=offset, animate=False, immediate=True)
            await pilot.pause()
            assert top_line().startswith("SEPSIS-"), offset


async def test_a_long_project_key_stays_whole_on_a_small_screen(
    make_app: MakeApp, run: Invoke
) -> None:
    name = "Cardiology readmission risk with partner hospitals"
    assert run("project", "add", "CARDIOLOGY", name).exit_code == 0
    added = run("-p", "CARDIOLOGY", "task", "add", "Collect discharge summaries", "--points", "3")
    assert added.exit_code == 0, added.output
    app = make_app("board", project="CARDIOLOGY")
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        nav = str(app.screen.query_one("NavBar", Static).content)
        assert nav.split()[:2] == ["pmtool", "CARDIOLOGY"]
        cards = board_of(app).query_one("#cards-backlog", CardList)
        assert "CARDIOLOGY-1" in cards.render_line(0).text
