"""People who can be assigned work (write side)."""

from __future__ import annotations

import re

from pmtool.core import clock, words
from pmtool.core.errors import Conflict, InvalidInput
from pmtool.core.validation import clean_text
from pmtool.storage.gateway import Gateway
from pmtool.storage.reader import Row

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def add_member(gw: Gateway, name: str, *, email: str | None = None, role: str | None = None) -> Row:
    name = clean_text(name, "the member's name", words.MAX_NAME_LENGTH)
    if gw.reader.tuples("SELECT 1 FROM member WHERE lower(name) = lower(:n)", {"n": name}):
        raise Conflict(f"a member called {name!r} exists already")
    if email is not None:
        email = email.strip()
        if not _EMAIL.match(email):
            raise InvalidInput(f"{email!r} is not an email address")
    values = {
        "name": name,
        "email": email or None,
        "role": clean_text(role, "the role", words.MAX_NAME_LENGTH) if role else None,
        "created_at": clock.utcnow(),
    }
    values["id"] = gw.insert("member", values)
    return values
