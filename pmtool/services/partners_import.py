"""Stakeholders from a CSV file or vCards: read, check every row, then add all or none.

Reading and checking never write: :func:`plan_import` says what would be added and
which rows are duplicates (an email address known already, or twice in the file:
reported, never merged). Any row or card with a broken encoding, a missing column or
an invalid value refuses the whole import with a message naming the row or card and
the field. vCards are parsed by ``vobject``, imported only here.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmtool.core import words
from pmtool.core.errors import InvalidInput
from pmtool.services import partners
from pmtool.storage.gateway import Gateway
from pmtool.storage.reader import Reader, Row

CSV_COLUMNS = (
    "name",
    "email",
    "phone",
    "role",
    "partner",
    "power",
    "interest",
    "attitude",
    "notes",
)
PLAN_FIELDS = ("source", "action", "name", "partner", "note")


@dataclass
class Person:
    source: str  # "line 3" or "card 2": how messages name it
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class Entry:
    source: str
    action: str  # add | duplicate
    values: dict[str, Any]
    partner: Row | None
    note: str = ""


@dataclass
class ImportPlan:
    entries: list[Entry]

    def rows(self) -> list[Row]:
        return [
            {
                "source": entry.source,
                "action": entry.action,
                "name": entry.values["name"],
                "partner": entry.partner["name"] if entry.partner else None,
                "note": entry.note,
            }
            for entry in self.entries
        ]


# -- reading -------------------------------------------------------------------------------


def read_people(path: str) -> list[Person]:
    """The people in a .csv or .vcf file (by its extension)."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"no file {path}") from None
    suffix = file.suffix.lower()
    if suffix in (".vcf", ".vcard"):
        return _read_vcards(data, file.name)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(data, file.name)
    raise InvalidInput(f"{file.name}: import reads .csv and .vcf files, not {suffix or 'this'}")


def _undecodable(data: bytes, error: UnicodeDecodeError) -> tuple[int, str]:
    """(line number, the bad byte) of a decoding error."""
    line = data[: error.start].count(b"\n") + 1
    return line, f"0x{data[error.start]:02x}"


def _read_csv(data: bytes, name: str) -> list[Person]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, byte = _undecodable(data, error)
        raise InvalidInput(
            f"{name}: line {line} is not valid UTF-8 (byte {byte}); save the file as UTF-8"
        ) from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InvalidInput(f"{name}: no header row (it needs at least a 'name' column)")
    delimiter = max(",;\t", key=lines[0].count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [column.strip().lower() for column in next(reader)]
    unknown = [column for column in header if column not in CSV_COLUMNS]
    if unknown:
        raise InvalidInput(
            f"{name}: line 1: unknown column {unknown[0]!r} (columns: {', '.join(CSV_COLUMNS)})"
        )
    if "name" not in header:
        raise InvalidInput(f"{name}: line 1: the column 'name' is missing")
    people = []
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < len(header):
            missing = header[len(cells)]
            raise InvalidInput(
                f"{name}: line {line}: the column {missing!r} is missing "
                f"({len(cells)} of {len(header)} fields)"
            )
        if len(cells) > len(header):
            raise InvalidInput(
                f"{name}: line {line} has {len(cells)} fields, the header {len(header)}"
            )
        values = {column: cell.strip() for column, cell in zip(header, cells, strict=True)}
        people.append(Person(f"line {line}", {k: v for k, v in values.items() if v}))
    return people


def _read_vcards(data: bytes, name: str) -> list[Person]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        card = data[: error.start].upper().count(b"BEGIN:VCARD") or 1
        line, byte = _undecodable(data, error)
        raise InvalidInput(
            f"{name}: card {card} (line {line}) is not valid UTF-8 (byte {byte}); "
            "export the cards as UTF-8 (vCard 3.0 or 4.0)"
        ) from None
    import vobject

    people = []
    cards = vobject.readComponents(text, ignoreUnreadable=False)
    number = 0
    while True:
        number += 1
        try:
            card = next(cards)
        except StopIteration:
            break
        except Exception as error:  # vobject raises ParseError and others
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise InvalidInput(f"{name}: card {number} cannot be read: {first}") from None
        if card.name.upper() != "VCARD":
            raise InvalidInput(f"{name}: card {number} is a {card.name}, not a VCARD")
        people.append(Person(f"card {number}", _card_values(card, name, number)))
    return people


def _first(card: Any, key: str) -> str | None:
    found = card.contents.get(key)
    if not found:
        return None
    value = found[0].value
    if isinstance(value, list):  # ORG is a list of units
        value = value[0] if value else ""
    text = str(value).strip()
    return text or None


def _card_values(card: Any, name: str, number: int) -> dict[str, str]:
    full_name = _first(card, "fn")
    if full_name is None and "n" in card.contents:
        parts = card.contents["n"][0].value
        full_name = " ".join(p for p in (parts.prefix, parts.given, parts.family) if p).strip()
    if not full_name:
        raise InvalidInput(f"{name}: card {number}: no name (FN) in the card")
    values = {"name": full_name}
    for key, column in (
        ("email", "email"),
        ("tel", "phone"),
        ("org", "partner"),
        ("title", "role"),
        ("role", "role"),
        ("note", "notes"),
    ):
        value = _first(card, key)
        if value is not None and column not in values:
            values[column] = value
    return values


# -- planning and applying -----------------------------------------------------------------


def _number(value: str | None, default: int, what: str, where: str) -> int:
    if value is None:
        return default
    if not value.strip().isdigit():
        raise InvalidInput(
            f"{where}{what} must be a whole number from {words.GRID_MIN} to {words.GRID_MAX} "
            f"(got {value!r})"
        )
    return partners.check_grid(int(value), what, where)


def plan_import(
    reader: Reader,
    people: list[Person],
    *,
    partner: Row | None = None,
    power: int = 3,
    interest: int = 3,
    file_name: str = "",
) -> ImportPlan:
    """Check every person; a duplicate email is marked, an invalid value refuses all."""
    known_partners = {row["name"].lower(): row for row in reader.rows("SELECT * FROM partner")}
    known_emails = {
        str(email).lower(): stakeholder_id
        for stakeholder_id, email in reader.tuples(
            "SELECT id, email FROM stakeholder WHERE email IS NOT NULL"
        )
    }
    seen: dict[str, str] = {}
    entries = []
    for person in people:
        where = f"{file_name + ': ' if file_name else ''}{person.source}: "
        raw = person.values
        values: dict[str, Any] = {
            "name": raw["name"],
            "email": partners.check_email(raw["email"], where + "email ")
            if raw.get("email")
            else None,
            "phone": partners.check_phone(raw["phone"], where + "phone ")
            if raw.get("phone")
            else None,
            "role": raw.get("role"),
            "power": _number(raw.get("power"), power, "power", where),
            "interest": _number(raw.get("interest"), interest, "interest", where),
            "attitude": partners.check_choice(
                raw["attitude"], words.ATTITUDES, "the attitude", where
            )
            if raw.get("attitude")
            else None,
            "notes": raw.get("notes"),
        }
        if len(values["name"]) > words.MAX_NAME_LENGTH:
            raise InvalidInput(f"{where}the name is longer than {words.MAX_NAME_LENGTH} characters")
        organisation = partner
        note = ""
        if organisation is None and raw.get("partner"):
            organisation = known_partners.get(raw["partner"].lower())
            if organisation is None:
                note = f"partner {raw['partner']!r} is unknown: not linked"
        email = (values["email"] or "").lower()
        action = "add"
        if email and email in known_emails:
            action, note = "duplicate", f"email known: stakeholder #{known_emails[email]}"
        elif email and email in seen:
            action, note = "duplicate", f"email also in {seen[email]}"
        elif email:
            seen[email] = person.source
        entries.append(Entry(person.source, action, values, organisation, note))
    return ImportPlan(entries)


def apply_import(gw: Gateway, plan: ImportPlan, *, project: Row | None = None) -> int:
    """Add every non-duplicate of the plan (inside the caller's one transaction)."""
    added = 0
    for entry in plan.entries:
        if entry.action != "add":
            continue
        partners.add_stakeholder(
            gw,
            entry.values["name"],
            power=entry.values["power"],
            interest=entry.values["interest"],
            partner=entry.partner,
            role=entry.values["role"],
            email=entry.values["email"],
            phone=entry.values["phone"],
            attitude=entry.values["attitude"],
            notes=entry.values["notes"],
            project=project,
            where=f"{entry.source}: ",
        )
        added += 1
    return added
