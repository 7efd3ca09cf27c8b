"""Properties that hold whatever the user does (hypothesis).

A state machine drives add/edit/move/remove/sprint/undo through the real CLI on a real
SQLite file and checks invariants after every step; fuzzers throw arbitrary text at the
date parser, the command-line options and the batch reader, where only clean errors
with documented exit codes may come out.
"""

from __future__ import annotations

import json
import sqlite3
import string
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from pmtool.cli import cli
from pmtool.core.dates import parse_date
from pmtool.core.errors import InvalidInput

STATUSES = ["backlog", "todo", "in_progress", "review", "done"]
TITLES = st.text(alphabet=string.ascii_letters + " äöü-", min_size=1, max_size=20).filter(
    lambda title: title.strip() != ""
)
POINTS = st.one_of(st.none(), st.sampled_from([0, 1, 2, 3, 5, 8, 13]))


def _clean(result: Result) -> None:
    """Any outcome but a crash: exit 0, 1 or 2, and a failure is one `Error:` line."""
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
    assert "Traceback" not in result.output
    if result.exit_code != 0:
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1, result.stderr


class Workspace(RuleBasedStateMachine):
    """The model: each task's points, status and whether it is removed; one stack per undo."""

    tasks = Bundle("tasks")

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.db = Path(self.folder.name) / "pmtool.db"
        self.runner = CliRunner()
        self.model: dict[str, dict[str, Any]] = {}
        self.sprints: dict[str, str] = {}  # name -> planned | active | closed
        self.history: list[tuple[dict[str, dict[str, Any]], dict[str, str]]] = []

    def run(self, *args: str) -> Result:
        result = self.runner.invoke(
            cli,
            ["--db", str(self.db), *args],
            env={"PMTOOL_USER": "tester", "PMTOOL_NOW": "2026-11-27T10:00:00+00:00"},
            catch_exceptions=False,
        )
        _clean(result)
        return result

    def changed(self, result: Result, before: tuple[Any, Any]) -> bool:
        if result.exit_code == 0:
            self.history.append(before)
            return True
        return False

    def snapshot(self) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
        return ({key: dict(task) for key, task in self.model.items()}, dict(self.sprints))

    def teardown(self) -> None:
        self.folder.cleanup()

    @initialize()
    def create(self) -> None:
        assert self.run("init").exit_code == 0
        assert self.run("project", "add", "PM", "Sepsis").exit_code == 0

    @rule(target=tasks, title=TITLES, points=POINTS)
    def add(self, title: str, points: int | None) -> str:
        before = self.snapshot()
        args = ["task", "add"]
        if points is not None:
            args += ["--points", str(points)]
        result = self.run(*args, "--", title)
        assert self.changed(result, before), result.output
        key = result.output.strip()
        self.model[key] = {"points": points, "status": "backlog", "removed": False}
        return key

    @rule(key=tasks, points=POINTS)
    def edit_points(self, key: str, points: int | None) -> None:
        before = self.snapshot()
        result = self.run(
            "task", "edit", key, "--points", "none" if points is None else str(points)
        )
        task = self.model.get(key)
        if task is None:  # its creation was undone
            assert result.exit_code == 1
            return
        if task["removed"] or task["points"] == points:
            return  # refused, or nothing to change
        assert self.changed(result, before), result.output
        task["points"] = points

    @rule(key=tasks, status=st.sampled_from(STATUSES))
    def move(self, key: str, status: str) -> None:
        before = self.snapshot()
        result = self.run("task", "move", key, status)
        task = self.model.get(key)
        if task is None:  # its creation was undone
            assert result.exit_code == 1
            return
        in_progress = sum(
            1 for other in self.model.values()
            if other["status"] == "in_progress" and not other["removed"]
        )  # fmt: skip
        if task["removed"] or task["status"] == status:
            return
        if status == "in_progress" and in_progress >= 3:
            return  # the demo-free workflow has no WIP limit, but be safe if one is set
        assert self.changed(result, before), result.output
        task["status"] = status

    @rule(key=tasks)
    def remove(self, key: str) -> None:
        before = self.snapshot()
        result = self.run("task", "rm", key)
        if key not in self.model or self.model[key]["removed"]:
            assert result.exit_code != 0
            return
        assert self.changed(result, before), result.output
        self.model[key]["removed"] = True

    @rule(number=st.integers(min_value=1, max_value=3))
    def add_sprint(self, number: int) -> None:
        name = f"Sprint {number}"
        before = self.snapshot()
        result = self.run("sprint", "add", name, "--start", "2026-11-23", "--length", "2w")
        if name in self.sprints:
            assert result.exit_code != 0
            return
        assert self.changed(result, before), result.output
        self.sprints[name] = "planned"

    @precondition(lambda self: any(state == "planned" for state in self.sprints.values()))
    @rule(data=st.data())
    def start_sprint(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(sorted(self.sprints)))
        before = self.snapshot()
        result = self.run("sprint", "start", name)
        if self.sprints[name] != "planned" or "active" in self.sprints.values():
            assert result.exit_code != 0
            return
        assert self.changed(result, before), result.output
        self.sprints[name] = "active"

    @precondition(lambda self: "active" in self.sprints.values())
    @rule()
    def close_sprint(self) -> None:
        name = next(name for name, state in self.sprints.items() if state == "active")
        before = self.snapshot()
        result = self.run("sprint", "close", name)
        assert self.changed(result, before), result.output
        self.sprints[name] = "closed"

    @precondition(lambda self: bool(self.history))  # never undo the project itself
    @rule()
    def undo(self) -> None:
        result = self.run("undo")
        assert result.exit_code == 0, result.output
        self.model, self.sprints = self.history.pop()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        connection = sqlite3.connect(self.db)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    @invariant()
    def tasks_and_points_match_the_model(self) -> None:
        if not self.db.exists():
            return
        listed = json.loads(self.run("task", "list", "--format", "json").output)
        live = {key: task for key, task in self.model.items() if not task["removed"]}
        assert {row["key"]: (row["points"], row["status"]) for row in listed} == {
            key: (task["points"], task["status"]) for key, task in live.items()
        }
        assert sum(row["points"] or 0 for row in listed) == sum(
            task["points"] or 0 for task in live.values()
        )

    @invariant()
    def at_most_one_active_sprint(self) -> None:
        if self.db.exists():
            assert self.rows("SELECT COUNT(*) FROM sprint WHERE status = 'active'")[0][0] <= 1

    @invariant()
    def the_audit_trail_replays_to_the_stored_tasks(self) -> None:
        if not self.db.exists():
            return
        replayed: dict[str, dict[str, Any]] = {}
        for entity_id, action, field, new in self.rows(
            "SELECT entity_id, action, field, new FROM audit WHERE entity = 'task' ORDER BY id"
        ):
            if action == "delete":
                replayed.pop(entity_id, None)
            elif action in ("create", "update") and field is not None:
                replayed.setdefault(entity_id, {})[field] = None if new is None else json.loads(new)
        stored = self.rows("SELECT id, title, points, status, deleted_at FROM task")
        assert {str(row[0]) for row in stored} == set(replayed)
        for task_id, title, points, status, deleted_at in stored:
            fields = replayed[str(task_id)]
            assert (fields.get("title"), fields.get("points"), fields.get("status")) == (
                title,
                points,
                status,
            )
            assert (fields.get("deleted_at") is None) == (deleted_at is None)


Workspace.TestCase.settings = settings(
    max_examples=10,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestWorkspace = Workspace.TestCase


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_the_date_parser_reads_a_date_or_refuses_cleanly(text: str):
    try:
        parsed = parse_date(text, today=date(2026, 11, 27))
    except InvalidInput as error:
        assert "\n" not in str(error)
    else:
        assert isinstance(parsed, date)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["+", "-"]),
    st.integers(min_value=0, max_value=10**12),
    st.sampled_from(["d", "w", "m", "y"]),
)
def test_huge_date_offsets_are_refused_cleanly(sign: str, amount: int, unit: str):
    try:
        parse_date(f"{sign}{amount}{unit}", today=date(2026, 11, 27))
    except InvalidInput as error:
        assert "\n" not in str(error)


OPTION_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=12
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    title=OPTION_TEXT,
    points=OPTION_TEXT,
    due=OPTION_TEXT,
    priority=OPTION_TEXT,
    label=OPTION_TEXT,
    kind=OPTION_TEXT,
)
def test_task_add_with_arbitrary_options_never_crashes(
    workspace: Any, title: str, points: str, due: str, priority: str, label: str, kind: str
):
    result = workspace(
        "task", "add", title, "--points", points, "--due", due, "--priority", priority,
        "--label", label, "--type", kind,
    )  # fmt: skip
    _clean(result)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.one_of(
            OPTION_TEXT.map(lambda text: text.replace("\n", " ")),
            st.dictionaries(
                st.sampled_from(["title", "points", "due", "priority", "labels", "type", "x"]),
                st.one_of(
                    st.none(), st.integers(), st.floats(), OPTION_TEXT, st.lists(st.integers())
                ),
            ).map(json.dumps),
        ),
        max_size=4,
    )
)
def test_the_batch_reader_takes_arbitrary_lines_all_or_nothing(workspace: Any, lines: list[str]):
    before = json.loads(workspace("task", "list", "--format", "json").output)
    result = workspace("task", "add", "-", input="\n".join(lines) + "\n")
    _clean(result)
    after = json.loads(workspace("task", "list", "--format", "json").output)
    if result.exit_code != 0:
        assert after == before
    else:
        assert len(after) >= len(before)


@pytest.mark.parametrize("text", ["+99999999999d", "-4000y", "+1000000w"])
def test_an_out_of_range_offset_is_a_clean_cli_error(workspace: Any, text: str):
    result = workspace("task", "add", "Far away", "--due", text)
    _clean(result)
    assert result.exit_code == 2
