"""The real program in a real terminal: `pmtool board` under tmux at 80x24.

Pilot tests drive the app in-process; this one starts the installed command the way a
user does, reads the screen back, presses q and checks the program ends.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _tmux(socket: Path, *args: str) -> str:
    result = subprocess.run(
        ["tmux", "-S", str(socket), *args], capture_output=True, text=True, check=True
    )
    return result.stdout


def _wait_for(socket: Path, text: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux(socket, "capture-pane", "-p", "-t", "pm")
        if text in screen:
            return screen
        time.sleep(0.02)
    raise AssertionError(f"{text!r} did not appear within {seconds} s; the screen:\n{screen}")


def _start(socket: Path, pmtool_args: str, width: int, height: int) -> None:
    """Run ``pmtool ARGS`` in a detached tmux session of the given size; the shell then
    prints the exit code and waits, so the screen can still be read."""
    command = f"{sys.executable} -m pmtool {pmtool_args}; echo PMTOOL-EXITED $?; sleep 30"
    # COLUMNS/LINES (set for the table tests) would override the terminal's real size.
    environment = {
        name: value for name, value in os.environ.items() if name not in ("COLUMNS", "LINES")
    }
    environment.update(TERM="xterm-256color", PMTOOL_NOW="2026-11-27T10:00:00")
    session = ["new-session", "-d", "-s", "pm", "-x", str(width), "-y", str(height), command]
    subprocess.run(["tmux", "-S", str(socket), *session], check=True, env=environment)


def test_board_in_a_real_terminal(demo_template: Path, tmp_path: Path):
    database = tmp_path / "board.db"
    shutil.copyfile(demo_template, database)
    socket = tmp_path / "tmux.sock"
    _start(socket, f"--db {database} board", 80, 24)
    try:
        _wait_for(socket, "palette")  # the footer: the screen is painted
        screen = _wait_for(socket, "IN PROGRESS")
        lines = screen.splitlines()
        header = next(line for line in lines if "BACKLOG" in line)
        assert all(column in header for column in ("TODO", "IN PROGRESS", "REVIEW", "DONE")), screen
        assert "Sprint 4 (active)" in screen
        assert "SEPSIS-" in screen  # cards are shown
        assert max(len(line) for line in lines) <= 80
        _tmux(socket, "send-keys", "-t", "pm", "q")
        assert "PMTOOL-EXITED 0" in _wait_for(socket, "PMTOOL-EXITED")
    finally:
        subprocess.run(["tmux", "-S", str(socket), "kill-server"], capture_output=True)


def test_demo_says_where_it_is_after_quitting(tmp_path: Path):
    database = tmp_path / "demo.db"
    socket = tmp_path / "tmux.sock"
    _start(socket, f"demo --path {database}", 250, 30)
    try:
        _wait_for(socket, "palette")
        _tmux(socket, "send-keys", "-t", "pm", "q")
        screen = _wait_for(socket, "PMTOOL-EXITED")
        assert "PMTOOL-EXITED 0" in screen
        assert f"The demo workspace is at {database}" in screen
        assert f"pmtool --db {database} tui" in screen
    finally:
        subprocess.run(["tmux", "-S", str(socket), "kill-server"], capture_output=True)
