"""Who is acting: --as, then PMTOOL_USER, then git's user.name, then the login name."""

from __future__ import annotations

import getpass
import os
import subprocess


def resolve_actor(explicit: str | None = None) -> str:
    if explicit and explicit.strip():
        return explicit.strip()
    from_env = os.environ.get("PMTOOL_USER", "").strip()
    if from_env:
        return from_env
    try:
        git_name = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, timeout=2, check=False
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        git_name = ""
    if git_name:
        return git_name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
