"""Spreadsheets through openpyxl's write-only mode: rows stream to the file, cells are
typed (numbers, dates, timestamps, booleans), the header is bold and frozen."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

SHEET_NAME_LIMIT = 31  # Excel's limit
CELL_TEXT_LIMIT = 32_767  # Excel's limit: longer text is cut, with … at the end


def _date(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value


def _timestamp(value: Any) -> Any:
    # Excel has no time zones: the cell holds UTC, as the header says.
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
    return value


def _text(value: Any) -> str:
    if isinstance(value, list):
        text = ", ".join("" if item is None else str(item) for item in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) > CELL_TEXT_LIMIT:
        text = text[: CELL_TEXT_LIMIT - 1] + "…"
    return text


def write_xlsx(
    target: str | IO[bytes],
    sheet_title: str,
    fields: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    kinds: Mapping[str, str],
) -> int:
    """Write one sheet; returns the number of rows. ``kinds`` marks date and datetime
    fields (ISO text in the rows; timestamps stay UTC); text is always a text cell,
    never a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_name(sheet_title))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in fields:
        cell = WriteOnlyCell(sheet, name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    converters = {
        name: _date if kinds.get(name) == "date" else _timestamp
        for name in fields
        if kinds.get(name) in ("date", "datetime")
    }
    count = 0
    for row in rows:
        cells: list[Any] = []
        for name in fields:
            value = row.get(name)
            convert = converters.get(name)
            if convert is not None:
                value = convert(value)
            if value is None or isinstance(value, (bool, int, float, date)):
                cells.append(value)
                continue
            text_cell = WriteOnlyCell(sheet, _text(value))
            text_cell.data_type = "s"  # "=..." stays text: no formula runs when opened
            cells.append(text_cell)
        sheet.append(cells)
        count += 1
    workbook.save(target)
    return count


def _sheet_name(title: str) -> str:
    cleaned = "".join(" " if character in "[]:*?/\\" else character for character in title)
    return cleaned.strip()[:SHEET_NAME_LIMIT] or "Export"
