"""Helpers for driving the TUI in tests: wait for workers, writes and repaints."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from click.testing import Result
from textual.pilot import Pilot

from pmtool.tui.app import PmApp

MakeApp = Callable[..., PmApp]
Invoke = Callable[..., Result]


async def wait_for(
    pilot: Pilot[Any], condition: Callable[[], bool], *, timeout: float = 10.0
) -> None:
    """Let the app run until ``condition`` holds (workers finish in their own threads)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the app did not get there in time")
        await pilot.pause(0.01)


def _idle(app: PmApp) -> bool:
    return (
        app.first_paint
        and not app.busy_writing
        and all(worker.is_finished for worker in app.workers)
    )


async def settled(pilot: Pilot[Any]) -> None:
    """Wait until the screen shows its data, nothing is written and no worker runs."""
    app = pilot.app
    assert isinstance(app, PmApp)
    for _ in range(2):  # a finished write schedules a re-read after the next refresh
        await wait_for(pilot, lambda: _idle(app))
        await pilot.pause(0.05)
    await wait_for(pilot, lambda: _idle(app))


async def after_write(pilot: Pilot[Any], writes_before: int) -> None:
    """Wait for one more change to be written and the screens to be re-read."""
    app = pilot.app
    assert isinstance(app, PmApp)
    await wait_for(pilot, lambda: app.writes_done > writes_before)
    await settled(pilot)


def notifications(app: PmApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def choose(pilot: Pilot[Any], option_id: str) -> None:
    """Pick the option ``option_id`` in the choice dialog on screen, as a user would."""
    from textual.widgets import OptionList

    from pmtool.tui.screens.dialogs import ChoiceDialog

    app = pilot.app
    await wait_for(
        pilot, lambda: isinstance(app.screen, ChoiceDialog) and bool(app.screen.query(OptionList))
    )
    options = app.screen.query_one(OptionList)
    options.highlighted = options.get_option_index(option_id)
    await pilot.press("enter")
