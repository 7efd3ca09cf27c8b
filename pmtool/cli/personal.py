"""Personal data on the command line: what the command history may record of it.

The command table is append-only, so a command line holding an email address would
keep it for ever. Commands that take personal values record their summary through
:func:`private_summary` instead (docs/partners.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pmtool.cli.context import AppContext

if TYPE_CHECKING:
    from pmtool.storage.gateway import Gateway
# Options whose values are personal: the command history records "…" in their place.
PERSONAL_OPTIONS = frozenset({"--email", "-e", "--phone", "--notes", "--name", "--role", "-r"})
CONTACT_OPTIONS = frozenset({"--email", "-e"})  # a member's only personal value
HIDDEN = "…"


def private_summary(
    argv: list[str],
    *secrets: str,
    replacement: str = HIDDEN,
    options: frozenset[str] = PERSONAL_OPTIONS,
) -> str:
    """The command line for the history, personal values (options and the person's name
    as typed) replaced, so the append-only command table never holds them."""
    import shlex

    shown: list[str] = []
    hide_next = False
    for argument in argv:
        if hide_next:
            shown.append(HIDDEN)
            hide_next = False
        elif argument in options:
            shown.append(argument)
            hide_next = True
        elif "=" in argument and argument.split("=", 1)[0] in options:
            shown.append(f"{argument.split('=', 1)[0]}={HIDDEN}")
        elif argument in secrets:
            shown.append(replacement)
        else:
            shown.append(argument)
    kept = (HIDDEN, replacement)  # "…" and "#12" read better unquoted
    return " ".join(part if part in kept else shlex.quote(part) for part in shown)


@contextmanager
def private_writing(
    app: AppContext,
    *secrets: str,
    replacement: str = HIDDEN,
    options: frozenset[str] = PERSONAL_OPTIONS,
) -> Iterator[Gateway]:
    """``app.writing()`` with personal values kept out of the command's summary."""
    with app.writing() as gw:
        gw.summary = private_summary(app.argv, *secrets, replacement=replacement, options=options)
        yield gw
