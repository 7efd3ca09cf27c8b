"""Dates and durations as users type them.

Accepted: ISO dates (2026-12-01), today, tomorrow, yesterday, weekday names (the next
one, today excluded: "friday", "fri"), offsets (+3d, -1w, +2m, +1y) and, through
python-dateutil, most written dates ("1 Dec 2026"). Durations: 10d, 2w, 3m, 1y.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from pmtool.core import clock
from pmtool.core.errors import InvalidInput

ACCEPTED_DATE_FORMS = "YYYY-MM-DD, today, tomorrow, yesterday, a weekday name, or +3d/-2w/+1m/+1y"
ACCEPTED_DURATION_FORMS = "a number with d, w, m or y, e.g. 10d, 2w, 3m"

_OFFSET = re.compile(r"^([+-]?)(\d{1,4})\s*([dwmy])$", re.IGNORECASE)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _shift(start: date, sign: int, amount: int, unit: str) -> date:
    try:
        return _shifted(start, sign, amount, unit.lower())
    except (ValueError, OverflowError) as exc:  # past year 1 or 9999
        raise InvalidInput(f"{'+' if sign > 0 else '-'}{amount}{unit} is too far away") from exc


def _shifted(start: date, sign: int, amount: int, unit: str) -> date:
    if unit == "d":
        return start + timedelta(days=sign * amount)
    if unit == "w":
        return start + timedelta(weeks=sign * amount)
    from dateutil.relativedelta import relativedelta

    if unit == "m":
        return start + relativedelta(months=sign * amount)
    return start + relativedelta(years=sign * amount)


def parse_date(text: str, *, today: date | None = None) -> date:
    """A date from the user's words, or InvalidInput naming the accepted forms."""
    base = today or clock.today()
    word = text.strip().lower()
    if not word:
        raise InvalidInput(f"empty date; use {ACCEPTED_DATE_FORMS}")
    if word == "today":
        return base
    if word == "tomorrow":
        return base + timedelta(days=1)
    if word == "yesterday":
        return base - timedelta(days=1)
    offset = _OFFSET.match(word)
    if offset:
        sign = -1 if offset.group(1) == "-" else 1
        return _shift(base, sign, int(offset.group(2)), offset.group(3))
    for index, weekday in enumerate(_WEEKDAYS):
        if len(word) >= 3 and weekday.startswith(word):
            days_ahead = (index - base.weekday()) % 7 or 7
            return base + timedelta(days=days_ahead)
    try:
        return date.fromisoformat(word)
    except ValueError:
        pass
    if any(character.isalpha() for character in word) or "." in word or "/" in word:
        from dateutil import parser

        try:
            # dayfirst: the users are in Europe, 01.12.2026 is the first of December.
            return parser.parse(text, dayfirst=True, default=_midnight(base)).date()
        except (ValueError, OverflowError):
            pass
    raise InvalidInput(f"cannot read {text!r} as a date; use {ACCEPTED_DATE_FORMS}")


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def parse_duration_end(text: str, start: date) -> date:
    """The last day of a period of ``text`` (e.g. 2w) beginning on ``start``."""
    match = _OFFSET.match(text.strip())
    if not match or match.group(1) or int(match.group(2)) == 0:
        raise InvalidInput(f"cannot read {text!r} as a duration; use {ACCEPTED_DURATION_FORMS}")
    return _shift(start, 1, int(match.group(2)), match.group(3)) - timedelta(days=1)


def parse_days(text: str) -> int:
    """A duration as a number of days (for windows such as --expiring 60d)."""
    start = date(2000, 1, 1)
    return (parse_duration_end(text, start) - start).days + 1
