"""Everything pmtool prints passes a filter that neutralises terminal control characters.

Messages interpolate stored text (names, titles, actors, sprint goals): a teammate could
plant ``ESC[2J`` or an OSC title sequence in a shared database. The renderers in
``output.py`` clean each cell; this filter catches every other line (``Note: ...``,
``Error: ...``, descriptions) in one place, so no command can forget it. Line breaks and
tabs pass; JSON output is already escaped, so it passes unchanged.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from pmtool.core.text import visible


class NeutralisingStream:
    """A text stream that writes ``visible(text)`` to the stream it wraps."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str | bytes) -> int:
        if isinstance(text, bytes):
            # click.echo writes bytes (shell completion scripts) to a stream without a
            # binary buffer; this one has none on purpose, so they are decoded here.
            text = text.decode("utf-8", "replace")
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._stream.write(visible(text, lines=True))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    @property
    def unfiltered(self) -> TextIO:
        """The stream itself, for output that is neutralised already (streamed JSON
        and CSV lists), so a long list is not scanned twice."""
        return self._stream

    @property
    def buffer(self) -> None:
        """No binary side door: click would write around the filter."""
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def neutralised_output() -> Iterator[None]:
    """sys.stdout and sys.stderr filtered for the duration (restored afterwards)."""
    saved = sys.stdout, sys.stderr
    if not isinstance(sys.stdout, NeutralisingStream):
        sys.stdout = NeutralisingStream(sys.stdout)
    if not isinstance(sys.stderr, NeutralisingStream):
        sys.stderr = NeutralisingStream(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
