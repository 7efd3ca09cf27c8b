"""A local git repository, run through ``git`` as a subprocess with safe settings.

Why not GitPython: importing it costs ~95 ms and ``iter_commits`` is an order of
magnitude slower than one ``git log`` with a custom format; a sync reads tens of
thousands of commits and must start as fast as `pmtool task add`.

Safety rules followed by every call here:

- refs are passed as object ids or fully qualified ``refs/heads/...`` names, after
  ``--end-of-options``, or on standard input; paths after ``--``. A branch called
  ``--upload-pack=touch x`` or ``-rf`` is only ever data.
- ``GIT_CONFIG_NOSYSTEM``, ``core.hooksPath=/dev/null`` (no hook of the repository
  runs implicitly, not even post-checkout), ``core.fsmonitor=false`` (a configured
  fsmonitor is a command), no external diff or textconv, ``GIT_ALLOW_PROTOCOL=file``
  and no terminal prompts. Variables a calling hook may have set (``GIT_DIR``,
  ``GIT_INDEX_FILE`` ...) are dropped, so git sees the repository we name.
- only local paths are accepted: URLs, ``ext::`` and other transports are refused.
"""

from __future__ import annotations

import io
import os
import queue
import re
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple, cast

from pmtool.core.errors import InvalidInput, NotFound, Refused

# Settings for every git call: no hooks, no fsmonitor, no pagers, no prompts.
_SAFE_CONFIG = (
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.fsmonitor=false",
    "-c", "core.pager=cat",
    "-c", "protocol.allow=never",
    "-c", "protocol.file.allow=always",
    "-c", "log.showSignature=false",
    "-c", "color.ui=false",
)  # fmt: skip

# A URL, scp-like address or transport prefix (ext::, fd::, ssh://, user@host:path).
_REMOTE_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*::|://|^[^/\\]*@[^/\\]*:")

_FIELD = "\x1f"
# sha, parents, author name, author email, author date (UTC), the ref it was reached
# from (--source), the whole message. NUL-separated records (-z).
_LOG_FORMAT = "%H%x1f%P%x1f%an%x1f%ae%x1f%ad%x1f%S%x1f%B"
_SQLITE_UTC = "format-local:%Y-%m-%d %H:%M:%S.000000"

_environment: dict[str, str] | None = None


def git_environment() -> dict[str, str]:
    """The environment every git call runs in (built once per process)."""
    global _environment
    if _environment is None:
        inherited = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("GIT_")
            or name
            in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL")
        }
        inherited.update(
            {
                "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_TERMINAL_PROMPT": "0",
                "GIT_ALLOW_PROTOCOL": "file",
                "GIT_OPTIONAL_LOCKS": "0",
                "GIT_PAGER": "cat",
                "GIT_EDITOR": "true",
                "LC_ALL": "C",
                "TZ": "UTC",
            }
        )
        _environment = inherited
    return _environment


class GitFailed(Refused):
    """git refused or failed (a corrupt repository, a missing object, a lock)."""


class CommitRecord(NamedTuple):
    sha: str
    parents: tuple[str, ...]
    author: str
    email: str
    date: str  # UTC, as SQLite stores datetimes
    source: str  # the object id given on the command line that reached it
    message: str


class Repository:
    """A checked, non-bare, complete local repository."""

    def __init__(self, root: Path, git_dir: Path) -> None:
        self.root = root
        self.git_dir = git_dir

    # -- running git ------------------------------------------------------------------

    def run(self, *args: str, stdin: str | None = None, ok_codes: Sequence[int] = (0,)) -> str:
        return run_git(self.root, args, stdin=stdin, ok_codes=ok_codes).stdout

    def hooks_folder(self) -> Path:
        """Where git looks for this repository's hooks (``core.hooksPath`` respected)."""
        found = run_git(
            self.root, ("rev-parse", "--git-path", "hooks"), config=_SAFE_CONFIG[2:]
        ).stdout.strip()
        folder = Path(found)
        return folder if folder.is_absolute() else self.root / folder

    # -- state ------------------------------------------------------------------------

    def branches(self) -> dict[str, str]:
        """Every local branch: name -> tip object id."""
        output = self.run(
            "for-each-ref", "--format=%(objectname)%00%(refname:lstrip=2)", "refs/heads/"
        )
        found: dict[str, str] = {}
        for line in output.splitlines():
            sha, _, name = line.partition("\x00")
            if name:
                found[name] = sha
        return found

    def merged_branches(self, into_sha: str) -> set[str]:
        """Branches whose tip is reachable from the given commit."""
        output = self.run(
            "for-each-ref", f"--merged={_object_id(into_sha)}", "--format=%(refname:lstrip=2)",
            "refs/heads/",
        )  # fmt: skip
        return set(output.splitlines())

    def current_branch(self) -> str | None:
        """The checked-out branch, or None on a detached HEAD."""
        output = self.run("symbolic-ref", "-q", "HEAD", ok_codes=(0, 1)).strip()
        return output.removeprefix("refs/heads/") if output.startswith("refs/heads/") else None

    def operation_in_progress(self) -> str | None:
        """A rebase, merge, cherry-pick, revert or bisect that has not finished."""
        markers = (
            ("rebase-merge", "a rebase"),
            ("rebase-apply", "a rebase or am"),
            ("MERGE_HEAD", "a merge"),
            ("CHERRY_PICK_HEAD", "a cherry-pick"),
            ("REVERT_HEAD", "a revert"),
            ("BISECT_LOG", "a bisect"),
        )
        for name, what in markers:
            if (self.git_dir / name).exists():
                return what
        return None

    def guess_default_branch(self) -> str:
        """origin's HEAD, else main, master, else the checked-out branch."""
        remote_head = self.run(
            "symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD", ok_codes=(0, 1, 128)
        ).strip()
        names = self.branches()
        candidates = [remote_head.removeprefix("origin/")] if remote_head else []
        candidates += ["main", "master", self.current_branch() or ""]
        for candidate in candidates:
            if candidate in names:
                return candidate
        if not names:
            raise Refused(f"{self.root} has no commits yet: commit something first")
        return sorted(names)[0]

    # -- history ----------------------------------------------------------------------

    def log(
        self,
        include: Iterable[str],
        exclude: Iterable[str] = (),
        *,
        grep: Sequence[str] = (),
        walk: bool = True,
    ) -> Iterator[bytes]:
        """Commits reachable from ``include`` but not from ``exclude`` (object ids), newest
        first, streamed: the caller works on the first commits while git finds the rest.

        ``grep``: only commits whose message matches one of these basic regular
        expressions (git filters, in C). ``walk=False``: just the given commits. Each is
        the raw record, which ``parse_commit`` reads.
        """
        revisions = [_object_id(sha) for sha in include]
        if not revisions:
            return
        revisions += [f"^{_object_id(sha)}" for sha in exclude]
        args = [
            "log", "--stdin", "--ignore-missing", "-z", "--source", "--no-show-signature",
            f"--format={_LOG_FORMAT}", f"--date={_SQLITE_UTC}", "--encoding=UTF-8",
        ]  # fmt: skip
        for pattern in grep:
            if not re.fullmatch(r"[A-Z0-9#\[\]-]+", pattern):
                raise ValueError(f"not a key pattern: {pattern!r}")
            args.append(f"--grep={pattern}")
        if not walk:
            args.append("--no-walk=unsorted")
        args.append("--end-of-options")
        with tempfile.TemporaryFile() as errors:
            try:
                process = subprocess.Popen(
                    ["git", "-C", str(self.root), *_SAFE_CONFIG, *args],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=errors,
                    env=git_environment(),
                )
            except FileNotFoundError as error:
                raise Refused("git is not installed (or not on PATH)") from error
            assert process.stdin is not None and process.stdout is not None
            chunks: queue.SimpleQueue[bytes] = queue.SimpleQueue()
            stdout = cast(io.BufferedReader, process.stdout)

            def drain() -> None:
                # A thread empties the pipe as fast as git fills it, so git never waits
                # for the caller (which stores what it got meanwhile): both run at once.
                try:
                    while chunk := stdout.read1(1 << 20):
                        chunks.put(chunk)
                finally:
                    chunks.put(b"")

            reader = threading.Thread(target=drain, name="git-log", daemon=True)
            try:
                process.stdin.write(("\n".join(revisions) + "\n").encode())
                process.stdin.close()
                reader.start()
                pending = b""
                while chunk := chunks.get():
                    records = (pending + chunk).split(b"\x00")
                    pending = records.pop()
                    yield from records
                if pending.strip():
                    yield pending
            finally:
                if process.poll() is None and reader.is_alive():
                    process.kill()  # the caller stopped early (an error): git need not go on
                if reader.ident is not None:
                    reader.join()
                stdout.close()
                code = process.wait()
            if code != 0:
                errors.seek(0)
                reason = _git_message(errors.read().decode("utf-8", "replace"))
                raise GitFailed(f"git failed in {self.root}: {reason}")

    def patch_ids(self, shas: Sequence[str]) -> dict[str, str]:
        """git's stable patch-id of each (non-merge) commit: the same for a rebased or
        cherry-picked copy of the change."""
        if not shas:
            return {}
        diffs = run_git(
            self.root,
            ("diff-tree", "--stdin", "-p", "--no-ext-diff", "--no-textconv", "--no-color"),
            stdin="\n".join(_object_id(sha) for sha in shas) + "\n",
        ).stdout
        if not diffs.strip():
            return {}
        output = run_git(self.root, ("patch-id", "--stable"), stdin=diffs).stdout
        found: dict[str, str] = {}
        for line in output.splitlines():
            patch_id, _, sha = line.partition(" ")
            if sha:
                found[sha] = patch_id
        return found

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        completed = run_git(
            self.root,
            ("merge-base", "--is-ancestor", "--end-of-options", _object_id(ancestor),
             _object_id(descendant)),
            ok_codes=(0, 1),
        )  # fmt: skip
        return completed.returncode == 0

    # -- changes ----------------------------------------------------------------------

    def create_branch(self, name: str, start_sha: str, *, switch: bool) -> None:
        check_branch_name(self, name)
        if switch:
            self.run("switch", "--no-guess", "-c", name, "--end-of-options", _object_id(start_sha))
        else:
            self.run("branch", "--no-track", "--end-of-options", name, _object_id(start_sha))

    def commit_file(self, relative: str, message: str) -> str:
        """Commit exactly one file, whatever else is staged; returns the new commit."""
        self.run("add", "--", relative)
        self.run("commit", "--quiet", "--no-verify", "--only", "-m", message, "--", relative)
        return self.run("rev-parse", "--verify", "HEAD^{commit}").strip()

    def has_changes(self, relative: str) -> bool:
        output = self.run("status", "--porcelain", "--untracked-files=all", "--", relative)
        return bool(output.strip())


def record_head(record: bytes) -> tuple[bytes, bytes]:
    """(sha, author) of a raw log record, without decoding the rest."""
    sha, _parents, author, _rest = record.split(b"\x1f", 3)
    return sha.lstrip(b"\n"), author


def parse_commit(record: bytes) -> CommitRecord:
    sha, parents, author, email, date, source, message = record.decode("utf-8", "replace").split(
        _FIELD, 6
    )
    return CommitRecord(sha.lstrip("\n"), tuple(parents.split()), author, email, date, source,
                        message)  # fmt: skip


def _object_id(sha: str) -> str:
    """A full or abbreviated object id, and nothing else, may reach git's command line."""
    if not re.fullmatch(r"[0-9a-f]{4,64}", sha):
        raise ValueError(f"not an object id: {sha!r}")
    return sha


def run_git(
    where: Path,
    args: Sequence[str],
    *,
    stdin: str | None = None,
    ok_codes: Sequence[int] = (0,),
    config: Sequence[str] = _SAFE_CONFIG,
) -> subprocess.CompletedProcess[str]:
    try:
        completed = subprocess.run(
            ["git", "-C", str(where), *config, *args],
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=git_environment(),
            check=False,
        )
    except FileNotFoundError as error:
        raise Refused("git is not installed (or not on PATH)") from error
    if completed.returncode not in ok_codes:
        raise GitFailed(f"git failed in {where}: {_git_message(completed.stderr)}")
    return completed


def _git_message(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
    chosen = (fatal or lines or ["it gave no reason"])[0]
    return chosen.removeprefix("fatal: ").removeprefix("error: ")


def check_branch_name(repository: Repository, name: str) -> str:
    """A branch name git accepts and no git command could read as an option."""
    if not name or name.startswith("-") or any(ord(c) < 32 for c in name):
        raise InvalidInput(f"{name!r} is not a usable branch name")
    completed = run_git(
        repository.root, ("check-ref-format", "--branch", name), ok_codes=(0, 1, 128)
    )
    if completed.returncode != 0:
        raise InvalidInput(f"{name!r} is not a valid branch name")
    return name


def open_repository(path_text: str) -> Repository:
    """The repository at a local path (its top level), or a clear refusal.

    Refused: URLs and transports (``ext::``, ``ssh://``, ``user@host:path``), a missing
    folder, a folder outside any repository, a bare repository (no work tree to link
    tasks' branches to), a shallow clone (its history is cut off, so a sync would miss
    commits).
    """
    text = path_text.strip()
    if not text or _REMOTE_LIKE.search(text):
        raise InvalidInput(
            f"{path_text!r} is not a local path: link a clone on this machine "
            "(URLs and transports such as ext:: are refused)"
        )
    folder = Path(text).expanduser()
    if not folder.exists():
        raise NotFound(f"no folder {folder}")
    if not folder.is_dir():
        raise InvalidInput(f"{folder} is not a folder")
    folder = folder.resolve()
    # One git call in the usual case; the top level fails in a bare repository.
    probe = run_git(
        folder,
        ("rev-parse", "--is-bare-repository", "--is-shallow-repository", "--absolute-git-dir",
         "--show-toplevel"),
        ok_codes=(0, 128),
    )  # fmt: skip
    if probe.returncode != 0:
        probe = run_git(
            folder,
            ("rev-parse", "--is-bare-repository", "--is-shallow-repository", "--absolute-git-dir"),
            ok_codes=(0, 128),
        )
    if probe.returncode != 0:
        reason = _git_message(probe.stderr)
        if "not a git repository" in reason:
            raise NotFound(f"{folder} is not a git repository (git init, or link a clone)")
        raise GitFailed(f"git cannot read {folder}: {reason}")
    bare, shallow, git_dir, *top = probe.stdout.splitlines()
    if bare == "true" or not top:
        raise Refused(f"{folder} is a bare repository: link a clone with a work tree")
    if shallow == "true":
        raise Refused(
            f"{folder} is a shallow clone, its history is incomplete: "
            "run `git fetch --unshallow` there first"
        )
    return Repository(Path(top[0]), Path(git_dir))
