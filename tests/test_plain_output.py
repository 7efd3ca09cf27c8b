"""Output for pipes: no box drawing and no escape sequences when stdout is no terminal;
box drawing for people at a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Invoke
from pmcheck import ok


def test_tables_into_a_pipe_are_plain_ascii(workspace: Invoke):
    ok(workspace("task", "add", "Freeze cohort", "--points", "3"))
    for args in (("task", "list"), ("member", "list"), ("project", "list")):
        output = ok(workspace(*args))
        assert "─" not in output and "\x1b" not in output
        assert output.splitlines()[1].startswith("---"), output


def _on_a_terminal(db: Path, *args: str) -> str:
    """pmtool's output with stdout on a pseudo-terminal, as a person would see it."""
    leader, follower = pty.openpty()
    env = {**os.environ, "PMTOOL_DB": str(db), "COLUMNS": "100", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    completed = subprocess.run(
        [sys.executable, "-m", "pmtool", *args],
        stdin=subprocess.DEVNULL, stdout=follower, stderr=subprocess.PIPE,
        env=env, timeout=60, check=False,
    )  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert completed.returncode == 0, completed.stderr
    return b"".join(chunks).decode()


def test_a_terminal_gets_box_drawing_and_no_colour(workspace: Invoke, db_path: Path):
    ok(workspace("task", "add", "Freeze cohort", "--points", "3"))
    shown = _on_a_terminal(db_path, "task", "list")
    assert "───" in shown and "\x1b[" not in shown


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_scripts_and_answers(db_path: Path, shell: str):
    """The scripts docs/getting-started-scripts.md tells users to install, and an answer."""
    env = {**os.environ, "_PMTOOL_COMPLETE": f"{shell}_source"}
    source = subprocess.run(
        [sys.executable, "-m", "pmtool"], env=env, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert source.returncode == 0 and "_PMTOOL_COMPLETE" in source.stdout, source.stderr
    env = {**os.environ, "_PMTOOL_COMPLETE": "bash_complete", "COMP_WORDS": "pmtool report s",
           "COMP_CWORD": "2"}  # fmt: skip
    answer = subprocess.run(
        [sys.executable, "-m", "pmtool"], env=env, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert answer.stdout.split() == ["plain,sprint", "plain,status"], answer.stderr
