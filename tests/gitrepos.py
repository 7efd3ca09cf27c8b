"""Real git repositories for the git-sync tests, built with the git command line."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class Repo:
    """A throwaway repository: commits with fixed authors and dates, branches, merges."""

    def __init__(self, path: Path, *, branch: str = "main") -> None:
        self.path = path
        self.clock = 0
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", branch)
        self.git("config", "user.name", "Lena Vogel")
        self.git("config", "user.email", "lena@example.org")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, check: bool = True) -> str:
        self.clock += 1
        day, minute = 10 + self.clock // 1440, self.clock % 1440
        moment = f"2026-11-{day:02d}T{minute // 60:02d}:{minute % 60:02d}:00Z"
        env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")} | {
            "GIT_AUTHOR_DATE": moment,
            "GIT_COMMITTER_DATE": moment,
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(self.path.parent),
        }
        completed = subprocess.run(
            ["git", "-C", str(self.path), *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if check and completed.returncode != 0:
            raise AssertionError(f"git {' '.join(args)}: {completed.stderr}")
        return completed.stdout.strip()

    def commit(self, message: str, *, file: str | None = None, author: str | None = None) -> str:
        name = file or f"file{self.clock}.txt"
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a", encoding="utf-8") as handle:
            handle.write(f"{message}\n{self.clock}\n")
        self.git("add", "--", name)
        args = ["commit", "-q", "-m", message]
        if author:
            args += ["--author", author]
        self.git(*args)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    def switch(self, branch: str, *, create: bool = False) -> None:
        self.git("switch", "-q", *(["-c"] if create else []), branch)
