"""The database file: pragmas, permissions, init, check, backup, restore, schema upgrades.

Every refusal must leave the file as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Invoke
from pmcheck import dump, error_line, ok, query, refused

from pmtool.resources import migrations_dir
from pmtool.storage import schema
from pmtool.storage import sqlite as sqlite_files
from pmtool.storage.location import resolve_location
from pmtool.storage.migrate import initialise, upgrade
from pmtool.storage.sqlite import connect

RUN_INIT = "run `pmtool init`"


def set_revision(path: Path, revision: str) -> None:
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    connection.close()


def make_immutable(path: Path, on: bool) -> bool:
    """chattr +i/-i: the only way to make a folder read-only for root."""
    try:
        completed = subprocess.run(
            ["chattr", "+i" if on else "-i", str(path)], capture_output=True, check=False
        )
    except OSError:
        return False
    return completed.returncode == 0


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody (root included) can create files in."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    yield folder
    make_immutable(folder, False)
    folder.chmod(0o755)


def lock(folder: Path) -> None:
    folder.chmod(0o555)
    if os.geteuid() == 0 and not make_immutable(folder, True):
        pytest.skip("running as root without chattr: cannot make a folder read-only")


@pytest.fixture
def ready(workspace: Invoke) -> Invoke:
    ok(workspace("task", "add", "Freeze the ICU cohort", "--points", "5"))
    ok(workspace("task", "add", "Define sepsis label"))
    return workspace


def titles(run: Invoke, *db: str) -> list[str]:
    rows = json.loads(ok(run(*db, "task", "list", "--format", "json")))
    return [row["title"] for row in rows]


# --- pragmas and permissions ---------------------------------------------------------


def test_connections_get_the_pragmas(run: Invoke, db_path: Path):
    ok(run("init"))
    connection = connect(db_path)
    try:
        assert connection.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert connection.execute("PRAGMA secure_delete").fetchone() == (1,)
        assert connection.in_transaction is False  # autocommit: writers BEGIN IMMEDIATE
    finally:
        connection.close()


def test_orm_engine_connections_get_the_pragmas_and_begin_immediate(run: Invoke, db_path: Path):
    from sqlalchemy import text

    from pmtool.storage.engine import get_engine
    from pmtool.storage.location import resolve_location

    ok(run("init"))
    engine = get_engine(resolve_location(str(db_path)))
    with engine.begin() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        # BEGIN IMMEDIATE took the write lock: another writer cannot start now.
        other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


def test_foreign_keys_are_enforced(run: Invoke, db_path: Path):
    ok(run("init"))
    connection = connect(db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            connection.execute(
                "INSERT INTO workflow_column (project_id, name, position, is_done) "
                "VALUES (42, 'x', 0, 0)"
            )
    finally:
        connection.close()


def test_database_file_is_private(run: Invoke, db_path: Path, tmp_path: Path):
    ok(run("init"))
    assert db_path.stat().st_mode & 0o777 == 0o600
    ok(run("project", "add", "PM", "Sepsis"))
    assert db_path.stat().st_mode & 0o777 == 0o600
    ok(run("db", "backup", str(tmp_path / "copy.db")))
    assert (tmp_path / "copy.db").stat().st_mode & 0o777 == 0o600


# --- location and init ---------------------------------------------------------------


def test_db_path_follows_option_then_environment(run: Invoke, db_path: Path, tmp_path: Path):
    assert ok(run("db", "path")) == f"{db_path}\n"
    other = tmp_path / "other.db"
    assert ok(run("--db", str(other), "db", "path")) == f"{other}\n"
    assert ok(run("--db", f"sqlite:///{other}", "db", "path")) == f"{other}\n"
    assert not db_path.exists() and not other.exists()  # asking creates nothing


def test_default_location_is_the_platform_data_dir(
    run: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("PMTOOL_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    expected = tmp_path / "data" / "pmtool" / "pmtool.db"
    assert ok(run("db", "path")) == f"{expected}\n"
    assert not (tmp_path / "data").exists()
    assert ok(run("init")).startswith(f"Created a pmtool database at {expected}\n")
    assert expected.parent.stat().st_mode & 0o777 == 0o700
    assert expected.stat().st_mode & 0o777 == 0o600


def test_init_twice_is_harmless(run: Invoke, db_path: Path):
    assert ok(run("init")) == (
        f'Created a pmtool database at {db_path}\nNext: pmtool project add KEY "Project name"\n'
    )
    ok(run("project", "add", "PM", "Sepsis"))
    before = dump(db_path)
    assert ok(run("init")) == f"The database at {db_path} is ready (schema up to date).\n"
    assert dump(db_path) == before


def test_db_option_with_a_sqlalchemy_url(run: Invoke, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'team.db'}"
    ok(run("--db", url, "init"))
    ok(run("--db", url, "project", "add", "PM", "Sepsis"))
    assert ok(run("--db", url, "task", "add", "A")) == "PM-1\n"
    assert query(tmp_path / "team.db", "SELECT title FROM task") == [("A",)]


@pytest.mark.parametrize(
    "args",
    [
        ("task", "list"),
        ("task", "add", "Title"),
        ("project", "list"),
        ("project", "add", "PM", "Sepsis"),
        ("sprint", "list"),
        ("log",),
        ("undo",),
        ("velocity",),
        ("db", "upgrade"),
        ("db", "backup", "somewhere.db"),
    ],
)
def test_commands_before_init_say_to_run_init(run: Invoke, db_path: Path, args):
    refused(run(*args), 1, f"no pmtool database at {db_path}: {RUN_INIT}")
    assert not db_path.exists()
    assert not Path("somewhere.db").exists()


def test_db_check_before_init(run: Invoke, db_path: Path):
    result = run("db", "check", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and RUN_INIT in report["problem"]
    assert not db_path.exists()


def test_missing_folder_for_db(run: Invoke, tmp_path: Path):
    target = tmp_path / "no" / "such" / "folder" / "pm.db"
    refused(
        run("--db", str(target), "init"),
        1,
        f"cannot create {target}: the folder {target.parent} does not exist",
    )
    refused(run("--db", str(target), "task", "add", "A"), 1, RUN_INIT)
    assert not (tmp_path / "no").exists()


def test_read_only_folder_for_a_new_database(run: Invoke, read_only: Path):
    lock(read_only)
    target = read_only / "pm.db"
    refused(run("--db", str(target), "init"), 1, f"the folder {read_only} is not writable")
    assert list(read_only.iterdir()) == []


def test_read_only_folder_holding_a_database(run: Invoke, read_only: Path):
    target = read_only / "pm.db"
    ok(run("--db", str(target), "init"))
    ok(run("--db", str(target), "project", "add", "PM", "Sepsis"))
    ok(run("--db", str(target), "task", "add", "Before"))
    before = dump(target)
    lock(read_only)
    refused(run("--db", str(target), "task", "add", "After"), 1, str(target))
    # Reading still works: nothing can change the file, so it is read as immutable.
    assert titles(run, "--db", str(target)) == ["Before"]
    make_immutable(read_only, False)
    read_only.chmod(0o755)
    assert dump(target) == before


# --- files that are not ours ---------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("task", "list"),
        ("task", "add", "Title"),
        ("init",),
        ("undo",),
        ("db", "upgrade"),
        ("db", "backup", "copy.db"),
    ],
)
def test_a_file_that_is_not_sqlite(run: Invoke, db_path: Path, args):
    garbage = bytes(range(256)) * 40
    db_path.write_bytes(garbage)
    refused(run(*args), 1, f"{db_path} is not an SQLite database")
    assert db_path.read_bytes() == garbage
    assert not Path("copy.db").exists()


def test_db_check_reports_a_file_that_is_not_sqlite(run: Invoke, db_path: Path):
    db_path.write_text("name,points\nA,3\n")
    result = run("db", "check", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["problem"] == (
        f"{db_path} is not an SQLite database (is --db pointing at the right file?)"
    )
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1


def test_an_sqlite_file_of_another_program(run: Invoke, db_path: Path):
    connection = sqlite3.connect(db_path)
    connection.execute("CREATE TABLE notes (text TEXT)")
    connection.execute("INSERT INTO notes VALUES ('keep me')")
    connection.commit()
    connection.close()
    before = dump(db_path)
    refused(run("task", "list"), 1, f"{db_path} is not a pmtool database (it has no schema")
    refused(run("task", "add", "A"), 1, "is not a pmtool database")
    refused(run("init"), 1, "is an SQLite file but not a pmtool database; choose another path")
    assert dump(db_path) == before


# --- check, backup, restore ----------------------------------------------------------


def test_db_check_of_a_healthy_database(ready: Invoke, db_path: Path):
    report = json.loads(ok(ready("db", "check", "--format", "json")))
    assert report | {"size_bytes": 0} == {
        "ok": True,
        "database": str(db_path),
        "schema": schema.HEAD_REVISION,
        "expected_schema": schema.HEAD_REVISION,
        "problem": None,
        "integrity": "ok",
        "journal_mode": "wal",
        "foreign_key_errors": 0,
        "size_bytes": 0,
        "file_mode": "0o600",
        "projects": 1,
        "tasks": 2,
        "audit_rows": report["audit_rows"],
        "chain_checked": report["audit_rows"],
    }
    assert report["audit_rows"] > 0
    assert "ok                  yes" in ok(ready("db", "check"))


def test_backup_is_a_working_copy(ready: Invoke, db_path: Path, tmp_path: Path):
    target = tmp_path / "backups" / "pm.db"
    target.parent.mkdir()
    assert ok(ready("db", "backup", str(target))) == f"Backed up {db_path} to {target}\n"
    assert titles(ready, "--db", str(target)) == ["Freeze the ICU cohort", "Define sepsis label"]
    assert dump(target) == dump(db_path)


def test_backup_refuses_an_existing_target(ready: Invoke, tmp_path: Path):
    target = tmp_path / "precious.db"
    target.write_text("do not overwrite")
    refused(ready("db", "backup", str(target)), 1, f"{target} exists already")
    assert target.read_text() == "do not overwrite"
    refused(ready("db", "backup", str(tmp_path / "no" / "dir.db")), 1, "does not exist")


def test_restore_keeps_a_safety_copy(
    ready: Invoke, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    backup = tmp_path / "backup.db"
    ok(ready("db", "backup", str(backup)))
    ok(ready("task", "add", "Written after the backup"))
    after_backup = dump(db_path)
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-27T10:00:00+00:00")
    safety = tmp_path / "pmtool.db.before-restore-20261127T100000Z.bak"
    assert ok(ready("db", "restore", str(backup))) == (
        f"The database as it was is kept at {safety}\nRestored {db_path} from {backup}\n"
    )
    assert titles(ready) == ["Freeze the ICU cohort", "Define sepsis label"]
    assert dump(safety) == after_backup
    assert safety.stat().st_mode & 0o777 == 0o600
    # The restored database works: the next key follows on from the backup's.
    assert ok(ready("task", "add", "New")) == "PM-3\n"


def test_restore_into_a_new_file(ready: Invoke, db_path: Path, tmp_path: Path):
    backup = tmp_path / "backup.db"
    ok(ready("db", "backup", str(backup)))
    fresh = tmp_path / "fresh.db"
    assert ok(ready("--db", str(fresh), "db", "restore", str(backup))) == (
        f"Restored {fresh} from {backup}\n"
    )
    assert fresh.stat().st_mode & 0o777 == 0o600
    assert titles(ready, "--db", str(fresh)) == titles(ready)


def test_restore_refusals_leave_the_database(ready: Invoke, db_path: Path, tmp_path: Path):
    before = dump(db_path)
    refused(ready("db", "restore", str(tmp_path / "missing.db")), 1, "no backup file at")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 100)
    refused(ready("db", "restore", str(junk)), 1, "is not an SQLite database")
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.close()
    refused(ready("db", "restore", str(foreign)), 1, "is not a pmtool database")
    newer = tmp_path / "newer.db"
    ok(ready("db", "backup", str(newer)))
    set_revision(newer, "9999")
    refused(ready("db", "restore", str(newer)), 1, "written by a newer pmtool")
    assert dump(db_path) == before
    assert sorted(p.name for p in tmp_path.iterdir() if "before-restore" in p.name) == []


# --- schema versions -----------------------------------------------------------------


def test_known_revisions_match_the_migrations():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    scripts = ScriptDirectory.from_config(config)
    in_order = [script.revision for script in scripts.walk_revisions()][::-1]
    assert tuple(in_order) == schema.KNOWN_REVISIONS
    assert scripts.get_heads() == [schema.HEAD_REVISION]


def test_models_match_the_migrations(run: Invoke, db_path: Path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    import pmtool.models
    from pmtool.models.base import metadata

    assert pmtool.models.Task.__tablename__ == "task"
    ok(run("init"))
    engine = create_engine(f"sqlite:///{db_path}")
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True}
            )
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_db_upgrade_at_head_does_nothing(ready: Invoke, db_path: Path):
    before = dump(db_path)
    head = schema.HEAD_REVISION
    assert ok(ready("db", "upgrade")) == f"Already at schema {head}; nothing to do.\n"
    assert dump(db_path) == before
    assert [p.name for p in db_path.parent.iterdir() if p.suffix == ".bak"] == []


@pytest.mark.parametrize(
    "args",
    [("task", "list"), ("task", "add", "A"), ("init",), ("db", "upgrade"), ("undo",)],
)
def test_a_database_from_a_newer_pmtool_is_refused(ready: Invoke, db_path: Path, args):
    set_revision(db_path, "9999")
    before = dump(db_path)
    refused(
        ready(*args),
        1,
        f"the database at {db_path} was written by a newer pmtool (schema 9999",
        "upgrade pmtool",
    )
    assert dump(db_path) == before


# The code's newest revision, and one the tests below pretend comes next: whatever the
# chain of migrations is (domains add theirs), these tests need no change.
REVISIONS = schema.KNOWN_REVISIONS
HEAD = schema.HEAD_REVISION
NEXT = "9999"


@pytest.fixture
def code_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    """This pmtool knows a revision NEXT that the database (at HEAD) does not have yet."""
    monkeypatch.setattr(schema, "KNOWN_REVISIONS", (*REVISIONS, NEXT))
    monkeypatch.setattr(schema, "HEAD_REVISION", NEXT)


@pytest.mark.parametrize("args", [("task", "list"), ("task", "add", "A"), ("init",), ("undo",)])
def test_a_database_behind_the_code_is_refused(ready: Invoke, db_path: Path, code_ahead, args):
    before = dump(db_path)
    refused(
        ready(*args),
        1,
        f"the database at {db_path} is at schema {HEAD}, this pmtool needs {NEXT}",
        "run `pmtool db upgrade` (it backs the file up first)",
    )
    assert dump(db_path) == before


def test_db_upgrade_backs_up_first(
    ready: Invoke, db_path: Path, code_ahead, monkeypatch: pytest.MonkeyPatch
):
    before = dump(db_path)
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-27T10:00:00+00:00")
    backup = db_path.with_name(f"pmtool.db.{HEAD}-20261127T100000Z.bak")
    assert ok(ready("db", "upgrade")) == (
        f"Backed up to {backup}\nUpgraded schema {HEAD} -> {NEXT}\n"
    )
    assert dump(backup) == before
    assert backup.stat().st_mode & 0o777 == 0o600


MIGRATION_0003 = '''"""Test migration: task and project rebuilt in batch mode."""

import sqlalchemy as sa
from alembic import op

revision = "@NEXT@"
down_revision = "@HEAD@"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task", recreate="always") as batch:
        batch.add_column(sa.Column("risk_note", sa.String(), nullable=True))
    with op.batch_alter_table("project", recreate="always") as batch:
        batch.add_column(sa.Column("sponsor", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("project") as batch:
        batch.drop_column("sponsor")
    with op.batch_alter_table("task") as batch:
        batch.drop_column("risk_note")
'''


def chained(migration: str) -> str:
    """A test migration's text, following the code's newest revision."""
    return migration.replace("@NEXT@", NEXT).replace("@HEAD@", HEAD)


@pytest.fixture
def migrations_with_0003(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code_ahead) -> Path:
    folder = tmp_path / "db"
    shutil.copytree(migrations_dir(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / "0003_test_columns.py").write_text(chained(MIGRATION_0003))
    monkeypatch.setattr("pmtool.storage.migrate.migrations_dir", lambda: folder)
    return folder


def test_a_real_migration_upgrades_and_keeps_every_row(
    run: Invoke, db_path: Path, migrations_with_0003: Path, monkeypatch: pytest.MonkeyPatch
):
    # A database made by the previous release: migrated only to HEAD.
    with monkeypatch.context() as previous_release:
        previous_release.setattr(schema, "KNOWN_REVISIONS", REVISIONS)
        previous_release.setattr(schema, "HEAD_REVISION", HEAD)
        location = resolve_location(str(db_path))
        sqlite_files.create_private_file(db_path)
        upgrade(location, HEAD)
        ok(run("project", "add", "PM", "Sepsis"))
        ok(run("member", "add", "Lena Vogel"))
        ok(run("sprint", "add", "Sprint 1", "--start", "2026-11-23", "--length", "2w"))
        ok(
            run(
                "task",
                "add",
                "A",
                "--points",
                "3",
                "--assignee",
                "Lena Vogel",
                "--sprint",
                "Sprint 1",
            )
        )
        ok(run("task", "add", "B", "--parent", "PM-1"))
        assert initialise(location) is False
    tables = ("project", "member", "sprint", "task", "workflow_column", "command", "audit")
    counts = {table: query(db_path, f"SELECT COUNT(*) FROM {table}") for table in tables}

    refused(run("task", "list"), 1, "run `pmtool db upgrade`")
    upgraded = ok(run("db", "upgrade")).splitlines()
    assert upgraded[0].startswith("Backed up to ")
    assert upgraded[1] == f"Upgraded schema {HEAD} -> {NEXT}"
    assert query(db_path, "SELECT version_num FROM alembic_version") == [(NEXT,)]
    assert {table: query(db_path, f"SELECT COUNT(*) FROM {table}") for table in tables} == counts
    columns = [row[1] for row in query(db_path, "PRAGMA table_info(task)")]
    assert "risk_note" in columns
    assert query(db_path, "PRAGMA foreign_key_check") == []
    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]
    # Everything still works on the upgraded file, views included.
    rows = json.loads(ok(run("task", "list", "--format", "json")))
    assert [(r["key"], r["assignee"], r["sprint"], r["parent"]) for r in rows] == [
        ("PM-2", None, None, "PM-1"),  # backlog before todo
        ("PM-1", "Lena Vogel", "Sprint 1", None),
    ]
    assert ok(run("task", "add", "C")) == "PM-3\n"
    assert ok(run("db", "upgrade")) == f"Already at schema {NEXT}; nothing to do.\n"


BROKEN_0003 = '''"""A test migration that fails halfway."""

import sqlalchemy as sa
from alembic import op

revision = "@NEXT@"
down_revision = "@HEAD@"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("task", sa.Column("risk_note", sa.String(), nullable=True))
    op.execute("UPDATE task SET risk_note = 'x'")
    op.execute("SELECT * FROM no_such_table")


def downgrade() -> None:
    pass
'''


def test_a_failing_migration_leaves_the_database_as_it_was(
    ready: Invoke, db_path: Path, migrations_with_0003: Path
):
    (migrations_with_0003 / "versions" / "0003_test_columns.py").write_text(chained(BROKEN_0003))
    before = dump(db_path)
    error_line(ready("db", "upgrade"), 1)
    assert dump(db_path) == before
    backups = [p for p in db_path.parent.iterdir() if p.name.endswith(".bak")]
    assert len(backups) == 1 and dump(backups[0]) == before
