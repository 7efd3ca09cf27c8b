"""Several real processes writing one SQLite file at the same time.

Writers take the lock up front (BEGIN IMMEDIATE) and wait on busy_timeout, so none
fails with "database is locked" and task numbers never collide.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import Invoke
from pmcheck import assert_intact, ok, query

pytestmark = pytest.mark.both_backends

REPO = Path(__file__).resolve().parent.parent


def pmtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pmtool", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        env=os.environ.copy(),
        check=False,
    )


def check_tasks(db_path: Path, expected_titles: set[str]) -> None:
    rows = query(db_path, "SELECT number, title FROM task ORDER BY number")
    assert [number for number, _ in rows] == list(range(1, len(expected_titles) + 1))
    assert {title for _, title in rows} == expected_titles
    assert query(db_path, "SELECT next_task_number FROM project") == [(len(expected_titles) + 1,)]
    # One command per task add, each with its audit rows.
    per_command = query(
        db_path,
        "SELECT c.summary, COUNT(a.id) FROM command c JOIN audit a ON a.command_id = c.id "
        "WHERE c.summary LIKE 'task add %' GROUP BY c.id",
    )
    assert len(per_command) == len(expected_titles)
    assert all(changes > 0 for _, changes in per_command)
    assert_intact(db_path)


def test_two_processes_adding_tasks_at_once(workspace: Invoke, db_path: Path):
    per_writer = 8

    def writer(name: str) -> list[subprocess.CompletedProcess[str]]:
        return [pmtool("task", "add", f"{name} {number}") for number in range(per_writer)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [r for batch in pool.map(writer, ("alpha", "beta")) for r in batch]
    for result in results:
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        assert result.stdout.startswith("PM-")
    keys = [result.stdout.strip() for result in results]
    assert sorted(keys, key=lambda key: int(key[3:])) == [f"PM-{n}" for n in range(1, 17)]
    check_tasks(db_path, {f"{name} {n}" for name in ("alpha", "beta") for n in range(per_writer)})


WORKER = """
import json, os, sys, time
from pathlib import Path
from click.exceptions import ClickException
from pmtool.cli import cli

import pmtool.cli.tasks, pmtool.storage.gateway, pmtool.services.tasks  # imports done first

name, count, go = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
go.with_name(f"ready-{name}").touch()
while not go.exists():
    time.sleep(0.002)
failures = []
started = time.time()
for number in range(count):
    args = ["task", "add", f"{name} {number}"] if name != "reader" else [
        "task", "list", "--format", "json"]
    try:
        cli.main(args=args, prog_name="pmtool", standalone_mode=False)
    except ClickException as error:
        failures.append(error.format_message())
    except Exception as error:
        failures.append(f"{type(error).__name__}: {error}")
print(json.dumps({"failures": failures, "start": started, "end": time.time()}), file=sys.stderr)
sys.exit(1 if failures else 0)
"""


def test_sustained_contention_between_writers_and_a_reader(
    workspace: Invoke, db_path: Path, tmp_path: Path
):
    count = 40
    go = tmp_path / "go"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, name, str(count), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=os.environ.copy(),
        )
        for name in ("alpha", "beta", "reader")
    ]
    # Start them together, once every worker has done its imports.
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < len(workers) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    outcomes = [worker.communicate(timeout=120) for worker in workers]
    reports = []
    for worker, (_, stderr) in zip(workers, outcomes, strict=True):
        reports.append(json.loads(stderr.strip().splitlines()[-1]))
        assert reports[-1]["failures"] == [], reports[-1]["failures"]
        assert "locked" not in stderr
        assert worker.returncode == 0
    alpha_keys = outcomes[0][0].split()
    beta_keys = outcomes[1][0].split()
    assert len(set(alpha_keys) | set(beta_keys)) == 2 * count
    # The reader saw only whole commands: every list was valid JSON with distinct keys.
    reader_output = outcomes[2][0]
    assert reader_output.count("[") >= count
    check_tasks(db_path, {f"{name} {n}" for name in ("alpha", "beta") for n in range(count)})
    # The writers really ran at the same time (one often waits on the lock throughout).
    alpha, beta = reports[0], reports[1]
    assert alpha["start"] < beta["end"] and beta["start"] < alpha["end"]
    listed = json.loads(ok(workspace("task", "list", "--format", "json")))
    assert len(listed) == 2 * count


def test_repo_is_importable_from_subprocesses():
    """The subprocess tests run the working tree's pmtool, not some other install."""
    completed = subprocess.run(
        [sys.executable, "-c", "import pmtool, pathlib; print(pathlib.Path(pmtool.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(completed.stdout.strip()).parent.parent == REPO
