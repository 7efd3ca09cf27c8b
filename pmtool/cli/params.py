"""Click parameter types for dates, durations, bounded numbers and bounded text.

Every value a command cannot store or compute with is refused here, as a usage error
naming the option (exit 2), before anything runs: dates outside EARLIEST..LATEST (date
arithmetic and the burndown's day-by-day replay stay far from the year 9999), counts
beyond MAX_COUNT, numbers beyond SQLite's 64-bit integers, text over its length limit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from pmtool.core.errors import InvalidInput
from pmtool.core.words import MAX_DESCRIPTION_LENGTH, MAX_EMAIL_LENGTH, MAX_WIP_LIMIT, is_none_word

# Dates pmtool stores: sprint lengths and offsets added to these stay representable.
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
MAX_COUNT = 1_000_000_000  # --limit/-n, --last: far more rows than any history holds


def _date_range_message(value: Any) -> str:
    return f"{value!r} is too far away; dates run from {EARLIEST} to {LATEST}"


class DateType(click.ParamType):
    """ISO dates, today/tomorrow, weekday names, +3d/-2w offsets."""

    name = "DATE"

    def __init__(self, allow_clear: bool = False) -> None:
        self.allow_clear = allow_clear

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, date):
            return value
        if self.allow_clear and (is_none_word(str(value)) or not str(value).strip()):
            return "none"
        from pmtool.core.dates import parse_date

        try:
            parsed = parse_date(str(value))
        except InvalidInput as error:
            self.fail(str(error), param, ctx)
        except (OverflowError, ValueError):  # e.g. +9999y: past the year 9999
            self.fail(_date_range_message(value), param, ctx)
        if not EARLIEST <= parsed <= LATEST:
            self.fail(_date_range_message(value), param, ctx)
        return parsed


class DurationType(click.ParamType):
    """A length such as 2w or 10d, kept as text until a start date is known."""

    name = "DURATION"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from pmtool.core.dates import parse_duration_end

        try:
            # From the latest date accepted: any start date plus this length is a date.
            parse_duration_end(str(value), LATEST)
        except InvalidInput as error:
            self.fail(str(error), param, ctx)
        except (OverflowError, ValueError):
            self.fail(f"{value!r} is too long for a sprint", param, ctx)
        return str(value)


class LimitedText(click.ParamType):
    """Text of at most ``max_length`` characters (pmtool.core.words has the limits)."""

    name = "text"

    def __init__(self, max_length: int) -> None:
        self.max_length = max_length

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = str(value)
        if len(text) > self.max_length:
            self.fail(
                f"{len(text)} characters is too long; at most {self.max_length} fit", param, ctx
            )
        return text


class WipLimitType(click.ParamType):
    """A WIP limit as typed (a number or 'none'); numbers beyond MAX_WIP_LIMIT are refused.
    The command reads the text itself, so its own messages for other values stay."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            number = int(str(value))
        except ValueError:
            return str(value)
        if number > MAX_WIP_LIMIT:
            self.fail(f"{number} is more than {MAX_WIP_LIMIT}; use 'none' for no limit", param, ctx)
        return str(value)


DATE = DateType()
DATE_OR_NONE = DateType(allow_clear=True)
DURATION = DurationType()
COUNT = click.IntRange(min=1, max=MAX_COUNT)
WIP_LIMIT = WipLimitType()
DESCRIPTION = LimitedText(MAX_DESCRIPTION_LENGTH)
EMAIL = LimitedText(MAX_EMAIL_LENGTH)
