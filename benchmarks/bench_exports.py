"""Time `pmtool export tasks` against the sqlite3 command-line tool's CSV dump.

Side by side, round after round (so all see the same machine load): the sqlite3 CLI's
`-csv -header` dump of the task table, `pmtool export tasks --format csv` and
`--format json` of all tasks, each written to /dev/null. Reports the median wall time of
each, pmtool's ratio to the sqlite3 CLI, the same for CPU time (user + system: steadier
on a loaded machine, where wall time includes waiting for a core), and the peak memory
(max RSS) of each run (``os.wait4`` gives both per process). Targets (issue 13): CSV
within 3x and JSON within 4x of the sqlite3 CLI, peak memory under 80 MiB.

Example:
    python benchmarks/seed.py --tasks 100000 --db /tmp/exports.db
    python benchmarks/bench_exports.py --db /tmp/exports.db --rounds 9
    python benchmarks/bench_exports.py --tasks 100000      # seeds a temporary database

Like the other benchmarks it reports and always exits 0.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"csv": 3.0, "json": 4.0}
MEMORY_TARGET_MIB = 80


def _run(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak MiB) of one run with stdout to /dev/null."""
    with open(os.devnull, "wb") as sink:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"{' '.join(command)} failed: {error}")
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a database made by benchmarks/seed.py")
    parser.add_argument("--tasks", type=int, default=100_000, help="tasks to seed without --db")
    parser.add_argument("--rounds", type=int, default=7, help="rounds (default 7)")
    args = parser.parse_args()
    sqlite3 = shutil.which("sqlite3")
    if sqlite3 is None:
        print("the sqlite3 command-line tool is missing: apt install sqlite3")
        return 0
    temporary = None
    database = args.db
    if database is None:
        temporary = tempfile.mkdtemp(prefix="pmtool-bench-exports-")
        database = Path(temporary) / "exports.db"
        print(f"Seeding {args.tasks:,} tasks into {database} ...", flush=True)
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "seed.py"), "--tasks", str(args.tasks),
             "--db", str(database)],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    env = {**os.environ, "PMTOOL_DB": str(database), "PYTHONPATH": str(ROOT)}
    commands = {
        "sqlite3 -csv": [sqlite3, "-csv", "-header", str(database), "SELECT * FROM task"],
        "csv": [sys.executable, "-m", "pmtool", "export", "tasks", "--all", "--format", "csv"],
        "json": [sys.executable, "-m", "pmtool", "export", "tasks", "--all", "--format", "json"],
    }
    for command in commands.values():  # warm the page cache and the .pyc files
        _run(command, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu_times: dict[str, list[float]] = {name: [] for name in commands}
    memory: dict[str, float] = {name: 0.0 for name in commands}
    for _ in range(args.rounds):
        for name, command in commands.items():
            seconds, cpu, peak = _run(command, env)
            times[name].append(seconds)
            cpu_times[name].append(cpu)
            memory[name] = max(memory[name], peak)
    rows = sqlite_rows(sqlite3, database)
    baseline = statistics.median(times["sqlite3 -csv"])
    cpu_baseline = statistics.median(cpu_times["sqlite3 -csv"])
    print(f"\n{rows:,} tasks, {args.rounds} rounds, medians (load: {os.getloadavg()[0]:.2f})")
    print(f"{'':30}{'median':>9}{'ratio':>8}{'target':>13}{'CPU':>9}{'ratio':>8}{'peak MiB':>10}")
    for name in commands:
        median = statistics.median(times[name])
        ratio = median / baseline
        target = TARGETS.get(name)
        verdict = "" if target is None else f"{'ok' if ratio <= target else 'MISSED'} <={target:g}x"
        label = name if name.startswith("sqlite3") else f"pmtool export --format {name}"
        cpu = statistics.median(cpu_times[name])
        print(
            f"{label:30}{median:8.3f}s{ratio:7.2f}x{verdict:>13}{cpu:8.3f}s"
            f"{cpu / cpu_baseline:7.2f}x{memory[name]:10.1f}"
        )
    over = [name for name in ("csv", "json") if memory[name] >= MEMORY_TARGET_MIB]
    verdict = "MISSED by " + ", ".join(over) if over else "ok"
    print(f"peak memory under {MEMORY_TARGET_MIB} MiB: {verdict}")
    if temporary:
        shutil.rmtree(temporary, ignore_errors=True)
    return 0


def sqlite_rows(sqlite3: str, database: Path) -> int:
    found = subprocess.run(
        [sqlite3, str(database), "SELECT COUNT(*) FROM task WHERE deleted_at IS NULL"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(found.stdout.strip())


if __name__ == "__main__":
    sys.exit(main())
