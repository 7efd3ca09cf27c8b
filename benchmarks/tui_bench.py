"""How fast the TUI paints and moves cards, against a bare Textual app.

Three first-paint timings, each from process start to the first frame that shows the
data (headless ``run_test`` at 200x50; the child process exits right after):

* ``baseline``: a bare Textual app with a 1,000-row DataTable (the yardstick);
* ``board``: pmtool's board of a kanban project (no sprints) with 1,000 cards;
* ``backlog``: pmtool's backlog of a project with 10,000 tasks.

The parent takes the time just before starting the child; the child prints the wall
clock when the frame is done. Runs alternate (baseline, board, backlog, baseline, ...)
so that drift on a busy machine hits all alike; medians are reported.

Then, in one process, moving a card on the 1,000-card board: from the key press to
the repaint after the write is committed and the board re-read (Pilot timing), after
the write side has been imported.

Targets: board <= 1.2x baseline, backlog <= 1.0x baseline, move < 50 ms.
The database is seeded here with plain SQL inserts (one transaction, a few seconds).

Example:
    python benchmarks/tui_bench.py             # ~1 minute
    python benchmarks/tui_bench.py --runs 3    # quicker
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

SIZE = (200, 50)
BOARD_TASKS = 1_000
BACKLOG_TASKS = 10_000
WORKFLOW = ("backlog", "todo", "in_progress", "review", "done")
MEMBERS = ("Lena Vogel", "Jonas Weber", "Aylin Demir", "Dr. Miriam Koch", "Tom Richter")
LABELS = ("data", "model", "evaluation", "clinical", "privacy", "infra", "research")
WORDS = (
    "cohort", "sepsis", "label", "vitals", "calibration", "pipeline", "baseline", "review",
    "validation", "export", "dashboard", "consent", "feature", "threshold", "report",
)  # fmt: skip


# Seeding ------------------------------------------------------------------------------


def seed(path: Path) -> None:
    """Two projects: KAN (a kanban board, 1,000 tasks) and BIG (10,000 tasks)."""
    from pmtool.storage.location import resolve_location
    from pmtool.storage.migrate import initialise

    initialise(resolve_location(str(path)))
    rng = random.Random(42)
    now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.000000")
    connection = sqlite3.connect(path)
    connection.execute("BEGIN IMMEDIATE")
    member_ids = []
    for name in MEMBERS:
        cursor = connection.execute(
            "INSERT INTO member (name, created_at) VALUES (?, ?)", (name, stamp)
        )
        member_ids.append(cursor.lastrowid)
    for key, name, count in (
        ("KAN", "Kanban board", BOARD_TASKS),
        ("BIG", "A large backlog", BACKLOG_TASKS),
    ):
        project_id = connection.execute(
            "INSERT INTO project (key, name, definition_of_done, next_task_number, created_at) "
            "VALUES (?, ?, '[]', ?, ?)",
            (key, name, count + 1, stamp),
        ).lastrowid
        for position, status in enumerate(WORKFLOW):
            connection.execute(
                "INSERT INTO workflow_column (project_id, name, position, is_done) "
                "VALUES (?, ?, ?, ?)",
                (project_id, status, position, status == "done"),
            )
        rows = []
        for number in range(1, count + 1):
            status = rng.choice(WORKFLOW)
            title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8))).capitalize()
            due = (now + timedelta(days=rng.randint(-20, 60))).date().isoformat()
            rows.append(
                (
                    project_id,
                    number,
                    title,
                    rng.choice(("story", "task", "bug", "spike")),
                    status,
                    rng.choice(("low", "medium", "high")),
                    rng.choice((None, 1, 2, 3, 5, 8, 13)),
                    rng.choice([None, *member_ids]),
                    due if rng.random() < 0.3 else None,
                    json.dumps(rng.sample(LABELS, rng.randint(0, 2))),
                    float(number),
                    stamp,
                    stamp,
                )
            )
        connection.executemany(
            "INSERT INTO task (project_id, number, title, type, status, priority, points, "
            "assignee_id, due_date, labels, rank, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    connection.execute("COMMIT")
    connection.close()


# Children: one first paint each ---------------------------------------------------------


async def _wait(flag: object, attribute: str) -> float:
    while not getattr(flag, attribute):
        await asyncio.sleep(0.0005)
    return time.time()


def child_baseline() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class Bare(App[None]):
        painted = False

        def compose(self) -> ComposeResult:
            yield DataTable()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("key", "title", "status", "points", "assignee")
            table.add_rows(
                (f"PM-{i}", f"Task number {i} with a title", "todo", i % 8, "Lena Vogel")
                for i in range(BOARD_TASKS)
            )
            self.call_after_refresh(self.done)

        def done(self) -> None:
            self.painted = True

    async def main() -> None:
        app = Bare()
        async with app.run_test(size=SIZE):
            print(await _wait(app, "painted"), flush=True)

    asyncio.run(main())


def child_pmtool(db: str, project: str, screen: str) -> None:
    """What `pmtool -p PROJECT tui --screen SCREEN` does, up to the first frame."""
    from pmtool.storage.location import resolve_location
    from pmtool.tui.app import PmApp
    from pmtool.tui.context import resolve_context

    async def main() -> None:
        location = resolve_location(db)
        start = resolve_context(location, project, "bench")
        app = PmApp(location, context=start, start=screen)
        async with app.run_test(size=SIZE):
            print(await _wait(app, "first_paint"), flush=True)

    asyncio.run(main())


def first_paint(kind: str, db: Path) -> float:
    argv = [sys.executable, __file__, "--child", kind, "--db", str(db)]
    began = time.time()
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    return float(done.stdout.strip().splitlines()[-1]) - began


# Moving a card, in process --------------------------------------------------------------


def time_moves(db: Path, moves: int) -> tuple[list[float], list[float]]:
    from textual import events

    from pmtool.storage.location import resolve_location
    from pmtool.tui.app import PmApp
    from pmtool.tui.context import resolve_context
    from pmtool.tui.screens.board import BoardScreen
    from pmtool.tui.writes import warm_up

    warm_up()  # the app does this after its first paint; moves are timed after it
    timings: list[float] = []
    cpu_timings: list[float] = []  # CPU time of this process (app, writer thread, poll)

    async def main() -> None:
        location = resolve_location(str(db))
        app = PmApp(location, context=resolve_context(location, "KAN", "bench"), start="board")
        async with app.run_test(size=SIZE) as pilot:
            await _wait(app, "first_paint")
            board = app.screen
            assert isinstance(board, BoardScreen)
            board.action_column(-len(board.statuses))  # the first column, backlog
            board.action_column(1)  # todo
            await pilot.pause()
            for index in range(moves):
                key = "shift+right" if index % 2 == 0 else "shift+left"
                writes, paints = app.writes_done, board.paint_count
                began, began_cpu = time.perf_counter(), time.process_time()
                # The key goes in as the terminal driver would send it; Pilot.press would
                # add its own idle-waiting (20 ms steps) to the time.
                app.post_message(events.Key(key, None))
                while app.writes_done == writes or board.paint_count == paints:
                    await asyncio.sleep(0.0005)
                timings.append(time.perf_counter() - began)
                cpu_timings.append(time.process_time() - began_cpu)
                await pilot.pause(0.25)  # let the re-read that follows settle
                if index % 2 == 1:  # back in todo: take the next card along
                    await pilot.press("down")

    asyncio.run(main())
    return timings, cpu_timings


# Report -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="first-paint runs per kind")
    parser.add_argument("--moves", type=int, default=30, help="card moves to time")
    parser.add_argument("--child", choices=("baseline", "board", "backlog"), help=argparse.SUPPRESS)
    parser.add_argument("--db", help="an existing benchmark database (default: seed one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args()
    if options.child == "baseline":
        child_baseline()
        return
    if options.child in ("board", "backlog"):
        child_pmtool(options.db, "KAN" if options.child == "board" else "BIG", options.child)
        return

    folder = Path(tempfile.mkdtemp(prefix="pmtool-tui-bench-"))
    db = Path(options.db) if options.db else folder / "bench.db"
    # An installed wheel has bytecode; an editable install under PYTHONDONTWRITEBYTECODE=1
    # would recompile pmtool in every child. Keep the children's bytecode in one place.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if not options.db:
        began = time.perf_counter()
        seed(db)
        print(f"Seeded {db} ({BOARD_TASKS:,} + {BACKLOG_TASKS:,} tasks) in "
              f"{time.perf_counter() - began:.1f} s")  # fmt: skip
    try:
        kinds = ("baseline", "board", "backlog")
        first_paint(kinds[0], db)  # warm the file cache and the .pyc files
        times: dict[str, list[float]] = {kind: [] for kind in kinds}
        for run in range(options.runs):
            order = kinds if run % 2 == 0 else tuple(reversed(kinds))
            for kind in order:
                times[kind].append(first_paint(kind, db))
        medians = {kind: statistics.median(values) for kind, values in times.items()}
        moves, move_cpu = time_moves(db, options.moves)
        move_median = statistics.median(moves)
        base = medians["baseline"]
        runs = options.runs
        print(f"\nFirst paint, process start to frame, median of {runs} (200x50, headless):")
        rows = [
            ("baseline: bare Textual, 1,000-row DataTable", base, None, None),
            ("board: 1,000 cards (kanban, no sprints)", medians["board"], 1.2, None),
            ("backlog: 10,000 tasks", medians["backlog"], 1.0, None),
        ]
        for label, value, target, _ in rows:
            ratio = value / base
            verdict = "" if target is None else ("PASS" if ratio <= target else "FAIL")
            goal = "" if target is None else f"target <= {target:.1f}x"
            print(f"  {label:<46} {value * 1000:7.0f} ms  {ratio:5.2f}x  {goal:<15} {verdict}")
        verdict = "PASS" if move_median < 0.050 else "FAIL"
        print(f"\nMoving a card (key -> written, shown, repainted), {len(moves)} moves, 200x50:")
        print(f"  median {move_median * 1000:.1f} ms, max {max(moves) * 1000:.1f} ms, "
              f"first {moves[0] * 1000:.1f} ms  target < 50 ms  {verdict}")  # fmt: skip
        print(f"  CPU time of the process per move (app, writer, waiting loop): median "
              f"{statistics.median(move_cpu) * 1000:.1f} ms; wall above CPU = waiting for "
              f"a core (load) or for the disk")  # fmt: skip
        print("load average at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    finally:
        if options.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
