"""Dates and durations as users type them, through the parser and through the CLI."""

from __future__ import annotations

import calendar
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import Invoke
from hypothesis import given, settings
from hypothesis import strategies as st
from pmcheck import dump, error_line, ok

from pmtool.core.dates import (
    ACCEPTED_DATE_FORMS,
    parse_date,
    parse_days,
    parse_duration_end,
)
from pmtool.core.errors import InvalidInput

FRIDAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        (" 2026-12-01 ", date(2026, 12, 1)),
        ("today", FRIDAY),
        ("TODAY", FRIDAY),
        ("tomorrow", date(2026, 11, 28)),
        ("yesterday", date(2026, 11, 26)),
        # Weekday names mean the next one; today's weekday means a week ahead.
        ("monday", date(2026, 11, 30)),
        ("Mon", date(2026, 11, 30)),
        ("thursday", date(2026, 12, 3)),
        ("friday", date(2026, 12, 4)),
        ("sat", date(2026, 11, 28)),
        ("+3d", date(2026, 11, 30)),
        ("3d", date(2026, 11, 30)),
        ("+2w", date(2026, 12, 11)),
        ("-1w", date(2026, 11, 20)),
        ("-1m", date(2026, 10, 27)),
        ("+1m", date(2026, 12, 27)),
        ("+1y", date(2027, 11, 27)),
        ("+0d", FRIDAY),
        ("1 Dec 2026", date(2026, 12, 1)),
        ("01.12.2026", date(2026, 12, 1)),  # day first, as in Europe
    ],
)
def test_accepted_forms(text: str, expected: date):
    assert parse_date(text, today=FRIDAY) == expected


def test_month_offsets_stay_in_the_month():
    assert parse_date("-1m", today=date(2026, 3, 31)) == date(2026, 2, 28)
    assert parse_date("+1m", today=date(2026, 1, 31)) == date(2026, 2, 28)
    assert parse_date("+1y", today=date(2028, 2, 29)) == date(2029, 2, 28)


@pytest.mark.parametrize(
    "text", ["", "   ", "someday", "2026-13-01", "2026-02-30", "+3x", "next week", "--2d", "fr"]
)
def test_unreadable_dates_name_the_accepted_forms(text: str):
    with pytest.raises(InvalidInput) as raised:
        parse_date(text, today=FRIDAY)
    assert ACCEPTED_DATE_FORMS in str(raised.value)
    assert raised.value.exit_code == 2


@given(
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
    amount=st.integers(min_value=0, max_value=999),
)
@settings(max_examples=200, deadline=None)
def test_day_and_week_offsets_round_trip(start: date, amount: int):
    later = parse_date(f"+{amount}d", today=start)
    assert later - start == timedelta(days=amount)
    assert parse_date(f"-{amount}d", today=later) == start
    weeks_later = parse_date(f"+{amount}w", today=start)
    assert weeks_later - start == timedelta(weeks=amount)
    assert parse_date(f"-{amount}w", today=weeks_later) == start


@given(
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
    months=st.integers(min_value=0, max_value=240),
)
@settings(max_examples=200, deadline=None)
def test_month_offsets_round_trip_when_the_day_exists(start: date, months: int):
    later = parse_date(f"+{months}m", today=start)
    assert (later.year * 12 + later.month) - (start.year * 12 + start.month) == months
    assert later.day == min(start.day, calendar.monthrange(later.year, later.month)[1])
    if start.day <= 28:
        assert parse_date(f"-{months}m", today=later) == start


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    amount=st.integers(min_value=1, max_value=400),
    unit=st.sampled_from("dw"),
)
@settings(max_examples=100, deadline=None)
def test_durations_end_the_day_before_the_offset(start: date, amount: int, unit: str):
    end = parse_duration_end(f"{amount}{unit}", start)
    assert end == parse_date(f"+{amount}{unit}", today=start) - timedelta(days=1)
    assert (end - start).days + 1 == amount * (7 if unit == "w" else 1)


def test_durations():
    assert parse_duration_end("2w", date(2026, 11, 23)) == date(2026, 12, 6)
    assert parse_duration_end("10d", date(2026, 11, 23)) == date(2026, 12, 2)
    assert parse_duration_end("1m", date(2026, 1, 31)) == date(2026, 2, 27)
    assert parse_days("60d") == 60
    assert parse_days("2w") == 14
    for bad in ("0d", "-2w", "+2w", "2", "w", "two weeks", ""):
        with pytest.raises(InvalidInput, match="as a duration"):
            parse_duration_end(bad, date(2026, 11, 23))


def test_cli_dates_use_the_clock(workspace: Invoke, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-27T10:00:00+00:00")
    for due in ("today", "tomorrow", "monday", "+2w", "-1m", "2027-01-15"):
        ok(workspace("task", "add", f"Due {due}", "--due", due))
    rows = json.loads(ok(workspace("task", "list", "--format", "json")))
    assert [(row["title"], row["due"]) for row in rows] == [
        ("Due today", "2026-11-27"),
        ("Due tomorrow", "2026-11-28"),
        ("Due monday", "2026-11-30"),
        ("Due +2w", "2026-12-11"),
        ("Due -1m", "2026-10-27"),
        ("Due 2027-01-15", "2027-01-15"),
    ]
    ok(workspace("task", "edit", "PM-1", "--due", "friday"))
    shown = json.loads(ok(workspace("task", "show", "PM-1", "--format", "json")))
    assert shown["due"] == "2026-12-04"


def test_cli_sprint_length(workspace: Invoke, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-27T10:00:00+00:00")
    assert ok(workspace("sprint", "add", "S1", "--start", "monday", "--length", "2w")) == (
        "Planned S1: 2026-11-30 to 2026-12-13\n"
    )
    assert ok(workspace("sprint", "add", "S2", "--start", "+17d", "--length", "10d")) == (
        "Planned S2: 2026-12-14 to 2026-12-23\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("task", "add", "T", "--due", "someday"),
        ("task", "add", "T", "--due", "2026-02-30"),
        ("sprint", "add", "S", "--start", "soon", "--length", "2w"),
        ("sprint", "add", "S", "--start", "2026-12-01", "--end", "later"),
    ],
)
def test_cli_unreadable_date_is_exit_2_naming_the_forms(workspace: Invoke, db_path: Path, args):
    before = dump(db_path)
    line = error_line(workspace(*args), 2, "as a date; use YYYY-MM-DD, today, tomorrow")
    assert "weekday name" in line and "+3d/-2w/+1m/+1y" in line
    assert dump(db_path) == before


def test_cli_unreadable_date_on_edit(workspace: Invoke, db_path: Path):
    ok(workspace("task", "add", "T", "--due", "2026-12-01"))
    before = dump(db_path)
    error_line(workspace("task", "edit", "PM-1", "--due", "whenever"), 2, ACCEPTED_DATE_FORMS)
    assert dump(db_path) == before
