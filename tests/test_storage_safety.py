"""Files pmtool did not make: never removed, never written before they are known to be
a pmtool database; files it makes appear whole or not at all; shared read-only files
can be read. Every refusal is one plain line and leaves every file as it was.
"""

from __future__ import annotations

import errno
import json
import os
import random
import resource
import shlex
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Invoke
from pmcheck import dump, ok, query, refused

from pmtool.storage import migrate, schema

NOBODY = 65534
DROPPED_CAPABILITIES = ("cap_dac_override", "cap_dac_read_search", "cap_fowner")


def pmtool_process(*args: str, **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pmtool", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        **options,  # type: ignore[call-overload]
    )


def one_error_line(completed: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert completed.returncode == 1, (completed.returncode, completed.stdout, completed.stderr)
    assert "Traceback" not in completed.stderr and "unexpected" not in completed.stderr
    lines = completed.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), completed.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def leftovers(folder: Path, *expected: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in expected)


def make_device(path: Path) -> None:
    """A character device like /dev/null, made in tmp_path (never the real one)."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here ({exc})")


def foreign_database(path: Path) -> bytes:
    """Another program's SQLite file, in the default rollback-journal mode."""
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (text TEXT)")
    connection.execute("INSERT INTO notes VALUES ('keep me')")
    connection.commit()
    connection.close()
    return path.read_bytes()


# --- R1: never remove what pmtool did not create ----------------------------------------


@pytest.mark.parametrize(
    "args", [("init",), ("task", "list"), ("task", "add", "A"), ("db", "upgrade"), ("undo",)]
)
def test_a_device_is_refused_and_left_alone(run: Invoke, tmp_path: Path, args):
    device = tmp_path / "null"
    make_device(device)
    refused(run("--db", str(device), *args), 1, f"{device} is a device, not a database file")
    assert stat.S_ISCHR(device.lstat().st_mode)
    assert leftovers(tmp_path, "null") == []


def test_a_folder_is_refused(run: Invoke, tmp_path: Path):
    folder = tmp_path / "folder.db"
    folder.mkdir()
    refused(run("--db", str(folder), "init"), 1, f"{folder} is a folder, not a database file")
    refused(run("--db", str(folder), "task", "list"), 1, f"{folder} is a folder")
    assert list(folder.iterdir()) == []


def test_a_failed_init_keeps_the_empty_file_it_found(
    run: Invoke, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    db_path.touch(mode=0o640)
    inode = db_path.stat().st_ino

    def failing_upgrade(*args: object, **kwargs: object) -> None:
        raise migrate.StorageError("the migration failed")

    monkeypatch.setattr(migrate, "upgrade", failing_upgrade)
    refused(run("init"), 1, "the migration failed")
    assert db_path.stat().st_ino == inode and db_path.stat().st_size == 0
    assert leftovers(db_path.parent, db_path.name) == []


# --- R2: an interrupted init leaves nothing or a whole database -------------------------


def test_init_builds_beside_the_target_and_moves_it_into_place(
    run: Invoke, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    seen: list[tuple[Path, bool]] = []
    real_upgrade = migrate.upgrade

    def watched_upgrade(location: migrate.DatabaseLocation, *args: str) -> None:
        assert location.path is not None
        seen.append((location.path, db_path.exists()))
        real_upgrade(location, *args)

    monkeypatch.setattr(migrate, "upgrade", watched_upgrade)
    ok(run("init"))
    [(built, target_existed)] = seen
    assert built.parent == db_path.parent and built != db_path
    assert not target_existed
    assert query(db_path, "SELECT version_num FROM alembic_version") == [(schema.HEAD_REVISION,)]
    assert db_path.stat().st_mode & 0o777 == 0o600
    assert leftovers(db_path.parent, db_path.name) == []


def test_an_empty_file_is_initialised(run: Invoke, db_path: Path):
    db_path.touch()
    assert ok(run("init")) == (
        f'Created a pmtool database at {db_path}\nNext: pmtool project add KEY "Project name"\n'
    )
    ok(run("project", "add", "PM", "Sepsis"))
    assert ok(run("task", "add", "A")) == "PM-1\n"
    assert db_path.stat().st_mode & 0o777 == 0o600


def test_the_demo_uses_an_empty_file_and_leaves_nothing_beside_it(run: Invoke, tmp_path: Path):
    target = tmp_path / "demo.db"
    target.touch()
    ok(run("demo", "--no-tui", "--path", str(target)))
    assert query(target, "SELECT key FROM project ORDER BY id") == [("SEPSIS",), ("THESES",)]
    assert leftovers(tmp_path, "demo.db", "pmtool.db") == []


def test_a_killed_init_leaves_no_file_or_a_whole_database(tmp_path: Path):
    delays = random.Random(11).sample([d / 100 for d in range(5, 120, 5)], 6)
    for attempt, delay in enumerate(delays):
        target = tmp_path / f"killed-{attempt}.db"
        process = subprocess.Popen(
            [sys.executable, "-m", "pmtool", "--db", str(target), "init"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if target.exists():
            assert query(target, "PRAGMA integrity_check") == [("ok",)]
            assert query(target, "SELECT version_num FROM alembic_version") == [
                (schema.HEAD_REVISION,)
            ]
        # Whatever the kill left, init now works.
        completed = pmtool_process("--db", str(target), "init")
        assert completed.returncode == 0, completed.stderr
        assert query(target, "SELECT version_num FROM alembic_version") == [(schema.HEAD_REVISION,)]
    # Only hidden temporary files of killed runs may be left beside the databases.
    visible = [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")]
    assert sorted(visible) == sorted(f"killed-{n}.db" for n in range(len(delays)))


# --- R3: a foreign file is not written before it is refused ------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("task", "list"),
        ("task", "add", "A"),
        ("init",),
        ("undo",),
        ("db", "check"),
        ("db", "upgrade"),
        ("db", "backup", "copy.db"),
    ],
)
def test_a_foreign_database_keeps_its_bytes(run: Invoke, db_path: Path, args):
    before = foreign_database(db_path)
    result = run(*args)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert db_path.read_bytes() == before
    assert leftovers(db_path.parent, db_path.name) == []


@pytest.mark.parametrize(
    "args", [("task", "list"), ("task", "add", "A"), ("undo",), ("db", "check")]
)
def test_an_empty_file_is_not_written_by_commands_that_refuse_it(run: Invoke, db_path: Path, args):
    db_path.touch()
    result = run(*args)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert db_path.stat().st_size == 0


# --- R6: a restore checks the whole backup first -----------------------------------------


def corrupt_one_page(path: Path, table: str) -> None:
    """Break one page of ``table``, leaving the revision table and the catalogue intact."""
    [(root_page,)] = query(path, "SELECT rootpage FROM sqlite_master WHERE name = ?", table)
    [(page_size,)] = query(path, "PRAGMA page_size")
    assert root_page > 1
    with path.open("r+b") as file:
        file.seek((root_page - 1) * page_size)
        file.write(b"\xff" * 64)


def test_restore_refuses_a_corrupt_backup(ready: Invoke, db_path: Path, tmp_path: Path):
    backup = tmp_path / "backup.db"
    ok(ready("db", "backup", str(backup)))
    corrupt_one_page(backup, "audit")
    assert query(backup, "SELECT version_num FROM alembic_version") == [(schema.HEAD_REVISION,)]
    before = dump(db_path)
    refused(ready("db", "restore", str(backup)), 1, f"{backup} is damaged", "nothing was restored")
    assert dump(db_path) == before
    assert [p.name for p in tmp_path.iterdir() if "before-restore" in p.name] == []
    fresh = tmp_path / "fresh.db"
    refused(ready("--db", str(fresh), "db", "restore", str(backup)), 1, "is damaged")
    assert not fresh.exists()


@pytest.fixture
def ready(workspace: Invoke) -> Invoke:
    ok(workspace("task", "add", "Freeze the ICU cohort", "--points", "5"))
    ok(workspace("task", "add", "Define sepsis label"))
    return workspace


def test_restore_into_an_empty_file(ready: Invoke, db_path: Path, tmp_path: Path):
    backup = tmp_path / "backup.db"
    ok(ready("db", "backup", str(backup)))
    empty = tmp_path / "empty.db"
    empty.touch()
    assert ok(ready("--db", str(empty), "db", "restore", str(backup))) == (
        f"Restored {empty} from {backup}\n"
    )
    assert dump(empty) == dump(db_path)
    assert leftovers(tmp_path, "pmtool.db", "backup.db", "empty.db") == []


# --- R11: backups that cannot be made ---------------------------------------------------


def test_backup_to_a_dangling_symlink_is_refused(ready: Invoke, tmp_path: Path):
    link = tmp_path / "backup.db"
    link.symlink_to(tmp_path / "nowhere.db")
    refused(ready("db", "backup", str(link)), 1, f"{link} is a symbolic link to a missing file")
    assert link.is_symlink() and not (tmp_path / "nowhere.db").exists()


def test_a_backup_that_runs_out_of_room_names_the_backup(ready: Invoke, db_path: Path, tmp_path):
    """A full disk, simulated by a file size limit in the child process (no root tricks)."""
    target = tmp_path / "backups" / "pm.db"
    target.parent.mkdir()
    assert db_path.stat().st_size > 96 * 1024
    limit = 64 * 1024

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    before = dump(db_path)
    completed = pmtool_process("db", "backup", str(target), preexec_fn=limit_file_size)
    line = one_error_line(completed, f"cannot write the database {target}")
    assert str(db_path) not in line
    assert list(target.parent.iterdir()) == []
    assert dump(db_path) == before


# --- U1: a database shared read-only ----------------------------------------------------


def without_write_access(command: list[str]) -> list[str]:
    """``command`` run without the privileges that let root write anything."""
    if os.geteuid() != 0:
        return command
    if shutil.which("capsh"):
        drop = ",".join(DROPPED_CAPABILITIES)
        return ["capsh", f"--drop={drop}", "--", "-c", shlex.join(command)]
    if shutil.which("setpriv"):
        bounding = ",".join(f"-{name.removeprefix('cap_')}" for name in DROPPED_CAPABILITIES)
        return ["setpriv", f"--bounding-set={bounding}", f"--inh-caps={bounding}", *command]
    pytest.skip("running as root without capsh or setpriv: cannot drop write privileges")


def share_read_only(folder: Path, database: Path) -> None:
    """As a supervisor gets it: the file 0644, in a folder of someone else's."""
    database.chmod(0o644)
    if os.geteuid() == 0:
        os.chown(folder, NOBODY, NOBODY)
        os.chown(database, NOBODY, NOBODY)
        folder.chmod(0o755)
    else:
        database.chmod(0o444)
        folder.chmod(0o555)


def test_a_database_shared_read_only_can_be_read(ready: Invoke, tmp_path: Path):
    team = tmp_path / "team"
    team.mkdir()
    shared = team / "pm.db"
    ok(ready("db", "backup", str(shared)))
    share_read_only(team, shared)
    before = shared.read_bytes()

    def as_reader(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "pmtool", "--db", str(shared), *args]
        return subprocess.run(
            without_write_access(command), capture_output=True, text=True, check=False, timeout=60
        )

    try:
        listed = as_reader("task", "list", "--format", "json")
        assert listed.returncode == 0, listed.stderr
        assert [row["title"] for row in json.loads(listed.stdout)] == [
            "Freeze the ICU cohort",
            "Define sepsis label",
        ]
        checked = as_reader("db", "check", "--format", "json")
        assert checked.returncode == 0, checked.stderr
        assert json.loads(checked.stdout)["ok"] is True
        one_error_line(
            as_reader("task", "add", "Not allowed"), f"the database {shared} is read-only"
        )
        assert as_reader("init").returncode == 0  # it only confirms the database is ready
        assert shared.read_bytes() == before
        assert leftovers(team, "pm.db") == []
    finally:
        team.chmod(0o755)
        if os.geteuid() == 0:
            os.chown(team, 0, 0)


# --- U8: paths the system refuses -------------------------------------------------------


def test_a_path_the_system_refuses_is_a_plain_error(run: Invoke, ready: Invoke, tmp_path: Path):
    refused(run("--db", "/proc/pmtool-test.db", "init"), 1, "cannot create /proc/pmtool-test.db")
    refused(ready("db", "backup", "/proc/pmtool-test.db"), 1, "cannot create /proc/pmtool-test.db")
    long_name = tmp_path / ("x" * 300 + ".db")
    refused(run("--db", str(long_name), "init"), 1, f"cannot use {long_name}: File name too long")


def test_an_os_error_is_one_plain_line(run: Invoke, monkeypatch: pytest.MonkeyPatch):
    def broken_disk(location: object) -> bool:
        raise OSError(errno.EIO, "Input/output error", "/data/pm.db")

    monkeypatch.setattr(migrate, "initialise", broken_disk)
    refused(run("init"), 1, "cannot use /data/pm.db: Input/output error")
