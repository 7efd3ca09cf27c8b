"""A small real git repository for `pmtool demo`: commits with set authors and dates.

Only ever written into a folder the demo created in the same run. The user's git
configuration is not read (no signing, no hooks, no templates), so the demo behaves
the same everywhere.
"""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from pmtool.core.errors import Refused


class DemoCommit(NamedTuple):
    message: str
    author: str
    when: datetime
    branch: str = "main"
    file: str = "README.md"


def _run(folder: Path, args: list[str], env: dict[str, str]) -> None:
    completed = subprocess.run(
        ["git", "-C", str(folder), "-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false",
         *args],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        raise Refused(f"the demo repository could not be made: {completed.stderr.strip()}")


def make_repository(folder: Path, commits: list[DemoCommit]) -> None:
    """A repository at ``folder`` (which must not exist) with these commits, in order;
    a commit on another branch starts that branch from main the first time."""
    folder.mkdir()
    base = {
        "PATH": os.environ.get("PATH", ""),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "HOME": str(folder),
        "LC_ALL": "C",
        "TZ": "UTC",
    }
    _run(folder, ["init", "-q", "-b", "main", "--template="], base)
    branches = {"main"}
    current = "main"
    for number, commit in enumerate(commits):
        email = commit.author.lower().replace("dr. ", "").replace(" ", ".") + "@example.org"
        moment = commit.when.isoformat()
        env = base | {
            "GIT_AUTHOR_NAME": commit.author, "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": commit.author, "GIT_COMMITTER_EMAIL": email,
            "GIT_AUTHOR_DATE": moment, "GIT_COMMITTER_DATE": moment,
        }  # fmt: skip
        if commit.branch != current:
            if commit.branch in branches:
                _run(folder, ["switch", "-q", commit.branch], env)
            else:
                _run(folder, ["switch", "-q", "-c", commit.branch, "main"], env)
                branches.add(commit.branch)
            current = commit.branch
        target = folder / commit.file
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a", encoding="utf-8") as handle:
            handle.write(f"{commit.message.splitlines()[0]} ({number})\n")
        _run(folder, ["add", "--", commit.file], env)
        _run(folder, ["commit", "-q", "-m", commit.message], env)
    if current != "main":
        _run(folder, ["switch", "-q", "main"], base)
