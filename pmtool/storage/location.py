"""Where the database lives: ``--db``, then ``PMTOOL_DB``, then the platform data dir.

Resolved when a command needs it, never at import time, and without creating folders
except for the default location.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DB_ENV_VAR = "PMTOOL_DB"
DEFAULT_FILENAME = "pmtool.db"


@dataclass(frozen=True)
class DatabaseLocation:
    """A database as a SQLAlchemy URL, plus the file path when it is SQLite."""

    url: str
    path: Path | None
    is_default: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.path is not None

    def describe(self) -> str:
        """What to show a user: the path for files, the URL without password otherwise."""
        if self.path is not None:
            return str(self.path)
        return _hide_password(self.url)


def _hide_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"


def default_database_path() -> Path:
    import platformdirs  # only needed when no location was given

    return Path(platformdirs.user_data_dir("pmtool", appauthor=False)) / DEFAULT_FILENAME


def resolve_location(explicit: str | None = None) -> DatabaseLocation:
    """The database to use: the explicit value, else ``PMTOOL_DB``, else the default."""
    given = explicit or os.environ.get(DB_ENV_VAR)
    if not given:
        return DatabaseLocation(_sqlite_url(default_database_path()), default_database_path(), True)
    if "://" in given:
        if given.startswith("sqlite"):
            path_part = given.split(":///", 1)[1] if ":///" in given else ""
            if not path_part or path_part == ":memory:":
                return DatabaseLocation(given, None)
            path = Path(path_part).expanduser().absolute()
            return DatabaseLocation(_sqlite_url(path), path)
        return DatabaseLocation(given, None)
    path = Path(given).expanduser().absolute()
    return DatabaseLocation(_sqlite_url(path), path)


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
