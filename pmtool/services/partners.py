"""Clinical partners (write side): organisations, stakeholders, the contact log, agreements.

Stakeholders' names, email addresses, phone numbers and notes are personal data
(``storage/tables.py`` declares them): the gateway seals them in the audit trail with
the person's key, and :func:`forget_stakeholder` erases them for good. See
docs/partners.md.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pmtool.core import clock, words
from pmtool.core.errors import Conflict, InvalidInput, Refused
from pmtool.core.validation import clean_text
from pmtool.core.words import CLEAR, Clear
from pmtool.services.read.partners import effective_status
from pmtool.storage.gateway import Gateway
from pmtool.storage.location import DatabaseLocation
from pmtool.storage.reader import Reader, Row

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A phone number as people write it: an optional +, digits and the usual separators.
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()/.-]*$")
PHONE_DIGITS = (6, 15)  # E.164 allows at most 15 digits

# An edited value: text, None for "leave it as it is", or CLEAR for "empty it".
Maybe = str | Clear | None


# -- checks --------------------------------------------------------------------------------


def check_email(email: str, where: str = "") -> str:
    email = email.strip()
    if len(email) > words.MAX_EMAIL_LENGTH or not EMAIL_PATTERN.match(email):
        raise InvalidInput(f"{where}{email!r} is not an email address")
    return email


def check_phone(phone: str, where: str = "") -> str:
    """A phone number: +, digits and spaces, ()/.- between them; 6 to 15 digits."""
    phone = " ".join(phone.split())
    digits = sum(character.isdigit() for character in phone)
    low, high = PHONE_DIGITS
    if (
        len(phone) > words.MAX_PHONE_LENGTH
        or not PHONE_PATTERN.match(phone)
        or not low <= digits <= high
    ):
        raise InvalidInput(
            f"{where}{phone!r} is not a phone number (use +49 30 1234567: an optional +, "
            f"{low} to {high} digits, spaces or ()/.- between them)"
        )
    return phone


def check_grid(value: int, what: str, where: str = "") -> int:
    if not isinstance(value, int) or not words.GRID_MIN <= value <= words.GRID_MAX:
        raise InvalidInput(
            f"{where}{what} must be a whole number from {words.GRID_MIN} to "
            f"{words.GRID_MAX} (got {value!r})"
        )
    return value


def check_choice(value: str, choices: tuple[str, ...], what: str, where: str = "") -> str:
    cleaned = value.strip().lower().replace(" ", "_")
    if cleaned not in choices:
        raise InvalidInput(f"{where}{what} must be one of {', '.join(choices)} (got {value!r})")
    return cleaned


def _optional_text(value: Maybe, what: str, max_length: int = words.MAX_NAME_LENGTH) -> Any:
    if value is None or isinstance(value, Clear):
        return value
    if not value.strip() or words.is_none_word(value):
        return CLEAR
    return clean_text(value, what, max_length)


def _stored(value: Any) -> Any:
    return None if isinstance(value, Clear) else value


# -- partners ------------------------------------------------------------------------------


def add_partner(gw: Gateway, name: str, partner_type: str, *, notes: str | None = None) -> Row:
    name = clean_text(name, "the partner's name", words.MAX_NAME_LENGTH)
    partner_type = check_choice(partner_type, words.PARTNER_TYPES, "the partner type")
    clash = gw.reader.tuples("SELECT name FROM partner WHERE lower(name) = lower(:n)", {"n": name})
    if clash:
        raise Conflict(f"a partner called {clash[0][0]!r} exists already")
    values: dict[str, Any] = {
        "name": name,
        "type": partner_type,
        "notes": _stored(_optional_text(notes, "the notes", words.MAX_DESCRIPTION_LENGTH)),
        "created_at": clock.utcnow(),
    }
    values["id"] = gw.insert("partner", values)
    return values


def edit_partner(
    gw: Gateway,
    partner: Row,
    *,
    name: str | None = None,
    partner_type: str | None = None,
    notes: Maybe = None,
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if name is not None:
        name = clean_text(name, "the partner's name", words.MAX_NAME_LENGTH)
        clash = gw.reader.tuples(
            "SELECT name FROM partner WHERE lower(name) = lower(:n) AND id <> :id",
            {"n": name, "id": partner["id"]},
        )
        if clash:
            raise Conflict(f"a partner called {clash[0][0]!r} exists already")
        changes["name"] = name
    if partner_type is not None:
        changes["type"] = check_choice(partner_type, words.PARTNER_TYPES, "the partner type")
    notes = _optional_text(notes, "the notes", words.MAX_DESCRIPTION_LENGTH)
    if notes is not None:
        changes["notes"] = _stored(notes)
    return gw.update(
        "partner", partner["id"], changes, version=partner["version"], what=partner["name"]
    )


def remove_partner(gw: Gateway, partner: Row) -> None:
    """Remove a partner entered by mistake: refused while people or agreements use it."""
    people = gw.reader.tuples(
        "SELECT COUNT(*) FROM stakeholder WHERE partner_id = :p", {"p": partner["id"]}
    )[0][0]
    agreements = gw.reader.tuples(
        "SELECT COUNT(*) FROM agreement WHERE partner_id = :p", {"p": partner["id"]}
    )[0][0]
    if people or agreements:
        raise Refused(
            f"{partner['name']} has {people} stakeholder(s) and {agreements} agreement(s); "
            "move or remove them first"
        )
    gw.delete("partner", partner["id"])


# -- stakeholders --------------------------------------------------------------------------


def _email_owner(reader: Reader, email: str, except_id: int | None = None) -> Row | None:
    found = reader.rows(
        "SELECT id, name FROM stakeholder WHERE lower(email) = lower(:e) AND id <> :id",
        {"e": email, "id": except_id or 0},
    )
    return found[0] if found else None


def add_stakeholder(
    gw: Gateway,
    name: str,
    *,
    power: int,
    interest: int,
    partner: Row | None = None,
    role: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    attitude: str | None = None,
    engagement_current: str | None = None,
    engagement_desired: str | None = None,
    notes: str | None = None,
    project: Row | None = None,
    project_role: str | None = None,
    where: str = "",
) -> Row:
    """A new stakeholder, linked to ``project`` when one is given.

    ``where`` prefixes messages (an import names the row or card).
    """
    name = clean_text(name, f"{where}the stakeholder's name", words.MAX_NAME_LENGTH)
    values: dict[str, Any] = {
        "name": name,
        "partner_id": partner["id"] if partner else None,
        "role": _stored(_optional_text(role, f"{where}the role")),
        "email": check_email(email, where) if email else None,
        "phone": check_phone(phone, where) if phone else None,
        "power": check_grid(power, "power", where),
        "interest": check_grid(interest, "interest", where),
        "attitude": check_choice(attitude, words.ATTITUDES, "the attitude", where)
        if attitude
        else None,
        "engagement_current": check_choice(
            engagement_current, words.ENGAGEMENT_LEVELS, "the current engagement", where
        )
        if engagement_current
        else None,
        "engagement_desired": check_choice(
            engagement_desired, words.ENGAGEMENT_LEVELS, "the desired engagement", where
        )
        if engagement_desired
        else None,
        "notes": _stored(_optional_text(notes, f"{where}the notes", words.MAX_DESCRIPTION_LENGTH)),
        "created_at": clock.utcnow(),
    }
    if values["email"]:
        owner = _email_owner(gw.reader, values["email"])
        if owner is not None:
            raise Conflict(
                f"{where}stakeholder #{owner['id']} ({owner['name']}) has this email address "
                "already"
            )
    values["id"] = gw.insert("stakeholder", values)
    if project is not None:
        link_stakeholder(gw, values, project, project_role)
    return values


def edit_stakeholder(
    gw: Gateway,
    stakeholder: Row,
    *,
    name: str | None = None,
    partner: Row | Clear | None = None,
    role: Maybe = None,
    email: Maybe = None,
    phone: Maybe = None,
    power: int | None = None,
    interest: int | None = None,
    attitude: Maybe = None,
    engagement_current: Maybe = None,
    engagement_desired: Maybe = None,
    notes: Maybe = None,
) -> dict[str, Any]:
    """Change some of a stakeholder's fields (None leaves one, CLEAR or 'none' empties it)."""
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = clean_text(name, "the stakeholder's name", words.MAX_NAME_LENGTH)
    if partner is not None:
        changes["partner_id"] = None if isinstance(partner, Clear) else partner["id"]
    role = _optional_text(role, "the role")
    if role is not None:
        changes["role"] = _stored(role)
    for field, value, check in (
        ("email", email, check_email),
        ("phone", phone, check_phone),
    ):
        if value is None:
            continue
        if isinstance(value, Clear) or not value.strip() or words.is_none_word(value):
            changes[field] = None
        else:
            changes[field] = check(value)
    if changes.get("email"):
        owner = _email_owner(gw.reader, changes["email"], stakeholder["id"])
        if owner is not None:
            raise Conflict(
                f"stakeholder #{owner['id']} ({owner['name']}) has this email address already"
            )
    if power is not None:
        changes["power"] = check_grid(power, "power")
    if interest is not None:
        changes["interest"] = check_grid(interest, "interest")
    for field, value, choices, what in (
        ("attitude", attitude, words.ATTITUDES, "the attitude"),
        ("engagement_current", engagement_current, words.ENGAGEMENT_LEVELS, "the engagement"),
        ("engagement_desired", engagement_desired, words.ENGAGEMENT_LEVELS, "the engagement"),
    ):
        if value is None:
            continue
        if isinstance(value, Clear) or words.is_none_word(value) or not value.strip():
            changes[field] = None
        else:
            changes[field] = check_choice(value, choices, what)
    notes = _optional_text(notes, "the notes", words.MAX_DESCRIPTION_LENGTH)
    if notes is not None:
        changes["notes"] = _stored(notes)
    return gw.update(
        "stakeholder",
        stakeholder["id"],
        changes,
        version=stakeholder["version"],
        what=f"stakeholder #{stakeholder['id']}",
    )


def move_stakeholder(
    gw: Gateway, stakeholder: Row, *, power: int | None = None, interest: int | None = None
) -> tuple[str, str]:
    """Place a stakeholder elsewhere on the grid; returns (old quadrant, new quadrant)."""
    if power is None and interest is None:
        raise InvalidInput("give --power or --interest (or both)")
    new_power = check_grid(power, "power") if power is not None else stakeholder["power"]
    new_interest = (
        check_grid(interest, "interest") if interest is not None else stakeholder["interest"]
    )
    gw.update(
        "stakeholder",
        stakeholder["id"],
        {"power": new_power, "interest": new_interest},
        version=stakeholder["version"],
        what=f"stakeholder #{stakeholder['id']}",
    )
    return (
        words.quadrant(stakeholder["power"], stakeholder["interest"]),
        words.quadrant(new_power, new_interest),
    )


def link_stakeholder(gw: Gateway, stakeholder: Row, project: Row, role: str | None = None) -> Row:
    """Link a stakeholder to a project with a project-specific role (or change the role)."""
    role_text = _stored(_optional_text(role, "the project role"))
    found = gw.reader.rows(
        "SELECT * FROM stakeholder_project WHERE stakeholder_id = :s AND project_id = :p",
        {"s": stakeholder["id"], "p": project["id"]},
    )
    if found:
        if role is not None:
            gw.update("stakeholder_project", found[0]["id"], {"role": role_text})
        return {**found[0], "role": role_text if role is not None else found[0]["role"]}
    values: dict[str, Any] = {
        "stakeholder_id": stakeholder["id"],
        "project_id": project["id"],
        "role": role_text,
    }
    values["id"] = gw.insert("stakeholder_project", values)
    return values


def unlink_stakeholder(gw: Gateway, stakeholder: Row, project: Row) -> None:
    found = gw.reader.tuples(
        "SELECT id FROM stakeholder_project WHERE stakeholder_id = :s AND project_id = :p",
        {"s": stakeholder["id"], "p": project["id"]},
    )
    if not found:
        raise Refused(f"stakeholder #{stakeholder['id']} is not linked to {project['key']}")
    gw.delete("stakeholder_project", found[0][0])


def remove_stakeholder(gw: Gateway, stakeholder: Row) -> int:
    """Remove a stakeholder with their project links and contact log (undo restores it
    all; the sealed trail keeps their data until `stakeholder forget`). Returns the
    contacts removed."""
    contacts = gw.reader.tuples(
        "SELECT id FROM contact WHERE stakeholder_id = :s ORDER BY id", {"s": stakeholder["id"]}
    )
    for (contact_id,) in contacts:
        gw.delete("contact", contact_id)
    for (link_id,) in gw.reader.tuples(
        "SELECT id FROM stakeholder_project WHERE stakeholder_id = :s", {"s": stakeholder["id"]}
    ):
        gw.delete("stakeholder_project", link_id)
    gw.delete("stakeholder", stakeholder["id"])
    return len(contacts)


def forget_stakeholder(gw: Gateway, stakeholder: Row) -> str:
    """Erase a stakeholder's personal data (GDPR Art. 17); returns the tombstone name.

    The row stays, as ``forgotten #ID`` with no contact details, so the contact log,
    the grid's history and the agreements keep their shape; the person's key is
    destroyed, so the sealed audit rows can never be opened again. Call
    :func:`scrub_file` after the commit. Cannot be undone.
    """
    tombstone = words.FORGOTTEN_NAME.format(id=stakeholder["id"])
    gw.erase_personal(
        "stakeholder",
        stakeholder["id"],
        {"name": tombstone, "role": None, "email": None, "phone": None, "notes": None},
        what=f"stakeholder #{stakeholder['id']}",
    )
    gw.update("stakeholder", stakeholder["id"], {"forgotten_at": clock.utcnow()})
    return tombstone


def scrub_file(location: DatabaseLocation) -> bool:
    """After a forget: rewrite the database so erased values leave its bytes and WAL.

    SQLite only (a server database is vacuumed by its administrator); returns False
    when another connection kept the WAL from being emptied.
    """
    if location.file is None:
        return True
    from pmtool.storage.personal import scrub

    return scrub(location.file)


# -- the contact log -----------------------------------------------------------------------


def log_contact(
    gw: Gateway,
    stakeholder: Row,
    *,
    kind: str,
    summary: str,
    on: date | None = None,
    decisions: str | None = None,
    follow_up: date | None = None,
    project_id: int | None = None,
) -> Row:
    values: dict[str, Any] = {
        "stakeholder_id": stakeholder["id"],
        "project_id": project_id,
        "kind": check_choice(kind, words.CONTACT_KINDS, "the kind of contact"),
        "on_date": on or clock.today(),
        "summary": clean_text(summary, "the summary", words.MAX_DESCRIPTION_LENGTH),
        "decisions": _stored(
            _optional_text(decisions, "the decisions", words.MAX_DESCRIPTION_LENGTH)
        ),
        "follow_up": follow_up,
        "follow_up_done": False,
        "follow_up_task_id": None,
        "created_at": clock.utcnow(),
    }
    if follow_up is not None and follow_up < values["on_date"]:
        raise InvalidInput(
            f"the follow-up ({follow_up}) is before the contact ({values['on_date']})"
        )
    values["id"] = gw.insert("contact", values)
    return values


def _open_follow_up(contact: Row) -> None:
    if contact["follow_up"] is None:
        raise Refused(f"contact #{contact['id']} has no follow-up")
    if contact["follow_up_done"]:
        raise Refused(f"the follow-up of contact #{contact['id']} is done already")
    if contact["follow_up_task_id"] is not None:
        raise Refused(f"the follow-up of contact #{contact['id']} is a task already")


def follow_up_done(gw: Gateway, contact: Row) -> None:
    _open_follow_up(contact)
    gw.update(
        "contact",
        contact["id"],
        {"follow_up_done": True},
        version=contact["version"],
        what=f"contact #{contact['id']}",
    )


def follow_up_task(gw: Gateway, contact: Row, project: Row) -> Row:
    """Turn a contact's follow-up into a task due on the follow-up date.

    The task names the contact by number, not the person: task titles reach exports
    and git, where personal data does not go.
    """
    from pmtool.services import tasks

    _open_follow_up(contact)
    summary = " ".join(str(contact["summary"]).split())
    title = f"Follow up contact #{contact['id']}: {summary}"
    if len(title) > words.MAX_TITLE_LENGTH:
        title = title[: words.MAX_TITLE_LENGTH - 1] + "…"
    created = tasks.add_task(
        gw,
        project,
        title,
        labels=["stakeholders"],
        due=date.fromisoformat(str(contact["follow_up"])[:10]),
        description=f"From the {contact['kind']} of {str(contact['on_date'])[:10]} "
        f"(`pmtool stakeholder contacts`).",
    )
    gw.update(
        "contact",
        contact["id"],
        {"follow_up_task_id": created["id"]},
        version=contact["version"],
        what=f"contact #{contact['id']}",
    )
    return created


# -- agreements ----------------------------------------------------------------------------


def add_agreement(
    gw: Gateway,
    kind: str,
    partner: Row,
    *,
    title: str | None = None,
    project_id: int | None = None,
    valid_until: date | None = None,
    document: str | None = None,
) -> Row:
    values: dict[str, Any] = {
        "partner_id": partner["id"],
        "project_id": project_id,
        "kind": check_choice(
            kind.strip().lower().replace("_", "-"), words.AGREEMENT_KINDS, "the kind"
        ),
        "title": _stored(_optional_text(title, "the title", words.MAX_TITLE_LENGTH)),
        "status": "draft",
        "signed_on": None,
        "valid_until": valid_until,
        "document": _stored(_optional_text(document, "the document", 2000)),
        "terminated_on": None,
        "created_at": clock.utcnow(),
    }
    values["id"] = gw.insert("agreement", values)
    return values


def edit_agreement(
    gw: Gateway,
    agreement: Row,
    *,
    title: Maybe = None,
    valid_until: date | Clear | None = None,
    document: Maybe = None,
    partner: Row | None = None,
) -> dict[str, Any]:
    if agreement["status"] == "terminated":
        raise Refused(f"agreement #{agreement['id']} is terminated; its record is final")
    changes: dict[str, Any] = {}
    title = _optional_text(title, "the title", words.MAX_TITLE_LENGTH)
    if title is not None:
        changes["title"] = _stored(title)
    document = _optional_text(document, "the document", 2000)
    if document is not None:
        changes["document"] = _stored(document)
    if valid_until is not None:
        new_until = None if isinstance(valid_until, Clear) else valid_until
        signed_on = agreement["signed_on"]
        if (
            new_until is not None
            and signed_on is not None
            and new_until < date.fromisoformat(str(signed_on)[:10])
        ):
            raise InvalidInput(f"valid until {new_until} is before it was signed ({signed_on})")
        changes["valid_until"] = new_until
    if partner is not None:
        changes["partner_id"] = partner["id"]
    return gw.update(
        "agreement",
        agreement["id"],
        changes,
        version=agreement["version"],
        what=f"agreement #{agreement['id']}",
    )


def change_agreement_status(
    gw: Gateway,
    agreement: Row,
    target: str,
    *,
    on: date | None = None,
    valid_until: date | None = None,
) -> tuple[str, str]:
    """Move an agreement along draft -> in_negotiation -> signed -> terminated.

    Returns (old status, new status). Refusals name the allowed next statuses.
    """
    target = check_choice(target.replace("-", "_"), words.AGREEMENT_STATUSES, "the status")
    today = clock.today()
    current = effective_status(agreement, today)
    if target == "expired":
        raise Refused("expired is not set by hand: a signed agreement expires after valid-until")
    if current == "expired":
        raise Refused(
            f"agreement #{agreement['id']} expired on {str(agreement['valid_until'])[:10]}; "
            "renew it with `pmtool agreement edit ID --valid-until DATE`"
        )
    allowed = words.AGREEMENT_TRANSITIONS[current]
    if target not in allowed:
        where = ", ".join(allowed) if allowed else "nowhere (it is final)"
        raise Refused(
            f"agreement #{agreement['id']} is {current}; it can go to {where}, not {target}"
        )
    changes: dict[str, Any] = {"status": target}
    day = on or today
    if target == "signed":
        changes["signed_on"] = day
        until = valid_until or agreement["valid_until"]
        if until is not None and date.fromisoformat(str(until)[:10]) < day:
            raise InvalidInput(f"valid until {until} is before the signature ({day})")
        if valid_until is not None:
            changes["valid_until"] = valid_until
    elif target == "terminated":
        changes["terminated_on"] = day
    gw.update(
        "agreement",
        agreement["id"],
        changes,
        version=agreement["version"],
        what=f"agreement #{agreement['id']}",
    )
    return current, target


def remove_agreement(gw: Gateway, agreement: Row) -> None:
    """Remove an agreement entered by mistake (a signed one is terminated, not removed)."""
    if agreement["status"] != "draft":
        raise Refused(
            f"agreement #{agreement['id']} is {agreement['status']}; only a draft can be "
            "removed (terminate it: `pmtool agreement terminate ID`)"
        )
    gw.delete("agreement", agreement["id"])


def set_expiry_days(gw: Gateway, days: int) -> None:
    if not 0 <= days <= 3660:
        raise InvalidInput(f"the expiry warning must be 0 to 3660 days (got {days})")
    found = gw.reader.rows(
        "SELECT * FROM setting WHERE key = :k", {"k": words.AGREEMENT_EXPIRY_SETTING}
    )
    if found:
        gw.update("setting", found[0]["key"], {"value": str(days)}, version=found[0]["version"])
    else:
        gw.insert("setting", {"key": words.AGREEMENT_EXPIRY_SETTING, "value": str(days)})
