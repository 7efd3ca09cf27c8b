"""Messages a first-time user misread: a refusal must say what would happen and what fits.

The WIP check lives in pmtool/services/tasks.py; these tests pin the wording the CLI
shows (docs/exit-codes.md shows the same refusal).
"""

from __future__ import annotations

from pathlib import Path

from conftest import Invoke
from pmcheck import dump, ok, refused

# services/tasks.py (_check_wip) is being rewritten elsewhere; the rewrite applies this
# wording and removes the marker (strict: a pass is reported as a failure until then).
BULK_REFUSAL = (
    "Error: in_progress would be 5/4; room for 2 under its WIP limit of 4: "
    "move fewer tasks, finish something first or use --force"
)


def two_in_progress_under_a_limit_of_four(workspace: Invoke) -> None:
    ok(workspace("workflow", "wip", "in_progress", "4"))
    for title in ("A", "B", "C", "D", "E"):
        ok(workspace("task", "add", title))
    ok(workspace("task", "move", "PM-1", "PM-2", "in_progress"))


def test_a_bulk_move_that_does_not_fit_says_how_many_would_and_how_many_fit(
    workspace: Invoke, db_path: Path
):
    two_in_progress_under_a_limit_of_four(workspace)
    before = dump(db_path)
    line = refused(workspace("task", "move", "PM-3", "PM-4", "PM-5", "in_progress"), 1)
    assert line == BULK_REFUSAL
    assert dump(db_path) == before


def test_tasks_already_in_the_column_do_not_count_twice(workspace: Invoke, db_path: Path):
    two_in_progress_under_a_limit_of_four(workspace)
    before = dump(db_path)
    line = refused(workspace("task", "move", "PM-1", "PM-3", "PM-4", "PM-5", "in_progress"), 1)
    assert line == BULK_REFUSAL
    assert dump(db_path) == before
    # What fits, moves.
    ok(workspace("task", "move", "PM-1", "PM-3", "PM-4", "in_progress"))
