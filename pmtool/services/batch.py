"""Many tasks in one command: lines of JSON objects or tab-separated values.

Every line is checked before anything is written; the tasks are then added in one
transaction, as one command (one `pmtool undo`). A bad line names its number and
writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from pmtool.core.dates import parse_date
from pmtool.core.errors import InvalidInput, PmError
from pmtool.services import tasks
from pmtool.storage.gateway import Gateway
from pmtool.storage.reader import Row

# Tab-separated lines without a header have these columns, in this order.
TSV_COLUMNS = ("title", "points", "type", "priority", "assignee", "labels", "due", "sprint")
# What a line may set (JSON keys, TSV header names) -> add_task's keyword.
FIELDS = {
    "title": "title",
    "points": "points",
    "type": "task_type",
    "priority": "priority",
    "assignee": "assignee",
    "labels": "labels",
    "due": "due",
    "sprint": "sprint",
    "parent": "parent",
    "description": "description",
    "status": "status",
}
MAX_BATCH = 100_000


def parse_task_lines(lines: Iterable[str], defaults: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The tasks the lines describe, each merged over ``defaults`` (add_task keywords)."""
    specs: list[dict[str, Any]] = []
    header: tuple[str, ...] | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            if line.lstrip().startswith("{"):
                given = _from_json(line)
            elif header is None and not specs and line.split("\t")[0].strip().lower() == "title":
                header = _header(line)
                continue
            else:
                given = _from_tsv(line, header or TSV_COLUMNS)
            specs.append(_merge(defaults, given))
        except PmError as error:
            raise type(error)(f"line {number}: {error}") from error
        if len(specs) > MAX_BATCH:
            raise InvalidInput(f"more than {MAX_BATCH} tasks in one batch; split the file")
    return specs


def add_tasks(
    gw: Gateway, project: Row, specs: list[dict[str, Any]], *, force: bool = False
) -> list[Row]:
    """Add every task or none; a refusal names the line's task."""
    created = []
    for position, spec in enumerate(specs, start=1):
        try:
            created.append(tasks.add_task(gw, project, force=force, **spec))
        except PmError as error:
            raise type(error)(f"task {position} ({spec['title']!r}): {error}") from error
    return created


def _from_json(line: str) -> dict[str, Any]:
    try:
        found = json.loads(line)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"not valid JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(found, dict):
        raise InvalidInput('a JSON line must be an object such as {"title": "..."}')
    unknown = sorted(set(found) - set(FIELDS))
    if unknown:
        raise InvalidInput(f"unknown field {unknown[0]!r}; fields: {', '.join(FIELDS)}")
    return {name: value for name, value in found.items() if value is not None}


def _header(line: str) -> tuple[str, ...]:
    names = tuple(cell.strip().lower() for cell in line.split("\t"))
    unknown = [name for name in names if name not in FIELDS]
    if unknown:
        raise InvalidInput(f"unknown column {unknown[0]!r}; columns: {', '.join(FIELDS)}")
    return names


def _from_tsv(line: str, columns: tuple[str, ...]) -> dict[str, Any]:
    cells = line.split("\t")
    if len(cells) > len(columns):
        raise InvalidInput(f"{len(cells)} cells, but only {len(columns)} columns are known")
    given: dict[str, Any] = {}
    for name, cell in zip(columns, cells, strict=False):
        if cell.strip():
            given[name] = cell.strip()
    if isinstance(given.get("labels"), str):
        given["labels"] = [label for label in given["labels"].split(",") if label.strip()]
    return given


def _merge(defaults: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    spec = {**defaults}
    for name, value in given.items():
        keyword = FIELDS[name]
        if keyword == "points":
            value = _whole_number(value)
        elif keyword == "due":
            value = parse_date(str(value))
        elif keyword == "labels":
            value = [value] if isinstance(value, str) else list(value)
            value = [*spec.get("labels", []), *(str(label) for label in value)]
        elif not isinstance(value, str):
            raise InvalidInput(f"{name} must be text (got {json.dumps(value)})")
        spec[keyword] = value
    if not spec.get("title"):
        raise InvalidInput("a task needs a title")
    return spec


def _whole_number(value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidInput(f"points must be a whole number (got {value})")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"points must be a whole number (got {value!r})") from None
    if isinstance(value, float) and value != number:
        raise InvalidInput(f"points must be a whole number (got {value})")
    return number
