"""`pmtool export`, `pmtool report` and `pmtool forecast`: data and documents for scripts,
spreadsheets and people.

`export` streams rows straight from the database (constant memory); only `--format
xlsx` loads openpyxl. `report` loads Jinja2, `forecast` pandas.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import click

from pmtool.cli.context import AppContext, pass_app
from pmtool.cli.files import binary_output, text_output
from pmtool.cli.output import (
    FORMULA_STARTS,
    Column,
    emit_rows,
    markdown_lines,
    plain,
    stream_json_array,
)
from pmtool.cli.params import COUNT, DATE
from pmtool.core.errors import InvalidInput

EXPORT_FORMATS = ("csv", "json", "jsonl", "md", "xlsx")
_SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_SUFFIX_FORMATS |= {".md": "md", ".xlsx": "xlsx"}
_CHUNK = 1000
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _filter_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """One option per filter any registered entity takes (see services/read/exports.py)."""
    from pmtool.services.read.exports import every_filter

    for wanted in reversed(every_filter()):
        flag = f"--{wanted.name}"
        if wanted.kind == "flag":
            option = click.option(flag, wanted.keyword, is_flag=True, help=wanted.help)
        elif wanted.kind == "many":
            option = click.option(flag, wanted.keyword, multiple=True, help=wanted.help)
        elif wanted.kind == "date":
            option = click.option(flag, wanted.keyword, type=DATE, help=wanted.help)
        elif wanted.kind == "count":
            option = click.option(flag, wanted.keyword, type=COUNT, help=wanted.help)
        else:
            option = click.option(flag, wanted.keyword, help=wanted.help)
        function = option(function)
    return function


def _given(filters: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in filters.items() if value not in (None, (), False)}


@click.command("export")
@click.argument("entity", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    help="csv, json (an array), jsonl (one object per line), md or xlsx "
    "[default: from the -o suffix, else json].",
)
@click.option("-o", "--output", metavar="FILE", help="Write to FILE (mode 0600); '-': stdout.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.option("--all", "every_project", is_flag=True, help="Every project, not just one.")
@click.option(
    "--include-personal",
    is_flag=True,
    help="Include personal data (e-mail addresses, phone numbers); left out by default.",
)
@click.option(
    "--raw",
    is_flag=True,
    help="csv: text cells exactly as stored; by default a cell a spreadsheet would run "
    "as a formula (=, +, -, @, tab, CR) gets a leading '.",
)
@click.option("--list", "list_entities", is_flag=True, help="List the entities and fields.")
@_filter_options
@pass_app
def export(
    app: AppContext,
    entity: str | None,
    fmt: str | None,
    output: str | None,
    force: bool,
    every_project: bool,
    include_personal: bool,
    raw: bool,
    list_entities: bool,
    **filters: Any,
) -> None:
    """Export ENTITY (tasks, sprints, burndown, velocity, members, ...) for scripts and
    spreadsheets, streamed straight from the database.

    The fields of each entity and their schema_version are in docs/exports.md; `pmtool
    export --list` prints them. Filters work like the list commands' (`--status`,
    `--sprint`, ...); each entity takes its own. Personal data stays out unless
    --include-personal is given. Files are written whole or not at all (a temporary
    file renamed at the end), readable by you only, and never replace an existing file
    without --force.

    \b
    Example:
      pmtool export tasks --format csv -o tasks.csv
      pmtool export tasks --sprint current --format jsonl | jq -c 'select(.points > 3)'
      pmtool export velocity --all -o velocity.xlsx
      pmtool export --list
    """
    from pmtool.core import clock
    from pmtool.services.read import exports

    if list_entities or entity is None:
        if entity is not None:
            raise InvalidInput("give either ENTITY or --list")
        emit_rows(
            exports.entity_rows(),
            "json" if fmt in ("json", "jsonl") else "table",
            [
                Column("entity", "ENTITY"),
                Column("schema_version", "SCHEMA", align_right=True),
                Column("fields", "FIELDS", flexible=True),
                Column("personal_fields", "PERSONAL"),
                Column("filters", "FILTERS", drop_order=1),
            ],
        )
        return
    chosen = exports.export_entity(entity)
    given = _given(filters)
    exports.check_filters(chosen, given)
    fmt = fmt or _format_for(output)
    fields = chosen.fields_for(include_personal)
    with app.reading() as reader:
        if every_project and chosen.one_project:
            raise InvalidInput(f"export {chosen.entity} covers one project: drop --all")
        ids = None if every_project else (app.project_ref(reader)[0],)
        scope = exports.ExportScope(ids, clock.today(), clock.utcnow())
        fast = None
        if not chosen.personal_fields:
            if fmt == "csv" and chosen.fast_csv is not None:
                fast = chosen.fast_csv(reader, scope, given, raw)
            elif fmt in ("json", "jsonl") and chosen.fast_json is not None:
                fast = chosen.fast_json(reader, scope, given, raw)
        rows = chosen.query(reader, scope, given) if fast is None else ()
        if fmt == "xlsx":
            from pmtool.exports.xlsx import write_xlsx

            with binary_output(output, force=force, what="xlsx") as stream:
                write_xlsx(stream, chosen.title, fields, rows, chosen.kinds)
            return
        with text_output(output, force=force) as stream:
            _write_text(stream, fmt, fields, rows, fast, raw)


def _format_for(output: str | None) -> str:
    if output and output != "-":
        from pathlib import Path

        return _SUFFIX_FORMATS.get(Path(output).suffix.lower(), "json")
    return "json"


def _write_text(
    stream: Any,
    fmt: str,
    fields: tuple[str, ...],
    rows: Iterable[Mapping[str, Any]],
    fast: Iterator[Any] | None,
    raw: bool,
) -> None:
    if fmt == "csv":
        _write_csv(stream, fields, rows, fast, raw)
    elif fmt == "json":
        encoded = fast if fast is not None else _encoded(rows, fields)
        stream_json_array(encoded, out=stream)
    elif fmt == "jsonl":
        from pmtool.core.text import escape_json

        encoded = fast if fast is not None else _encoded(rows, fields)
        _write_pieces(stream, (line + "\n" for line in encoded), escape_json)
    else:
        columns = [Column(name, name) for name in fields]
        _write_pieces(stream, (line + "\n" for line in markdown_lines(rows, columns)))


def _encoded(rows: Iterable[Mapping[str, Any]], fields: tuple[str, ...]) -> Iterator[str]:
    return (_ENCODER.encode({name: row.get(name) for name in fields}) for row in rows)


def _write_pieces(
    stream: Any, pieces: Iterable[str], clean: Callable[[str], str] | None = None
) -> None:
    chunk: list[str] = []
    for piece in pieces:
        chunk.append(piece)
        if len(chunk) >= _CHUNK:
            text = "".join(chunk)
            stream.write(clean(text) if clean else text)
            chunk.clear()
    text = "".join(chunk)
    stream.write(clean(text) if clean else text)
    stream.flush()


_SKIPPED_BEFORE_FORMULA = " \t\r\n"


def export_cell(value: Any, raw: bool) -> str:
    """A CSV cell of an export: text as stored (a file is no terminal; on a terminal the
    output filter shows control characters), lists as ``a, b``; text a spreadsheet would
    run as a formula gets a leading ' unless ``raw``. The same rule as the cells the
    database builds for tasks (services/read/agile_exports.py)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return plain(value)  # numbers stay numbers: -3 is not a formula
    text = value if isinstance(value, str) else plain(value)
    if raw or not text:
        return text
    if text.startswith(FORMULA_STARTS) or text.lstrip(_SKIPPED_BEFORE_FORMULA).startswith(
        FORMULA_STARTS[:4]
    ):
        return "'" + text
    return text


def _write_csv(
    stream: Any,
    fields: tuple[str, ...],
    rows: Iterable[Mapping[str, Any]],
    fast: Iterator[Any] | None,
    raw: bool,
) -> None:
    import csv
    import itertools

    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(fields)
    if fast is not None:
        # Cells built (and neutralised) by the database: the csv module writes them in C.
        while batch := list(itertools.islice(fast, _CHUNK)):
            writer.writerows(batch)
    else:
        for row in rows:
            writer.writerow([export_cell(row.get(name), raw) for name in fields])
    stream.flush()
