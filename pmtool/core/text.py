"""Characters that must not reach a terminal raw, and how outputs show them instead.

Anyone who can write to a shared database can store text with terminal escapes (clear
the screen, set the window title, fake a prompt) or bidi overrides that make text read
in another order (the "Trojan Source" trick). Stored values are kept as typed; every
output neutralises them: tables, CSV, Markdown and messages show a visible stand-in,
JSON escapes them as ``\\uXXXX``. Standard library only (the CLI and the read side use it).
"""

from __future__ import annotations

import re
from functools import cache

# C0 controls, DEL, C1 controls, the bidi embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069), and lone surrogates (bytes of an argument or file
# name that were not UTF-8: written back raw, 0x9b is a CSI on an 8-bit terminal).
_REST = r"\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"


# Compiled on first use (about a millisecond): most output is plain ASCII and never
# needs them.
@cache
def _unsafe(lines: bool) -> re.Pattern[str]:
    """Every unsafe character; with ``lines``, line breaks and tabs pass (messages)."""
    if lines:
        return re.compile(rf"[\x00-\x08\x0b-\x1f{_REST}]")
    return re.compile(rf"[\x00-\x1f{_REST}]")


@cache
def _unsafe_in_json() -> re.Pattern[str]:
    """JSON encoders escape C0 themselves; these they leave raw."""
    return re.compile(rf"[{_REST}]")


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␛ for ESC, ␇ for BEL
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"  # C1 controls and bidi controls: the replacement character


def visible(text: str, *, lines: bool = False) -> str:
    """``text`` with every unsafe character replaced by a visible one-cell stand-in.

    ``lines`` lets line breaks and tabs through (whole messages, descriptions).
    """
    if text.isascii() and (
        text.isprintable() or (lines and text.replace("\n", "").replace("\t", "").isprintable())
    ):
        return text  # C-speed checks: plain ASCII text has nothing to neutralise
    pattern = _unsafe(lines)
    if pattern.search(text) is None:
        return text
    return pattern.sub(_stand_in, text)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def escape_json(encoded: str) -> str:
    """JSON text with DEL, C1 and bidi controls escaped as ``\\uXXXX`` (same value).

    Outside strings JSON has only ASCII punctuation, so escaping the whole text is safe.
    """
    if encoded.isascii() and "\x7f" not in encoded:
        return encoded  # two C-speed scans: the common case skips the regex
    pattern = _unsafe_in_json()
    if pattern.search(encoded) is None:
        return encoded
    return pattern.sub(_json_escape, encoded)
