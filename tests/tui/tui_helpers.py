"""Helpers for driving the TUI in tests: wait for workers, writes and repaints."""

from __future__ import annotations

import asyncio
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


async def after_refresh(app: PmApp, timeout: float = 1.0) -> bool:
    """Wait for the next refresh and the callbacks queued before it; False if none came.

    (``App.wait_for_refresh`` needs the app in a task of its own, which snapshot tests
    do not have. A callback queued on a screen that is just being replaced may never
    run: the caller then simply tries again.)
    """
    refreshed = asyncio.Event()
    app.call_after_refresh(refreshed.set)
    try:
        await asyncio.wait_for(refreshed.wait(), timeout=timeout)
    except TimeoutError:
        return False
    return True


def _idle(app: PmApp) -> bool:
    return (
        app.first_paint
        and not app.busy_writing
        and all(worker.is_finished for worker in app.workers)
    )


async def settled(pilot: Pilot[Any], *, timeout: float = 10.0) -> None:
    """Wait until the screen shows its data, nothing is written and no worker runs.

    A finished write schedules a re-read after the next refresh, and a finished read posts
    its rows as a message: so the app must stay idle through one more refresh, with every
    message handled and nothing new started, before the screen counts as settled.
    """
    app = pilot.app
    assert isinstance(app, PmApp)
    deadline = time.monotonic() + timeout
    while True:
        await wait_for(pilot, lambda: _idle(app), timeout=max(deadline - time.monotonic(), 0))
        generation = app.generation
        refreshed = await after_refresh(app)
        await pilot.pause()  # every widget has handled what was posted to it
        if refreshed and _idle(app) and app.generation == generation:
            return
        if time.monotonic() > deadline:
            raise AssertionError("the app did not settle in time")


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
