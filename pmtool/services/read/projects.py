"""Projects and workflow as rows (read side)."""

from __future__ import annotations

import json
from typing import Any

from pmtool.core import words
from pmtool.core.errors import NotFound
from pmtool.core.values import iso_timestamp
from pmtool.storage.reader import Reader, Row


def list_projects(reader: Reader, *, include_archived: bool = False) -> list[Row]:
    """Projects by key; archived ones only when asked for."""
    default = reader.tuples(
        "SELECT value FROM setting WHERE key = :key", {"key": words.DEFAULT_PROJECT_SETTING}
    )
    default_key = default[0][0] if default else None
    rows = reader.rows(
        """
        SELECT p.key, p.name, p.created_at, p.archived_at,
               (SELECT COUNT(*) FROM v_task t WHERE t.project_id = p.id) AS tasks,
               (SELECT COUNT(*) FROM v_task t WHERE t.project_id = p.id AND NOT t.is_done)
                   AS open_tasks,
               (SELECT s.name FROM sprint s WHERE s.project_id = p.id AND s.status = 'active')
                   AS active_sprint
        FROM project p WHERE :archived OR p.archived_at IS NULL ORDER BY p.key
        """,
        {"archived": include_archived},
    )
    return [
        {
            "key": row["key"],
            "name": row["name"],
            "tasks": row["tasks"],
            "open_tasks": row["open_tasks"],
            "active_sprint": row["active_sprint"],
            "default": row["key"] == default_key,
            "created": iso_timestamp(row["created_at"]),
            "archived": iso_timestamp(row["archived_at"]),
        }
        for row in rows
    ]


def workflow(reader: Reader, project_id: int) -> list[Row]:
    """The project's columns in order, with their WIP limits and current counts."""
    rows = reader.rows(
        """
        SELECT c.name AS status, c.position, c.wip_limit, c.is_done,
               (SELECT COUNT(*) FROM v_task t WHERE t.project_id = c.project_id
                  AND t.status = c.name) AS tasks
        FROM workflow_column c WHERE c.project_id = :project ORDER BY c.position
        """,
        {"project": project_id},
    )
    for row in rows:
        row["is_done"] = bool(row["is_done"])
    return rows


def show_project(reader: Reader, project_id: int) -> Row:
    found = reader.rows(
        "SELECT id, key, name, description, definition_of_done, created_at FROM project "
        "WHERE id = :id",
        {"id": project_id},
    )
    if not found:
        raise NotFound("project not found")
    project = found[0]
    columns = workflow(reader, project_id)
    members = reader.tuples(
        "SELECT DISTINCT assignee FROM v_task WHERE project_id = :p AND assignee IS NOT NULL "
        "ORDER BY assignee",
        {"p": project_id},
    )
    sprints = reader.rows(
        "SELECT name, status FROM sprint WHERE project_id = :p ORDER BY start_date, id",
        {"p": project_id},
    )
    result: dict[str, Any] = {
        "key": project["key"],
        "name": project["name"],
        "description": project["description"],
        "created": iso_timestamp(project["created_at"]),
        "workflow": [
            {
                "status": c["status"],
                "wip_limit": c["wip_limit"],
                "tasks": c["tasks"],
                "done": c["is_done"],
            }
            for c in columns
        ],
        "definition_of_done": json.loads(project["definition_of_done"] or "[]"),
        "active_sprint": next((s["name"] for s in sprints if s["status"] == "active"), None),
        "sprints": [s["name"] for s in sprints],
        "assignees": [m[0] for m in members],
        "tasks": sum(c["tasks"] for c in columns),
    }
    return result
