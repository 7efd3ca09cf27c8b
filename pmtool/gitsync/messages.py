"""Task references in commit messages: which tasks a commit cites, and what it asks.

Grammar (the whole message, every line, is read; case-insensitive keywords):

- ``PM-12`` anywhere: a link ("refs"). ``refs PM-12`` and ``see PM-12`` say the same.
- ``fixes PM-12`` (also fix, fixed, closes, close, closed, resolves, resolve,
  resolved), optionally with a colon and a list: ``Closes: PM-3, PM-4 and PM-5``.
  Done, once the commit is on the default branch (as GitHub does).
- ``PM-12 #review`` (Jira smart-commit style): move to the named status; ``#in-progress``
  means ``in_progress``. Applied from any branch.
- ``#12`` means ``PM-12`` when the repository is linked with ``--hash-refs``.

The project key is matched as written in upper case (``pm-12-title``, a branch name in a
merge message, is not a reference). Standard library only.
"""

from __future__ import annotations

import re
from typing import NamedTuple

FIX_WORDS = (
    "fix",
    "fixes",
    "fixed",
    "close",
    "closes",
    "closed",
    "resolve",
    "resolves",
    "resolved",
)
# Trailers git itself adds to copies of a commit: not part of what the author wrote.
_COPY_TRAILER = re.compile(r"^\(cherry picked from commit [0-9a-f]+\)\s*$", re.MULTILINE)


class Reference(NamedTuple):
    number: int
    keyword: str  # refs | fixes | status
    status: str | None = None  # the asked-for status of a #status command


class Patterns(NamedTuple):
    markers: tuple[str, ...]  # a message citing a task contains one (a fast first test)
    reference: re.Pattern[str]
    fixes: re.Pattern[str]
    command: re.Pattern[str]
    # Without hash refs: the key as a literal first (a fast scan); the character before
    # it is checked in Python (a look-behind would make re try every position).
    plain: re.Pattern[str] | None = None


def patterns(project_key: str, *, hash_refs: bool = False) -> Patterns:
    key = re.escape(project_key.upper())
    one = rf"(?<![A-Za-z0-9_-]){key}-(\d+)(?![A-Za-z0-9_])"
    if hash_refs:
        one = rf"(?:{one}|(?<![\w&/#])#(\d+)\b)"
    listed = rf"{one}(?:\s*(?:,|&|\band\b)\s*{one})*"
    fix_words = "|".join(FIX_WORDS)
    return Patterns(
        markers=(f"{project_key.upper()}-", "#") if hash_refs else (f"{project_key.upper()}-",),
        reference=re.compile(one),
        fixes=re.compile(rf"(?i:\b(?:{fix_words})\b):?\s+({listed})"),
        command=re.compile(rf"{one}\s+#([A-Za-z][A-Za-z0-9_-]*)"),
        plain=None if hash_refs else re.compile(rf"{key}-(\d+)(?![A-Za-z0-9_])"),
    )


def _numbers(match_text: str, reference: re.Pattern[str]) -> list[int]:
    # The last group that matched holds the number (PM-12 or, with hash refs, #12).
    return [int(m.group(m.lastindex or 1)) for m in reference.finditer(match_text)]


_FIX_STEMS = ("fix", "clos", "resolv")
_KEY_GLUE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def _cited(message: str, found: Patterns) -> list[int]:
    if found.plain is None:
        return _numbers(message, found.reference)
    return [
        int(m.group(1))
        for m in found.plain.finditer(message)
        if m.start() == 0 or message[m.start() - 1] not in _KEY_GLUE
    ]


def find_references(message: str, found: Patterns) -> list[Reference]:
    """Every task the message cites, once each: the strongest request wins
    (a #status command over fixes over a plain mention)."""
    if not any(marker in message for marker in found.markers):
        return []
    by_number: dict[int, Reference] = {}
    for number in _cited(message, found):
        by_number.setdefault(number, Reference(number, "refs"))
    if not by_number:
        return []
    lowered = message.lower()
    if any(stem in lowered for stem in _FIX_STEMS):
        for match in found.fixes.finditer(message):
            for number in _numbers(match.group(1), found.reference):
                by_number[number] = Reference(number, "fixes")
    if "#" in message:
        for match in found.command.finditer(message):
            *numbers, word = match.groups()
            number = int(next(n for n in numbers if n))
            by_number[number] = Reference(number, "status", word.lower().replace("-", "_"))
    return list(by_number.values())


def fingerprint_text(author: str, email: str, date: str, message: str) -> str:
    """What stays the same when a commit is rebased or cherry-picked (with or without -x)."""
    cleaned = _COPY_TRAILER.sub("", message).strip()
    return "\x1f".join((author, email.lower(), date, cleaned))
