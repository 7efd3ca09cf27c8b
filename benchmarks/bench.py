"""pmtool against Taskwarrior and against its own import floor: whole-process timings.

Seeds a fresh 5,000-task database (benchmarks/seed.py, with a 200-task sprint that has
about 2,000 burndown events), loads the same tasks into a private Taskwarrior
(TASKDATA/TASKRC in a temporary folder; no hooks, no confirmation, verbose=nothing),
then times whole processes. The commands compared with each other run alternately in
one loop (A B, B A, ...), so drift on a busy machine hits both alike; every number is
the median of that loop.

Reads: the JSON list of all tasks and one sprint's table against `task export` and
`task next`. Writes: `task add`, `task move`, `undo` against a Python process that
imports click, sqlite3 and json and ends with os._exit (pmtool ends that way too), and
beside Taskwarrior's `task add`, `task N start`, `task undo`. A batch of 1,000 tasks on
stdin (`pmtool task add -`). Memory: the peak RSS of the JSON list of ~50,000 tasks
(the seeded tasks copied ten times). The burndown is timed inside one Python process
(imports excluded). The final table says PASS or FAIL per target; the exit code is
always 0: this is a report, not a test.

Example:
    python benchmarks/bench.py            # ~4 minutes on 2 cores
    python benchmarks/bench.py --quick    # fewer runs, ~1.5 minutes
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BATCH_TASKS = 1_000
PRIORITY_TO_TASKWARRIOR = {"critical": "H", "high": "H", "medium": "M", "low": "L"}


@dataclass
class Command:
    """One command line to time, with the environment it needs."""

    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    times: list[float] = field(default_factory=list)
    cpu_times: list[float] = field(default_factory=list)  # user + system of the child
    output_lines: int = 0
    last_cpu: float = 0.0
    # Argument lists used in turn, one per run (e.g. a task moved back and forth).
    alternatives: list[list[str]] = field(default_factory=list)
    # Run untimed just before every timed run (e.g. the move an undo then reverts).
    before: Command | None = None
    stdin: Path | None = None  # a file fed to stdin
    runs: int = 0

    def next_argv(self) -> list[str]:
        if not self.alternatives:
            return self.argv
        chosen = self.alternatives[self.runs % len(self.alternatives)]
        self.runs += 1
        return chosen

    def shown(self) -> str:
        settings = " ".join(f"{key}={shlex.quote(value)}" for key, value in self.env.items())
        lines = " | ".join(shlex.join(argv) for argv in self.alternatives or [self.argv])
        if self.stdin:
            lines += f" < {self.stdin.name}"
        if self.before is not None:
            lines += f"  (each run right after: {shlex.join(self.before.next_argv_preview())})"
        return f"{settings} {lines}".strip()

    def next_argv_preview(self) -> list[str]:
        return self.alternatives[0] if self.alternatives else self.argv

    def run(self) -> float:
        if self.before is not None:
            self.before.run()
        argv = self.next_argv()
        environment = {**os.environ, **self.env}
        stdin = self.stdin.open("rb") if self.stdin else subprocess.DEVNULL
        try:
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            began = time.perf_counter()
            done = subprocess.run(
                argv,
                env=environment,
                stdin=stdin,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            elapsed = time.perf_counter() - began
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
        finally:
            if self.stdin:
                stdin.close()  # type: ignore[union-attr]
        self.last_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
        if done.returncode != 0:
            raise SystemExit(
                f"{shlex.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-500:]}"
            )
        return elapsed

    def count_output(self) -> None:
        if self.before is not None:
            self.before.run()
        stdin = self.stdin.open("rb") if self.stdin else subprocess.DEVNULL
        try:
            done = subprocess.run(
                self.next_argv(),
                env={**os.environ, **self.env},
                stdin=stdin,
                capture_output=True,
                check=True,
            )
        finally:
            if self.stdin:
                stdin.close()  # type: ignore[union-attr]
        self.output_lines = len(done.stdout.decode().splitlines())

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times) * 1000

    @property
    def cpu_median_ms(self) -> float:
        return statistics.median(self.cpu_times) * 1000

    def spread(self) -> str:
        quartiles = statistics.quantiles(self.times, n=4) if len(self.times) > 1 else self.times
        low, high = quartiles[0] * 1000, quartiles[-1] * 1000
        return (
            f"median {self.median_ms:7.1f} ms  (IQR {low:.1f}-{high:.1f}, n={len(self.times)}); "
            f"CPU (user+sys) median {self.cpu_median_ms:.1f} ms"
        )


@dataclass
class Result:
    metric: str
    ours: float | None
    peer: float | None
    target: str
    limit: float | None  # ratio limit, or ms limit when peer is None
    unit: str = "ms"
    cpu_ratio: float | None = None  # the same ratio in CPU time (steadier under load)

    @property
    def ratio(self) -> float | None:
        if self.ours is None or self.peer is None or self.peer == 0:
            return None
        return self.ours / self.peer

    @property
    def verdict(self) -> str:
        if self.limit is None:
            return "info"
        value = self.ratio if self.peer is not None else self.ours
        if value is None:
            return "n/a"
        verdict = "PASS" if value <= self.limit else "FAIL"
        if self.cpu_ratio is not None:
            # On a loaded machine wall time and CPU time can disagree: say so.
            by_cpu = "PASS" if self.cpu_ratio <= self.limit else "FAIL"
            if by_cpu != verdict:
                verdict += f" (CPU: {by_cpu})"
        return verdict


def compared(metric: str, ours: Command, peer: Command, target: str, limit: float | None) -> Result:
    cpu_ratio = ours.cpu_median_ms / peer.cpu_median_ms if peer.cpu_median_ms else None
    return Result(metric, ours.median_ms, peer.median_ms, target, limit, cpu_ratio=cpu_ratio)


def time_alternately(commands: list[Command], runs: int, warmup: int) -> None:
    """Each round runs every command once, in a rotating order."""
    for _ in range(warmup):
        for command in commands:
            command.run()
    for round_number in range(runs):
        shift = round_number % len(commands)
        order = commands[shift:] + commands[:shift]
        if round_number % 2:
            order.reverse()
        for command in order:
            command.times.append(command.run())
            command.cpu_times.append(command.last_cpu)


def time_with_hyperfine(commands: list[Command], runs: int, warmup: int, out: Path) -> None:
    """Cross-check with hyperfine (it runs the commands one after the other)."""
    environment = dict(os.environ)
    for command in commands:
        environment.update(command.env)
    report = out / f"hyperfine-{commands[0].name.split()[0]}-{len(list(out.iterdir()))}.json"
    argv = ["hyperfine", "-N", "--output=null", f"--warmup={warmup}", f"--runs={runs}"]
    argv += ["--export-json", str(report)]
    for command in commands:
        argv += ["-n", command.name, shlex.join(command.argv)]
    subprocess.run(argv, env=environment, check=True, stdout=subprocess.DEVNULL)
    for entry in json.loads(report.read_text())["results"]:
        print(f"    hyperfine {entry['command']:<34} median {entry['median'] * 1000:7.1f} ms")
    print(f"    (hyperfine JSON: {report})")


def show_group(title: str, commands: list[Command]) -> None:
    print(f"\n== {title}")
    for command in commands:
        print(f"  {command.name}")
        print(f"    $ {command.shown()}")
        print(f"    {command.spread()}; {command.output_lines} lines of output")


# -- setting up --------------------------------------------------------------------


def find_pmtool() -> str:
    beside = Path(sys.executable).with_name("pmtool")
    if beside.exists():
        return str(beside)
    found = shutil.which("pmtool")
    if found is None:
        raise SystemExit("no pmtool next to this Python or on PATH; pip install -e . first")
    return found


def seed_database(path: Path, tasks: int) -> float:
    argv = [sys.executable, str(HERE / "seed.py"), "--tasks", str(tasks), "--db", str(path)]
    argv.append("--burndown-sprint")
    print(f"$ {shlex.join(argv)}")
    began = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - began
    print(done.stdout.rstrip())
    return elapsed


def taskwarrior_time(iso: str | None) -> str | None:
    """pmtool's ISO 8601 (date or UTC timestamp) as Taskwarrior's 20261127T093000Z."""
    if not iso:
        return None
    if len(iso) == 10:
        moment = datetime.combine(date.fromisoformat(iso), datetime.min.time()).astimezone()
    else:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def load_taskwarrior(folder: Path, pmtool_tasks: list[dict[str, Any]]) -> dict[str, str]:
    """A private Taskwarrior holding the same tasks; returns its environment."""
    data = folder / "taskdata"
    data.mkdir()
    rc = folder / "taskrc"
    rc.write_text(
        f"data.location={data}\nconfirmation=no\nverbose=nothing\nhooks=0\n", encoding="utf-8"
    )
    env = {"TASKRC": str(rc), "TASKDATA": str(data)}
    records = []
    for task in pmtool_tasks:
        done = task["status"] == "done"
        record: dict[str, Any] = {
            "description": task["title"],
            "status": "completed" if done else "pending",
            "entry": taskwarrior_time(task["created"]),
            "priority": PRIORITY_TO_TASKWARRIOR[task["priority"]],
        }
        if done:
            record["end"] = taskwarrior_time(task["updated"])
        if task["sprint"]:
            record["project"] = task["sprint"]
        if task["labels"]:
            record["tags"] = task["labels"]
        if task["due"]:
            record["due"] = taskwarrior_time(task["due"])
        records.append(record)
    import_file = folder / "taskwarrior-import.json"
    import_file.write_text(json.dumps(records), encoding="utf-8")
    argv = ["task", "import", str(import_file)]
    print(f"$ {' '.join(f'{k}={v}' for k, v in env.items())} {shlex.join(argv)}")
    began = time.perf_counter()
    subprocess.run(argv, env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL)
    # The first report garbage-collects completed tasks into completed.data; do it now.
    subprocess.run(["task", "next"], env={**os.environ, **env}, stdout=subprocess.DEVNULL)
    print(f"  imported {len(records)} tasks in {time.perf_counter() - began:.1f} s")
    return env


# -- the burndown, inside one process ----------------------------------------------


def burndown_worker(database: str, sprint_name: str, runs: int) -> None:
    """Runs in a child process: times pmtool's burndown over an open reader."""
    from pmtool.services import resolve
    from pmtool.services.read.metrics import burndown, burndown_from_history, load_history
    from pmtool.storage.location import resolve_location
    from pmtool.storage.reader import open_reader

    reader = open_reader(resolve_location(database))
    try:
        project_id, start, end = reader.tuples(
            "SELECT project_id, start_date, end_date FROM sprint WHERE name = :n",
            {"n": sprint_name},
        )[0]
        today = date.fromisoformat(str(end)[:10])
        now = datetime.combine(today + timedelta(days=1), datetime.min.time()).astimezone()
        timings = []
        for _ in range(runs):
            began = time.perf_counter()
            _, committed, rows = burndown(reader, project_id, sprint_name, today, now)
            timings.append((time.perf_counter() - began) * 1000)
        # Where the time goes: reading the history (SQL + parsing) and replaying it.
        sprint = resolve.sprint(reader, project_id, sprint_name)
        loading, replaying = [], []
        for _ in range(max(10, runs // 5)):
            began = time.perf_counter()
            history = load_history(reader, sprint)
            middle = time.perf_counter()
            burndown_from_history(history, sprint, today, now)
            loading.append((middle - began) * 1000)
            replaying.append((time.perf_counter() - middle) * 1000)
        print(
            json.dumps(
                {
                    "timings": timings,
                    "load_history": statistics.median(loading),
                    "replay": statistics.median(replaying),
                    "events": len(history.events),
                    "days": len(rows),
                    "committed": committed,
                    "start": str(start)[:10],
                    "end": str(end)[:10],
                }
            )
        )
    finally:
        reader.close()


def sprint_facts(database: Path) -> tuple[str, int, int, int]:
    """(active sprint name, its tasks, its burndown events, all task rows)."""
    connection = sqlite3.connect(database)
    try:
        sprint_id, name = connection.execute(
            "SELECT id, name FROM sprint WHERE status = 'active'"
        ).fetchone()
        tasks = connection.execute(
            "SELECT COUNT(*) FROM v_task WHERE sprint_id = ?", (sprint_id,)
        ).fetchone()[0]
        events = connection.execute(
            "SELECT COUNT(*) FROM audit WHERE entity = 'task' "
            "AND field IN ('sprint_id', 'status', 'points', 'deleted_at') AND entity_id IN "
            "(SELECT entity_id FROM audit WHERE entity = 'task' AND field = 'sprint_id' "
            "AND new = ?)",
            (json.dumps(sprint_id),),
        ).fetchone()[0]
        total = connection.execute("SELECT COUNT(*) FROM v_task").fetchone()[0]
        return name, tasks, events, total
    finally:
        connection.close()


# -- write, batch and memory helpers --------------------------------------------------


def pick_tasks(database: Path) -> tuple[str, str]:
    """Two tasks for the write timings: one in progress (moved back and forth), one to do
    (moved to in_progress just before each timed undo, which moves it back)."""
    connection = sqlite3.connect(database)
    try:
        keys = []
        for status in ("in_progress", "todo"):
            key, number = connection.execute(
                "SELECT p.key, t.number FROM task t JOIN project p ON p.id = t.project_id "
                "WHERE t.status = ? AND t.deleted_at IS NULL ORDER BY t.number LIMIT 1",
                (status,),
            ).fetchone()
            keys.append(f"{key}-{number}")
        return keys[0], keys[1]
    finally:
        connection.close()


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy (SQLite's backup API), WAL content included."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def listed_rows(database: Path) -> int:
    connection = sqlite3.connect(database)
    try:
        return int(connection.execute("SELECT COUNT(*) FROM task").fetchone()[0])
    finally:
        connection.close()


def write_batches(folder: Path, count: int) -> tuple[Path, Path]:
    """The same ``count`` tasks as TSV lines (title, points) and as JSON lines."""
    points = (1, 2, 3, 5, 8, 13)
    tasks = [(f"Batch task {index}: check cohort slice {index % 97}", points[index % 6])
             for index in range(1, count + 1)]  # fmt: skip
    tsv, jsonl = folder / "batch.tsv", folder / "batch.jsonl"
    tsv.write_text("".join(f"{title}\t{value}\n" for title, value in tasks), encoding="utf-8")
    jsonl.write_text(
        "".join(json.dumps({"title": title, "points": value}) + "\n" for title, value in tasks),
        encoding="utf-8",
    )
    return tsv, jsonl


def build_copies(source: Path, target: Path, wanted: int) -> int:
    """A database of about ``wanted`` tasks: the seeded tasks, copied with new numbers.

    Much faster than seeding that many (the list reads only task rows and the names
    they point to); returns the number of tasks the list shows.
    """
    copy_database(source, target)
    connection = sqlite3.connect(target)
    try:
        have = int(connection.execute("SELECT COUNT(*) FROM task").fetchone()[0])
        offset = int(connection.execute("SELECT MAX(number) FROM task").fetchone()[0])
        columns = [
            row[1] for row in connection.execute("PRAGMA table_info(task)") if row[1] != "id"
        ]
        with connection:
            for copy in range(1, max(1, -(-wanted // have))):
                picked = [f"number + {copy * offset}" if c == "number" else c for c in columns]
                connection.execute(
                    f"INSERT INTO task ({', '.join(columns)}) "
                    f"SELECT {', '.join(picked)} FROM task WHERE number <= ?",
                    (offset,),
                )
            connection.execute(
                "UPDATE project SET next_task_number = (SELECT MAX(number) + 1 FROM task)"
            )
        return int(connection.execute("SELECT COUNT(*) FROM v_task").fetchone()[0])
    finally:
        connection.close()


def peak_rss_mb(argv: list[str], env: dict[str, str], folder: Path) -> float:
    """Peak resident set size of one run of ``argv``, in MiB.

    Through GNU time (``/usr/bin/time -f %M``): its child is forked from a small
    process. os.wait4 on a child of this script would not do: Python starts children
    with vfork, and Linux carries the parent's peak RSS (this script holds the
    exported tasks, ~30 MB) into the child's ru_maxrss across exec.
    """
    report = folder / "peak-rss.txt"
    gnu_time = Path("/usr/bin/time")
    if not gnu_time.exists():
        raise SystemExit("the memory benchmark needs GNU time: apt-get install time")
    subprocess.run(
        [str(gnu_time), "-f", "%M", "-o", str(report), *argv],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        check=True,
    )
    return int(report.read_text().split()[-1]) / 1024  # KiB


# -- the report --------------------------------------------------------------------


def print_table(results: list[Result]) -> None:
    header = ("metric", "pmtool", "peer", "ratio", "CPU ratio", "target", "result")
    lines = []
    for result in results:
        ours = "-" if result.ours is None else f"{result.ours:.1f} {result.unit}"
        peer = "-" if result.peer is None else f"{result.peer:.1f} {result.unit}"
        ratio = "-" if result.ratio is None else f"{result.ratio:.2f}x"
        cpu = "-" if result.cpu_ratio is None else f"{result.cpu_ratio:.2f}x"
        lines.append((result.metric, ours, peer, ratio, cpu, result.target, result.verdict))
    widths = [max(len(row[index]) for row in [header, *lines]) for index in range(len(header))]
    print()
    for row in [header, tuple("-" * width for width in widths), *lines]:
        print(
            "  ".join(
                cell.rjust(width) if 0 < index < 5 else cell.ljust(width)
                for index, (cell, width) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )


def machine() -> str:
    task_version = subprocess.run(["task", "--version"], capture_output=True, text=True).stdout
    return (
        f"{platform.node()} ({platform.system()} {platform.machine()}, {os.cpu_count()} cores), "
        f"Python {platform.python_version()}, Taskwarrior {task_version.strip()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (a rough look)")
    parser.add_argument("--tasks", type=int, default=5000, help="tasks to seed (default 5000)")
    parser.add_argument("--runs", type=int, help="alternated rounds per comparison")
    parser.add_argument(
        "--memory-tasks",
        type=int,
        default=50_000,
        help="tasks in the database whose JSON list is measured for memory (default 50000)",
    )
    parser.add_argument("--hyperfine", action="store_true", help="also cross-check with hyperfine")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--as-is",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE if set (every run then recompiles pmtool's modules)",
    )
    parser.add_argument("--burndown-worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.burndown_worker:
        database, sprint_name, runs = args.burndown_worker
        burndown_worker(database, sprint_name, int(runs))
        return 0

    runs = args.runs or (10 if args.quick else 40)
    warmup = 1 if args.quick else 3
    burndown_runs = 50 if args.quick else 300
    pmtool = find_pmtool()
    folder = Path(tempfile.mkdtemp(prefix="pmtool-bench-"))
    print(f"pmtool benchmark, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(f"machine: {machine()}")
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"pmtool: {pmtool}; rounds per comparison: {runs} (+{warmup} warm-up)")
    print(f"folder: {folder}")
    if not args.as_is:
        # An installed wheel has bytecode; an editable install under
        # PYTHONDONTWRITEBYTECODE=1 would recompile pmtool on every run. Keep the
        # bytecode of every Python command here in one private cache instead.
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
        print(f"bytecode: PYTHONPYCACHEPREFIX={folder / 'pycache'} (PYTHONDONTWRITEBYTECODE unset)")
    else:
        print(
            f"bytecode: as is (PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE')})"
        )
    print()
    try:
        results = run_all(
            folder,
            pmtool,
            args.tasks,
            runs,
            warmup,
            burndown_runs,
            args.hyperfine,
            args.memory_tasks,
        )
        print_table(results)
        print("\nload average at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    finally:
        if args.keep:
            print(f"\nkept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def run_all(
    folder: Path,
    pmtool: str,
    task_count: int,
    runs: int,
    warmup: int,
    burndown_runs: int,
    hyperfine: bool,
    memory_tasks: int,
) -> list[Result]:
    database = folder / "bench.db"
    seed_seconds = seed_database(database, task_count)
    sprint, sprint_tasks, sprint_events, listed = sprint_facts(database)
    # PMTOOL_USER spares the `git config user.name` lookup (measured separately below).
    ours = {"PMTOOL_DB": str(database), "PMTOOL_USER": "bench"}
    exported = subprocess.run(
        [pmtool, "task", "list", "--format", "json"],
        env={**os.environ, **ours},
        capture_output=True,
        check=True,
    ).stdout
    theirs = load_taskwarrior(folder, json.loads(exported))
    hyperfine_out = folder / "hyperfine"
    hyperfine_out.mkdir()
    results = [
        Result(f"seed {task_count} tasks (1 run)", seed_seconds, None, "< 60 s", 60, unit="s"),
    ]

    def compare(title: str, commands: list[Command]) -> None:
        for command in commands:
            command.count_output()
        time_alternately(commands, runs, warmup)
        show_group(title, commands)
        if hyperfine:
            time_with_hyperfine(commands, runs, warmup, hyperfine_out)

    # Reads: every task as JSON.
    json_list = Command(
        "pmtool task list --format json", [pmtool, "task", "list", "--format", "json"], ours
    )
    export = Command("task export", ["task", "export"], theirs)
    compare(f"read: all {listed} tasks as JSON", [json_list, export])
    results.append(
        compared("list all tasks as JSON vs task export", json_list, export, "<= 1.0x", 1.0)
    )

    # Reads: the table view of one sprint.
    sprint_table = Command(
        f"pmtool task list --sprint '{sprint}'", [pmtool, "task", "list", "--sprint", sprint], ours
    )
    next_all = Command("task next", ["task", "next"], theirs)
    next_sprint = Command(
        f"task project:'{sprint}' next", ["task", f"project:{sprint}", "next"], theirs
    )
    compare(
        f"read: the table of sprint {sprint!r} ({sprint_tasks} tasks)",
        [sprint_table, next_all, next_sprint],
    )
    results.append(compared("sprint table vs task next", sprint_table, next_all, "<= 1.5x", 1.5))
    results.append(
        compared("sprint table vs task project:S next", sprint_table, next_sprint, "<= 1.5x", 1.5)
    )

    # Writes: one task added, one task moved, one command undone; each within 2.5x a
    # Python process that imports what pmtool's write path needs and ends with os._exit,
    # as pmtool does (the floor does not pay the interpreter teardown pmtool skips).
    floor = Command(
        'python -c "import click, sqlite3, json, os; os._exit(0)"',
        [sys.executable, "-c", "import click, sqlite3, json, os; os._exit(0)"],
    )
    # Each run adds one task to the same database (growth accepted: +1 task per run).
    add = Command(
        'pmtool task add "Benchmark write" --points 3',
        [pmtool, "task", "add", "Benchmark write", "--points", "3"],
        ours,
    )
    mover, undone = pick_tasks(database)
    # The same task goes back and forth between two columns: every run is a real move
    # (status and rank change, two audit rows, the version goes up).
    move = Command(
        f"pmtool task move {mover} review|in_progress",
        [],
        ours,
        alternatives=[
            [pmtool, "task", "move", mover, "review"],
            [pmtool, "task", "move", mover, "in_progress"],
        ],
    )
    # Undo of a move made just before (untimed): it reverts that move (two fields), so
    # every run undoes the same kind of command and the database is as before the round.
    undo = Command(
        "pmtool undo (of a move made just before)",
        [pmtool, "undo"],
        ours,
        before=Command("setup", [pmtool, "task", "move", undone, "in_progress"], ours),
    )
    tw_add = Command('task add "Benchmark write"', ["task", "add", "Benchmark write"], theirs)
    tw_start = Command(
        "task 1 start|stop",
        [],
        theirs,
        alternatives=[["task", "1", "start"], ["task", "1", "stop"]],
    )
    tw_undo = Command(
        "task undo (of a start made just before)",
        ["task", "undo"],
        theirs,
        before=Command("setup", ["task", "2", "start"], theirs),
    )
    no_user = {"PMTOOL_DB": str(database)}
    add_git_actor = Command(
        "pmtool task add (actor from git config)",
        [pmtool, "task", "add", "Benchmark write", "--points", "3"],
        no_user,
    )
    print(
        f"\n(move: {mover} alternates between review and in_progress, so every timed run is a"
        f"\n real move: status and rank change, two audit rows. undo: each timed `pmtool undo`"
        f"\n reverts `task move {undone} in_progress`, run untimed just before it, so every"
        "\n round undoes the same kind of two-field command and leaves the database as it"
        "\n was; Taskwarrior likewise: `task 1 start`/`stop` in turn, and `task undo` right"
        "\n after an untimed `task 2 start`.)"
    )
    compare(
        f"write: add, move ({mover}), undo (a move of {undone}) vs the floor and Taskwarrior",
        [floor, add, move, undo, tw_add, tw_start, tw_undo, add_git_actor],
    )
    for name, ours_command in (("task add", add), ("task move", move), ("undo", undo)):
        results.append(
            compared(f"{name} vs floor (import, os._exit)", ours_command, floor, "<= 2.5x", 2.5)
        )
    for name, ours_command, peer in (
        ("task add vs task add", add, tw_add),
        ("task move vs task N start/stop", move, tw_start),
        ("undo vs task undo", undo, tw_undo),
    ):
        results.append(compared(f"{name} (Taskwarrior)", ours_command, peer, "< 5x (aim)", 5.0))
    results.append(compared("task add without PMTOOL_USER vs with", add_git_actor, add, "-", None))

    # A batch: 1,000 tasks on stdin, one transaction, one command. Each run starts from
    # the same copy of the seeded database (restored untimed just before).
    pristine = folder / "batch-pristine.db"
    batch_db = folder / "batch.db"
    copy_database(database, pristine)
    tsv, jsonl = write_batches(folder, BATCH_TASKS)
    restore = Command(
        "restore",
        ["sh", "-c", 'cp "$0" "$1" && rm -f "$1-wal" "$1-shm"', str(pristine), str(batch_db)],
    )
    batch_env = {"PMTOOL_DB": str(batch_db), "PMTOOL_USER": "bench"}
    batch_commands = [
        Command(
            f"pmtool task add - < {BATCH_TASKS} lines {kind}",
            [pmtool, "task", "add", "-"],
            batch_env,
            before=restore,
            stdin=source,
        )
        for kind, source in (("title<TAB>points", tsv), ("JSON objects", jsonl))
    ]
    batch_runs = max(3, runs // 2)
    for command in batch_commands:
        command.count_output()
    time_alternately(batch_commands, batch_runs, 1)
    show_group(
        f"write: a batch of {BATCH_TASKS} tasks from stdin ({batch_runs} runs)", batch_commands
    )
    check = sqlite3.connect(batch_db)
    added = check.execute("SELECT COUNT(*) FROM task").fetchone()[0] - listed_rows(pristine)
    check.close()
    print(f"    the last run added {added} task rows")
    for command in batch_commands:
        results.append(
            Result(
                f"{command.name.split(' < ')[1]} on stdin",
                command.median_ms,
                None,
                "< 1000 ms",
                1000,
            )
        )

    # Memory: peak RSS of the JSON list of a large database.
    big = folder / "memory.db"
    big_count = build_copies(database, big, memory_tasks)
    big_env = {"PMTOOL_DB": str(big), "PMTOOL_USER": "bench"}
    floor_imports = "import click, sqlite3, json"
    listing = [pmtool, "task", "list", "--format", "json"]
    measured_memory: list[tuple[str, list[str], dict[str, str], bool]] = [
        (f"pmtool task list --format json ({big_count} tasks)", listing, big_env, True),
        (f"pmtool task list --format json ({listed} tasks)", listing, ours, False),
        (f"task export ({listed} tasks)", ["task", "export"], theirs, False),
        (
            "python -c 'import click, sqlite3, json'",
            [sys.executable, "-c", floor_imports],
            {},
            False,
        ),
    ]
    for label, argv, env, has_target in measured_memory:
        peaks = [peak_rss_mb(argv, env, folder) for _ in range(3)]
        peak = statistics.median(peaks)
        settings = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
        print(f"\n== memory: {label}\n    $ /usr/bin/time -f %M {settings} {shlex.join(argv)}")
        print(f"    peak RSS median {peak:.1f} MB (runs: {', '.join(f'{p:.1f}' for p in peaks)})")
        if has_target:
            results.append(
                Result(
                    f"peak RSS, JSON list of {big_count} tasks",
                    peak,
                    None,
                    "< 40 MB",
                    40,
                    unit="MB",
                )
            )
        else:
            results.append(Result(f"peak RSS, {label}", peak, None, "-", None, unit="MB"))

    # The burndown computation, in one process, imports excluded.
    worker = [
        sys.executable,
        __file__,
        "--burndown-worker",
        str(database),
        sprint,
        str(burndown_runs),
    ]
    print(f"\n== burndown of {sprint!r}: {sprint_tasks} tasks, {sprint_events} burndown events")
    print(f"    $ {shlex.join(worker)}")
    print("    times pmtool.services.read.metrics.burndown(reader, project_id, sprint, today,")
    print("    now) over one open_reader(resolve_location(db)); today = the sprint's last day")
    measured = json.loads(subprocess.run(worker, capture_output=True, check=True).stdout)
    timings = measured["timings"]
    median = statistics.median(timings)
    print(
        f"    first call {timings[0]:.1f} ms; median {median:.2f} ms "
        f"(min {min(timings):.2f}, max {max(timings):.2f}, n={len(timings)}); "
        f"{measured['days']} days, committed {measured['committed']} points"
    )
    print(
        f"    of which load_history (SQL + parsing {measured['events']} events) "
        f"{measured['load_history']:.2f} ms, burndown_from_history (replay) "
        f"{measured['replay']:.2f} ms (medians)"
    )
    results.append(Result("sprint burndown (in-process)", median, None, "< 20 ms", 20))
    return results


if __name__ == "__main__":
    sys.exit(main())
