"""`pmtool thesis overview` against `pmtool task list --format json` on the same database.

Builds a workspace through the services (clock frozen at --today): 30 theses linked to a
project (each with its 19 milestones and 22 dependencies, some done, every third one
extended), 4 supervision meetings per thesis with an action item each (so tasks), an
ethics vote and a data-use agreement in force, and 300 more tasks. Then it runs both
commands alternately, each in a fresh process, and prints the medians side by side.
The target: the overview within 1.5x the task list.

    python benchmarks/bench_thesis.py [--rounds 30] [--theses 30] [--keep]

A report, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = 1.5


def build(path: Path, theses: int, today: date) -> None:
    from pmtool.core import clock
    from pmtool.services import approvals, projects, resolve, tasks
    from pmtool.services import thesis as thesis_service
    from pmtool.storage.gateway import writing
    from pmtool.storage.location import resolve_location
    from pmtool.storage.migrate import initialise

    location = resolve_location(str(path))
    initialise(location)
    moment = datetime.combine(today - timedelta(days=200), datetime.min.time(), tzinfo=UTC)
    with clock.frozen(moment), writing(location, actor="bench", summary="setup") as gw:
        project = projects.add_project(gw, "MT", "Master theses")
        projects.use_project(gw, "MT")
        for number in range(300):
            tasks.add_task(gw, project, f"Task {number}", points=number % 8 or None)
        for kind in ("ethics", "dua"):
            created = approvals.add_approval(gw, project, kind, body="Board", title=kind)
            draft = resolve.approval(gw.reader, created["id"])
            approvals.submit(gw, draft, reference=f"REF-{kind}", on=moment.date())
            submitted = resolve.approval(gw.reader, created["id"])
            approvals.decide(gw, submitted, "approved", on=moment.date())
    with clock.frozen(datetime.combine(today, datetime.min.time(), tzinfo=UTC)):
        for number in range(theses):
            start = today - timedelta(weeks=number % 20) + timedelta(weeks=2)
            with writing(location, actor="bench", summary=f"thesis {number}") as gw:
                project_id = resolve.project(gw.reader, "MT")["id"]
                record = thesis_service.add_thesis(
                    gw,
                    f"Student {number:02d}",
                    f"Thesis number {number}",
                    start,
                    project_id=project_id,
                    first_examiner=f"Examiner {number % 4}",
                )
                row = resolve.thesis(gw.reader, str(record["id"]))
                for position in range(1, 1 + number % 9):
                    milestone = resolve.thesis_milestone(gw.reader, row, str(position))
                    thesis_service.complete_milestone(gw, row, milestone, on=today)
                for meeting in range(4):
                    thesis_service.add_meeting(
                        gw,
                        row,
                        today - timedelta(days=7 + 21 * meeting),
                        attendees=[f"Student {number:02d}", f"Examiner {number % 4}"],
                        notes="Progress",
                        actions=[(f"Action {meeting} of thesis {number}", None)],
                    )
                if number % 3 == 0:
                    fresh = resolve.thesis(gw.reader, str(record["id"]))
                    thesis_service.extend(gw, fresh, 2, "illness")


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--theses", type=int, default=30)
    parser.add_argument("--today", default="2027-01-15")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    options = parser.parse_args()
    today = date.fromisoformat(options.today)
    folder = Path(tempfile.mkdtemp(prefix="pmtool-bench-thesis-"))
    path = folder / "bench.db"
    started = time.perf_counter()
    build(path, options.theses, today)
    print(f"Built {options.theses} theses in {time.perf_counter() - started:.1f} s: {path}")
    env = {
        **os.environ,
        "PMTOOL_DB": str(path),
        "PMTOOL_NOW": f"{options.today}T10:00:00+00:00",
        "PYTHONPATH": str(ROOT),
        "COLUMNS": "80",
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode cached after warm-up
    commands = {
        "task list --format json": [sys.executable, "-m", "pmtool", "task", "list", "--format",
                                    "json"],
        "thesis overview": [sys.executable, "-m", "pmtool", "thesis", "overview"],
        "thesis overview --format json": [sys.executable, "-m", "pmtool", "thesis", "overview",
                                          "--format", "json"],
    }  # fmt: skip
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for argv in commands.values():  # warm the file cache and the bytecode
        run_once(argv, env)
    for _ in range(options.rounds):
        for name, argv in commands.items():
            times[name].append(run_once(argv, env))
    base_wall = statistics.median(wall for wall, _ in times["task list --format json"])
    base_cpu = statistics.median(cpu for _, cpu in times["task list --format json"])
    print(f"{'command':<32} {'wall median':>12} {'CPU median':>11} {'ratio':>6}")
    for name, samples in times.items():
        wall = statistics.median(w for w, _ in samples)
        cpu = statistics.median(c for _, c in samples)
        print(f"{name:<32} {wall * 1000:9.1f} ms {cpu * 1000:8.1f} ms {wall / base_wall:6.2f}")
    worst = max(
        statistics.median(w for w, _ in samples) / base_wall
        for name, samples in times.items()
        if name.startswith("thesis")
    )
    verdict = "met" if worst <= TARGET else "MISSED"
    print(f"Target: thesis overview within {TARGET}x task list --format json: {verdict} "
          f"({worst:.2f}x; CPU of the task list {base_cpu * 1000:.1f} ms)")  # fmt: skip
    if not options.keep:
        path.unlink()
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
