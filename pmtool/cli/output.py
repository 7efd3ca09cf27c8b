"""One renderer for every list and show command: table, JSON, CSV or Markdown.

The table view is a small aligned-text printer rather than rich: rich costs ~30 ms of
imports, which is a third of the time budget of `pmtool task list`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

import click

from pmtool.core.text import escape_json, visible

FORMATS = ("table", "json", "csv", "md")
KEPT_WIDTH = 16  # a key such as SEPSIS-123 or an ISO date always fits
F = TypeVar("F", bound=Callable[..., Any])
# A spreadsheet runs a cell that starts like this as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
_RAW_KEY = "pmtool.output.raw"


def _remember_raw(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    ctx.meta[_RAW_KEY] = value


def format_option(function: F) -> F:
    """Adds ``--format table|json|csv|md`` (parameter ``fmt``) and ``--raw`` to a command.

    ``--raw`` is read by the renderers through the click context, so commands need no
    parameter for it.
    """
    raw = click.option(
        "--raw",
        is_flag=True,
        expose_value=False,
        callback=_remember_raw,
        help="csv: text cells exactly as stored; by default a cell a spreadsheet would run "
        "as a formula (=, +, -, @ ...) gets a leading '.",
    )
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="table for people; json, csv or md for scripts and documents.",
    )(raw(function))


def raw_requested() -> bool:
    """Whether the running command got ``--raw``."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.meta.get(_RAW_KEY))


class Column(NamedTuple):
    """A table column: the row field, its header, and whether it may shrink first."""

    field: str
    header: str
    flexible: bool = False
    align_right: bool = False
    keep_width: bool = False  # shrink no further than KEPT_WIDTH (keys, dates, names)
    drop_order: int | None = None  # when even the narrowest table is too wide: 1 goes first


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(_cell(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}={_cell(item)}" for key, item in value.items())
    text = str(value)
    if not text.isprintable():
        # One line per cell; control characters (escapes a teammate could have stored)
        # become visible stand-ins such as ␛ instead of reaching the terminal.
        text = visible(text.replace("\r\n", " ").translate(_SPACES))
    return text


_SPACES = {ord("\n"): " ", ord("\r"): " ", ord("\t"): " "}


def _cell_widths(text: str) -> list[int]:
    """The cells each character takes: wide characters and emoji two; combining marks,
    zero-width characters (ZWSP, ZWJ, variation selectors) and an emoji joined to the one
    before by a ZWJ (they make one glyph) none."""
    from unicodedata import category, east_asian_width

    widths = []
    joined = False
    for character in text:
        wide = east_asian_width(character) in "WF"
        invisible = category(character) in ("Mn", "Me", "Cf") or "\u1160" <= character <= "\u11ff"
        if invisible or (joined and wide):
            widths.append(0)
        else:
            widths.append(2 if wide else 1)
        joined = character == "\u200d"
    return widths


def display_width(text: str) -> int:
    """Terminal cells the text takes (see _cell_widths)."""
    if text.isascii():
        return len(text)
    return sum(_cell_widths(text))


def _truncate(text: str, width: int) -> str:
    if display_width(text) <= width:
        return text
    if text.isascii():  # one cell per character: the common case, without a loop
        return text[: max(width - 1, 0)] + "…"
    kept, used = [], 0
    for character, cells in zip(text, _cell_widths(text), strict=True):
        if used + cells > width - 1:
            break
        kept.append(character)
        used += cells
    return "".join(kept) + "…"


def plain(value: Any) -> str:
    """A value as one line of text for a message or a line of a list (see _cell)."""
    return _cell(value)


def fit_line(text: str, width: int) -> str:
    """One line cut to ``width`` terminal cells, with … where it was cut."""
    return _truncate(text, max(width, 20))


def _pad(text: str, width: int, *, right: bool = False) -> str:
    fill = " " * max(width - display_width(text), 0)
    return fill + text if right else text + fill


def terminal_width() -> int:
    """COLUMNS, else the terminal's width, else 100 (shutil's rule, without its imports)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 100  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 100


def _floor_width(column: Column, natural: int) -> int:
    """How narrow a column may get before the table starts leaving columns out."""
    if column.keep_width:
        return min(natural, KEPT_WIDTH)
    if column.flexible:
        return min(natural, 10)
    return min(natural, max(len(column.header), 8))


def plain_output() -> bool:
    """Whether output is for a program rather than a person at a terminal: stdout is not
    a terminal (a pipe, a file), or the terminal is ``dumb``. Tables then draw their rule
    with ASCII ``-`` instead of box drawing. (pmtool prints no colour anywhere, so
    ``NO_COLOR`` holds whatever it is set to.)"""
    stream = sys.__stdout__
    if stream is None or not stream.isatty():
        return True
    return os.environ.get("TERM") == "dumb"


def format_table(
    rows: Sequence[dict[str, Any]], columns: Sequence[Column], width: int, rule_character: str = "─"
) -> str:
    """Aligned columns that fit ``width``: flexible columns shrink first, then the widest;
    on narrow terminals the columns with a ``drop_order`` are left out, lowest first."""
    gap = 2
    all_cells = [[_cell(row.get(column.field)) for column in columns] for row in rows]
    natural = [
        max([len(column.header), *(display_width(line[index]) for line in all_cells)])
        for index, column in enumerate(columns)
    ]
    shown = list(range(len(columns)))
    droppable = sorted(
        (index for index, column in enumerate(columns) if column.drop_order is not None),
        key=lambda index: columns[index].drop_order or 0,
    )

    def narrowest() -> int:
        floors = [_floor_width(columns[index], natural[index]) for index in shown]
        return sum(floors) + gap * (len(shown) - 1)

    while droppable and narrowest() > width:
        shown.remove(droppable.pop(0))
    cells = [[line[index] for index in shown] for line in all_cells]
    widths = [natural[index] for index in shown]
    columns = [columns[index] for index in shown]
    overflow = sum(widths) + gap * (len(columns) - 1) - width
    # Shrink in three passes: flexible columns (titles) to a comfortable width, then
    # the other columns widest first, then flexible columns to their minimum.
    comfortable = [30 if c.flexible else widths[i] for i, c in enumerate(columns)]
    narrow = [_floor_width(column, widths[index]) for index, column in enumerate(columns)]
    for floor, flexible_pass in ((comfortable, True), (narrow, False), (narrow, True)):
        while overflow > 0:
            candidates = [
                index
                for index, column in enumerate(columns)
                if column.flexible == flexible_pass and widths[index] > floor[index]
            ]
            if not candidates:
                break
            widest = max(candidates, key=lambda index: widths[index])
            widths[widest] -= 1
            overflow -= 1

    def line(values: Sequence[str]) -> str:
        parts = []
        for index, (value, column) in enumerate(zip(values, columns, strict=True)):
            text = _truncate(value, widths[index])
            last = index == len(columns) - 1
            if column.align_right:
                parts.append(_pad(text, widths[index], right=True))
            else:
                parts.append(text if last else _pad(text, widths[index]))
        return (" " * gap).join(parts).rstrip()

    header = line([column.header for column in columns])
    rule = (" " * gap).join(rule_character * w for w in widths).rstrip()
    return "\n".join([header, rule, *(line(values) for values in cells)])


_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def to_json(rows: Sequence[dict[str, Any]]) -> str:
    """An array with one compact object per line: greppable, and fast (the C encoder).

    DEL, C1 and bidi control characters are escaped (``\\u202e``) like the encoder
    escapes C0, so no raw control character reaches a terminal.
    """
    return json_array([escape_json(_ROW_ENCODER.encode(row)) for row in rows])


def json_array(encoded_rows: Sequence[str]) -> str:
    """Rows already encoded as JSON objects, one per line, as one array."""
    if not encoded_rows:
        return "[]"
    return "[\n" + ",\n".join(encoded_rows) + "\n]"


def _csv_cell(value: Any, raw: bool) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula gets a leading '.

    Numbers stay numbers (-3 is not a formula); the check looks past leading spaces,
    which spreadsheets skip too.
    """
    text = _cell(value)
    if raw or isinstance(value, (int, float)) or not text:
        return text
    if text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS):
        return "'" + text
    return text


csv_cell = _csv_cell  # public name for other writers (exports)


def to_csv(rows: Sequence[dict[str, Any]], fields: Sequence[str], *, raw: bool = False) -> str:
    """A header and one line per row; see _csv_cell for formula-like text."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([_csv_cell(row.get(name), raw) for name in fields])
    return buffer.getvalue().rstrip("\n")


_MARKDOWN_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|"})


def _md_escape(text: str) -> str:
    """Cell text that stays text: HTML (``<img onerror=...>``) is escaped, as are pipes."""
    return text.translate(_MARKDOWN_ESCAPES)


def markdown_lines(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> Iterator[str]:
    """A Markdown table line by line (without line ends), as the rows come."""
    yield "| " + " | ".join(column.header for column in columns) + " |"
    yield "|" + "|".join("---:" if column.align_right else "---" for column in columns) + "|"
    for row in rows:
        yield "| " + " | ".join(_md_escape(_cell(row.get(c.field))) for c in columns) + " |"


def to_markdown(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    return "\n".join(markdown_lines(rows, columns))


def emit_rows(
    rows: Sequence[dict[str, Any]],
    fmt: str,
    columns: Sequence[Column] | None = None,
    *,
    empty_message: str = "Nothing to show.",
    fields: Sequence[str] | None = None,
) -> None:
    """Print a list. JSON and CSV carry every field; table and md the given columns.

    ``fields`` names every field, so that an empty CSV has the same header as a full one.
    """
    if fmt == "json":
        click.echo(to_json(rows))
        return
    if rows:
        fields = list(rows[0].keys())
    elif fields is None:
        fields = [c.field for c in columns or ()]
    if fmt == "csv":
        click.echo(to_csv(rows, fields, raw=raw_requested()))
        return
    shown = list(columns) if columns else [Column(name, name) for name in fields]
    if fmt == "md":
        click.echo(to_markdown(rows, shown))
        return
    if not rows:
        click.echo(empty_message)
        return
    rule = "-" if plain_output() else "─"
    click.echo(format_table(rows, shown, terminal_width(), rule))


def emit_object(record: dict[str, Any], fmt: str) -> None:
    """Print one record (a show command)."""
    if fmt == "json":
        click.echo(escape_json(json.dumps(record, ensure_ascii=False, indent=2)))
        return
    if fmt == "csv":
        click.echo(to_csv([record], list(record.keys()), raw=raw_requested()))
        return
    if fmt == "md":
        lines = ["| field | value |", "|---|---|"]
        lines += [f"| {name} | {_md_escape(_cell(value))} |" for name, value in record.items()]
        click.echo("\n".join(lines))
        return
    label_width = max(len(name) for name in record) if record else 0
    width = terminal_width() - label_width - 2
    for name, value in record.items():
        click.echo(f"{name.ljust(label_width)}  {_truncate(_cell(value), max(width, 20))}")


# Rows written per call when a list is streamed: few writes, little memory.
_STREAM_CHUNK = 1000


def _write_chunks(
    pieces: Iterable[str], clean: Callable[[str], str] | None = None, out: Any = None
) -> None:
    """Write pieces in chunks to ``out`` (default stdout); ``clean`` runs once per chunk
    (one regex scan, not one per row). The pieces are neutralised already: the terminal
    filter is skipped."""
    if out is None:
        out = getattr(sys.stdout, "unfiltered", sys.stdout)
    chunk: list[str] = []
    for piece in pieces:
        chunk.append(piece)
        if len(chunk) >= _STREAM_CHUNK:
            text = "".join(chunk)
            out.write(clean(text) if clean else text)
            chunk.clear()
    text = "".join(chunk)
    out.write(clean(text) if clean else text)
    out.flush()


def _json_array_pieces(encoded_rows: Iterable[str]) -> Iterator[str]:
    first = True
    for encoded in encoded_rows:
        yield ("[\n" if first else ",\n") + encoded
        first = False
    yield "[]\n" if first else "\n]\n"


def stream_json_array(encoded_rows: Iterable[str], out: Any = None) -> None:
    """Write rows already encoded as JSON objects as one array, as they come.

    The same bytes as ``json_array`` (plus the newline ``click.echo`` adds), but a list
    of 50,000 tasks is never held in memory as one string.
    """
    _write_chunks(_json_array_pieces(encoded_rows), escape_json, out)


def stream_rows(rows: Iterable[dict[str, Any]], fmt: str, fields: Sequence[str]) -> None:
    """JSON or CSV of rows as they come (tables need every row first, for the widths)."""
    if fmt == "json":
        stream_json_array(_ROW_ENCODER.encode(row) for row in rows)
        return
    import csv
    import io

    raw = raw_requested()

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(fields)
        for row in rows:
            writer.writerow([_csv_cell(row.get(name), raw) for name in fields])
            if buffer.tell() > 65536:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    _write_chunks(lines())
