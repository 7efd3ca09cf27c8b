"""The app around the screens: navigation, help, palette, projects, errors, the CLI entry."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from textual.widgets import Static
from tui_helpers import Invoke, MakeApp, choose, notifications, settled, wait_for

from pmtool.cli.tui import board, tui
from pmtool.storage.location import DatabaseLocation, resolve_location
from pmtool.tui.app import PmApp
from pmtool.tui.context import resolve_context
from pmtool.tui.places import PLACES as SCREEN_PLACES
from pmtool.tui.screens.backlog import BacklogScreen
from pmtool.tui.screens.board import BoardScreen
from pmtool.tui.screens.dashboard import DashboardScreen
from pmtool.tui.screens.dialogs import ChoiceDialog, HelpScreen
from pmtool.tui.screens.sprints import SprintsScreen
from pmtool.tui.widgets.cards import CardList

SIZE = (120, 40)


async def test_number_keys_and_tabs_switch_screens(make_app: MakeApp) -> None:
    app = make_app("dashboard")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        for key, screen_type in (
            ("2", BoardScreen),
            ("3", BacklogScreen),
            ("4", SprintsScreen),
            ("1", DashboardScreen),
        ):
            await pilot.press(key)
            await wait_for(
                pilot, lambda screen_type=screen_type: isinstance(app.screen, screen_type)
            )
            await settled(pilot)
            assert app.screen.loaded  # type: ignore[attr-defined]
        nav = str(app.screen.query_one("NavBar", Static).content)
        await pilot.click("NavBar", offset=(nav.index("2 Board") + 1, 0))
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen))


async def test_help_lists_the_keys_of_the_screen(make_app: MakeApp) -> None:
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        listed = {description for _key, description, _where in app.screen.bindings_shown}  # type: ignore[attr-defined]
        for wanted in ("Move card left", "Move card right", "Rank card up", "Edit", "New",
                       "Delete", "Switch project", "Undo last change", "Quit"):  # fmt: skip
            assert wanted in listed
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen))


async def test_palette_has_an_entry_for_every_action(make_app: MakeApp) -> None:
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for wanted in ("Go to Backlog", "Go to Sprint board", "Switch project",
                       "Undo last change", "Move card right", "Move card to…", "Open", "Edit",
                       "Delete", "Board of sprint…", "Move card past its WIP limit…"):  # fmt: skip
            assert wanted in titles
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, SprintsScreen))
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Start sprint", "Close sprint", "Next sprint", "View"} <= titles


async def test_palette_command_runs(make_app: MakeApp) -> None:
    app = make_app("dashboard")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        commands["Go to Backlog"].callback()
        await wait_for(pilot, lambda: isinstance(app.screen, BacklogScreen))


async def test_project_switcher(make_app: MakeApp, run: Invoke) -> None:
    assert run("project", "add", "OT", "Operating theatre scheduling").exit_code == 0
    assert run("task", "add", "Collect OR logs", "-p", "OT").exit_code == 0
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("P")
        await choose(pilot, "OT")
        await wait_for(pilot, lambda: app.context is not None and app.context.project_key == "OT")
        await settled(pilot)
        cards = app.screen.query_one("#cards-backlog", CardList).cards
        assert [card["key"] for card in cards] == ["OT-1"]


async def test_several_projects_and_no_default_ask_first(run: Invoke, db_path: Path) -> None:
    assert run("init").exit_code == 0
    for key in ("AA", "BB"):
        assert run("project", "add", key, f"Project {key}").exit_code == 0
    location = resolve_location(str(db_path))
    assert resolve_context(location, None, None) is None
    app = PmApp(location, start="board", poll_interval=None, warm_up_delay=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await choose(pilot, "BB")
        await wait_for(pilot, lambda: app.context is not None)
        await settled(pilot)
        assert app.context is not None and app.context.project_key == "BB"


async def test_errors_in_workers_become_notifications(make_app: MakeApp) -> None:
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        app.open_task("SEPSIS-999")
        await wait_for(pilot, lambda: any("no task SEPSIS-999" in t for t in notifications(app)))
        await pilot.press("escape")
        app.edit_task("SEPSIS-998")
        await wait_for(pilot, lambda: any("SEPSIS-998" in t for t in notifications(app)))
        assert app.is_running


async def test_nav_bar_names_the_project(make_app: MakeApp) -> None:
    app = make_app("backlog")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        nav = str(app.screen.query_one("NavBar", Static).content)
        assert "SEPSIS" in nav and "3 Backlog" in nav


def test_commands_document_themselves() -> None:
    for command in (tui, board):
        assert command.help is not None and "Example:" in command.help


def test_tui_without_a_database_is_one_error_line(run: Invoke) -> None:
    result = run("tui")
    assert result.exit_code == 1
    assert "no pmtool database" in result.output


def test_board_of_an_unknown_sprint_is_refused(demo: object, run: Invoke) -> None:
    result = run("board", "Sprint 99")
    assert result.exit_code == 1
    assert "no sprint 'Sprint 99'" in result.output


def test_bare_pmtool_off_a_terminal_prints_help(demo: object, run: Invoke) -> None:
    result = run()
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_tui_off_a_terminal_is_refused(demo: object, run: Invoke) -> None:
    for command in (["tui"], ["board"], ["board", "Sprint 4"]):
        result = run(*command)
        assert result.exit_code == 2, result.output
        assert result.output.startswith("Error: the TUI needs a terminal")
        assert "\x1b" not in result.output


def test_tui_with_pipes_exits_at_once(demo: DatabaseLocation) -> None:
    """Run like `pmtool tui | less` or from a script: no escape codes, no waiting."""
    for command in ("tui", "board"):
        done = subprocess.run(
            [sys.executable, "-m", "pmtool", "--db", str(demo.file), command],
            stdin=subprocess.PIPE,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("Error: the TUI needs a terminal")
        assert done.stdout == ""
        assert "\x1b" not in done.stderr


# Every screen of tui/places.py (domains add theirs), and the shared places.
PLACES = {"Everywhere", *(place.label for place in SCREEN_PLACES), "Task lists", "Task form",
          "Task details", "Dialogs"}  # fmt: skip
# Each domain's screen (tui/places.py) adds its own place.
PLACES |= {place.label for place in SCREEN_PLACES}


async def test_help_lists_every_key_of_every_screen_by_place(make_app: MakeApp) -> None:
    app = make_app("backlog")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        shown = app.screen.bindings_shown  # type: ignore[attr-defined]
        assert {where for _key, _description, where in shown} == PLACES
        assert shown[0][2] == "Backlog"  # the screen on show comes first
        listed = {(description, where) for _key, description, where in shown}
        for wanted in (("Filter", "Backlog"), ("Move card left", "Board"),
                       ("Start sprint", "Sprints"), ("Next list", "Dashboard"),
                       ("Open", "Task lists"), ("Save", "Task form"), ("Edit", "Task details"),
                       ("Undo last change", "Everywhere"), ("Board", "Everywhere")):  # fmt: skip
            assert wanted in listed
        keys = {description: key for key, description, where in shown if where == "Board"}
        assert keys["Delete"] == "del/x"
        assert keys["Move card left"] == "⇧←/<"


async def test_palette_offers_each_action_once(make_app: MakeApp) -> None:
    app = make_app("dashboard")
    async with app.run_test(size=SIZE) as pilot:
        for key in ("1", "2", "3", "4"):
            await pilot.press(key)
            await settled(pilot)
            titles = [command.title for command in app.get_system_commands(app.screen)]
            assert len(titles) == len(set(titles)), titles
            assert [title for title in titles if "keys" in title.lower()] == ["Keys"]
            assert {"Start sprint", "Close sprint", "Sprint burndown", "Velocity"} <= set(titles)


async def test_sprint_actions_run_from_any_screen(make_app: MakeApp) -> None:
    app = make_app("board")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        commands["Close sprint"].callback()
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        assert isinstance(app.screen_stack[0], SprintsScreen)
        assert app.screen.title_text.startswith("Close Sprint 4")  # type: ignore[attr-defined]
        await pilot.press("escape")
        await pilot.press("1")
        await settled(pilot)
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        commands["Velocity"].callback()
        await wait_for(pilot, lambda: isinstance(app.screen, SprintsScreen))
        await settled(pilot)
        assert app.screen.query_one("#sprint-views").active == "velocity"  # type: ignore[attr-defined]
