"""The demo's git repository: the team's commits citing the demo's tasks, linked to the
project and synced, so the Git screen, the dashboard panel and `pmtool git commits`
have something real to show. Only for a demo in a folder the demo created itself.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from pmtool.core import clock
from pmtool.gitsync.demo import DemoCommit, make_repository
from pmtool.services import gitsync, resolve
from pmtool.storage.gateway import writing
from pmtool.storage.location import DatabaseLocation

REPOSITORY_NAME = "sepsis-model"


def build_demo_repository(folder: Path, location: DatabaseLocation) -> list[str]:
    """Make ``folder/sepsis-model``, link it to SEPSIS and sync it; summary lines."""
    from pmtool.storage.reader import reading

    with reading(location) as reader:
        tasks = reader.rows(
            "SELECT key, title, status, assignee, updated FROM v_task WHERE project = 'SEPSIS' "
            "ORDER BY number"
        )
    today = clock.today()

    def at(days_ago: int, hour: int) -> datetime:
        return datetime.combine(today - timedelta(days=days_ago), time(hour, 15), tzinfo=UTC)

    commits = [DemoCommit("Project layout, environment and CI", "Jonas Weber", at(60, 10))]
    done = [t for t in tasks if t["status"] == "done"]
    for index, task in enumerate(done[:10]):
        author = task["assignee"] or "Lena Vogel"
        days_ago = 55 - index * 5
        commits.append(
            DemoCommit(f"{gitsync.slug(task['title'], limit=60).replace('-', ' ').capitalize()}\n\n"
                       f"refs {task['key']}", author, at(days_ago, 11), file=f"src/step{index}.py")
        )  # fmt: skip
        commits.append(
            DemoCommit(f"Fixes {task['key']}: review comments", author, at(days_ago - 1, 15),
                       file=f"src/step{index}.py")
        )  # fmt: skip
    working = [t for t in tasks if t["status"] in ("in_progress", "review")]
    for index, task in enumerate(working[:2]):
        branch = f"{task['key'].lower()}-{gitsync.slug(task['title'])}"
        author = task["assignee"] or "Aylin Demir"
        commits.append(
            DemoCommit(f"{task['key']} First draft", author, at(3 - index, 9), branch=branch,
                       file=f"notebooks/{task['key'].lower()}.md")
        )  # fmt: skip
        commits.append(
            DemoCommit(f"{task['key']} Figures and notes", author, at(1, 14 + index),
                       branch=branch, file=f"notebooks/{task['key'].lower()}.md")
        )  # fmt: skip
    path = folder / REPOSITORY_NAME
    make_repository(path, commits)
    with writing(location, actor="Tom Richter", summary=f"git link {path} --done-on-merge") as gw:
        project = resolve.project(gw.reader, "SEPSIS")
        gitsync.link_repository(gw, project, str(path), done_on_merge=True)
    with writing(location, actor="Tom Richter", summary="git sync") as gw:
        rows = gitsync.repositories(gw.reader, [project["id"]])
        result = gitsync.sync_repository(gw, rows[0])
    return [
        f"a git repository {path} with {len(commits)} commits, linked and synced "
        f"({result.links} task links)"
    ]
