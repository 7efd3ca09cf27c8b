"""The git screen: linked repositories, recent commits, sync in the write worker."""

from __future__ import annotations

import json
from pathlib import Path

from gitrepos import Repo
from tui_helpers import Invoke, MakeApp, after_write, notifications, settled, wait_for

from pmtool.tui.screens.gitsync import GitScreen
from pmtool.tui.widgets.table import TaskTable

SIZE = (120, 36)


def status_of(run: Invoke, key: str) -> str:
    return str(json.loads(run("task", "show", key, "--format", "json").output)["status"])


async def test_the_git_screen_syncs_and_opens_the_cited_task(
    make_app: MakeApp, run: Invoke, tmp_path: Path
) -> None:
    repo = Repo(tmp_path / "sepsis-model")
    repo.commit("Initial layout")
    assert run("-p", "SEPSIS", "git", "link", str(repo.path)).exit_code == 0
    open_key = next(
        row["key"]
        for row in json.loads(run("-p", "SEPSIS", "task", "list", "--format", "json").output)
        if row["status"] == "todo"
    )
    repo.commit(f"Fixes {open_key}: done from a commit")
    app = make_app("dashboard")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("8")
        await wait_for(pilot, lambda: isinstance(app.screen, GitScreen))
        await settled(pilot)
        screen = app.screen
        repositories = screen.query_one("#git-repositories", TaskTable).rows
        assert [(r["default_branch"], r["last_sync"]) for r in repositories] == [("main", None)]
        assert screen.query_one("#git-commits", TaskTable).rows == []
        before = app.writes_done
        await pilot.press("s")
        await after_write(pilot, before)
        assert any(f"{open_key} → done" in text for text in notifications(app))
        commits = screen.query_one("#git-commits", TaskTable).rows
        assert (commits[0]["subject"], commits[0]["tasks"]) == (
            f"Fixes {open_key}: done from a commit",
            [open_key],
        )
        assert status_of(run, open_key) == "done"
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "TaskDetail")
