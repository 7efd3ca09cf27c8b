"""Test databases on both backends: a SQLite file in tmp_path, or a fresh PostgreSQL database.

``PMTOOL_TEST_POSTGRES`` names a PostgreSQL server the tests may create databases on
(an admin URL such as ``postgresql+psycopg://pm:pm@127.0.0.1/postgres``). Each test gets
its own database, copied from a template that is migrated once per test process, and
dropped afterwards. Without the variable the PostgreSQL cases skip with a reason;
``PMTOOL_REQUIRE_POSTGRES=1`` (set by CI) turns that skip into a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

SERVER_ENV = "PMTOOL_TEST_POSTGRES"
REQUIRE_ENV = "PMTOOL_REQUIRE_POSTGRES"
BACKENDS = ("sqlite", "postgresql")

_template: dict[str, str] = {}


def server_url() -> str | None:
    return os.environ.get(SERVER_ENV) or None


def skip_or_fail_without_server() -> str:
    """The admin URL, or skip (locally) / fail (in CI) when no server is configured."""
    url = server_url()
    if url is None:
        reason = f"no PostgreSQL server configured ({SERVER_ENV} is not set)"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{reason}, but {REQUIRE_ENV}=1 requires one")
        pytest.skip(reason)
    return url


def _admin_connection(url: str) -> Any:
    import psycopg

    _scheme, _, rest = url.partition("://")
    return psycopg.connect(f"postgresql://{rest}", autocommit=True)


def database_url(admin_url: str, name: str) -> str:
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"


def _migrated_template(admin_url: str) -> str:
    """A database at the schema head, made once per test process, to copy from."""
    if admin_url in _template:
        return _template[admin_url]
    from click.testing import CliRunner

    from pmtool.cli import cli

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"pmtool_template_{worker}_{os.getpid()}"
    with _admin_connection(admin_url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    result = CliRunner().invoke(
        cli, ["--db", database_url(admin_url, name), "init"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    from pmtool.storage.engine import dispose_engines

    dispose_engines()  # a template cannot be copied while a connection is open
    _template[admin_url] = name
    return name


@contextmanager
def fresh_postgres_database(*, initialised: bool = True) -> Iterator[str]:
    """A new, empty (or migrated) database on the test server; dropped afterwards."""
    admin_url = skip_or_fail_without_server()
    name = f"pmtool_test_{uuid.uuid4().hex[:12]}"
    template = _migrated_template(admin_url) if initialised else "template0"
    with _admin_connection(admin_url) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield database_url(admin_url, name)
    finally:
        from pmtool.storage.engine import dispose_engines

        dispose_engines()
        with _admin_connection(admin_url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_templates() -> None:
    for admin_url, name in list(_template.items()):
        with _admin_connection(admin_url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        del _template[admin_url]
