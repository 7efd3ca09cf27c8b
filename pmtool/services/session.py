"""One unit of work per user action: open, record, commit or roll back, translate errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlmodel import Session

from pmtool.errors import Conflict, PmError, StorageError
from pmtool.services.audit import CommandContext
from pmtool.storage import schema
from pmtool.storage import sqlite as sqlite_files
from pmtool.storage.engine import get_engine
from pmtool.storage.location import DatabaseLocation


@contextmanager
def writing(location: DatabaseLocation, *, actor: str, summary: str) -> Iterator[Session]:
    """A session whose changes are audited as one command and committed together.

    Nothing is written unless the whole block succeeds.
    """
    if location.path is not None and not location.path.exists():
        sqlite_files.connect(location.path)  # raises the "run pmtool init" message
    session = Session(get_engine(location), expire_on_commit=False)
    session.info["command"] = CommandContext(actor=actor, summary=summary)
    try:
        try:
            revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except sa_exc.OperationalError as error:
            if "no such table" not in str(error):
                raise
            revision = None
        schema.check_revision(revision, location.describe())
        yield session
        session.commit()
    except PmError:
        session.rollback()
        raise
    except sa_exc.IntegrityError as error:
        session.rollback()
        raise Conflict(f"refused by the database: {_first_line(error.orig)}") from error
    except sa_exc.DBAPIError as error:
        session.rollback()
        if isinstance(error.orig, sqlite3.Error):
            raise sqlite_files.translate_error(error.orig, location.describe()) from error
        raise StorageError(f"database error: {_first_line(error.orig)}") from error
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _first_line(error: object) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__
