"""Characters that must not reach a terminal raw, and how outputs show them instead.

Anyone who can write to a shared database can store text with terminal escapes (clear
the screen, set the window title, fake a prompt) or bidi overrides that make text read
in another order (the "Trojan Source" trick). Stored values are kept as typed; every
output neutralises them: tables, CSV, Markdown and messages show a visible stand-in,
JSON escapes them as ``\\uXXXX``. Standard library only (the CLI and the read side use it).
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, the bidi embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069), and lone surrogates (bytes of an argument or file
# name that were not UTF-8: written back raw, 0x9b is a CSI on an 8-bit terminal).
_REST = r"\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
UNSAFE = re.compile(rf"[\x00-\x1f{_REST}]")
# The same, but line breaks and tabs pass: for whole messages and descriptions.
UNSAFE_IN_LINES = re.compile(rf"[\x00-\x08\x0b-\x1f{_REST}]")
# JSON encoders escape C0 themselves; these they leave raw.
UNSAFE_IN_JSON = re.compile(rf"[{_REST}]")


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␛ for ESC, ␇ for BEL
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"  # C1 controls and bidi controls: the replacement character


def visible(text: str, pattern: re.Pattern[str] = UNSAFE) -> str:
    """``text`` with every unsafe character replaced by a visible one-cell stand-in."""
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
    if UNSAFE_IN_JSON.search(encoded) is None:
        return encoded
    return UNSAFE_IN_JSON.sub(_json_escape, encoded)
