"""Shared fixtures: every test gets its own real database.

By default that is a SQLite file under tmp_path. Tests marked ``both_backends`` run
twice, the second time on a fresh PostgreSQL database (see ``backends.py``).
``PMTOOL_DB`` points at it (through monkeypatch, never os.environ directly), the actor
and the clock are fixed, so output is deterministic.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import pmcheck
import pytest
from backends import BACKENDS, drop_templates, fresh_postgres_database
from click.testing import CliRunner, Result

from pmtool.cli import cli
from pmtool.storage.engine import dispose_engines

FROZEN_NOW = "2026-11-27T10:00:00+00:00"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marked = metafunc.definition.get_closest_marker("both_backends")
    if marked and not metafunc.definition.get_closest_marker("sqlite_only"):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A case marked ``sqlite_only`` by its parameters runs on SQLite alone."""
    dropped = [
        item
        for item in items
        if getattr(getattr(item, "callspec", None), "params", {}).get("backend") == "postgresql"
        and item.get_closest_marker("sqlite_only")
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """Which database the test runs on: "sqlite" unless marked ``both_backends``."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session", autouse=True)
def postgres_templates() -> Iterator[None]:
    yield
    drop_templates()


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str
) -> Iterator[Path]:
    db_path = tmp_path / "pmtool.db"
    if backend == "postgresql":
        # A migrated, empty database of its own; `init` finds it ready.
        with fresh_postgres_database() as url:
            monkeypatch.setenv("PMTOOL_DB", url)
            pmcheck.use_server(url)
            try:
                yield from _the_rest_of_the_environment(db_path, monkeypatch)
            finally:
                pmcheck.use_server(None)
        return
    monkeypatch.setenv("PMTOOL_DB", str(db_path))
    yield from _the_rest_of_the_environment(db_path, monkeypatch)


def _the_rest_of_the_environment(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
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
    config.addinivalue_line(
        "markers", "both_backends: run on SQLite and on PostgreSQL (PMTOOL_TEST_POSTGRES)"
    )
    config.addinivalue_line(
        "markers", "sqlite_only: SQLite files only, in a module marked both_backends"
    )
    # Textual's bounded caches keep a few hundred thousand objects alive in a test
    # process, and with the default thresholds the collector rescans them all dozens of
    # times (a quarter of the TUI tests' CPU time). Collect the youngest generation less
    # often, so short-lived objects die by reference counting instead of being promoted.
    # Garbage is still collected, and pytest still collects hard at the end of the session
    # to report any unraisable exception (warnings are errors).
    gc.set_threshold(50_000, 20, 20)
