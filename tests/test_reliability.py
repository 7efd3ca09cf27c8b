"""The reliability battery: crashes, contention, locks, upgrades and file permissions.

Each test injects a fault or a race into real processes on a real database and asserts
what a user would find afterwards. docs/reliability.md reports the figures.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Invoke
from pmcheck import assert_intact, count, dump, ok, query, refused

from pmtool.storage.schema import HEAD_REVISION

FIXTURES = Path(__file__).parent / "fixtures"


def pmtool(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pmtool", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        env={**os.environ, **env},
        check=False,
    )


# Two processes each add one to a task's points 500 times. "Read then write" is the
# pattern every pmtool command follows: inside the write transaction (the gateway holds
# the lock), and optimistically (read first, write with the version read, retry on a
# conflict), as the TUI's task form does.
INCREMENTER = """
import json, sys, time
from pathlib import Path
from pmtool.core.errors import Conflict
from pmtool.storage.gateway import writing
from pmtool.storage.location import resolve_location
from pmtool.storage.reader import reading

name, times, optimistic, go = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", Path(sys.argv[4])
location = resolve_location()
conflicts = 0
Path(f"{go}-ready-{name}").touch()
while not go.exists():
    time.sleep(0.001)
for _ in range(times):
    while True:
        if optimistic:
            with reading(location) as reader:
                points, version = reader.tuples("SELECT points, version FROM task")[0]
        try:
            with writing(location, actor=name, summary="increment") as gw:
                if not optimistic:
                    points, version = gw.reader.tuples("SELECT points, version FROM task")[0]
                gw.update("task", 1, {"points": points + 1}, version=version, what="PM-1")
            break
        except Conflict:
            conflicts += 1
print(json.dumps({"conflicts": conflicts}))
"""


@pytest.mark.both_backends
@pytest.mark.parametrize(
    "optimistic",
    [
        False,
        # The optimistic race is the same code on both backends (version compare in the
        # UPDATE); on the server it costs 20 s of reconnects, so SQLite alone runs it.
        pytest.param(True, marks=pytest.mark.sqlite_only),
    ],
    ids=["in-transaction", "optimistic"],
)
def test_two_processes_updating_one_task_lose_no_update(
    workspace: Invoke, db_path: Path, tmp_path: Path, optimistic: bool
):
    ok(workspace("task", "add", "Counter", "--points", "0"))
    times = 500
    go = tmp_path / "go"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", INCREMENTER, name, str(times), str(int(optimistic)), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=os.environ.copy(),
        )
        for name in ("alpha", "beta")
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("go-ready-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    outputs = [worker.communicate(timeout=300) for worker in workers]
    for worker, (_stdout, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr
        assert "locked" not in stderr
    assert query(db_path, "SELECT points, version FROM task") == [(2 * times, 2 * times + 1)]
    # Every update is in the audit trail, with its old and new value.
    audit = query(
        db_path, "SELECT old, new FROM audit WHERE entity = 'task' AND field = 'points' ORDER BY id"
    )
    assert audit[1:] == [(str(n), str(n + 1)) for n in range(2 * times)]
    if not optimistic:
        assert all(json.loads(stdout)["conflicts"] == 0 for stdout, _ in outputs)


HOLD_THE_LOCK = """
import sys, time
from pathlib import Path
from pmtool.storage.gateway import writing
from pmtool.storage.location import resolve_location

held = Path(sys.argv[1])
with writing(resolve_location(), actor="holder", summary="hold") as gw:
    gw.note("project", 1, "lock", "held")
    held.touch()
    time.sleep(float(sys.argv[2]))
"""


@pytest.mark.both_backends
def test_a_lock_held_past_the_timeout_is_one_clear_line_and_writes_nothing(
    workspace: Invoke, db_path: Path, tmp_path: Path
):
    held = tmp_path / "held"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(held), "6"],
        stdin=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 30
        while not held.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert held.exists()
        before = dump(db_path)
        started = time.monotonic()
        blocked = pmtool("task", "add", "Waiting", PMTOOL_LOCK_TIMEOUT="1")
        waited = time.monotonic() - started
        assert blocked.returncode == 1, blocked.stderr
        assert blocked.stderr.count("\n") == 1 and blocked.stderr.startswith("Error: ")
        assert "stayed locked by another writer for 1 s; nothing was changed" in blocked.stderr
        assert "Traceback" not in blocked.stderr
        assert 0.9 < waited < 5.5
        assert dump(db_path) == before
    finally:
        holder.kill()
        holder.wait()
    # The holder was killed mid-transaction: its note is not there, and writing works.
    assert count(db_path, "task") == 0
    ok(workspace("task", "add", "After the holder"))


def _database_at(path: Path, fixture: str) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.executescript((FIXTURES / fixture).read_text())
    finally:
        connection.close()
    path.chmod(0o600)


def _row_counts(path: Path) -> dict[str, int]:
    tables = query(
        path,
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'",
    )
    return {name: count(path, name) for (name,) in tables}


def _schema(path: Path) -> dict[str, list[tuple[object, ...]]]:
    tables = query(
        path, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return {
        name: sorted(
            query(path, f"SELECT name, type, \"notnull\", pk FROM pragma_table_info('{name}')")
        )
        for (name,) in tables
    }


# Databases as every released pmtool wrote them (SQL dumps, so a diff shows what they
# hold): a release that changes the schema adds its own before the next migration.
RELEASED_SCHEMAS = {"0001": "schema-0001.sql", "0002": "schema-0002.sql"}


@pytest.mark.parametrize("revision", sorted(RELEASED_SCHEMAS))
def test_a_database_of_every_earlier_schema_upgrades_to_head_with_every_row(
    run: Invoke, db_path: Path, tmp_path: Path, revision: str
):
    _database_at(db_path, RELEASED_SCHEMAS[revision])
    assert query(db_path, "SELECT version_num FROM alembic_version") == [(revision,)]
    before = _row_counts(db_path)
    assert sum(before.values()) > 0
    if revision != HEAD_REVISION:
        refused(run("task", "list"), 1, "run `pmtool db upgrade`")
        assert f"-> {HEAD_REVISION}" in ok(run("db", "upgrade"))
    after = _row_counts(db_path)
    assert {table: after[table] for table in before} == before
    assert query(db_path, "PRAGMA foreign_key_check") == []
    assert_intact(db_path)
    assert json.loads(ok(run("db", "check", "--format", "json")))["ok"] is True
    # The upgraded schema is the one a new database gets (which the models' test pins).
    fresh = tmp_path / "fresh.db"
    ok(run("--db", str(fresh), "init"))
    assert _schema(db_path) == _schema(fresh)
    # And it works: a change and its undo.
    ok(run("project", "add", "NEW", "After the upgrade"))
    ok(run("undo"))


def test_every_released_schema_has_a_fixture():
    from pmtool.storage.schema import KNOWN_REVISIONS

    assert set(RELEASED_SCHEMAS) <= set(KNOWN_REVISIONS)
    for name in RELEASED_SCHEMAS.values():
        assert (FIXTURES / name).is_file()


def test_a_killed_upgrade_leaves_the_old_or_the_new_schema_and_a_rerun_finishes(
    run: Invoke, db_path: Path, tmp_path: Path
):
    oldest = min(RELEASED_SCHEMAS)
    template = tmp_path / "template.db"
    _database_at(template, RELEASED_SCHEMAS[oldest])
    # Enough rows that the upgrade's table rebuilds take a while to kill into.
    connection = sqlite3.connect(template)
    with connection:
        connection.executemany(
            "INSERT INTO task (project_id, number, title, type, status, priority, labels, rank,"
            " created_at, updated_at) VALUES (1, ?, ?, 'task', 'backlog', 'medium', '[]', ?,"
            " '2026-11-20 09:00:00.000000', '2026-11-20 09:00:00.000000')",
            [(n, f"Task {n}", float(n)) for n in range(1000, 41_000)],
        )
    connection.close()
    rows = _row_counts(template)
    started = time.monotonic()
    timing = tmp_path / "timing.db"
    timing.write_bytes(template.read_bytes())
    ok(run("--db", str(timing), "db", "upgrade"))
    duration = time.monotonic() - started
    outcomes: dict[str, int] = {}
    generator = random.Random(20261129)
    for _ in range(8):
        db_path.write_bytes(template.read_bytes())
        db_path.chmod(0o600)
        for side in ("-wal", "-shm"):
            Path(f"{db_path}{side}").unlink(missing_ok=True)
        process = subprocess.Popen(
            [sys.executable, "-m", "pmtool", "db", "upgrade"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=os.environ.copy(),
        )
        time.sleep(generator.uniform(0.1, max(0.2, duration * 1.2)))
        process.send_signal(signal.SIGKILL)
        process.wait()
        revision = query(db_path, "SELECT version_num FROM alembic_version")[0][0]
        assert revision in (oldest, HEAD_REVISION)
        outcomes[revision] = outcomes.get(revision, 0) + 1
        assert_intact(db_path)
        assert {table: count(db_path, table) for table in rows} == rows
        if revision != HEAD_REVISION:
            ok(run("db", "upgrade"))
        assert query(db_path, "SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]
        assert {table: count(db_path, table) for table in rows} == rows
        assert json.loads(ok(run("db", "check", "--format", "json")))["ok"] is True
    assert outcomes.get(oldest, 0) > 0, outcomes  # some kills landed mid-upgrade


UMASK_022 = """
import os, sys
os.umask(0o022)
from pmtool.cli import main
sys.argv = ["pmtool", *sys.argv[1:]]
main()
"""


def test_files_are_private_under_a_common_umask(run: Invoke, db_path: Path, tmp_path: Path):
    def pmtool_022(*args: str) -> None:
        completed = subprocess.run(
            [sys.executable, "-c", UMASK_022, *args],
            capture_output=True,
            text=True,
            env=os.environ.copy(),
            timeout=60,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr

    pmtool_022("init")
    pmtool_022("project", "add", "PM", "Sepsis")
    # Keep a reader open so that the WAL and shared-memory files stay to be looked at.
    reader = sqlite3.connect(db_path)
    try:
        reader.execute("SELECT COUNT(*) FROM project").fetchall()
        pmtool_022("task", "add", "Cohort")
        backup = tmp_path / "backup.db"
        pmtool_022("db", "backup", str(backup))
        demo = tmp_path / "demo.db"
        pmtool_022("demo", "--path", str(demo), "--no-tui")
        for path in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm"), backup, demo):
            assert path.exists(), path
            assert path.stat().st_mode & 0o777 == 0o600, (path, oct(path.stat().st_mode))
    finally:
        reader.close()
