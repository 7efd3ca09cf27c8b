"""What every command shares: the database, the project, the actor, and error handling."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from pmtool.core.errors import PmError
from pmtool.storage.location import DatabaseLocation, resolve_location

if TYPE_CHECKING:
    from pmtool.storage.gateway import Gateway
    from pmtool.storage.reader import Reader, Row


class CommandFailed(click.ClickException):
    """A refused operation: one ``Error: ...`` line on stderr and the documented code."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it on the class


class AppContext:
    """The global options of one invocation (a plain class: dataclasses cost 2 ms)."""

    def __init__(
        self, database: str | None = None, project: str | None = None, actor: str | None = None
    ) -> None:
        self.database = database
        self.project = project
        self.actor = actor
        self.argv: list[str] = []

    def location(self) -> DatabaseLocation:
        return resolve_location(self.database)

    @contextmanager
    def reading(self) -> Iterator[Reader]:
        from pmtool.storage.reader import reading

        with reading(self.location()) as reader:
            yield reader

    @contextmanager
    def writing(self) -> Iterator[Gateway]:
        """This command's audited writes: all of them are stored, or nothing."""
        import shlex

        from pmtool.core.actor import resolve_actor
        from pmtool.storage.gateway import writing

        summary = " ".join(shlex.quote(argument) for argument in self.argv) or "pmtool"
        with writing(self.location(), actor=resolve_actor(self.actor), summary=summary) as gw:
            yield gw

    def project_ref(self, reader: Reader) -> tuple[int, str]:
        """(id, key) of the project this command is about (-p, the default, the only one)."""
        from pmtool.services import resolve

        return resolve.project_ref(reader, self.project)

    def project_row(self, reader: Reader) -> Row:
        """The whole project row, for a change to it or its tasks."""
        from pmtool.services import resolve

        return resolve.project(reader, self.project)


pass_app = click.make_pass_decorator(AppContext, ensure=True)


def translate_errors(callback: Any) -> Any:
    """Run a command body, turning pmtool and OS errors into one-line messages."""
    try:
        return callback()
    except PmError as error:
        raise CommandFailed(str(error), error.exit_code) from error
    except PermissionError as error:
        raise CommandFailed(f"permission denied: {error.filename or error}") from error
    except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
        raise
    except BrokenPipeError:
        raise  # the reader of our output went away; main() ends quietly
    except OSError as error:
        # The system refused a file (no such folder, disk full, read-only file system):
        # a problem with a path the user chose, not a bug.
        if os.environ.get("PMTOOL_DEBUG"):
            raise
        reason = error.strerror or str(error)
        if error.filename:
            raise CommandFailed(f"cannot use {error.filename}: {reason}") from error
        raise CommandFailed(f"the system refused: {reason}") from error
    except KeyboardInterrupt:
        raise click.exceptions.Abort() from None
    except Exception as error:
        if os.environ.get("PMTOOL_DEBUG"):
            raise
        raise CommandFailed(
            f"unexpected {type(error).__name__}: {error} (PMTOOL_DEBUG=1 shows the traceback)"
        ) from error
