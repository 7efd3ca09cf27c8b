"""Task keys such as PM-12: the project's key and the task's number."""

from __future__ import annotations

import re

from pmtool.core.errors import InvalidInput

_KEY = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]{1,9})-(\d{1,9})\s*$")


def parse_key(text: str) -> tuple[str, int]:
    """``PM-12`` as (``PM``, 12)."""
    match = _KEY.match(text)
    if not match:
        raise InvalidInput(f"{text!r} is not a task key; keys look like PM-12")
    return match.group(1).upper(), int(match.group(2))


def task_key(project_key: str, number: int) -> str:
    return f"{project_key}-{number}"
