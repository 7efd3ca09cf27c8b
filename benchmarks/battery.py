"""The crash battery at scale: kill pmtool at random points many times and count losses.

The tests (tests/test_gateway.py, tests/test_reliability.py) inject a handful of faults
on every run; this script injects hundreds and prints the figures that
docs/reliability.md reports. Not a test: it always exits 0 and prints what it found.

    python benchmarks/battery.py                  # 100 killed imports, 40 killed upgrades
    python benchmarks/battery.py --imports 20 --upgrades 10
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "schema-0001.sql"


def pmtool(db: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pmtool", "--db", str(db), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "PMTOOL_USER": "battery"},
        check=False,
    )


def integrity(db: Path) -> bool:
    connection = sqlite3.connect(db)
    try:
        return connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        connection.close()


def scalar(db: Path, sql: str) -> object:
    connection = sqlite3.connect(db)
    try:
        return connection.execute(sql).fetchone()[0]
    finally:
        connection.close()


def killed_imports(folder: Path, runs: int, generator: random.Random) -> dict[str, int]:
    """kill -9 a 3,000-line `task add -` at a random moment; the batch is all or nothing."""
    db = folder / "imports.db"
    pmtool(db, "init")
    pmtool(db, "project", "add", "PM", "Battery")
    lines = "".join(f"Task {n}\t{n % 8}\n" for n in range(3000))
    started = time.monotonic()
    pmtool(db, "task", "add", "-", stdin=lines)
    whole = time.monotonic() - started
    figures = {"runs": runs, "whole": 0, "absent": 0, "partial": 0, "broken": 0, "audit_off": 0}
    for _ in range(runs):
        before = int(str(scalar(db, "SELECT COUNT(*) FROM task")))
        audit_before = int(str(scalar(db, "SELECT COUNT(*) FROM audit")))
        process = subprocess.Popen(
            [sys.executable, "-m", "pmtool", "--db", str(db), "task", "add", "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PMTOOL_USER": "battery"},
        )
        assert process.stdin is not None
        process.stdin.write(lines.encode())
        process.stdin.close()
        time.sleep(generator.uniform(0.05, whole * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if not integrity(db):
            figures["broken"] += 1
            continue
        added = int(str(scalar(db, "SELECT COUNT(*) FROM task"))) - before
        audit_added = int(str(scalar(db, "SELECT COUNT(*) FROM audit"))) - audit_before
        if added == 0:
            figures["absent"] += 1
            figures["audit_off"] += audit_added != 0
        elif added == 3000:
            figures["whole"] += 1
            figures["audit_off"] += audit_added < 3000
        else:
            figures["partial"] += 1
    check = json.loads(pmtool(db, "db", "check", "--format", "json").stdout)
    figures["db_check_ok"] = int(bool(check["ok"]))
    return figures


def killed_upgrades(folder: Path, runs: int, generator: random.Random) -> dict[str, int]:
    """kill -9 `db upgrade` of a 40,000-task schema-0001 file; old or new, never between."""
    template = folder / "upgrade-template.db"
    connection = sqlite3.connect(template)
    connection.executescript(FIXTURE.read_text())
    with connection:
        connection.executemany(
            "INSERT INTO task (project_id, number, title, type, status, priority, labels, rank,"
            " created_at, updated_at) VALUES (1, ?, ?, 'task', 'backlog', 'medium', '[]', ?,"
            " '2026-11-20 09:00:00.000000', '2026-11-20 09:00:00.000000')",
            [(n, f"Task {n}", float(n)) for n in range(1000, 41_000)],
        )
    connection.close()
    tasks = scalar(template, "SELECT COUNT(*) FROM task")
    timing = folder / "timing.db"
    timing.write_bytes(template.read_bytes())
    started = time.monotonic()
    pmtool(timing, "db", "upgrade")
    whole = time.monotonic() - started
    head = scalar(timing, "SELECT version_num FROM alembic_version")
    figures = {"runs": runs, "old": 0, "new": 0, "between": 0, "broken": 0, "rows_lost": 0,
               "rerun_failed": 0}  # fmt: skip
    for run in range(runs):
        db = folder / f"upgrade-{run}.db"
        db.write_bytes(template.read_bytes())
        process = subprocess.Popen(
            [sys.executable, "-m", "pmtool", "--db", str(db), "db", "upgrade"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(generator.uniform(0.05, whole * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if not integrity(db):
            figures["broken"] += 1
            continue
        revision = scalar(db, "SELECT version_num FROM alembic_version")
        if revision == "0001":
            figures["old"] += 1
        elif revision == head:
            figures["new"] += 1
        else:
            figures["between"] += 1
        figures["rows_lost"] += int(str(tasks)) - int(str(scalar(db, "SELECT COUNT(*) FROM task")))
        if revision != head and pmtool(db, "db", "upgrade").returncode != 0:
            figures["rerun_failed"] += 1
        for leftover in db.parent.glob(f"{db.name}*"):
            leftover.unlink()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--imports", type=int, default=100)
    parser.add_argument("--upgrades", type=int, default=40)
    parser.add_argument("--seed", type=int, default=20261129)
    options = parser.parse_args()
    generator = random.Random(options.seed)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        imports = killed_imports(folder, options.imports, generator)
        print("killed bulk imports:", json.dumps(imports))
        upgrades = killed_upgrades(folder, options.upgrades, generator)
        print("killed upgrades:    ", json.dumps(upgrades))
    lost = imports["partial"] + imports["broken"] + upgrades["broken"] + upgrades["rows_lost"]
    print(f"faults injected: {options.imports + options.upgrades}; data lost: {lost}")


if __name__ == "__main__":
    main()
