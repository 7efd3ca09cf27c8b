"""Every key, for the help screen, and every action, for the command palette.

The help lists the keys of every screen and dialog by the place they work in (Board,
Backlog, ...), the screen on show first. The palette offers each action once, and
the sprint actions from every screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen

from pmtool.tui.places import PLACES
from pmtool.tui.screens.base import DataScreen

if TYPE_CHECKING:
    from pmtool.tui.screens.sprints import SprintsScreen

EVERYWHERE = "Everywhere"
SCREEN_PLACES = {place.mode: place.label for place in PLACES}

# Keys that only move the cursor or the focus: in the help, not in the palette.
_MOVEMENT = {
    "card", "card_at", "column", "cursor", "cursor_to", "page", "focus_list", "leave_input",
    "app.focus_next", "app.focus_previous", "screen.copy_text",
}  # fmt: skip
# Textual's own "Keys" panel names widget classes; the help screen replaces it.
_REPLACED_SYSTEM_COMMANDS = {"Keys"}


def _places() -> list[tuple[str, list[BindingType]]]:
    """(place, its bindings) for every screen, dialog and shared widget."""
    from pmtool.tui.screens.dialogs import ChoiceDialog, ConfirmDialog, TaskDetail
    from pmtool.tui.screens.editor import TaskEditor
    from pmtool.tui.widgets.table import TaskTable

    screens = [(place.label, list(getattr(place.load(), "BINDINGS", []))) for place in PLACES]
    return [
        *screens,
        ("Task lists", TaskTable.BINDINGS),
        ("Task form", TaskEditor.BINDINGS),
        ("Task details", TaskDetail.BINDINGS),
        ("Dialogs", [*ConfirmDialog.BINDINGS, *ChoiceDialog.BINDINGS]),
    ]


def _key_display(app: App[Any], binding: Binding) -> str:
    """All the keys of a binding: ``del/x`` for ``delete,x`` shown as ``del``."""
    shown: list[str] = []
    for index, key in enumerate(binding.key.split(",")):
        single = replace(binding, key=key.strip(), key_display=None)
        if index == 0 and binding.key_display:
            single = replace(single, key_display=binding.key_display)
        display = app.get_key_display(single)
        if display not in shown:
            shown.append(display)
    return "/".join(shown)


def _rows(
    app: App[Any], place: str, bindings: Iterable[BindingType]
) -> Iterator[tuple[str, str, str]]:
    seen: set[str] = set()
    for binding in bindings:
        if isinstance(binding, Binding) and binding.description and binding.key not in seen:
            seen.add(binding.key)
            yield _key_display(app, binding), binding.description, place


def every_key(app: App[Any], current_mode: str) -> list[tuple[str, str, str]]:
    """(keys, what they do, where) for every key of the app, the current screen first."""
    places = _places()
    current = SCREEN_PLACES.get(current_mode)
    ordered = [entry for entry in places if entry[0] == current]
    ordered.append((EVERYWHERE, list(type(app).BINDINGS)))
    ordered += [entry for entry in places if entry[0] != current]
    rows = [row for place, bindings in ordered for row in _rows(app, place, bindings)]
    rows.append(("ctrl+p", "Command palette: every action by name", EVERYWHERE))
    return rows


def _sprint_commands(app: App[Any], go: Callable[[str], object]) -> Iterator[SystemCommand]:
    """The sprint actions, which run on the Sprints screen once it shows its data."""

    def on_sprints(run: Callable[[SprintsScreen], object]) -> None:
        from pmtool.tui.screens.sprints import SprintsScreen

        go("sprints")
        screen = app.screen
        if isinstance(screen, SprintsScreen):
            screen.when_loaded(partial(run, screen))

    for title, help_text, run in (
        ("Start sprint", "Start the planned sprint (Sprints screen, S)", _start),
        ("Close sprint", "Close the active sprint (Sprints screen, C)", _close),
        ("Sprint burndown", "The burndown of the sprint (Sprints screen, v)", _burndown),
        ("Velocity", "Committed and completed points per sprint (Sprints, v)", _velocity),
    ):
        yield SystemCommand(title, help_text, partial(on_sprints, run))


def _start(screen: SprintsScreen) -> None:
    screen.action_start_sprint()


def _close(screen: SprintsScreen) -> None:
    screen.action_close_sprint()


def _burndown(screen: SprintsScreen) -> None:
    screen.action_show_view("burndown")


def _velocity(screen: SprintsScreen) -> None:
    screen.action_show_view("velocity")


def palette_commands(
    app: App[Any],
    screen: Screen[Any],
    system: Iterable[SystemCommand],
    shell: Iterable[SystemCommand],
    go: Callable[[str], object],
) -> Iterator[SystemCommand]:
    """Each action once: Textual's own, the app's, the screen's keys, the sprint actions."""
    titles: set[str] = set()
    actions: set[tuple[DOMNode, str]] = set()

    def new(command: SystemCommand) -> bool:
        if command.title in titles:
            return False
        titles.add(command.title)
        return True

    for command in system:
        if command.title not in _REPLACED_SYSTEM_COMMANDS and new(command):
            yield command
    for command in shell:
        if new(command):
            yield command
    for active in screen.active_bindings.values():
        binding, node = active.binding, active.node
        name = binding.action.split("(")[0]
        if (
            not binding.description
            or isinstance(node, App)  # the app's keys are in ``shell``
            or name in _MOVEMENT
            or (node, binding.action) in actions
        ):
            continue
        actions.add((node, binding.action))
        command = SystemCommand(
            binding.description,
            f"key: {_key_display(app, binding)}",
            partial(app.run_action, binding.action, node),
        )
        if new(command):
            yield command
    if isinstance(screen, DataScreen):
        for title, help_text, callback in screen.commands():
            command = SystemCommand(title, help_text, callback)
            if new(command):
                yield command
    for command in _sprint_commands(app, go):
        if new(command):
            yield command
