"""Rows of a CSV file or a spreadsheet, read by pandas, as plain header and cell lists.

Every cell of a CSV file stays text (no type guessing: ``00123`` stays ``00123``, and
``NaN`` is the text ``NaN``, which the import then refuses as points). Spreadsheet cells
keep their types: numbers, dates; an empty cell is None.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pandas as pd

from pmtool.core.errors import InvalidInput

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm")


def read_table(path: Path, *, sheet: str | None = None) -> tuple[list[str], list[list[Any]]]:
    """(header, rows) of a CSV file (comma, semicolon or tab, sniffed) or an .xlsx sheet."""
    if path.suffix.lower() in SPREADSHEET_SUFFIXES:
        frame = _read_spreadsheet(path, sheet)
    else:
        if sheet is not None:
            raise InvalidInput("--sheet is for spreadsheets (.xlsx), not CSV files")
        frame = _read_csv(path)
    if frame.empty:
        raise InvalidInput(f"{path} has no header row")
    values = frame.astype(object).where(frame.notna(), None).values.tolist()
    header = ["" if cell is None else str(cell).strip() for cell in values[0]]
    if not any(header):
        raise InvalidInput(f"{path}: the first row (the header) is empty")
    return header, values[1:]


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            sample = stream.read(16384)
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text (save it as CSV UTF-8)") from None
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        return pd.read_csv(
            path,
            header=None,
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            sep=delimiter,
            skip_blank_lines=True,
        )
    except pd.errors.EmptyDataError:
        raise InvalidInput(f"{path} is empty") from None
    except pd.errors.ParserError as error:
        first_line = str(error).strip().splitlines()[-1]
        raise InvalidInput(f"{path} is not valid CSV: {first_line}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text (save it as CSV UTF-8)") from None


def _read_spreadsheet(path: Path, sheet: str | None) -> pd.DataFrame:
    try:
        return pd.read_excel(path, sheet_name=sheet or 0, header=None, dtype=object)
    except ValueError as error:
        if "Worksheet" in str(error):  # no such sheet
            raise InvalidInput(f"{path}: {error}") from None
        raise InvalidInput(f"{path} is not a readable .xlsx workbook") from None
    except Exception as error:  # zip and XML errors of a damaged file
        raise InvalidInput(
            f"{path} is not a readable .xlsx workbook ({type(error).__name__})"
        ) from None
