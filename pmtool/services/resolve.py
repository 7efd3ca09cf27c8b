"""One resolver per noun: what the user typed -> the row, or one clear message.

Reads and writes use the same functions over the same kind of connection (a
:class:`~pmtool.storage.reader.Reader`; inside a write it is the gateway's, so a lookup
sees the command's own changes). Standard library only.
"""

from __future__ import annotations

from collections.abc import Sequence

from pmtool.core import words
from pmtool.core.errors import InvalidInput, NotFound, Refused
from pmtool.core.keys import parse_key
from pmtool.storage.reader import Reader, Row


def choose_project(
    projects: Sequence[tuple[int, str]],
    wanted: str | None,
    default_key: str | None,
    archived: frozenset[str] = frozenset(),
) -> tuple[int, str]:
    """Pick the project: the one asked for, else the default, else the only one.

    Archived projects are found when asked for by key, never chosen by default.
    """
    by_key = {key: project_id for project_id, key in projects}
    if wanted:
        key = wanted.strip().upper()
        if key not in by_key:
            known = ", ".join(sorted(by_key)) or "none yet"
            raise NotFound(f"no project {key} (projects: {known})")
        return by_key[key], key
    projects = [(project_id, key) for project_id, key in projects if key not in archived]
    if default_key and default_key in by_key and default_key not in archived:
        return by_key[default_key], default_key
    if len(projects) == 1:
        return projects[0]
    if not projects:
        if archived:
            raise NotFound(
                "every project is archived: name one with -p KEY, or start a new one with "
                "`pmtool project add KEY NAME`"
            )
        raise NotFound("no project yet: create one with `pmtool project add KEY NAME`")
    raise InvalidInput(
        "there are several projects: choose one with -p KEY, PMTOOL_PROJECT "
        "or `pmtool project use KEY`"
    )


def project_ref(reader: Reader, wanted: str | None) -> tuple[int, str]:
    """(id, key) of the project named by -p/PMTOOL_PROJECT, the default, or the only one."""
    found = reader.tuples("SELECT id, key, archived_at FROM project")
    projects = [(row[0], row[1]) for row in found]
    archived = frozenset(row[1] for row in found if row[2] is not None)
    default = reader.tuples(
        "SELECT value FROM setting WHERE key = :key", {"key": words.DEFAULT_PROJECT_SETTING}
    )
    return choose_project(projects, wanted, default[0][0] if default else None, archived)


def project(reader: Reader, wanted: str | None, *, for_changes: bool = True) -> Row:
    """The whole project row (for writes: its version, task counter, checklist).

    ``for_changes`` refuses an archived project: its work is closed until unarchived.
    """
    project_id, _key = project_ref(reader, wanted)
    row = reader.rows("SELECT * FROM project WHERE id = :id", {"id": project_id})[0]
    if for_changes and row["archived_at"] is not None:
        raise Refused(
            f"project {row['key']} is archived; `pmtool project unarchive {row['key']}` "
            "opens it for changes again"
        )
    return row


def task(reader: Reader, key: str) -> Row:
    """A task that is on the board (not removed), with its ``key`` added."""
    project_key, number = parse_key(key)
    found = reader.rows(
        "SELECT t.*, p.key AS project_key, p.archived_at AS project_archived_at "
        "FROM task t JOIN project p ON p.id = t.project_id "
        "WHERE p.key = :project AND t.number = :number AND t.deleted_at IS NULL",
        {"project": project_key, "number": number},
    )
    if not found:
        raise NotFound(f"no task {project_key}-{number}")
    row = found[0]
    row["key"] = f"{project_key}-{number}"
    return row


def task_id_any(reader: Reader, key: str) -> int:
    """The id of a task by key, removed ones included (their history stays readable):
    a task whose creation was undone is found in the trail by its project and number."""
    project_key, number = parse_key(key)
    found = reader.tuples(
        "SELECT t.id FROM task t JOIN project p ON p.id = t.project_id "
        "WHERE p.key = :p AND t.number = :n",
        {"p": project_key, "n": number},
    )
    if not found:
        found = reader.tuples(
            "SELECT CAST(n.entity_id AS INTEGER) FROM audit n "
            "JOIN audit pr ON pr.entity = 'task' AND pr.entity_id = n.entity_id "
            "  AND pr.action = 'create' AND pr.field = 'project_id' "
            "JOIN project p ON CAST(p.id AS TEXT) = pr.new AND p.key = :p "
            "WHERE n.entity = 'task' AND n.action = 'create' AND n.field = 'number' "
            "  AND n.new = :n ORDER BY n.id DESC LIMIT 1",
            {"p": project_key, "n": str(number)},
        )
    if not found:
        raise NotFound(f"no task {project_key}-{number}")
    return int(found[0][0])


def sprint(reader: Reader, project_id: int, name: str, *, for_new_work: bool = False) -> Row:
    """A sprint of the project by name (any case); ``current``/``active``: the running one.

    ``for_new_work`` refuses a closed sprint (work cannot be planned into it).
    """
    wanted = name.strip()
    if wanted.lower() in words.CURRENT_SPRINT_WORDS:
        running = active_sprint(reader, project_id)
        if running is None:
            raise NotFound(
                f"{_project_key(reader, project_id)} has no active sprint; "
                "start one with `pmtool sprint start NAME`"
            )
        row = running
    else:
        found = reader.rows(
            "SELECT * FROM sprint WHERE project_id = :p AND lower(name) = lower(:n)",
            {"p": project_id, "n": wanted},
        )
        if not found:
            raise NotFound(
                f"no sprint {wanted!r} in {_project_key(reader, project_id)} "
                "(`pmtool sprint list` shows them)"
            )
        row = found[0]
    if for_new_work and row["status"] == words.CLOSED:
        raise Refused(f"sprint {row['name']} is closed; plan the work into an open sprint")
    return row


def active_sprint(reader: Reader, project_id: int) -> Row | None:
    """The project's running sprint, if one is (there is at most one)."""
    found = reader.rows(
        "SELECT * FROM sprint WHERE project_id = :p AND status = :active",
        {"p": project_id, "active": words.ACTIVE},
    )
    return found[0] if found else None


def sprint_id_or_backlog(reader: Reader, project_id: int, name: str) -> int | None:
    """A sprint's id, or None when the user means the backlog (``none``, ``backlog``)."""
    if name.strip().lower() in words.NO_SPRINT_WORDS:
        return None
    return int(sprint(reader, project_id, name)["id"])


def member(reader: Reader, name: str) -> Row:
    """A member by full name, or by an unambiguous first name or prefix (any case)."""
    wanted = name.strip()
    members = reader.rows("SELECT * FROM member ORDER BY lower(name)")
    exact = [m for m in members if m["name"].lower() == wanted.lower()]
    if exact:
        return exact[0]
    lowered = wanted.lower()
    candidates = [
        m
        for m in members
        if lowered
        and (m["name"].lower().startswith(lowered) or m["name"].lower().split()[0] == lowered)
    ]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        names = ", ".join(m["name"] for m in candidates)
        raise Refused(f"{wanted!r} could be several members: {names}; give more of the name")
    raise NotFound(f"no member {wanted!r}; add them with `pmtool member add NAME`")


def columns(reader: Reader, project_id: int) -> list[Row]:
    """The project's workflow columns in board order."""
    rows = reader.rows(
        "SELECT * FROM workflow_column WHERE project_id = :p ORDER BY position", {"p": project_id}
    )
    for row in rows:
        row["is_done"] = bool(row["is_done"])
    return rows


def normalise_status(status: str) -> str:
    return status.strip().lower().replace("-", "_").replace(" ", "_")


def column(reader: Reader, project_id: int, status: str) -> Row:
    """One workflow column by status name (``in-progress`` means ``in_progress``)."""
    wanted = normalise_status(status)
    workflow = columns(reader, project_id)
    for candidate in workflow:
        if candidate["name"] == wanted:
            return candidate
    names = ", ".join(c["name"] for c in workflow)
    raise InvalidInput(
        f"{_project_key(reader, project_id)} has no status {status!r}; its statuses are: {names}"
    )


def _project_key(reader: Reader, project_id: int) -> str:
    found = reader.tuples("SELECT key FROM project WHERE id = :id", {"id": project_id})
    return str(found[0][0]) if found else "the project"


def approval(reader: Reader, wanted: str | int) -> Row:
    """An approval by its number (``3`` or ``#3``), with its project's key added."""
    number = approval_number(wanted)
    found = reader.rows(
        "SELECT a.*, p.key AS project_key, p.archived_at AS project_archived_at "
        "FROM approval a JOIN project p ON p.id = a.project_id WHERE a.id = :id",
        {"id": number},
    )
    if not found:
        raise NotFound(f"no approval {number} (`pmtool approval list` shows them)")
    return found[0]


def approval_number(wanted: str | int) -> int:
    """The number of an approval as typed (``3`` or ``#3``), without looking it up."""
    text = str(wanted).strip().lstrip("#")
    if not text.isdigit() or len(text) > 18:
        raise InvalidInput(f"an approval is named by its number, e.g. 3 (got {str(wanted)!r})")
    return int(text)


def thesis(reader: Reader, wanted: str) -> Row:
    """A thesis by id (``3`` or ``#3``), or by the student's name: the full name, or an
    unambiguous prefix, first or last name (any case)."""
    text = wanted.strip().removeprefix("#")
    if text.isdigit():
        found = reader.rows("SELECT * FROM thesis WHERE id = :id", {"id": int(text)})
        if not found:
            raise NotFound(f"no thesis {text} (`pmtool thesis list` shows them)")
        return found[0]
    lowered = text.lower()
    theses = reader.rows("SELECT * FROM thesis ORDER BY id")
    exact = [row for row in theses if row["student"].lower() == lowered]
    candidates = exact or [
        row
        for row in theses
        if lowered
        and (
            row["student"].lower().startswith(lowered) or lowered in row["student"].lower().split()
        )
    ]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        named = ", ".join(f"{row['id']} ({row['student']})" for row in candidates)
        raise Refused(f"{wanted.strip()!r} could be several theses: {named}; give the id")
    raise NotFound(f"no thesis of {wanted.strip()!r} (`pmtool thesis list` shows them)")


def thesis_milestone(reader: Reader, thesis_row: Row, wanted: str) -> Row:
    """A milestone of a thesis by its number (``9``) or its id in the plan (``data-access``)."""
    text = wanted.strip().lower().removeprefix("#")
    if text.isdigit():
        found = reader.rows(
            "SELECT * FROM thesis_milestone WHERE thesis_id = :t AND position = :n",
            {"t": thesis_row["id"], "n": int(text)},
        )
    else:
        found = reader.rows(
            "SELECT * FROM thesis_milestone WHERE thesis_id = :t AND lower(code) = :c",
            {"t": thesis_row["id"], "c": text},
        )
    if not found:
        raise NotFound(
            f"thesis {thesis_row['id']} has no milestone {wanted.strip()!r} "
            f"(`pmtool thesis milestone list {thesis_row['id']}` shows them)"
        )
    return found[0]


# -- Clinical partners (docs/partners.md) ------------------------------------------------


def _by_name(rows: list[Row], wanted: str, noun: str, hint: str) -> Row:
    """A row by id (``12`` or ``#12``), exact name (any case), or an unambiguous prefix
    of the name or of one of its words ("Schulz" finds "Dr. Anna Schulz")."""
    text = wanted.strip()
    number = text.removeprefix("#")
    if number.isdigit():
        for row in rows:
            if row["id"] == int(number):
                return row
        if text.startswith("#"):
            raise NotFound(f"no {noun} #{number} ({hint})")
    lowered = text.lower()
    exact = [row for row in rows if row["name"].lower() == lowered]
    if len(exact) == 1:
        return exact[0]
    candidates = exact or [
        row
        for row in rows
        if lowered
        and (
            row["name"].lower().startswith(lowered)
            or any(word.startswith(lowered) for word in row["name"].lower().split())
        )
    ]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        names = ", ".join(f"{row['name']} (#{row['id']})" for row in candidates[:8])
        raise Refused(f"{text!r} could be several {noun}s: {names}; give more of the name or #id")
    raise NotFound(f"no {noun} {text!r} ({hint})")


def partner(reader: Reader, wanted: str) -> Row:
    """A partner organisation by id, name or unambiguous prefix."""
    rows = reader.rows("SELECT * FROM partner ORDER BY lower(name)")
    return _by_name(rows, wanted, "partner", "`pmtool partner list` shows them")


def stakeholder(reader: Reader, wanted: str) -> Row:
    """A stakeholder (not forgotten) by id, name or unambiguous prefix."""
    rows = reader.rows(
        "SELECT * FROM stakeholder WHERE forgotten_at IS NULL ORDER BY lower(name), id"
    )
    return _by_name(rows, wanted, "stakeholder", "`pmtool stakeholder list` shows them")


def agreement(reader: Reader, wanted: str | int) -> Row:
    """An agreement by its id (``7`` or ``#7``)."""
    text = str(wanted).strip().removeprefix("#")
    if not text.isdigit():
        raise InvalidInput(f"an agreement is named by its id (a number), not {wanted!r}")
    found = reader.rows("SELECT * FROM agreement WHERE id = :id", {"id": int(text)})
    if not found:
        raise NotFound(f"no agreement #{text} (`pmtool agreement list` shows them)")
    return found[0]


def contact(reader: Reader, wanted: str | int) -> Row:
    """An entry of the contact log by its id (``3`` or ``#3``)."""
    text = str(wanted).strip().removeprefix("#")
    if not text.isdigit():
        raise InvalidInput(f"a contact is named by its id (a number), not {wanted!r}")
    found = reader.rows("SELECT * FROM contact WHERE id = :id", {"id": int(text)})
    if not found:
        raise NotFound(f"no contact #{text} (`pmtool stakeholder contacts` shows them)")
    return found[0]


def git_repository(reader: Reader, project_id: int, path: str | None) -> Row:
    """A repository linked to the project: by path (as given, or resolved), or the only one."""
    from contextlib import suppress
    from pathlib import Path

    linked = reader.rows(
        "SELECT * FROM git_repository WHERE project_id = :p AND unlinked_at IS NULL ORDER BY id",
        {"p": project_id},
    )
    key = _project_key(reader, project_id)
    if path is None:
        if len(linked) == 1:
            return linked[0]
        if not linked:
            raise NotFound(f"{key} has no linked repository: `pmtool git link PATH` links one")
        raise InvalidInput(
            f"{key} has {len(linked)} linked repositories: choose one with --repo PATH"
        )
    wanted = {path, str(Path(path).expanduser().absolute())}
    with suppress(OSError):
        wanted.add(str(Path(path).expanduser().resolve()))
    for row in linked:
        if row["path"] in wanted:
            return row
    raise NotFound(f"{path} is not linked to {key} (`pmtool git list` shows the linked ones)")
