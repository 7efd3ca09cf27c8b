"""Git sync speed: the first sync of a 50,000-commit repository against a bare `git log`,
and an incremental sync of 100 new commits against `pmtool task add`.

The repository is generated with `git fast-import` (a few seconds): one main branch, a
few feature branches, 30% of the commits citing a task of project PM (one in twenty of
those with "fixes", one in twenty with a "#review" command), multi-line messages.

1. First sync: `git log` with pmtool's own format over the same commits (the floor:
   git has to produce that text whatever reads it) against `pmtool git sync` on a fresh
   copy of a linked database, alternately, medians. Target: within 2x.
2. Incremental: each round appends 100 commits (fast-import), then times
   `pmtool git sync` and `pmtool task add` beside it. Target: within 2x.

Every command is a whole process, as a user runs it. The exit code is always 0: this
is a report, not a test.

Example:
    python benchmarks/bench_gitsync.py            # ~1 minute on 2 cores
    python benchmarks/bench_gitsync.py --quick    # fewer runs
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LOG_FORMAT = "%H%x1f%P%x1f%an%x1f%ae%x1f%ad%x1f%S%x1f%B"
AUTHORS = (
    ("Lena Vogel", "lena@example.org"),
    ("Jonas Weber", "jonas@example.org"),
    ("Aylin Demir", "aylin@example.org"),
    ("Tom Richter", "tom@example.org"),
)
TASKS = 400
START = 1_700_000_000


def message(rng: random.Random, number: int) -> str:
    subject = f"Change {number}: {rng.choice(['tidy', 'model', 'cohort', 'plots', 'docs'])}"
    roll = rng.random()
    if roll >= 0.30:
        return f"{subject}\n\nDetails of change {number}.\n"
    task = rng.randint(1, TASKS + 20)  # a few cite unknown tasks
    kind = rng.random()
    if kind < 0.05:
        return f"{subject}\n\nFixes PM-{task}\n"
    if kind < 0.10:
        return f"PM-{task} #review {subject}\n"
    return f"{subject} (PM-{task})\n\nrefs PM-{task}\n"


def fast_import_stream(
    rng: random.Random, first: int, count: int, branch: str, parent: str | None
) -> bytes:
    """A fast-import stream of ``count`` commits on ``branch`` (after ``parent``)."""
    parts: list[bytes] = []
    for offset in range(count):
        number = first + offset
        name, email = AUTHORS[number % len(AUTHORS)]
        when = START + number * 60
        text = message(rng, number).encode()
        content = f"{number}\n".encode()
        parts.append(f"commit refs/heads/{branch}\nmark :{number + 1}\n".encode())
        parts.append(f"author {name} <{email}> {when} +0000\n".encode())
        parts.append(f"committer {name} <{email}> {when} +0000\n".encode())
        parts.append(f"data {len(text)}\n".encode() + text)
        if offset == 0 and parent:
            parts.append(f"from {parent}\n".encode())
        path = f"src/module{number % 50}.txt"
        parts.append(f"M 100644 inline {path}\ndata {len(content)}\n".encode() + content)
        parts.append(b"\n")
    return b"".join(parts)


def git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    completed = subprocess.run(
        ["git", "-C", str(repo), *args], input=stdin, capture_output=True, check=True
    )
    return completed.stdout.decode()


def build_repository(repo: Path, commits: int, rng: random.Random) -> float:
    started = time.perf_counter()
    git(repo.parent, "init", "-q", "-b", "main", str(repo))
    main_count = commits - 3 * 200
    git(repo, "fast-import", "--quiet", stdin=fast_import_stream(rng, 0, main_count, "main", None))
    for index in range(3):
        base = git(repo, "rev-parse", f"main~{1000 * (index + 1)}").strip()
        stream = fast_import_stream(rng, main_count + index * 200, 200, f"pm-{index + 1}-x", base)
        git(repo, "fast-import", "--quiet", stdin=stream)
    git(repo, "reset", "-q", "--hard", "main")
    return time.perf_counter() - started


CPU: dict[int, list[float]] = {}  # id of a timing list -> CPU seconds of those runs


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str], times: list[float]) -> None:
    """Run a whole process; append its wall time to ``times`` and its CPU time beside."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    completed = subprocess.run(argv, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    CPU.setdefault(id(times), []).append(_children_cpu() - cpu_before)
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {completed.stderr.decode()[:500]}")
    times.append(elapsed)


def pmtool_env(database: Path) -> dict[str, str]:
    return {**os.environ, "PMTOOL_DB": str(database), "PMTOOL_USER": "bench"}


def pmtool(database: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pmtool", *args], env=pmtool_env(database), check=True,
        capture_output=True,
    )  # fmt: skip


def prepare_database(database: Path, repo: Path) -> None:
    pmtool(database, "init")
    pmtool(database, "project", "add", "PM", "Benchmark")
    for name, _email in AUTHORS:
        pmtool(database, "member", "add", name)
    batch = "".join(f"Task {n}\t\n" for n in range(1, TASKS + 1))
    subprocess.run(
        [sys.executable, "-m", "pmtool", "task", "add", "-"], input=batch.encode(),
        env=pmtool_env(database), check=True, capture_output=True,
    )  # fmt: skip
    pmtool(database, "git", "link", str(repo), "--branch", "main")


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=50_000)
    parser.add_argument("--quick", action="store_true", help="3 runs instead of 7")
    options = parser.parse_args(argv)
    runs = 3 if options.quick else 7
    rng = random.Random(11)
    folder = Path(tempfile.mkdtemp(prefix="pmtool-bench-git-"))
    try:
        repo = folder / "repo"
        built = build_repository(repo, options.commits, rng)
        total = int(git(repo, "rev-list", "--count", "--all").strip())
        print(f"Repository: {total:,} commits, built with git fast-import in {built:.1f} s")
        template = folder / "template.db"
        prepare_database(template, repo)

        # 1. The first sync against git log over the same commits.
        log_argv = [
            "git", "-C", str(repo), "log", "--all", "-z", "--source", f"--format={LOG_FORMAT}",
            "--date=format-local:%Y-%m-%d %H:%M:%S.000000",
        ]  # fmt: skip
        log_env = {**os.environ, "TZ": "UTC", "LC_ALL": "C"}
        log_times: list[float] = []
        sync_times: list[float] = []
        for run in range(runs):
            database = folder / f"first-{run}.db"
            shutil.copyfile(template, database)
            pair = [
                (log_times, log_argv, log_env),
                (sync_times, [sys.executable, "-m", "pmtool", "git", "sync"],
                 pmtool_env(database)),
            ]  # fmt: skip
            for times, command, env in pair if run % 2 == 0 else reversed(pair):
                timed(command, env, times)

        # 2. Incremental: 100 new commits per round, then sync, beside task add.
        database = folder / "first-0.db"
        incremental: list[float] = []
        task_add: list[float] = []
        next_number = options.commits
        for run in range(runs):
            tip = git(repo, "rev-parse", "main").strip()
            git(repo, "fast-import", "--quiet",
                stdin=fast_import_stream(rng, next_number, 100, "main", tip))  # fmt: skip
            next_number += 100
            pair = [
                (incremental, [sys.executable, "-m", "pmtool", "git", "sync"]),
                (task_add, [sys.executable, "-m", "pmtool", "task", "add", f"Bench {run}"]),
            ]
            for times, command in pair if run % 2 == 0 else reversed(pair):
                timed(command, pmtool_env(database), times)

        def cpu(times: list[float]) -> float:
            return statistics.median(CPU[id(times)]) * 1000

        print()
        print(f"{'measure':40} {'wall':>8} {'ratio':>6} {'CPU':>8} {'ratio':>6}  target  verdict")
        rows = [
            (f"git log --all, pmtool format ({total:,})", log_times, None),
            (f"pmtool git sync, first ({total:,})", sync_times, log_times),
            ("pmtool task add", task_add, None),
            ("pmtool git sync, 100 new commits", incremental, task_add),
        ]
        for label, times, base in rows:
            line = f"{label:40} {median_ms(times):6.0f}ms"
            if base is None:
                print(f"{line} {'':6} {cpu(times):6.0f}ms")
                continue
            wall_ratio = median_ms(times) / median_ms(base)
            cpu_ratio = cpu(times) / cpu(base)
            verdict = "PASS" if wall_ratio <= 2 else "FAIL"
            cpu_part = f"{cpu(times):6.0f}ms {cpu_ratio:5.2f}x"
            print(f"{line} {wall_ratio:5.2f}x {cpu_part}  <= 2x   {verdict}")
        load = os.getloadavg()[0]
        print(f"\n{runs} runs each, alternating; whole processes (CPU: user + system of the")
        print(f"process and its git children); {os.cpu_count()} CPUs, load average {load:.1f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
