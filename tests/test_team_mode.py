"""Team mode: a workspace on a PostgreSQL server, and moving one there and back.

These tests need a server (``PMTOOL_TEST_POSTGRES``, see ``backends.py``); without one
they skip locally and fail in CI.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from backends import fresh_postgres_database, skip_or_fail_without_server
from conftest import Invoke
from pmcheck import error_line, ok, refused

from pmtool.storage import schema


def sqlite_rows(path: Path) -> list[str]:
    """Every row of a SQLite file as SQL text, in a stable order."""
    connection = sqlite3.connect(path)
    try:
        return sorted(connection.iterdump())
    finally:
        connection.close()


def server_rows(url: str, table: str) -> list[tuple[object, ...]]:
    import psycopg

    _scheme, _, rest = url.partition("://")
    with psycopg.connect(f"postgresql://{rest}") as connection:
        return connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()


@pytest.fixture
def demo_file(run: Invoke, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    ok(run("demo", "--path", str(path), "--no-tui"))
    return path


def test_a_workspace_goes_to_the_server_and_back_unchanged(
    run: Invoke, demo_file: Path, tmp_path: Path
):
    back = tmp_path / "back.db"
    with fresh_postgres_database(initialised=False) as url:
        there = json.loads(
            ok(run("--db", str(demo_file), "db", "copy", "--to", url, "--format", "json"))
        )
        assert {row["table"] for row in there} >= {"project", "task", "audit", "command"}
        here = json.loads(ok(run("--db", url, "db", "copy", "--to", str(back), "--format", "json")))
        # Same rows, same checksums, computed on each side from what it stores.
        assert here == there
        report = json.loads(ok(run("--db", url, "db", "check", "--format", "json")))
        assert report["ok"] is True and report["chain_checked"] > 0
        # The server's sequences continue after the copied ids.
        key = ok(run("--db", url, "task", "add", "Written on the server")).strip()
        assert key == "SEPSIS-35"
    assert sqlite_rows(back) == sqlite_rows(demo_file)
    assert back.stat().st_mode & 0o777 == 0o600


def test_a_copy_never_writes_over_a_workspace(run: Invoke, demo_file: Path, tmp_path: Path):
    with fresh_postgres_database() as url:
        ok(run("--db", url, "project", "add", "OT", "Their project"))
        before = server_rows(url, "project")
        refused(
            run("--db", str(demo_file), "db", "copy", "--to", url),
            1,
            "already holds a workspace",
            "copy into an empty database",
        )
        assert server_rows(url, "project") == before
    existing = tmp_path / "mine.db"
    existing.write_bytes(demo_file.read_bytes())
    refused(run("--db", str(demo_file), "db", "copy", "--to", str(existing)), 1, "already exists")
    assert existing.read_bytes() == demo_file.read_bytes()
    refused(run("--db", str(demo_file), "db", "copy", "--to", str(demo_file)), 1, "same database")


def test_an_unreachable_server_is_one_line(run: Invoke, demo_file: Path):
    error_line(
        run(
            "--db",
            str(demo_file),
            "db",
            "copy",
            "--to",
            "postgresql+psycopg://nobody:secret@127.0.0.1:1/none",
        ),
        1,
        "cannot connect",
    )


def test_migrations_upgrade_a_server_database_from_the_first_schema(run: Invoke):
    from pmtool.storage.location import resolve_location
    from pmtool.storage.migrate import upgrade

    with fresh_postgres_database(initialised=False) as url:
        upgrade(resolve_location(url), "0001")
        import psycopg

        _scheme, _, rest = url.partition("://")
        with psycopg.connect(f"postgresql://{rest}") as connection:
            connection.execute(
                "INSERT INTO command (id, at, actor, summary) "
                "VALUES (1, '2026-11-20 09:00:00+00', 'old', 'seed');"
                "INSERT INTO project (id, key, name, definition_of_done, next_task_number,"
                " created_at) VALUES (1, 'PM', 'Old project', '[]', 2, '2026-11-20 09:00+00');"
                "INSERT INTO workflow_column (project_id, name, position, is_done) VALUES"
                " (1, 'backlog', 0, false), (1, 'todo', 1, false), (1, 'done', 2, true);"
                "INSERT INTO task (id, project_id, number, title, type, status, priority,"
                " labels, rank, created_at, updated_at) VALUES (1, 1, 1, 'Old task', 'task',"
                " 'backlog', 'medium', '[]', 1.0, '2026-11-20 09:00+00', '2026-11-20 09:00+00');"
                "SELECT setval(pg_get_serial_sequence('project', 'id'), 1);"
                "SELECT setval(pg_get_serial_sequence('task', 'id'), 1);"
                "SELECT setval(pg_get_serial_sequence('command', 'id'), 1);"
            )
        refused(run("--db", url, "task", "list"), 1, "run `pmtool db upgrade`")
        assert f"-> {schema.HEAD_REVISION}" in ok(run("--db", url, "db", "upgrade"))
        assert ok(run("--db", url, "task", "move", "PM-1", "todo")) == "PM-1: backlog -> todo\n"
        assert ok(run("--db", url, "task", "add", "New task")) == "PM-2\n"
        ok(run("--db", url, "undo"))
        ok(run("--db", url, "undo"))
        assert [row[3] for row in server_rows(url, "task")] == ["Old task"]
        assert json.loads(ok(run("--db", url, "db", "check", "--format", "json")))["ok"] is True


def _pmtool(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pmtool", "--db", url, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PMTOOL_USER": "supervisor"},
        check=False,
    )


def test_a_read_only_supervisor_account_reads_everything_and_changes_nothing(
    run: Invoke, demo_file: Path
):
    admin = skip_or_fail_without_server()
    import psycopg

    with fresh_postgres_database(initialised=False) as url:
        ok(run("--db", str(demo_file), "db", "copy", "--to", url))
        database = url.rpartition("/")[2]
        role = f"reader_{database[-12:]}"
        _scheme, _, rest = admin.partition("://")
        with psycopg.connect(f"postgresql://{rest}", autocommit=True) as connection:
            connection.execute(f"DROP ROLE IF EXISTS {role}")
            connection.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'read'")
        _scheme, _, rest = url.partition("://")
        with psycopg.connect(f"postgresql://{rest}", autocommit=True) as connection:
            # What docs/team-server.md tells an administrator to run.
            connection.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
            connection.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
        host = url.partition("@")[2]
        reader_url = f"postgresql+psycopg://{role}:read@{host}"
        try:
            for args in (
                ["task", "list", "--format", "json"],
                ["sprint", "show", "current"],
                ["sprint", "burndown", "current"],
                ["velocity"],
                ["log"],
                ["status", "--all"],
                ["db", "check"],
            ):
                completed = _pmtool(reader_url, *args)
                assert completed.returncode == 0, (args, completed.stderr)
            before = server_rows(url, "task")
            refused_write = _pmtool(reader_url, "task", "add", "Sneaky")
            assert refused_write.returncode == 1, refused_write.stderr
            assert refused_write.stderr.startswith("Error: ")
            assert "permission denied" in refused_write.stderr
            assert "(this login may only read); nothing was changed" in refused_write.stderr
            assert "Traceback" not in refused_write.stderr
            assert server_rows(url, "task") == before
        finally:
            with psycopg.connect(f"postgresql://{rest}", autocommit=True) as connection:
                connection.execute(f"REASSIGN OWNED BY {role} TO CURRENT_USER")
                connection.execute(f"DROP OWNED BY {role}")
            _scheme, _, admin_rest = admin.partition("://")
            with psycopg.connect(f"postgresql://{admin_rest}", autocommit=True) as connection:
                connection.execute(f"DROP ROLE IF EXISTS {role}")
