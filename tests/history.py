"""Closed sprints with known velocities, made through the CLI with the clock moving on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import Invoke
from pmcheck import ok

FIRST_MONDAY = date(2026, 9, 7)


def closed_sprints(run: Invoke, monkeypatch: pytest.MonkeyPatch, velocities: list[int]) -> date:
    """One two-week sprint per velocity, each completing exactly that many points (one
    task each), closed in order; then the clock stands on the Monday after the last one.
    Returns that Monday."""
    start = FIRST_MONDAY
    for number, points in enumerate(velocities, start=1):
        name = f"Past {number}"
        monkeypatch.setenv("PMTOOL_NOW", f"{start.isoformat()}T08:00:00+00:00")
        ok(run("sprint", "add", name, "--start", start.isoformat(), "--length", "2w"))
        key = ok(run("task", "add", f"Work of {name}", "--points", str(points), "--sprint", name))
        ok(run("sprint", "start", name))
        monkeypatch.setenv(
            "PMTOOL_NOW", f"{(start + timedelta(days=3)).isoformat()}T10:00:00+00:00"
        )
        ok(run("task", "move", key.strip(), "done"))
        monkeypatch.setenv(
            "PMTOOL_NOW", f"{(start + timedelta(days=13)).isoformat()}T16:00:00+00:00"
        )
        ok(run("sprint", "close", name))
        start += timedelta(days=14)
    monkeypatch.setenv("PMTOOL_NOW", f"{start.isoformat()}T09:00:00+00:00")
    return start
