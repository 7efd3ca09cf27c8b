"""Where exports and reports go: stdout, or a file written atomically with mode 0600.

A file is written to a temporary file beside it and renamed over the target only when
everything was written, so a reader (or a crash) never sees half an export, and an
existing file is replaced only with ``--force``. Exports hold project data, some of it
personal: like the database, they are readable by their owner only.

Only regular files are replaced. A device or a pipe (``-o /dev/null``, a FIFO) is
written into as it is, never renamed over: root running pmtool must not turn /dev/null
into a file. A symbolic link to a regular file is refused, so an export never lands
somewhere other than the path the user typed.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from pmtool.core.errors import InvalidInput, Refused

FILE_MODE = 0o600


def to_stdout(path: str | None) -> bool:
    """No ``-o`` or ``-o -``: the output goes to stdout."""
    return path is None or path == "-"


def stdout_is_terminal() -> bool:
    stream = sys.__stdout__
    return bool(stream is not None and stream.isatty())


def _is_special(path: str) -> bool:
    """Whether ``path`` (links followed) is a device, pipe or socket rather than a file."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def check_target(path: str, force: bool) -> Path:
    """The file to write: refused when it exists (without ``force``), is a folder or a link."""
    target = Path(path)
    if target.is_dir():
        raise InvalidInput(f"{path} is a folder; give a file name with -o")
    if target.is_symlink():
        raise Refused(f"{path} is a symbolic link; give the path of the file itself")
    if target.exists() and not force:
        raise Refused(f"{path} exists; add --force to replace it")
    if not target.parent.is_dir():
        raise InvalidInput(f"no folder {target.parent} for {path}")
    return target


@contextmanager
def atomic_file(path: str, *, force: bool, binary: bool = False) -> Iterator[Any]:
    """A new file at ``path`` (mode 0600) that appears only when the block succeeds.

    A device or pipe at ``path`` is written into directly instead.
    """
    import tempfile

    if _is_special(path):
        with open(path, "wb") if binary else open(path, "w", encoding="utf-8") as device:
            yield device
        return
    target = check_target(path, force)
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part"
    )
    try:
        os.fchmod(descriptor, FILE_MODE)
        stream: IO[Any] = (
            os.fdopen(descriptor, "wb")
            if binary
            else os.fdopen(descriptor, "w", encoding="utf-8", newline="")
        )
        with stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        if force:
            if target.is_symlink() or _is_special(str(target)):  # changed while we wrote
                raise Refused(f"{path} is no longer a plain file; nothing was written")
            os.replace(temporary, target)
        else:
            try:
                os.link(temporary, target)  # fails if something appeared meanwhile
            except FileExistsError:
                raise Refused(f"{path} exists; add --force to replace it") from None
            os.unlink(temporary)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text(path: str, text: str, *, force: bool) -> None:
    """``text`` into ``path`` by the rules above."""
    with atomic_file(path, force=force) as stream:
        stream.write(text)


@contextmanager
def text_output(path: str | None, *, force: bool) -> Iterator[Any]:
    """A text stream for ``-o``: stdout (neutralised on a terminal) or an atomic file."""
    if not to_stdout(path):
        with atomic_file(str(path), force=force) as stream:
            yield stream
        return
    # A pipe gets the bytes as they are (the writers neutralise cells); a terminal gets
    # the filter every other output passes, so stored escapes cannot reach it.
    yield sys.stdout if stdout_is_terminal() else getattr(sys.stdout, "unfiltered", sys.stdout)
    sys.stdout.flush()


@contextmanager
def binary_output(path: str | None, *, force: bool, what: str) -> Iterator[Any]:
    """A binary stream for ``-o``: an atomic file, or stdout when it is not a terminal."""
    if not to_stdout(path):
        with atomic_file(str(path), force=force, binary=True) as stream:
            yield stream
        return
    if stdout_is_terminal():
        raise InvalidInput(f"{what} is binary: write it to a file with -o FILE, or pipe it")
    stdout = getattr(sys.stdout, "unfiltered", sys.stdout)
    stdout.flush()
    yield stdout.buffer
    stdout.buffer.flush()
