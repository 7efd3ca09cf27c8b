"""The current time, in one place so that tests, the demo and benchmarks can set it.

``PMTOOL_NOW`` (an ISO datetime, UTC if no offset is given) freezes the clock; the demo
and the benchmark seeder use :func:`frozen` to write history in the past.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

_override: datetime | None = None


def utcnow() -> datetime:
    """Now as an aware UTC datetime."""
    if _override is not None:
        return _override
    frozen_text = os.environ.get("PMTOOL_NOW")
    if frozen_text:
        moment = datetime.fromisoformat(frozen_text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    return datetime.now(UTC)


def today() -> date:
    """Today in the user's local time zone."""
    return utcnow().astimezone().date()


@contextmanager
def frozen(moment: datetime) -> Iterator[None]:
    """Run a block as if it were ``moment`` (used to write realistic history)."""
    global _override
    previous = _override
    _override = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        yield
    finally:
        _override = previous
