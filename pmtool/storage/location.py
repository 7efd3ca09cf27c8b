"""Where the database lives: ``--db``, then ``PMTOOL_DB``, then the platform data dir.

Resolved when a command needs it, never at import time, and without creating folders
except for the default location.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from pathlib import Path

DB_ENV_VAR = "PMTOOL_DB"
DEFAULT_FILENAME = "pmtool.db"


class DatabaseLocation(NamedTuple):
    """A database as a SQLAlchemy URL, plus the file's absolute path when it is SQLite.

    ``file`` is a plain string so that read commands never import pathlib (5 ms).
    """

    url: str
    file: str | None
    is_default: bool = False

    @property
    def path(self) -> Path | None:
        if self.file is None:
            return None
        from pathlib import Path

        return Path(self.file)

    @property
    def is_sqlite(self) -> bool:
        return self.file is not None

    def describe(self) -> str:
        """What to show a user: the path for files, the URL without password otherwise."""
        if self.file is not None:
            return self.file
        return _hide_password(self.url)


def _hide_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"


def default_database_path() -> Path:
    from pathlib import Path

    import platformdirs  # only needed when no location was given

    return Path(platformdirs.user_data_dir("pmtool", appauthor=False)) / DEFAULT_FILENAME


def resolve_location(explicit: str | None = None) -> DatabaseLocation:
    """The database to use: the explicit value, else ``PMTOOL_DB``, else the default."""
    given = explicit or os.environ.get(DB_ENV_VAR)
    if not given:
        return _file_location(str(default_database_path()), is_default=True)
    if "://" in given:
        if given.startswith("sqlite"):
            path_part = given.split(":///", 1)[1] if ":///" in given else ""
            if not path_part or path_part == ":memory:":
                return DatabaseLocation(given, None)
            return _file_location(path_part)
        return DatabaseLocation(given, None)
    return _file_location(given)


def _file_location(path: str, *, is_default: bool = False) -> DatabaseLocation:
    absolute = os.path.abspath(os.path.expanduser(path))
    return DatabaseLocation(f"sqlite:///{absolute}", absolute, is_default)
