"""People who can be assigned work (write side)."""

from __future__ import annotations

import re
from typing import Any

from pmtool.core import clock, words
from pmtool.core.errors import Conflict, InvalidInput, Refused
from pmtool.core.validation import clean_text
from pmtool.core.words import is_none_word
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


def edit_member(
    gw: Gateway,
    member: Row,
    *,
    name: str | None = None,
    email: str | None = None,
    role: str | None = None,
) -> dict[str, Any]:
    """Rename a member or change their email or role ('' or 'none' clears those two)."""
    changes: dict[str, Any] = {}
    if name is not None:
        name = clean_text(name, "the member's name", words.MAX_NAME_LENGTH)
        clash = gw.reader.tuples(
            "SELECT name FROM member WHERE lower(name) = lower(:n) AND id <> :id",
            {"n": name, "id": member["id"]},
        )
        if clash:
            raise Conflict(f"a member called {clash[0][0]!r} exists already")
        changes["name"] = name
    if email is not None:
        email = email.strip()
        if email and not is_none_word(email) and not _EMAIL.match(email):
            raise InvalidInput(f"{email!r} is not an email address")
        changes["email"] = None if not email or is_none_word(email) else email
    if role is not None:
        changes["role"] = (
            None
            if not role.strip() or is_none_word(role)
            else clean_text(role, "the role", words.MAX_NAME_LENGTH)
        )
    return gw.update(
        "member", member["id"], changes, version=member["version"], what=member["name"]
    )


def remove_member(gw: Gateway, member: Row, *, unassign: bool = False) -> int:
    """Remove a member; their tasks must be unassigned first (``unassign`` does it, all
    in this one command, so one undo brings everything back). Returns the tasks changed."""
    assigned = gw.reader.rows(
        "SELECT t.*, p.key AS project_key FROM task t JOIN project p ON p.id = t.project_id "
        "WHERE t.assignee_id = :m ORDER BY t.id",
        {"m": member["id"]},
    )
    if assigned and not unassign:
        raise Refused(
            f"{len(assigned)} task(s) are assigned to {member['name']} (removed and done ones "
            "included); reassign them with `pmtool task edit`, or give --unassign"
        )
    now = clock.utcnow()
    for task in assigned:
        gw.update(
            "task",
            task["id"],
            {"assignee_id": None, "updated_at": now},
            version=task["version"],
            what=f"{task['project_key']}-{task['number']}",
        )
    gw.delete("member", member["id"])
    return len(assigned)


def forget_member(gw: Gateway, member: Row) -> int:
    """Erase a member's email address for good: cleared, and its audit key destroyed
    (the sealed trail rows can never be opened again). Scrub the file after the commit
    (``services.partners.scrub_file``).

    Returns how many audit rows hold an address of theirs in the clear: rows written
    before schema 0004 sealed personal values, which the append-only trail keeps.
    """
    from pmtool.storage.personal import plain_trail_rows

    gw.erase_personal("member", member["id"], {"email": None}, what=member["name"])
    return plain_trail_rows(gw.reader, "member", member["id"], frozenset({"email"}))
