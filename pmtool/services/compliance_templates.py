"""Compliance checklist templates: TOML files, their schema, and where they come from.

A template is one TOML file (``templates/checklists/NAME.toml`` ships with pmtool; a
user's own is stored in the database by `pmtool compliance template add FILE`)::

    [checklist]
    name = "tripod-ai"                 # required: lower-case letters, digits, dashes
    title = "TRIPOD+AI (2024)"         # required
    kind = "reporting-guideline"       # required: see TEMPLATE_KINDS
    source = "https://..."             # required: the official source (http/https)
    citation = "..."                   # optional
    version = "2024"                   # optional
    applies_from = 2027-08-02          # optional: when the duties apply (institution data)
    note = "..."                       # optional

    [[item]]
    number = "1"                       # required, unique in the file
    section = "Title"                  # optional
    label = "..."                      # required: a short label in our own words

Every problem names the file, the line and the field. Standard library only (tomllib).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pmtool.core import words
from pmtool.core.errors import InvalidInput, NotFound
from pmtool.resources import templates_dir
from pmtool.storage.reader import Reader

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
CHECKLIST_FIELDS = {
    "name": str,
    "title": str,
    "kind": str,
    "source": str,
    "citation": str,
    "version": str,
    "applies_from": date,
    "note": str,
}
REQUIRED_CHECKLIST_FIELDS = ("name", "title", "kind", "source")
ITEM_FIELDS = {"number": str, "section": str, "label": str}
REQUIRED_ITEM_FIELDS = ("number", "label")
MAX_ITEMS = 500
MAX_NUMBER_LENGTH = 30
MAX_TEMPLATE_BYTES = 200_000


@dataclass(frozen=True)
class TemplateItem:
    number: str
    section: str | None
    label: str


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    kind: str
    source: str
    citation: str | None
    version: str | None
    applies_from: date | None
    note: str | None
    items: tuple[TemplateItem, ...]
    origin: str  # "shipped" or "user"
    text: str  # the TOML it was read from


class _Lines:
    """Where things are in the TOML text, for messages (tomllib keeps no positions)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.item_starts = [
            number
            for number, line in enumerate(self.lines, start=1)
            if re.match(r"^\s*\[\[\s*item\s*\]\]", line)
        ]
        found = [
            number
            for number, line in enumerate(self.lines, start=1)
            if re.match(r"^\s*\[\s*checklist\s*\]", line)
        ]
        self.checklist_start = found[0] if found else 1

    def _block_end(self, start: int) -> int:
        later = [s for s in [*self.item_starts, self.checklist_start] if s > start]
        return min(later) - 1 if later else len(self.lines)

    def field_line(self, block_start: int, field: str) -> int:
        pattern = re.compile(rf"^\s*\"?{re.escape(field)}\"?\s*=")
        for number in range(block_start, self._block_end(block_start) + 1):
            if pattern.match(self.lines[number - 1]):
                return number
        return block_start

    def item_line(self, index: int) -> int:
        return self.item_starts[index] if index < len(self.item_starts) else 1


def parse_template(text: str, where: str, *, origin: str = "user") -> Template:
    """Validate a template's TOML text; ``where`` names the file in messages."""

    def fail(line: int, field: str, problem: str) -> InvalidInput:
        return InvalidInput(f"{where}, line {line}, field {field!r}: {problem}")

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # tomllib says "... (at line 3, column 9)": keep its position, name the file.
        raise InvalidInput(f"{where}: not valid TOML: {error}") from error
    lines = _Lines(text)
    unknown_tables = sorted(set(data) - {"checklist", "item"})
    if unknown_tables:
        raise fail(1, unknown_tables[0], "unknown table or key (expected [checklist], [[item]])")
    head = data.get("checklist")
    if not isinstance(head, dict):
        raise fail(1, "checklist", "a [checklist] table is required")
    start = lines.checklist_start
    unknown_fields = sorted(set(head) - set(CHECKLIST_FIELDS))
    if unknown_fields:
        raise fail(lines.field_line(start, unknown_fields[0]), unknown_fields[0], "unknown field")
    for field in REQUIRED_CHECKLIST_FIELDS:
        if field not in head:
            raise fail(start, field, "required in [checklist]")
    for field, value in head.items():
        expected = CHECKLIST_FIELDS[field]
        if not isinstance(value, expected) or (expected is date and type(value) is not date):
            kind = "a date (2027-08-02, no quotes)" if expected is date else "text in quotes"
            raise fail(lines.field_line(start, field), field, f"must be {kind}")
        if isinstance(value, str) and not value.strip():
            raise fail(lines.field_line(start, field), field, "must not be empty")
    name = head["name"].strip()
    if not NAME_PATTERN.match(name):
        raise fail(
            lines.field_line(start, "name"),
            "name",
            f"{name!r} is not a template name (lower-case letters, digits and dashes, at most 40)",
        )
    if head["kind"] not in words.TEMPLATE_KINDS:
        raise fail(
            lines.field_line(start, "kind"),
            "kind",
            f"{head['kind']!r} is not one of {', '.join(words.TEMPLATE_KINDS)}",
        )
    if not re.match(r"^https?://\S+$", head["source"].strip()):
        raise fail(lines.field_line(start, "source"), "source", "must be an http(s) URL")
    if len(head["title"]) > words.MAX_NAME_LENGTH:
        raise fail(
            lines.field_line(start, "title"), "title", f"longer than {words.MAX_NAME_LENGTH}"
        )
    raw_items = data.get("item")
    if not isinstance(raw_items, list) or not raw_items:
        raise fail(start, "item", "at least one [[item]] is required")
    if len(raw_items) > MAX_ITEMS:
        raise fail(lines.item_line(MAX_ITEMS), "item", f"more than {MAX_ITEMS} items")
    items: list[TemplateItem] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_items):
        item_start = lines.item_line(index)
        unknown_fields = sorted(set(raw) - set(ITEM_FIELDS))
        if unknown_fields:
            field = unknown_fields[0]
            raise fail(lines.field_line(item_start, field), field, "unknown field in [[item]]")
        for field in REQUIRED_ITEM_FIELDS:
            if field not in raw:
                raise fail(item_start, field, f"required in item {index + 1}")
        for field, value in raw.items():
            if not isinstance(value, str) or not value.strip():
                raise fail(lines.field_line(item_start, field), field, "must be non-empty text")
        number = raw["number"].strip()
        if len(number) > MAX_NUMBER_LENGTH:
            raise fail(
                lines.field_line(item_start, "number"),
                "number",
                f"longer than {MAX_NUMBER_LENGTH} characters",
            )
        if number.lower() in seen:
            raise fail(
                lines.field_line(item_start, "number"),
                "number",
                f"duplicate item number {number!r} (first at line {seen[number.lower()]})",
            )
        seen[number.lower()] = lines.field_line(item_start, "number")
        label = " ".join(raw["label"].split())
        if len(label) > words.MAX_TITLE_LENGTH:
            raise fail(
                lines.field_line(item_start, "label"),
                "label",
                f"longer than {words.MAX_TITLE_LENGTH} characters (keep labels short)",
            )
        section = raw.get("section")
        items.append(TemplateItem(number, section.strip() if section else None, label))
    return Template(
        name=name,
        title=head["title"].strip(),
        kind=head["kind"],
        source=head["source"].strip(),
        citation=head.get("citation"),
        version=head.get("version"),
        applies_from=head.get("applies_from"),
        note=head.get("note"),
        items=tuple(items),
        origin=origin,
        text=text,
    )


def read_template_file(path: Path) -> Template:
    """A user's template file, validated (the file is read once: later edits do not count)."""
    if not path.is_file():
        raise NotFound(f"no file {path}")
    if path.stat().st_size > MAX_TEMPLATE_BYTES:
        raise InvalidInput(f"{path}: larger than {MAX_TEMPLATE_BYTES} bytes; not a checklist")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput(f"{path}: not UTF-8 text ({error.reason})") from error
    return parse_template(text, str(path))


def shipped_dir() -> Path:
    return templates_dir() / "checklists"


def shipped_templates() -> list[Template]:
    """Every checklist shipped with pmtool, by name."""
    found = []
    for path in sorted(shipped_dir().glob("*.toml")):
        found.append(parse_template(path.read_text(encoding="utf-8"), path.name, origin="shipped"))
    return found


def user_templates(reader: Reader) -> list[Template]:
    """The templates users added to this database."""
    return [
        parse_template(text, f"{name} (stored)", origin="user")
        for name, text in reader.tuples(
            "SELECT name, content FROM compliance_template ORDER BY name"
        )
    ]


def all_templates(reader: Reader) -> list[Template]:
    return sorted([*shipped_templates(), *user_templates(reader)], key=lambda t: t.name)


def find_template(reader: Reader, name: str) -> Template:
    """A template by name (any case), shipped or stored; NotFound names the known ones."""
    wanted = name.strip().lower()
    known = all_templates(reader)
    for template in known:
        if template.name == wanted:
            return template
    names = ", ".join(t.name for t in known)
    raise NotFound(f"no checklist template {name!r}; templates: {names}")


def describe(template: Template) -> dict[str, Any]:
    """A template as a list row."""
    return {
        "name": template.name,
        "title": template.title,
        "kind": template.kind,
        "items": len(template.items),
        "origin": template.origin,
        "source": template.source,
        "applies_from": template.applies_from.isoformat() if template.applies_from else None,
    }
