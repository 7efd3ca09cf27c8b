"""Clinical partners as rows (read side): partners, stakeholders, the grid, the contact
log, agreements, and what of them needs attention.

Contact details (email, phone) and notes about a person are personal data: rows carry
them only with ``include_personal``. Names are shown: they are how people find each
other. Standard library only, plain SQL.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pmtool.core import words
from pmtool.core.values import iso_date, iso_timestamp
from pmtool.services.read.attention import item
from pmtool.storage.reader import Reader, Row

PARTNER_FIELDS = ("id", "name", "type", "stakeholders", "agreements", "notes", "created")
STAKEHOLDER_FIELDS = (
    "id", "name", "partner", "role", "power", "interest", "quadrant", "attitude",
    "engagement_current", "engagement_desired", "projects", "last_contact", "next_follow_up",
    "forgotten",
)  # fmt: skip
PERSONAL_FIELDS = ("email", "phone", "notes")
CONTACT_FIELDS = (
    "id", "stakeholder_id", "stakeholder", "kind", "date", "summary", "decisions",
    "follow_up", "follow_up_status", "task", "project",
)  # fmt: skip
AGREEMENT_FIELDS = (
    "id", "kind", "partner", "title", "status", "signed_on", "valid_until", "days_left",
    "document", "project", "terminated_on",
)  # fmt: skip
GRID_FIELDS = ("quadrant", "high_power", "high_interest", "stakeholders")


# -- partners ------------------------------------------------------------------------------


def list_partners(reader: Reader) -> list[Row]:
    rows = reader.rows(
        """
        SELECT pa.id, pa.name, pa.type, pa.notes, pa.created_at,
               (SELECT COUNT(*) FROM stakeholder s
                 WHERE s.partner_id = pa.id AND s.forgotten_at IS NULL) AS stakeholders,
               (SELECT COUNT(*) FROM agreement a WHERE a.partner_id = pa.id) AS agreements
        FROM partner pa ORDER BY lower(pa.name)
        """
    )
    return [
        {
            "id": row["id"],
            "name": row["name"],
            "type": row["type"],
            "stakeholders": row["stakeholders"],
            "agreements": row["agreements"],
            "notes": row["notes"],
            "created": iso_timestamp(row["created_at"]),
        }
        for row in rows
    ]


def show_partner(reader: Reader, partner_id: int, today: date) -> Row:
    row = next(p for p in list_partners(reader) if p["id"] == partner_id)
    row["people"] = [
        {"id": s["id"], "name": s["name"], "role": s["role"], "quadrant": s["quadrant"]}
        for s in list_stakeholders(reader, partner_id=partner_id)
    ]
    row["contracts"] = [
        {k: a[k] for k in ("id", "kind", "status", "valid_until")}
        for a in list_agreements(reader, today, partner_id=partner_id)
    ]
    return row


# -- stakeholders --------------------------------------------------------------------------

_STAKEHOLDER_SQL = """
SELECT s.*, pa.name AS partner_name,
       (SELECT MAX(c.on_date) FROM contact c WHERE c.stakeholder_id = s.id) AS last_contact,
       (SELECT MIN(c.follow_up) FROM contact c
         WHERE c.stakeholder_id = s.id AND c.follow_up IS NOT NULL
           AND NOT c.follow_up_done AND c.follow_up_task_id IS NULL) AS next_follow_up
FROM stakeholder s
LEFT JOIN partner pa ON pa.id = s.partner_id
"""


def _project_roles(reader: Reader) -> dict[int, list[str]]:
    roles: dict[int, list[str]] = {}
    for stakeholder_id, key, role in reader.tuples(
        "SELECT sp.stakeholder_id, p.key, sp.role FROM stakeholder_project sp "
        "JOIN project p ON p.id = sp.project_id ORDER BY p.key"
    ):
        roles.setdefault(stakeholder_id, []).append(f"{key} ({role})" if role else key)
    return roles


def _stakeholder_row(row: Row, roles: dict[int, list[str]], include_personal: bool) -> Row:
    result: Row = {
        "id": row["id"],
        "name": row["name"],
        "partner": row["partner_name"],
        "role": row["role"],
        "power": row["power"],
        "interest": row["interest"],
        "quadrant": words.quadrant(row["power"], row["interest"]),
        "attitude": row["attitude"],
        "engagement_current": row["engagement_current"],
        "engagement_desired": row["engagement_desired"],
        "projects": roles.get(row["id"], []),
        "last_contact": iso_date(row["last_contact"]),
        "next_follow_up": iso_date(row["next_follow_up"]),
        "forgotten": iso_timestamp(row["forgotten_at"]),
    }
    if include_personal:
        for field in PERSONAL_FIELDS:
            result[field] = row[field]
    return result


def list_stakeholders(
    reader: Reader,
    *,
    project_id: int | None = None,
    partner_id: int | None = None,
    quadrant: str | None = None,
    include_personal: bool = False,
    include_forgotten: bool = False,
) -> list[Row]:
    """Stakeholders by partner and name; ``project_id``: only those linked to it."""
    conditions, params = [], {}
    if not include_forgotten:
        conditions.append("s.forgotten_at IS NULL")
    if project_id is not None:
        conditions.append(
            "s.id IN (SELECT stakeholder_id FROM stakeholder_project WHERE project_id = :p)"
        )
        params["p"] = project_id
    if partner_id is not None:
        conditions.append("s.partner_id = :pa")
        params["pa"] = partner_id
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    roles = _project_roles(reader)
    rows = [
        _stakeholder_row(row, roles, include_personal)
        for row in reader.rows(
            f"{_STAKEHOLDER_SQL} {where} ORDER BY lower(COALESCE(pa.name, '')), lower(s.name)",
            params,
        )
    ]
    if quadrant is not None:
        rows = [row for row in rows if row["quadrant"] == quadrant]
    return rows


def show_stakeholder(
    reader: Reader, stakeholder_id: int, today: date, *, include_personal: bool = False
) -> Row:
    found = reader.rows(f"{_STAKEHOLDER_SQL} WHERE s.id = :id", {"id": stakeholder_id})
    row = _stakeholder_row(found[0], _project_roles(reader), include_personal)
    row["contacts"] = [
        {k: contact[k] for k in ("id", "kind", "date", "summary", "follow_up", "follow_up_status")}
        for contact in list_contacts(reader, today, stakeholder_id=stakeholder_id)
    ]
    return row


def grid(reader: Reader, *, project_id: int | None = None) -> list[Row]:
    """The four Mendelow quadrants, each with its stakeholders (strongest first)."""
    people = list_stakeholders(reader, project_id=project_id)
    quadrants = []
    for name in words.QUADRANTS:
        members = sorted(
            (p for p in people if p["quadrant"] == name),
            key=lambda p: (-p["power"] - p["interest"], p["name"].lower()),
        )
        quadrants.append(
            {
                "quadrant": name,
                "high_power": name in ("manage closely", "keep satisfied"),
                "high_interest": name in ("manage closely", "keep informed"),
                "stakeholders": [
                    {
                        "id": p["id"],
                        "name": p["name"],
                        "partner": p["partner"],
                        "power": p["power"],
                        "interest": p["interest"],
                    }
                    for p in members
                ],
            }
        )
    return quadrants


def draw_grid(
    quadrants: list[Row], width: int, *, marked: int | None = None, fit: Any = None
) -> str:
    """The grid as text: two rows of two boxes, power up, interest right; each name
    with (power/interest); ``marked`` (a stakeholder id) gets a ▶. Shared by the CLI
    and the TUI; ``fit(text, cells)`` cuts a line to a width (the default counts
    characters)."""
    cut = fit or (lambda text, cells: text if len(text) <= cells else text[: cells - 1] + "…")
    by_name = {q["quadrant"]: q for q in quadrants}
    width = max(min(width, 120), 40)
    cell = (width - 7) // 2  # "│ " + cell + " │ " + cell + " │"

    def box_lines(name: str) -> list[str]:
        people = by_name[name]["stakeholders"]
        count = f" ({len(people)})"
        lines = [cut(name.upper(), cell - len(count)) + count]  # the count always shows
        for person in people:
            mark = "▶ " if person["id"] == marked else ""
            lines.append(
                cut(f"{mark}{person['name']} ({person['power']}/{person['interest']})", cell)
            )
        return lines if people else [*lines, "-"]

    def row(left: str, right: str) -> list[str]:
        a, b = box_lines(left), box_lines(right)
        height = max(len(a), len(b))
        a += [""] * (height - len(a))
        b += [""] * (height - len(b))
        return [f"│ {x.ljust(cell)} │ {y.ljust(cell)} │" for x, y in zip(a, b, strict=True)]

    rule = "─" * (cell + 2)
    return "\n".join(
        [
            "POWER ↑ (high: 4-5)",
            f"┌{rule}┬{rule}┐",
            *row("keep satisfied", "manage closely"),
            f"├{rule}┼{rule}┤",
            *row("monitor", "keep informed"),
            f"└{rule}┴{rule}┘",
            "INTEREST → (high: 4-5) · name (power/interest)",
        ]
    )


# -- the contact log -----------------------------------------------------------------------


def follow_up_status(row: Row, today: date) -> str | None:
    if row["follow_up"] is None:
        return None
    if row["follow_up_task_id"] is not None:
        return "task"
    if row["follow_up_done"]:
        return "done"
    return "overdue" if str(row["follow_up"])[:10] < today.isoformat() else "open"


def list_contacts(
    reader: Reader,
    today: date,
    *,
    stakeholder_id: int | None = None,
    project_id: int | None = None,
    open_only: bool = False,
) -> list[Row]:
    """The contact log, newest first; ``open_only``: follow-ups not done or tasked yet."""
    conditions, params = [], {}
    if stakeholder_id is not None:
        conditions.append("c.stakeholder_id = :s")
        params["s"] = stakeholder_id
    if project_id is not None:
        conditions.append("c.project_id = :p")
        params["p"] = project_id
    if open_only:
        conditions.append(
            "c.follow_up IS NOT NULL AND NOT c.follow_up_done AND c.follow_up_task_id IS NULL"
        )
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    rows = reader.rows(
        f"""
        SELECT c.*, s.name AS stakeholder_name, p.key AS project_key,
               tp.key || '-' || t.number AS task_key
        FROM contact c
        JOIN stakeholder s ON s.id = c.stakeholder_id
        LEFT JOIN project p ON p.id = c.project_id
        LEFT JOIN task t ON t.id = c.follow_up_task_id
        LEFT JOIN project tp ON tp.id = t.project_id
        {where}
        ORDER BY c.on_date DESC, c.id DESC
        """,
        params,
    )
    return [
        {
            "id": row["id"],
            "stakeholder_id": row["stakeholder_id"],
            "stakeholder": row["stakeholder_name"],
            "kind": row["kind"],
            "date": iso_date(row["on_date"]),
            "summary": row["summary"],
            "decisions": row["decisions"],
            "follow_up": iso_date(row["follow_up"]),
            "follow_up_status": follow_up_status(row, today),
            "task": row["task_key"],
            "project": row["project_key"],
        }
        for row in rows
    ]


# -- agreements ----------------------------------------------------------------------------


def effective_status(agreement: Row, today: date) -> str:
    """The stored status, or ``expired`` for a signed agreement past its valid_until."""
    valid_until = agreement.get("valid_until")
    if (
        agreement["status"] == "signed"
        and valid_until is not None
        and str(valid_until)[:10] < today.isoformat()
    ):
        return "expired"
    return str(agreement["status"])


def expiry_days(reader: Reader) -> int:
    """Days before valid_until from which an agreement counts as expiring (a setting)."""
    found = reader.tuples(
        "SELECT value FROM setting WHERE key = :k", {"k": words.AGREEMENT_EXPIRY_SETTING}
    )
    if found and str(found[0][0]).isdigit():
        return int(found[0][0])
    return words.AGREEMENT_EXPIRY_DAYS


def _agreement_row(row: Row, today: date) -> Row:
    until = iso_date(row["valid_until"])
    status = effective_status(row, today)
    return {
        "id": row["id"],
        "kind": row["kind"],
        "partner": row["partner_name"],
        "title": row["title"],
        "status": status,
        "signed_on": iso_date(row["signed_on"]),
        "valid_until": until,
        "days_left": (date.fromisoformat(until) - today).days
        if until and status == "signed"
        else None,
        "document": row["document"],
        "project": row["project_key"],
        "terminated_on": iso_date(row["terminated_on"]),
    }


def list_agreements(
    reader: Reader,
    today: date,
    *,
    partner_id: int | None = None,
    status: str | None = None,
    expiring_within: int | None = None,
) -> list[Row]:
    """Agreements by partner; ``expiring_within`` days: signed ones ending by then, and
    the expired."""
    conditions, params = [], {}
    if partner_id is not None:
        conditions.append("a.partner_id = :pa")
        params["pa"] = partner_id
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    rows = [
        _agreement_row(row, today)
        for row in reader.rows(
            f"""
            SELECT a.*, pa.name AS partner_name, p.key AS project_key
            FROM agreement a
            JOIN partner pa ON pa.id = a.partner_id
            LEFT JOIN project p ON p.id = a.project_id
            {where}
            ORDER BY lower(pa.name), a.id
            """,
            params,
        )
    ]
    if status is not None:
        rows = [row for row in rows if row["status"] == status]
    if expiring_within is not None:
        horizon = (today + timedelta(days=expiring_within)).isoformat()
        rows = [
            row
            for row in rows
            if row["status"] == "expired"
            or (row["status"] == "signed" and row["valid_until"] and row["valid_until"] <= horizon)
        ]
    return rows


def show_agreement(reader: Reader, agreement_id: int, today: date) -> Row:
    return next(a for a in list_agreements(reader, today) if a["id"] == agreement_id)


# -- attention and the dashboard -----------------------------------------------------------


def _project_key(reader: Reader, project_id: int) -> str:
    return str(reader.tuples("SELECT key FROM project WHERE id = :id", {"id": project_id})[0][0])


def overdue_follow_ups(reader: Reader, project_id: int, today: date) -> list[Row]:
    """Follow-ups of the project's contact log that are due today or past (not done,
    not turned into a task: a task reports itself when it is overdue)."""
    key = _project_key(reader, project_id)
    found = []
    for contact in list_contacts(reader, today, project_id=project_id, open_only=True):
        due = contact["follow_up"]
        if due > today.isoformat():
            continue
        late = due < today.isoformat()
        text = (
            f"follow-up with {contact['stakeholder']} (contact #{contact['id']}: "
            f"{contact['summary']}) {'was due ' + due if late else 'is due today'}"
        )
        found.append(
            item(
                key,
                "follow_up_overdue",
                "late" if late else "soon",
                f"contact #{contact['id']}",
                text,
                due,
            )
        )
    return found


def expiring_agreements(reader: Reader, project_id: int, today: date) -> list[Row]:
    """The project's signed agreements that expire within the warning window, and the
    expired ones (a setting: `pmtool agreement warn DAYS`, 60 by default)."""
    key = _project_key(reader, project_id)
    rows = reader.rows(
        "SELECT a.*, pa.name AS partner_name, NULL AS project_key FROM agreement a "
        "JOIN partner pa ON pa.id = a.partner_id WHERE a.project_id = :p "
        "AND a.status = 'signed' AND a.valid_until IS NOT NULL ORDER BY a.valid_until",
        {"p": project_id},
    )
    horizon = today + timedelta(days=expiry_days(reader))
    found = []
    for row in rows:
        agreement = _agreement_row(row, today)
        until = agreement["valid_until"]
        name = f"{agreement['kind'].upper()} with {agreement['partner']} (#{agreement['id']})"
        if agreement["status"] == "expired":
            found.append(
                item(
                    key,
                    "agreement_expired",
                    "late",
                    f"agreement #{row['id']}",
                    f"{name} expired on {until}",
                    until,
                )
            )
        elif date.fromisoformat(until) <= horizon:
            days = agreement["days_left"]
            found.append(
                item(
                    key,
                    "agreement_expiring",
                    "soon",
                    f"agreement #{row['id']}",
                    f"{name} expires on {until} (in {days} day{'s' if days != 1 else ''})",
                    until,
                )
            )
    return found


def panel_rows(reader: Reader, project_id: int, today: date) -> list[Row]:
    """The dashboard's "Partners" panel: what is coming up with partners, beside the
    attention items: every open follow-up by date (late ones red, the next 7 days
    yellow), agreements still being drafted or negotiated, and signed ones ending
    within the warning window or expired."""
    soon = (today + timedelta(days=7)).isoformat()
    rows: list[Row] = []
    for contact in sorted(
        list_contacts(reader, today, project_id=project_id, open_only=True),
        key=lambda entry: (entry["follow_up"], entry["id"]),
    ):
        due = contact["follow_up"]
        level = "late" if due < today.isoformat() else "soon" if due <= soon else None
        text = f"follow up with {contact['stakeholder']}: {contact['summary']}"
        rows.append({"when": due, "text": text, "ref": f"contact #{contact['id']}", "level": level})
    horizon = (today + timedelta(days=expiry_days(reader))).isoformat()
    for agreement in list_agreements(reader, today):
        if agreement["project"] != _project_key(reader, project_id):
            continue
        name = f"{agreement['kind'].upper()} with {agreement['partner']}"
        ref = f"agreement #{agreement['id']}"
        status = agreement["status"]
        if status in ("draft", "in_negotiation"):
            text = f"{name}: {status.replace('_', ' ')}"
            rows.append({"when": None, "text": text, "ref": ref, "level": None})
        elif status == "expired":
            text = f"{name} expired"
            rows.append(
                {"when": agreement["valid_until"], "text": text, "ref": ref, "level": "late"}
            )
        elif (
            status == "signed" and agreement["valid_until"] and agreement["valid_until"] <= horizon
        ):
            text = f"{name} ends"
            rows.append(
                {"when": agreement["valid_until"], "text": text, "ref": ref, "level": "soon"}
            )
    return rows


def in_use(reader: Reader, project_id: int) -> bool:
    """Whether the project has stakeholders, contacts or agreements (and the tables exist)."""
    if reader.dialect == "sqlite":
        exists = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'agreement'"
    else:
        exists = "SELECT 1 FROM information_schema.tables WHERE table_name = 'agreement'"
    if not reader.tuples(exists):
        return False
    return bool(
        reader.tuples(
            "SELECT 1 FROM stakeholder_project WHERE project_id = :p UNION ALL "
            "SELECT 1 FROM contact WHERE project_id = :p UNION ALL "
            "SELECT 1 FROM agreement WHERE project_id = :p LIMIT 1",
            {"p": project_id},
        )
    )
