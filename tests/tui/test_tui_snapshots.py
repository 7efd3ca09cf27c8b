"""SVG snapshots of the main screens on the demo, 27 Nov 2026, as Lena Vogel.

Regenerate after a deliberate change of the look (and look at them first):
    pytest tests/tui/test_tui_snapshots.py --snapshot-update
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input
from tui_helpers import MakeApp, settled, wait_for

from pmtool.tui.screens.editor import TaskEditor

SnapCompare = Callable[..., bool]


async def loaded(pilot: Pilot[Any]) -> None:
    await settled(pilot)


def test_dashboard(make_app: MakeApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(make_app("dashboard"), terminal_size=(100, 32), run_before=loaded)


def test_dashboard_small(make_app: MakeApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(make_app("dashboard"), terminal_size=(80, 24), run_before=loaded)


def test_board(make_app: MakeApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(make_app("board"), terminal_size=(100, 32), run_before=loaded)


def test_board_small(make_app: MakeApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(make_app("board"), terminal_size=(80, 24), run_before=loaded)


def test_backlog(make_app: MakeApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(make_app("backlog"), terminal_size=(100, 32), run_before=loaded)


def test_sprint_plan(make_app: MakeApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(make_app("sprints"), terminal_size=(100, 32), run_before=loaded)


def test_editor(make_app: MakeApp, snap_compare: SnapCompare) -> None:
    async def open_editor(pilot: Pilot[Any]) -> None:
        await settled(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TaskEditor))
        await pilot.pause()
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor would make the picture random

    assert snap_compare(make_app("board"), terminal_size=(100, 32), run_before=open_editor)


def test_theses(make_app: MakeApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(make_app("theses"), terminal_size=(100, 32), run_before=loaded)


def test_every_snapshot_belongs_to_a_test() -> None:
    """An SVG no test compares against is stale. syrupy fails the run on one only when
    the tests run in a single process; under pytest-xdist this test keeps the check."""
    here = Path(__file__)
    tests = {name for name in globals() if name.startswith("test_")}
    pictures = (here.parent / "__snapshots__" / here.stem).glob("*.svg")
    unused = sorted(picture.name for picture in pictures if picture.stem.split("[")[0] not in tests)
    assert not unused, f"snapshots without a test (delete them): {unused}"


def test_approvals(make_app: MakeApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(make_app("approvals"), terminal_size=(100, 32), run_before=loaded)
