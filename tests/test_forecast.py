"""`pmtool forecast`: Monte Carlo over the closed sprints' velocities."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import Invoke
from history import closed_sprints
from pmcheck import dump, ok, refused


@pytest.fixture
def steady(workspace: Invoke, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Three closed sprints of exactly 10 points, then 25 points of open work."""
    closed_sprints(workspace, monkeypatch, [10, 10, 10])
    for title, points in (("First", "8"), ("Second", "8"), ("Third", "9")):
        ok(workspace("task", "add", title, "--points", points))
    ok(workspace("task", "add", "Unestimated"))
    return workspace


def _forecast(run: Invoke, *args: str) -> dict:
    return json.loads(ok(run("forecast", "--format", "json", "--seed", "1", *args)))


def test_a_steady_velocity_gives_one_answer_at_every_confidence(steady: Invoke):
    # Today is Monday 2026-10-19; no active sprint: sprints end 2026-11-01, -15, -29.
    result = _forecast(steady)
    assert result["remaining_points"] == 25 and result["remaining_tasks"] == 4
    assert result["unestimated_tasks"] == ["PM-7"]
    assert [row["completed"] for row in result["velocities"]] == [10, 10, 10]
    assert [(row["confidence"], row["sprints"], row["date"]) for row in result["results"]] == [
        (50, 3, "2026-11-29"),
        (85, 3, "2026-11-29"),
        (95, 3, "2026-11-29"),
    ]


def test_the_line_and_a_sprint_count(steady: Invoke):
    through = _forecast(steady, "--through", "PM-5")
    assert through["line"] == "PM-5" and through["remaining_points"] == 16
    assert through["results"][0]["sprints"] == 2
    counted = _forecast(steady, "--sprint-count", "1")
    assert [(row["points"], row["tasks"], row["through"]) for row in counted["results"]] == [
        (10, 1, "PM-4")
    ] * 3
    until = _forecast(steady, "--until", "2026-11-15")  # two sprints end by then
    assert until["results"][0]["sprints"] == 2 and until["results"][0]["points"] == 20
    assert until["results"][0]["through"] == "PM-5"


def test_the_spread_follows_the_velocities_and_the_seed_repeats_it(
    workspace: Invoke, monkeypatch: pytest.MonkeyPatch
):
    closed_sprints(workspace, monkeypatch, [5, 10, 30])
    ok(workspace("task", "add", "Big", "--points", "40"))
    first = _forecast(workspace)
    assert first == _forecast(workspace)
    sprints = [row["sprints"] for row in first["results"]]
    assert sprints == sorted(sprints) and sprints[0] < sprints[2]
    # 40 points never take fewer sprints than at the best velocity, nor more than at the worst.
    assert sprints[0] >= 2 and sprints[2] <= 8


def test_the_table_explains_what_was_sampled(steady: Invoke):
    output = ok(steady("forecast", "--seed", "1"))
    assert "PM: 4 open tasks, 25 points" in output
    assert "Velocity of 3 closed sprints: 10 to 10 points (mean 10.0); 10,000 runs" in output
    assert "Without points (counted as 0): PM-7" in output
    assert "2026-11-29" in output
    csv_lines = ok(steady("forecast", "--seed", "1", "--format", "csv")).splitlines()
    assert csv_lines[0] == "confidence,sprints,date,points,tasks,through"


def test_refusals(workspace: Invoke, monkeypatch: pytest.MonkeyPatch, db_path: Path):
    refused(workspace("forecast"), 1, "no closed sprint yet")
    today = closed_sprints(workspace, monkeypatch, [10])
    before = dump(db_path)
    refused(workspace("forecast", "--through", "PM-99"), 1, "PM-99 is not open work")
    refused(workspace("forecast", "--through", "PM-1"), 1, "PM-1 is not open work")  # done
    too_soon = (today + timedelta(days=1)).isoformat()
    refused(workspace("forecast", "--until", too_soon), 2, "no sprint ends by")
    result = workspace("forecast", "--until", "2027-01-01", "--sprint-count", "2")
    assert result.exit_code == 2 and "not both" in result.output
    assert dump(db_path) == before


def test_only_the_forecast_loads_pandas(steady: Invoke, db_path: Path):
    probe = (
        "import sys, os\n"
        "from pmtool.cli import main\n"
        "real = os._exit\n"
        "def done(code):\n"
        "    sys.stderr.write('PANDAS %s\\n' % ('pandas' in sys.modules)); real(code)\n"
        "os._exit = done\n"
        "sys.argv = ['pmtool', *sys.argv[1:]]\n"
        "main()\n"
    )
    for args, expected in ((["forecast"], "True"), (["velocity"], "False")):
        completed = subprocess.run(
            [sys.executable, "-c", probe, *args],
            env={**os.environ, "PMTOOL_DB": str(db_path)},
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert completed.returncode == 0, completed.stderr
        assert f"PANDAS {expected}" in completed.stderr
