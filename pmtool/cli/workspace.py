"""Creating, checking, upgrading and backing up the database; the demo workspace."""

from __future__ import annotations

from pathlib import Path

import click

from pmtool.cli.context import AppContext, CommandFailed, pass_app
from pmtool.cli.output import emit_object, emit_rows, format_option


@click.command()
@pass_app
def init(app: AppContext) -> None:
    """Create the database (or confirm it is ready) and print where it is.

    \b
    Example:
      pmtool init
      pmtool --db ./team.db init
    """
    from pmtool.storage.migrate import initialise

    location = app.location()
    created = initialise(location)
    if created:
        click.echo(f"Created a pmtool database at {location.describe()}")
        click.echo('Next: pmtool project add KEY "Project name"')
    else:
        click.echo(f"The database at {location.describe()} is ready (schema up to date).")


@click.group()
def db() -> None:
    """Where the database is, its schema version, backups and restores."""


@db.command("path")
@pass_app
def db_path(app: AppContext) -> None:
    """Print the database location (--db, then PMTOOL_DB, then the platform data dir).

    \b
    Example:
      pmtool db path
    """
    click.echo(app.location().describe())


@db.command("check")
@format_option
@pass_app
def db_check(app: AppContext, fmt: str) -> None:
    """Check that the database opens, is intact and is at this pmtool's schema.

    Exits 1 with the reason when it is not.

    \b
    Example:
      pmtool db check --format json
    """
    from pmtool.services.read.health import check_database

    report = check_database(app.location())
    emit_object(report, fmt)
    if not report["ok"]:
        raise CommandFailed(report["problem"])


@db.command("upgrade")
@pass_app
def db_upgrade(app: AppContext) -> None:
    """Upgrade the schema to this pmtool's version, backing the file up first.

    \b
    Example:
      pmtool db upgrade
    """
    from pmtool.storage.migrate import upgrade_with_backup

    before, after, backup = upgrade_with_backup(app.location())
    if before == after:
        click.echo(f"Already at schema {after}; nothing to do.")
        return
    if backup is not None:
        click.echo(f"Backed up to {backup}")
    click.echo(f"Upgraded schema {before} -> {after}")


@db.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def db_backup(app: AppContext, file: Path) -> None:
    """Write a consistent copy of the database to FILE (readable only by you).

    \b
    Example:
      pmtool db backup ~/backups/pmtool-2026-11-27.db
    """
    from pmtool.storage.migrate import backup_to

    backup_to(app.location(), file.expanduser().absolute())
    click.echo(f"Backed up {app.location().describe()} to {file}")


@db.command("copy")
@click.option(
    "--to",
    "target",
    required=True,
    metavar="PATH_OR_URL",
    help="An empty database: a new SQLite file or a postgresql+psycopg:// URL.",
)
@format_option
@pass_app
def db_copy(app: AppContext, target: str, fmt: str) -> None:
    """Copy the whole workspace into another database, and verify the copy.

    Moves a SQLite workspace to a team server, or a server's workspace back into a
    file. The target must be empty (a new file, or a database with no pmtool rows); it
    gets the current schema, every row with its id, and the audit trail. Each table's
    row count and checksum, and the audit chain, are checked before the copy commits:
    a copy that does not match leaves no rows behind. The source is only read.

    \b
    Example:
      pmtool db copy --to postgresql+psycopg://pm@db.example.org/pmtool
      pmtool --db postgresql+psycopg://pm@db.example.org/pmtool db copy --to ~/pmtool.db
    """
    from pmtool.storage.location import resolve_location
    from pmtool.storage.transfer import copy_database

    given = target if "://" in target else str(Path(target).expanduser().absolute())
    destination = resolve_location(given)
    report = copy_database(app.location(), destination)
    rows = [
        {"table": table.name, "rows": table.rows, "checksum": table.checksum}
        for table in report.tables
    ]
    if fmt == "table":
        click.echo(
            f"Copied {report.rows} rows in {len(report.tables)} tables from {report.source}"
            f" to {report.target}; row counts and checksums match, audit chain verified"
            f" ({report.audit_rows_checked} rows)."
        )
        return
    emit_rows(rows, fmt, fields=("table", "rows", "checksum"))


@db.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def db_restore(app: AppContext, file: Path) -> None:
    """Replace the database with the backup FILE; the current one is backed up first.

    \b
    Example:
      pmtool db restore ~/backups/pmtool-2026-11-27.db
    """
    from pmtool.storage.migrate import restore_from

    safety_copy = restore_from(app.location(), file.expanduser().absolute())
    if safety_copy is not None:
        click.echo(f"The database as it was is kept at {safety_copy}")
    click.echo(f"Restored {app.location().describe()} from {file}")


@click.command()
@click.option(
    "--path",
    "target",
    type=click.Path(path_type=Path),
    help="Where to create the demo database (default: a new temporary folder).",
)
@click.option("--no-tui", is_flag=True, help="Print a summary instead of opening the TUI.")
@pass_app
def demo(app: AppContext, target: Path | None, no_tui: bool) -> None:
    """Create a demo workspace (a clinical AI project with sprints and history) and open it.

    The demo never touches your own database: it goes to --path, --db, or a new
    temporary folder, and refuses a file that exists already (an empty one is used).

    \b
    Example:
      pmtool demo --no-tui
      pmtool demo --path ./demo.db
    """
    import sys
    import tempfile

    from pmtool.services.demo import build_demo
    from pmtool.storage.engine import dispose_engines
    from pmtool.storage.location import resolve_location
    from pmtool.storage.sqlite import is_regular_file, new_file_beside

    if target is not None:
        location = resolve_location(str(target.expanduser().absolute()))
    elif app.database:
        location = resolve_location(app.database)
    else:
        folder = Path(tempfile.mkdtemp(prefix="pmtool-demo-"))
        location = resolve_location(str(folder / "demo.db"))
    if location.path is None:
        summary = build_demo(location)
    else:
        if is_regular_file(location.path) and location.path.stat().st_size > 0:
            raise CommandFailed(f"{location.path} exists already; the demo only writes new files")
        # Built beside and moved into place whole: an interrupted demo leaves no file.
        with new_file_beside(location.path, replace_empty=True) as building:
            summary = build_demo(resolve_location(str(building)))
            dispose_engines()
        if target is None and not app.database:
            # The demo's own new folder: room for its git repository too.
            from pmtool.services.demo_gitsync import build_demo_repository

            summary += build_demo_repository(location.path.parent, location)
    app.database = location.url if location.path is None else str(location.path)
    if not no_tui and sys.stdin.isatty() and sys.stdout.isatty():
        from pmtool.cli.tui import open_tui

        open_tui(app)
        # Back in the shell: say where the demo is, so it can be opened again.
        click.echo(f"The demo workspace is at {location.describe()}")
        click.echo(f"  reopen it: pmtool --db {location.describe()} tui")
        click.echo(f"  or: export PMTOOL_DB={location.describe()}")
        return
    click.echo(f"Demo workspace created at {location.describe()}")
    for line in summary:
        click.echo(f"  {line}")
    click.echo("Try it:")
    click.echo(f"  export PMTOOL_DB={location.describe()}")
    click.echo("  pmtool sprint burndown current")
    click.echo("  pmtool task list --sprint current")
    click.echo("  pmtool approval list")
    click.echo("  pmtool tui")
