"""Projects, their workflow columns, WIP limits and definition of done (write side)."""

from __future__ import annotations

import json
import re
from typing import Any

from pmtool.core import clock, words
from pmtool.core.errors import Conflict, InvalidInput, NotFound, Refused
from pmtool.core.validation import clean_text
from pmtool.services import resolve
from pmtool.storage.gateway import Gateway
from pmtool.storage.reader import Row


def add_project(
    gw: Gateway,
    key: str,
    name: str,
    *,
    description: str | None = None,
    definition_of_done: list[str] | None = None,
    workflow: tuple[str, ...] = words.DEFAULT_WORKFLOW,
) -> Row:
    key = key.strip().upper()
    if not re.match(words.PROJECT_KEY_PATTERN, key):
        raise InvalidInput(
            f"project key {key!r} must be 2-10 letters or digits starting with a letter, e.g. PM"
        )
    name = clean_text(name, "project name", words.MAX_NAME_LENGTH)
    if gw.reader.tuples("SELECT 1 FROM project WHERE key = :key", {"key": key}):
        raise Conflict(f"project {key} exists already")
    values = {
        "key": key,
        "name": name,
        "description": description,
        "definition_of_done": json.dumps(definition_of_done or []),
        "next_task_number": 1,
        "created_at": clock.utcnow(),
    }
    project_id = gw.insert("project", values)
    for position, status in enumerate(workflow):
        gw.insert(
            "workflow_column",
            {
                "project_id": project_id,
                "name": status,
                "position": position,
                "is_done": status in words.DONE_STATUSES,
            },
        )
    return {**values, "id": project_id, "version": 1}


def use_project(gw: Gateway, key: str) -> Row:
    """Make ``key`` the project that commands use when -p is not given."""
    project = resolve.project(gw.reader, key)
    setting = gw.reader.rows(
        "SELECT * FROM setting WHERE key = :key", {"key": words.DEFAULT_PROJECT_SETTING}
    )
    if not setting:
        gw.insert("setting", {"key": words.DEFAULT_PROJECT_SETTING, "value": project["key"]})
    else:
        gw.update(
            "setting",
            words.DEFAULT_PROJECT_SETTING,
            {"value": project["key"]},
            version=setting[0]["version"],
        )
    return project


def set_wip_limit(gw: Gateway, project: Row, status: str, limit: int | None) -> Row:
    if limit is not None and limit < 1:
        raise InvalidInput("a WIP limit is a whole number of at least 1 (or 'none' to remove it)")
    target = resolve.column(gw.reader, project["id"], status)
    gw.update("workflow_column", target["id"], {"wip_limit": limit}, version=target["version"])
    target["wip_limit"] = limit
    return target


def add_column(gw: Gateway, project: Row, status: str, *, before: str | None, is_done: bool) -> Row:
    name = resolve.normalise_status(status)
    if not re.match(r"^[a-z][a-z0-9_]{0,29}$", name):
        raise InvalidInput(f"status {status!r} must be a short word (letters, digits, _)")
    existing = resolve.columns(gw.reader, project["id"])
    if any(c["name"] == name for c in existing):
        raise Conflict(f"{project['key']} has a status {name} already")
    position = len(existing)
    if before is not None:
        position = resolve.column(gw.reader, project["id"], before)["position"]
        # Shift from the end, so no two columns share a position at any moment.
        for later in reversed(existing):
            if later["position"] >= position:
                gw.update(
                    "workflow_column",
                    later["id"],
                    {"position": later["position"] + 1},
                    version=later["version"],
                )
    values = {"project_id": project["id"], "name": name, "position": position, "is_done": is_done}
    values["id"] = gw.insert("workflow_column", values)
    return values


def remove_column(gw: Gateway, project: Row, status: str) -> None:
    target = resolve.column(gw.reader, project["id"], status)
    in_use = gw.reader.tuples(
        "SELECT COUNT(*) FROM task WHERE project_id = :p AND status = :s AND deleted_at IS NULL",
        {"p": project["id"], "s": target["name"]},
    )[0][0]
    if in_use:
        raise Refused(f"{in_use} task(s) are in {target['name']}; move them before removing it")
    workflow = resolve.columns(gw.reader, project["id"])
    if len(workflow) <= 2:
        raise Refused("a workflow needs at least two statuses")
    gw.delete("workflow_column", target["id"])
    remaining = [c for c in workflow if c["id"] != target["id"]]
    for position, column in enumerate(remaining):
        if column["position"] != position:
            gw.update(
                "workflow_column", column["id"], {"position": position}, version=column["version"]
            )


def definition_of_done(project: Row) -> list[str]:
    return list(json.loads(project["definition_of_done"] or "[]"))


def _set_definition_of_done(gw: Gateway, project: Row, items: list[str]) -> list[str]:
    gw.update(
        "project",
        project["id"],
        {"definition_of_done": json.dumps(items)},
        version=project["version"],
    )
    return items


def add_done_item(gw: Gateway, project: Row, item: str) -> list[str]:
    items = definition_of_done(project)
    items.append(clean_text(item, "checklist item", words.MAX_TITLE_LENGTH))
    return _set_definition_of_done(gw, project, items)


def remove_done_item(gw: Gateway, project: Row, number: int) -> list[str]:
    items = definition_of_done(project)
    if not 1 <= number <= len(items):
        raise NotFound(f"the definition of done of {project['key']} has no item {number}")
    del items[number - 1]
    return _set_definition_of_done(gw, project, items)


def edit_project(
    gw: Gateway, project: Row, *, name: str | None = None, description: str | None = None
) -> dict[str, Any]:
    """Rename a project or change its description (its key stays: task keys use it)."""
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = clean_text(name, "project name", words.MAX_NAME_LENGTH)
    if description is not None:
        changes["description"] = description.strip() or None
    return gw.update(
        "project", project["id"], changes, version=project["version"], what=project["key"]
    )


def archive_project(gw: Gateway, project: Row) -> None:
    """Hide a finished project from lists and close it to changes; its data stays."""
    if project["archived_at"] is not None:
        raise Refused(f"project {project['key']} is archived already")
    running = resolve.active_sprint(gw.reader, project["id"])
    if running is not None:
        raise Refused(
            f"sprint {running['name']} of {project['key']} is active; close it before archiving"
        )
    gw.update(
        "project",
        project["id"],
        {"archived_at": clock.utcnow()},
        version=project["version"],
        what=project["key"],
    )
    default = gw.reader.rows(
        "SELECT * FROM setting WHERE key = :key", {"key": words.DEFAULT_PROJECT_SETTING}
    )
    if default and default[0]["value"] == project["key"]:
        # Commands no longer fall back on an archived project.
        gw.delete("setting", words.DEFAULT_PROJECT_SETTING)


def unarchive_project(gw: Gateway, project: Row) -> None:
    if project["archived_at"] is None:
        raise Refused(f"project {project['key']} is not archived")
    gw.update(
        "project",
        project["id"],
        {"archived_at": None},
        version=project["version"],
        what=project["key"],
    )
