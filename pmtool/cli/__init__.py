"""The `pmtool` command line. Commands are thin: parse, call one service, render.

Only click and the standard library are imported at start-up; each command imports
the services it needs, so `pmtool task list` never pays for the ORM or Textual.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from pmtool import __version__
from pmtool.cli.context import AppContext, translate_errors

# Command name -> the module that defines it. Modules are imported only when their
# command runs (or help lists them), so each command pays just for its own imports.
# Add a new command module here (and keep its COMMANDS list in step).
COMMAND_MODULES: dict[str, str] = {
    "init": "workspace",
    "db": "workspace",
    "demo": "workspace",
    "project": "projects",
    "workflow": "projects",
    "dod": "projects",
    "member": "members",
    "task": "tasks",
    "sprint": "sprints",
    "velocity": "sprints",
    "log": "history",
    "undo": "history",
    "status": "status",
    "tui": "tui",
    "board": "tui",
}


GLOBAL_VALUE_OPTIONS = ("-p", "--project", "--db", "--as")


def hoist_global_options(args: list[str]) -> list[str]:
    """Move global options given after the command in front of it.

    `pmtool task list -p OT` then means `pmtool -p OT task list`, as users expect.
    Everything after `--` is left alone.
    """
    hoisted: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        argument = args[index]
        if argument == "--":
            rest.extend(args[index:])
            break
        name = argument.split("=", 1)[0]
        if name in GLOBAL_VALUE_OPTIONS and "=" in argument and name.startswith("--"):
            hoisted.append(argument)
        elif argument in GLOBAL_VALUE_OPTIONS and index + 1 < len(args):
            hoisted.extend(args[index : index + 2])
            index += 1
        else:
            rest.append(argument)
        index += 1
    return hoisted + rest


class RootGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"pmtool.cli.{module_name}")
        return next(command for command in module.COMMANDS if command.name == cmd_name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.ensure_object(AppContext).argv = list(args)
        return super().parse_args(ctx, hoist_global_options(args))

    def invoke(self, ctx: click.Context) -> Any:
        return translate_errors(lambda: super(RootGroup, self).invoke(ctx))


@click.group(
    cls=RootGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "--version", prog_name="pmtool")
@click.option(
    "--db",
    "database",
    metavar="PATH_OR_URL",
    help="Database file or SQLAlchemy URL [env: PMTOOL_DB; default: the platform data dir].",
)
@click.option(
    "-p",
    "--project",
    envvar="PMTOOL_PROJECT",
    metavar="KEY",
    help="Project key [env: PMTOOL_PROJECT; default: the only or the default project].",
)
@click.option(
    "--as",
    "actor",
    metavar="NAME",
    help="Who is acting, for the audit trail [env: PMTOOL_USER; default: git user.name].",
)
@click.pass_context
def cli(ctx: click.Context, database: str | None, project: str | None, actor: str | None) -> None:
    """pmtool: agile projects, clinical partners, approvals and theses in the terminal.

    Run `pmtool demo` for a sample workspace, or `pmtool init` to start your own.

    \b
    Example:
      pmtool init && pmtool project add PM "Sepsis early warning"
      pmtool task add "Freeze the ICU cohort" --points 5 --type story
      pmtool task list --format json
    """
    app = ctx.ensure_object(AppContext)
    app.database, app.project, app.actor = database, project, actor
    if ctx.invoked_subcommand is None:
        if _opens_tui(app):
            from pmtool.cli.tui import open_tui

            open_tui(app)
            return
        click.echo(ctx.get_help())


def _opens_tui(app: AppContext) -> bool:
    """A bare `pmtool` on a terminal opens the TUI once there is a database to show."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return False
    location = app.location()
    return location.path is None or location.path.exists()


def main() -> None:
    """Console entry point."""
    try:
        cli.main(prog_name="pmtool")
        exit_code = 0
    except SystemExit as finished:
        exit_code = _exit_code(finished.code)
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, like other Unix tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        exit_code = 0
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    # Every command has closed its database and files by now. Skipping the
    # interpreter's teardown of the SQLAlchemy/Textual module graph saves ~90 ms.
    os._exit(exit_code)


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
