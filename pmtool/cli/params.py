"""Click parameter types for dates, durations and optional values."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from pmtool.core.errors import InvalidInput


class DateType(click.ParamType):
    """ISO dates, today/tomorrow, weekday names, +3d/-2w offsets."""

    name = "DATE"

    def __init__(self, allow_clear: bool = False) -> None:
        self.allow_clear = allow_clear

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, date):
            return value
        if self.allow_clear and str(value).strip().lower() in ("none", "-", ""):
            return "none"
        from pmtool.core.dates import parse_date

        try:
            return parse_date(str(value))
        except InvalidInput as error:
            self.fail(str(error), param, ctx)


class DurationType(click.ParamType):
    """A length such as 2w or 10d, kept as text until a start date is known."""

    name = "DURATION"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from pmtool.core.dates import parse_duration_end

        try:
            parse_duration_end(str(value), date(2000, 1, 1))
        except InvalidInput as error:
            self.fail(str(error), param, ctx)
        return str(value)


DATE = DateType()
DATE_OR_NONE = DateType(allow_clear=True)
DURATION = DurationType()
