"""Checks on user-typed values shared by the write services."""

from __future__ import annotations

from pmtool.core.errors import InvalidInput


def clean_text(value: str | None, what: str, max_length: int) -> str:
    """Stripped text that is neither empty nor longer than ``max_length``."""
    cleaned = (value or "").strip()
    if not cleaned:
        raise InvalidInput(f"{what} cannot be empty")
    if len(cleaned) > max_length:
        raise InvalidInput(f"{what} is {len(cleaned)} characters long; at most {max_length} fit")
    if any(ord(character) < 32 and character not in "\t" for character in cleaned):
        raise InvalidInput(f"{what} cannot contain line breaks or control characters")
    return cleaned


def check_points(points: int | None) -> int | None:
    from pmtool.core.words import MAX_POINTS

    if points is None:
        return None
    if points < 0:
        raise InvalidInput(f"story points cannot be negative (got {points})")
    if points > MAX_POINTS:
        raise InvalidInput(f"{points} story points is more than {MAX_POINTS}; split the task")
    return points
