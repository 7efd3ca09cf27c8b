"""`pmtool tui` and `pmtool board`: open the terminal UI (Textual is imported only here)."""

from __future__ import annotations

import sys

import click

from pmtool.cli.context import AppContext, pass_app
from pmtool.tui.places import MODES as SCREENS


def on_a_terminal() -> bool:
    """Whether keys come from a terminal and the screen can be drawn on one.

    Textual draws on stderr, so that must be a terminal too.
    """
    streams = (sys.stdin, sys.stdout, sys.stderr)
    return all(stream is not None and stream.isatty() for stream in streams)


def open_tui(app: AppContext, screen: str = "dashboard", sprint: str | None = None) -> None:
    """Run the TUI on the context's database and project until the user quits.

    The database, the project and the sprint are checked first, so that a wrong
    ``--db`` or project name ends in the usual one-line error instead of a screen.
    Then the terminal: off one (a pipe, a file, a cron job), the TUI would write
    escape codes and wait for keys that never come.
    """
    from pmtool.core.errors import InvalidInput
    from pmtool.services.resolve import sprint_id_or_backlog
    from pmtool.storage.reader import reading
    from pmtool.tui.context import resolve_context

    location = app.location()
    start = resolve_context(location, app.project, app.actor)
    if sprint is not None and start is not None:
        with reading(location) as reader:
            sprint_id_or_backlog(reader, start[0].project_id, sprint)
    if not on_a_terminal():
        raise InvalidInput(
            "the TUI needs a terminal, not a pipe or a file; "
            "the commands work anywhere, e.g. `pmtool task list`"
        )

    from pmtool.tui.app import PmApp

    PmApp(location, context=start, actor=app.actor, start=screen, sprint=sprint).run()


@click.command()
@click.option(
    "--screen",
    type=click.Choice(SCREENS),
    default="dashboard",
    show_default=True,
    help="The screen to open first.",
)
@pass_app
def tui(app: AppContext, screen: str) -> None:
    """Open the terminal UI: dashboard, board, backlog, sprints and each domain's screen.

    A bare `pmtool` in a terminal opens it too. Keys: the numbers switch screens (1
    dashboard, 2 board, 3 backlog, 4 sprints, 5 approvals, 6 theses, 7 partners, 8 git,
    9 compliance), ? lists every key, ctrl+p finds any action by name, q quits. Changes
    made from another terminal appear within a second.

    \b
    Example:
      pmtool tui
      pmtool -p SEPSIS tui --screen backlog
    """
    open_tui(app, screen)


@click.command()
@click.argument("sprint", required=False)
@pass_app
def board(app: AppContext, sprint: str | None) -> None:
    """Open the sprint board (default: the active sprint, else all open work).

    Arrows move between cards and columns, shift+arrows move a card to the next
    status (WIP limits apply) or up and down its column; enter opens, e edits,
    n creates, del removes.

    \b
    Example:
      pmtool board
      pmtool board "Sprint 4"
    """
    open_tui(app, "board", sprint)
