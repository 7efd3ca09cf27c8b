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
    format_option,
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
    from pmtool.services.read.exports import every_filter, export_entities

    for wanted in reversed(every_filter()):
        flag = f"--{wanted.name}"
        takers = [
            e.entity for e in export_entities() if any(f.name == wanted.name for f in e.filters)
        ]
        wanted = wanted._replace(help=f"{wanted.help} [{', '.join(takers)}]")
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
        listed = {"json": "json", "jsonl": "json", "csv": "csv", "md": "md"}
        emit_rows(
            exports.entity_rows(),
            listed.get(fmt or "", "table"),
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
        ids = None if every_project or chosen.workspace else (app.project_ref(reader)[0],)
        scope = exports.ExportScope(ids, clock.today(), clock.utcnow())
        fast = None
        if not chosen.personal_fields:
            if fmt == "csv" and chosen.fast_csv is not None:
                fast = chosen.fast_csv(reader, scope, given, raw)
            elif fmt in ("json", "jsonl") and chosen.fast_json is not None:
                fast = chosen.fast_json(reader, scope, given, raw)
        rows = _started(chosen.query(reader, scope, given)) if fast is None else iter(())
        fast = None if fast is None else _started(fast)
        if fmt == "xlsx":
            from pmtool.exports.xlsx import write_xlsx

            with binary_output(output, force=force, what="xlsx") as stream:
                write_xlsx(stream, chosen.title, fields, rows, chosen.kinds)
            return
        with text_output(output, force=force) as stream:
            _write_text(stream, fmt, fields, rows, fast, raw)


def _started(items: Iterable[Any]) -> Iterator[Any]:
    """The items with the first one already read, so that a refusal in the query (an
    unknown sprint) comes before any output, not after the header."""
    import itertools

    iterator = iter(items)
    first = list(itertools.islice(iterator, 1))
    return itertools.chain(first, iterator)


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
        # Lines built (neutralised and quoted) by the database.
        stream.flush()
        while batch := list(itertools.islice(fast, _CHUNK)):
            stream.write("\n".join(batch) + "\n")
    else:
        for row in rows:
            writer.writerow([export_cell(row.get(name), raw) for name in fields])
    stream.flush()


FORECAST_COLUMNS = [
    Column("confidence", "CONFIDENCE", align_right=True),
    Column("sprints", "SPRINTS", align_right=True),
    Column("date", "DONE BY", keep_width=True),
    Column("points", "POINTS", align_right=True),
    Column("tasks", "TASKS", align_right=True),
    Column("through", "THROUGH", keep_width=True),
]


@click.command("forecast")
@click.option("--sprint-count", type=COUNT, help="How much gets done in N more sprints.")
@click.option("--until", type=DATE, help="How much gets done by this date (whole sprints).")
@click.option("--through", metavar="KEY", help="Only the open work up to and including this task.")
@click.option("--history", type=COUNT, help="Sample only the last N closed sprints.")
@click.option(
    "--runs", type=click.IntRange(100, 1_000_000), default=10_000, show_default=True,
    help="Monte Carlo runs.",
)  # fmt: skip
@click.option("--seed", type=int, help="Seed the random draws (the same seed, the same answer).")
@format_option
@pass_app
def forecast(
    app: AppContext,
    sprint_count: int | None,
    until: Any,
    through: str | None,
    history: int | None,
    runs: int,
    seed: int | None,
    fmt: str,
) -> None:
    """When will the open work be done? A Monte Carlo forecast over the velocity of the
    closed sprints.

    Each run draws a past sprint's completed points for every future sprint. Without
    options: the sprints (and the date) the open work takes at 50, 85 and 95%
    confidence. --through KEY: only the work up to that task (the order is the active
    sprint, planned sprints, then the backlog by rank). --sprint-count N or --until
    DATE: the points done by then at each confidence and how far down the work they
    reach. Tasks without points count as 0 (the forecast lists them).

    JSON fields: docs/exports.md#forecast.

    \b
    Example:
      pmtool forecast
      pmtool forecast --through PM-42 --seed 7
      pmtool forecast --until 2027-03-31 --format json | jq '.results[1]'
    """
    from pmtool.core import clock
    from pmtool.services.read.forecast import forecast_input

    if sprint_count is not None and until is not None:
        raise click.UsageError("give --sprint-count or --until, not both")
    with app.reading() as reader:
        project_id, _ = app.project_ref(reader)
        source = forecast_input(reader, project_id, clock.today(), history=history, through=through)
    from pmtool.exports import forecast as simulation

    if until is not None:
        sprint_count = source.sprints_until(until)
        if sprint_count == 0:
            raise InvalidInput(
                f"no sprint ends by {until.isoformat()}: the next ends "
                f"{source.first_sprint_end.isoformat()}"
            )
    if sprint_count is None:
        result = simulation.when_done(source, runs=runs, seed=seed)
    else:
        result = simulation.how_much(source, sprint_count, runs=runs, seed=seed)
    if fmt == "json":
        from pmtool.cli.output import emit_object

        emit_object(result, fmt)
        return
    if fmt == "table":
        for line in forecast_summary(result):
            click.echo(line)
    emit_rows(result["results"], fmt, FORECAST_COLUMNS)


def forecast_summary(result: Mapping[str, Any]) -> list[str]:
    """The lines above the forecast table: what was sampled and what is forecast."""
    velocities = [row["completed"] for row in result["velocities"]]
    work = f"{result['remaining_tasks']} open tasks, {result['remaining_points']} points"
    if result["line"]:
        work += f" through {result['line']}"
    lines = [
        f"{result['project']}: {work}",
        f"Velocity of {len(velocities)} closed sprints: {min(velocities)} to "
        f"{max(velocities)} points (mean {sum(velocities) / len(velocities):.1f}); "
        f"{result['runs']:,} runs",
    ]
    if result["unestimated_tasks"]:
        keys = result["unestimated_tasks"]
        shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
        lines.append(f"Without points (counted as 0): {shown}")
    if len(velocities) < 3:
        lines.append("Note: fewer than 3 closed sprints; the spread is a rough guess")
    return lines


class ReportGroup(click.Group):
    """`pmtool report NAME`: one subcommand per registered report
    (services/read/reports.py), made when asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from pmtool.services.read.reports import report_specs

        return [spec.name for spec in report_specs()]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from pmtool.services.read.reports import report_specs

        for spec in report_specs():
            if spec.name == cmd_name:
                return _report_command(spec)
        return None


@click.group("report", cls=ReportGroup)
def report() -> None:
    """Documents for people: Markdown or HTML (with charts as inline SVG, readable when
    printed), from Jinja2 templates you can replace (--templates DIR).

    Templates are `templates/reports/NAME.md.j2` and `NAME.html.j2`; a folder given with
    --templates (or PMTOOL_TEMPLATES) is searched first. See docs/exports.md#reports.
    """


def _report_command(spec: Any) -> click.Command:
    def run_report(
        app: AppContext,
        subject: str | None = None,
        fmt: str | None = None,
        output: str | None = None,
        force: bool = False,
        templates: str | None = None,
        every_project: bool = False,
    ) -> None:
        from pmtool.core import clock
        from pmtool.exports.reports import document
        from pmtool.services.read.reports import ReportRequest

        fmt = fmt or ("html" if output and output.lower().endswith((".html", ".htm")) else "md")
        now = clock.utcnow()
        with app.reading() as reader:
            if spec.scope:
                ids, shown = None, spec.scope
            elif every_project:
                ids, shown = None, "all projects"
            else:
                project_id, shown = app.project_ref(reader)
                ids = (project_id,)
            request = ReportRequest(ids, subject or spec.subject_default, clock.today(), now)
            text = document(spec.name, fmt, reader, request, shown, templates)
        with text_output(output, force=force) as stream:
            stream.write(text)

    example = f"pmtool report {spec.name} --format html -o {spec.name}.html"
    params: list[click.Parameter] = []
    if spec.subject:
        params.append(click.Argument(["subject"], required=False, metavar=f"[{spec.subject}]"))
    params += [
        click.Option(
            ["--format", "fmt"],
            type=click.Choice(("md", "html")),
            help="md or html [default: from the -o suffix, else md].",
        ),
        click.Option(["-o", "--output"], metavar="FILE", help="Write to FILE (mode 0600)."),
        click.Option(["--force"], is_flag=True, help="Replace FILE if it exists."),
        click.Option(
            ["--templates"],
            metavar="DIR",
            help="Your template folder, searched first [env: PMTOOL_TEMPLATES].",
        ),
    ]
    if spec.every_project:
        params.append(click.Option(["--all", "every_project"], is_flag=True, help="Every project."))
    subject_line = f"\n\n{spec.subject}: {spec.subject_help}" if spec.subject else ""
    return click.Command(
        spec.name,
        callback=pass_app(run_report),
        params=params,
        help=f"{spec.help or spec.title}{subject_line}\n\n\b\nExample:\n  {example}\n"
        f"  pmtool report {spec.name} > {spec.name}.md",
    )
