"""Turning stored values into the JSON/ISO forms that outputs and the audit trail use."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any


def iso_timestamp(value: Any) -> str | None:
    """A stored timestamp (SQLite text or a datetime) as ISO 8601 UTC, e.g. 2026-11-27T09:30:00Z."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = str(value)
    # SQLite keeps "2026-11-27 09:30:00.123456" (UTC) or with "+00:00".
    return text[:10] + "T" + text[11:19] + "Z"


def iso_date(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def parse_timestamp(value: Any) -> datetime:
    """A stored timestamp as an aware UTC datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def labels_from_json(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, list):
        return value
    return list(json.loads(value))


def encode(value: Any) -> str | None:
    """A column value as audit text (JSON), or None for SQL NULL."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return json.dumps(iso_timestamp(value))
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    return json.dumps(value)


def decode(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def local_minute(iso_utc: str | None) -> str:
    """An ISO UTC timestamp as the user's local "YYYY-MM-DD HH:MM" (for tables)."""
    if not iso_utc:
        return ""
    return parse_timestamp(iso_utc.replace("Z", "+00:00")).astimezone().strftime("%Y-%m-%d %H:%M")
