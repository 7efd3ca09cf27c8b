"""TUI fixtures: the demo workspace at a frozen date, and helpers to drive the app.

The demo is built once per session (``build_demo`` is deterministic for a given day,
seed and time zone) and copied for each test, so every test starts from the same
real SQLite file, with ``PMTOOL_NOW`` and ``TZ`` fixed.
"""

from __future__ import annotations

import asyncio
import inspect
import shutil
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tui_helpers import MakeApp

from pmtool.storage.location import DatabaseLocation, resolve_location
from pmtool.tui.app import PmApp
from pmtool.tui.context import resolve_context


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests in a fresh event loop (Textual's run_test needs one)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**arguments))
    return True


DEMO_DAY = date(2026, 11, 27)
NOW = "2026-11-27T10:00:00+00:00"
ME = "Lena Vogel"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo database, built once, in UTC."""
    from pmtool.services.demo import build_demo
    from pmtool.storage.engine import dispose_engines

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "UTC")
        time.tzset()
        build_demo(resolve_location(str(path)), today=DEMO_DAY)
        dispose_engines()
    time.tzset()
    yield path


@pytest.fixture
def demo(demo_template: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> DatabaseLocation:
    """A fresh copy of the demo at PMTOOL_DB, on 27 Nov 2026 at 10:00 UTC, as Lena Vogel.

    On PostgreSQL (tests marked ``both_backends``) the demo is copied into the test's
    server database with `pmtool db copy`'s machinery.
    """
    monkeypatch.setenv("PMTOOL_NOW", NOW)
    monkeypatch.setenv("PMTOOL_USER", ME)
    location = resolve_location()
    if location.path is None:
        from pmtool.storage.transfer import copy_database

        copy_database(resolve_location(str(demo_template)), location)
        return location
    shutil.copyfile(demo_template, db_path)
    return resolve_location(str(db_path))


@pytest.fixture
def make_app(demo: DatabaseLocation) -> MakeApp:
    """The app on the demo; no polling unless asked, no background import of the write side."""

    def make(start: str = "dashboard", **options: Any) -> PmApp:
        options.setdefault("poll_interval", None)
        options.setdefault("warm_up_delay", None)
        context = resolve_context(demo, options.pop("project", None), None)
        return PmApp(demo, context=context, start=start, **options)

    return make
