"""Shared fixtures: every test gets its own real SQLite file under tmp_path.

``PMTOOL_DB`` points at it (through monkeypatch, never os.environ directly), the actor
and the clock are fixed, so output is deterministic.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pmtool.cli import cli
from pmtool.storage.engine import dispose_engines

FROZEN_NOW = "2026-11-27T10:00:00+00:00"


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    db_path = tmp_path / "pmtool.db"
    monkeypatch.setenv("PMTOOL_DB", str(db_path))
    monkeypatch.setenv("PMTOOL_USER", "tester")
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.delenv("PMTOOL_PROJECT", raising=False)
    monkeypatch.delenv("PMTOOL_NOW", raising=False)
    monkeypatch.delenv("PMTOOL_DEBUG", raising=False)
    monkeypatch.setenv("COLUMNS", "120")
    import time

    time.tzset()
    yield db_path
    dispose_engines()


@pytest.fixture
def db_path(isolated_environment: Path) -> Path:
    return isolated_environment


Invoke = Callable[..., Result]


@pytest.fixture
def run() -> Invoke:
    """Run pmtool like a user: ``run("task", "add", "x")`` -> click Result."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def workspace(run: Invoke) -> Invoke:
    """An initialised database with project PM, two members and the default workflow."""
    assert run("init").exit_code == 0
    assert run("project", "add", "PM", "Sepsis early warning").exit_code == 0
    assert run("member", "add", "Lena Vogel", "--role", "data scientist").exit_code == 0
    assert run("member", "add", "Jonas Weber").exit_code == 0
    return run


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: builds and installs the wheel (deselect with -m 'not slow')"
    )
    # Textual's bounded caches keep a few hundred thousand objects alive in a test
    # process, and with the default thresholds the collector rescans them all dozens of
    # times (a quarter of the TUI tests' CPU time). Collect the youngest generation less
    # often, so short-lived objects die by reference counting instead of being promoted.
    # Garbage is still collected, and pytest still collects hard at the end of the session
    # to report any unraisable exception (warnings are errors).
    gc.set_threshold(50_000, 20, 20)
