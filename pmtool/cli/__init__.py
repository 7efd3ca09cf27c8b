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

# The one list of commands: name -> the module that defines it, as a top-level
# function of the same name. Modules are imported only when their command runs (or
# help lists them), so each command pays just for its own imports.
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
    "redo": "history",
    "status": "status",
    "tui": "tui",
    "board": "tui",
    "approval": "approvals",
    "thesis": "thesis",
    "partner": "partners",
    "stakeholder": "partners",
    "agreement": "partners",
    "compliance": "compliance",
    "export": "exports",
    "forecast": "exports",
    "report": "exports",
    "import": "imports",
    "git": "gitsync",
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


def _undecodable(text: str) -> bool:
    """Bytes that were not UTF-8 reach Python as lone surrogates (surrogateescape)."""
    return not text.isascii() and any("\udc80" <= character <= "\udcff" for character in text)


def reject_undecodable(root: click.Context, args: list[str]) -> None:
    """A usage error naming the parameter whose value is not UTF-8 (the database and the
    terminal take only text). The environment variables pmtool reads are checked too."""
    for variable in ("PMTOOL_USER", "PMTOOL_PROJECT"):
        if _undecodable(os.environ.get(variable, "")):
            raise click.UsageError(f"{variable} is not valid UTF-8 text", root)
    # A database path is a file name, which need not be UTF-8 (--db works with it).
    paths = {index + 1 for index, argument in enumerate(args) if argument == "--db"}
    bad = next(
        (
            argument
            for index, argument in enumerate(args)
            if index not in paths and not argument.startswith("--db=") and _undecodable(argument)
        ),
        None,
    )
    if bad is None:
        return
    if bad.startswith("-") and "=" in bad:
        bad = bad.split("=", 1)[1]
    shown = bad.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    where, ctx = _parameter_holding(root, args)
    raise click.UsageError(
        f"Invalid value for {where or 'an argument'}: '{shown}' is not valid UTF-8 text; "
        "check the encoding of the terminal or the script",
        ctx,
    )


def _parameter_holding(root: click.Context, args: list[str]) -> tuple[str | None, click.Context]:
    """Which option or argument of which command got the undecodable value (click's
    own parser, run leniently down the command path), e.g. ``'--description'``."""
    ctx = root
    try:
        rest = hoist_global_options(args)
        while rest and rest[0].startswith("-"):  # global options come first now
            option, value = rest[0].split("=", 1) if "=" in rest[0] else (rest[0], None)
            if option in GLOBAL_VALUE_OPTIONS and value is None and len(rest) > 1:
                value, rest = rest[1], rest[1:]
            if value is not None and _undecodable(value):
                return f"'{option}'", ctx
            rest = rest[1:]
        command: click.Command | None = root.command
        while isinstance(command, click.Group) and rest:
            name, rest = rest[0], rest[1:]
            command = command.get_command(ctx, name)
            if command is None:
                return None, ctx
            ctx = command.make_context(name, list(rest), parent=ctx, resilient_parsing=True)
            if isinstance(command, click.Group):
                rest = [*ctx._protected_args, *ctx.args]
        for parameter in ctx.command.params:
            values = ctx.params.get(parameter.name or "")
            values = values if isinstance(values, tuple) else (values,)
            if any(isinstance(value, str) and _undecodable(value) for value in values):
                return f"'{parameter.get_error_hint(ctx)}'".replace("''", "'"), ctx
    except (click.ClickException, LookupError, TypeError, AttributeError):
        pass
    return None, ctx


def _discard_stdout() -> None:
    """Point stdout at /dev/null so that flushing what is left cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())  # type: ignore[union-attr]
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


class RootGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"pmtool.cli.{module_name}")
        command: click.Command = getattr(module, cmd_name)
        return command

    def main(self, *args: Any, **kwargs: Any) -> Any:
        from pmtool.cli.terminal import neutralised_output

        with neutralised_output():
            return super().main(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.ensure_object(AppContext).argv = list(args)
        reject_undecodable(ctx, args)
        return super().parse_args(ctx, hoist_global_options(args))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return translate_errors(lambda: super(RootGroup, self).invoke(ctx))
        except BrokenPipeError:
            # The reader (e.g. `| head`) went away: stop quietly with 0, like other
            # Unix tools, instead of click's exit 1.
            _discard_stdout()
            raise click.exceptions.Exit(0) from None


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
        _discard_stdout()
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
