"""Git hooks pmtool installs: small POSIX shell scripts, no Python, no pmtool needed.

- ``prepare-commit-msg`` puts the task key of the branch (``pm-12-short-title`` ->
  ``PM-12``) in front of a new commit message that does not cite it yet.
- ``commit-msg`` (optional) warns about, or refuses, a message that cites no task.

A hook pmtool did not write is never overwritten without ``force``, and never removed:
with ``force`` it is kept beside ours as ``NAME.pre-pmtool`` and put back on uninstall.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pmtool.core.errors import Refused
from pmtool.gitsync.repo import Repository

MARKER = "# pmtool-hook: written by `pmtool git hooks install`; `pmtool git hooks uninstall`"
BACKUP_SUFFIX = ".pre-pmtool"
Check = Literal["off", "warn", "refuse"]
CHECKS: tuple[Check, ...] = ("off", "warn", "refuse")

_PREPARE = """#!/bin/sh
{marker}
# Prefills the task key from the branch name: on pm-12-short-title a new message
# starts with "{key}-12 " unless it cites {key}-12 already.
case "$2" in merge|squash|commit) exit 0 ;; esac
branch=$(git symbolic-ref --short -q HEAD) || exit 0
name=${{branch##*/}}
number=$(printf '%s\\n' "$name" |
  sed -n 's#^{pattern}-\\([0-9][0-9]*\\)\\([-_.].*\\)\\{{0,1\\}}$#\\1#p')
[ -n "$number" ] || exit 0
key="{key}-$number"
grep -v '^#' "$1" | grep -Eq "(^|[^A-Za-z0-9_-])$key([^0-9]|\\$)" && exit 0
tmp="$1.pmtool.$$"
{{ printf '%s ' "$key"; cat "$1"; }} > "$tmp" && mv "$tmp" "$1"
exit 0
"""

_CHECK = """#!/bin/sh
{marker}
# Checks that a commit message cites a task ({key}-12, fixes {key}-12, {key}-12 #review).
mode={mode}
text=$(grep -v '^#' "$1")
case "$text" in "Merge "*|"Revert "*|"fixup! "*|"squash! "*|"amend! "*) exit 0 ;; esac
printf '%s\\n' "$text" | grep -Eq '{cited}' && exit 0
echo "pmtool: the commit message cites no task (e.g. {key}-12, fixes {key}-12)" >&2
if [ "$mode" = refuse ]; then
  echo "pmtool: commit refused; cite a task, or skip this check with git commit --no-verify" >&2
  exit 1
fi
exit 0
"""


def hooks_folder(repository: Repository) -> Path:
    return repository.hooks_folder()


def _ours(path: Path) -> bool:
    try:
        return MARKER in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _case_free(key: str) -> str:
    """A sed pattern matching the key in any case (POSIX sed has no case flag)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in key)


def scripts(project_key: str, check: Check, *, hash_refs: bool = False) -> dict[str, str | None]:
    """The hook files to write (None: remove ours)."""
    if not re.fullmatch(r"[A-Z][A-Z0-9]{1,9}", project_key):
        raise ValueError(f"not a project key: {project_key!r}")
    cited = f"(^|[^A-Za-z0-9_-]){project_key}-[0-9]+" + ("|#[0-9]+" if hash_refs else "")
    wanted: dict[str, str | None] = {
        "prepare-commit-msg": _PREPARE.format(
            marker=MARKER, key=project_key, pattern=_case_free(project_key)
        )
    }
    wanted["commit-msg"] = (
        None
        if check == "off"
        else _CHECK.format(marker=MARKER, key=project_key, mode=check, cited=cited)
    )
    return wanted


def install(
    repository: Repository,
    project_key: str,
    *,
    check: Check | None,
    force: bool,
    hash_refs: bool = False,
) -> list[str]:
    """Write the hooks; returns one line per hook saying what happened."""
    folder = hooks_folder(repository)
    wanted = scripts(project_key, check or "off", hash_refs=hash_refs)
    if check is None:
        del wanted["commit-msg"]  # not asked about: leave as it is
    foreign = [
        name
        for name, text in wanted.items()
        if text is not None and (folder / name).exists() and not _ours(folder / name)
    ]
    if foreign and not force:
        raise Refused(
            f"{folder} has its own {' and '.join(foreign)} hook: pmtool never overwrites it; "
            f"--force keeps it as NAME{BACKUP_SUFFIX} and installs pmtool's"
        )
    for name in foreign:
        backup = folder / f"{name}{BACKUP_SUFFIX}"
        if backup.exists():
            raise Refused(f"{backup} exists already: move it away first")
    folder.mkdir(parents=True, exist_ok=True)
    done = []
    for name, text in wanted.items():
        path = folder / name
        if text is None:
            if path.exists() and _ours(path):
                path.unlink()
                _restore(folder, name)
                done.append(f"{name}: removed")
            continue
        if name in foreign:
            path.rename(folder / f"{name}{BACKUP_SUFFIX}")
            done.append(f"{name}: installed (yours kept as {name}{BACKUP_SUFFIX}, not run)")
        else:
            done.append(f"{name}: installed")
        temporary = folder / f".{name}.pmtool-new"
        temporary.write_text(text, encoding="utf-8")
        temporary.chmod(0o755)
        temporary.replace(path)
    return done


def uninstall(repository: Repository) -> list[str]:
    """Remove pmtool's hooks (only those) and put back the ones they replaced."""
    folder = hooks_folder(repository)
    done = []
    for name in ("prepare-commit-msg", "commit-msg"):
        path = folder / name
        if path.exists() and _ours(path):
            path.unlink()
            restored = _restore(folder, name)
            done.append(f"{name}: removed" + (" (yours put back)" if restored else ""))
    return done


def _restore(folder: Path, name: str) -> bool:
    backup = folder / f"{name}{BACKUP_SUFFIX}"
    if backup.exists() and not (folder / name).exists():
        backup.rename(folder / name)
        return True
    return False
