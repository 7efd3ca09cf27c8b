"""People who can be assigned work (write side)."""

from __future__ import annotations

import re

from sqlmodel import Session, func, select

from pmtool import clock
from pmtool.errors import Conflict, InvalidInput
from pmtool.models import Member
from pmtool.services import choices
from pmtool.services.validation import clean_text

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def add_member(
    session: Session, name: str, *, email: str | None = None, role: str | None = None
) -> Member:
    name = clean_text(name, "the member's name", choices.MAX_NAME_LENGTH)
    if (
        session.exec(select(Member).where(func.lower(Member.name) == name.lower())).first()
        is not None
    ):
        raise Conflict(f"a member called {name!r} exists already")
    if email is not None:
        email = email.strip()
        if not _EMAIL.match(email):
            raise InvalidInput(f"{email!r} is not an email address")
    member = Member(
        name=name,
        email=email or None,
        role=clean_text(role, "the role", choices.MAX_NAME_LENGTH) if role else None,
        created_at=clock.utcnow(),
    )
    session.add(member)
    session.flush()
    return member
