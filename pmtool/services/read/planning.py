"""Sprint planning: a sprint's work against its capacity, and the backlog to draw from."""

from __future__ import annotations

from typing import Any

from pmtool.services import resolve
from pmtool.services.read import metrics
from pmtool.services.read.board import CARD_SELECT, card_row
from pmtool.services.read.sprints import list_sprints
from pmtool.storage.reader import Reader, Row


def sprint_names(reader: Reader, project_id: int) -> list[Row]:
    """Every sprint, oldest first, with status and dates (for pickers)."""
    return [
        {"name": row["name"], "status": row["status"], "start": row["start"], "end": row["end"]}
        for row in list_sprints(reader, project_id)
    ]


def default_sprint(sprints: list[Row]) -> str | None:
    """The sprint to plan first: the active one, else the next planned, else the last."""
    for wanted in ("active", "planned"):
        for sprint in sprints:
            if sprint["status"] == wanted:
                return str(sprint["name"])
    return str(sprints[-1]["name"]) if sprints else None


def plan(reader: Reader, project_id: int, sprint: str) -> Row:
    """The sprint's tasks and points against capacity, and the open unplanned tasks.

    Without a capacity set, the average velocity of the last three sprints is offered
    as the suggestion (``capacity_source`` says which one is shown).
    """
    record = resolve.sprint(reader, project_id, sprint)
    in_sprint = [
        card_row(values)
        for values in reader.tuples(
            f"{CARD_SELECT} WHERE v.sprint_id = :s ORDER BY v.status_position, v.rank, v.number",
            {"s": record["id"]},
        )
    ]
    candidates = [
        card_row(values)
        for values in reader.tuples(
            f"{CARD_SELECT} WHERE v.project_id = :p AND v.sprint_id IS NULL AND NOT v.is_done "
            "ORDER BY v.status_position, v.rank, v.number",
            {"p": project_id},
        )
    ]
    unfinished = reader.tuples(
        "SELECT COUNT(*), COALESCE(SUM(points), 0) FROM v_task "
        "WHERE sprint_id = :s AND NOT is_done",
        {"s": record["id"]},
    )[0]
    capacity: Any = record["capacity"]
    source = "capacity"
    if capacity is None:
        capacity = metrics.average_velocity(metrics.velocity(reader, project_id))
        source = "velocity" if capacity is not None else "none"
    return {
        "name": record["name"],
        "status": record["status"],
        "start": str(record["start_date"])[:10],
        "end": str(record["end_date"])[:10],
        "goal": record["goal"],
        "capacity": capacity,
        "capacity_source": source,
        "points": sum(card["points"] or 0 for card in in_sprint),
        "unfinished_tasks": int(unfinished[0]),
        "unfinished_points": int(unfinished[1]),
        "tasks": in_sprint,
        "candidates": candidates,
    }
