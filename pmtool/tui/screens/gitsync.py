"""Git: the linked repositories with their last sync, and the newest commits with the
tasks they cite; `s` syncs (git runs in the write worker, never on the event loop)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from pmtool.tui.context import TuiContext
from pmtool.tui.messages import OpenTask, SubmitWrite
from pmtool.tui.screens.base import DataScreen
from pmtool.tui.widgets.footer import KeyFooter
from pmtool.tui.widgets.nav import NavBar
from pmtool.tui.widgets.table import TableColumn, TaskTable
from pmtool.tui.writes import Outcome, WriteRequest

if TYPE_CHECKING:
    from pmtool.storage.gateway import Gateway
    from pmtool.storage.reader import Row

REPOSITORY_COLUMNS = (
    TableColumn("path", "REPOSITORY", 0),
    TableColumn("default_branch", "BRANCH", 12, drop_order=2),
    TableColumn("last_sync", "LAST SYNC", 17, show=lambda v: (v or "never")[:16].replace("T", " ")),
    TableColumn("commits", "COMMITS", 8, align_right=True),
    TableColumn("links", "LINKS", 6, align_right=True, drop_order=1),
)
COMMIT_COLUMNS = (
    TableColumn("date", "DATE", 10, show=lambda v: str(v or "")[:10]),
    TableColumn("sha", "SHA", 8, show=lambda v: str(v)[:7]),
    TableColumn("tasks", "TASKS", 12, show=lambda v: " ".join(v or [])),
    TableColumn("author", "AUTHOR", 16, drop_order=1),
    TableColumn("subject", "SUBJECT", 0),
)


@dataclass
class GitLoaded(Message, bubble=False):
    context: TuiContext
    repositories: list[Row]
    commits: list[Row]


def sync_request(project_key: str) -> WriteRequest:
    """`pmtool git sync` for the project, as one audited command."""

    def apply(gw: Gateway) -> Outcome:
        from pmtool.core.errors import Refused
        from pmtool.services import gitsync, resolve

        project_id, _ = resolve.project_ref(gw.reader, project_key)
        rows = gitsync.repositories(gw.reader, [project_id])
        if not rows:
            raise Refused("no linked repository: pmtool git link PATH")
        results = gitsync.sync_repositories(gw, rows)
        lines = []
        for result in results:
            name = result.path.rstrip("/").rsplit("/", 1)[-1]
            if result.error:
                lines.append(f"{name}: not synced: {result.error}")
                continue
            lines.append(
                f"{name}: {_count(result.commits, 'new commit')}, "
                f"{_count(len(result.applied), 'transition')}"
                + (f", {len(result.refused)} refused" if result.refused else "")
            )
            lines += [f"  {m.key} → {m.new_status}" for m in result.applied[:5]]
            lines += [f"  refused {r.key} → {r.status}: {r.reason}" for r in result.refused[:3]]
            if result.unknown:
                lines.append(f"  unknown tasks: {', '.join(result.unknown[:5])}")
        return Outcome("\n".join(lines))

    return WriteRequest(f"tui: git sync -p {project_key}", apply)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


class GitScreen(DataScreen):
    MODE = "git"
    AUTO_FOCUS = "#git-commits"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "sync", "Sync", id="git.sync"),
        Binding("tab", "app.focus_next", "Next list", show=False, id="git.next"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.repositories: list[Row] = []
        self.commits: list[Row] = []

    def compose(self) -> ComposeResult:
        yield NavBar(self.MODE)
        yield Static("", id="git-header")
        with Vertical(id="git-repositories-box", classes="panel"):
            yield TaskTable(
                REPOSITORY_COLUMNS,
                id="git-repositories",
                empty_text="No linked repository: pmtool git link PATH",
            )
        with Vertical(id="git-commits-box", classes="panel"):
            yield TaskTable(
                COMMIT_COLUMNS, id="git-commits", empty_text="No commits read yet: press s."
            )
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#git-repositories-box").border_title = "Linked repositories"
        self.query_one("#git-commits-box").border_title = "Recent commits (enter opens the task)"

    def load(self, context: TuiContext) -> None:
        self._read(context)

    @work(thread=True, exclusive=True, group="git-load", exit_on_error=False)
    def _read(self, context: TuiContext) -> None:
        from pmtool.services.read import gitsync
        from pmtool.storage.reader import reading

        with reading(context.location) as reader:
            repositories = gitsync.list_repositories(reader, context.project_id)
            commits = gitsync.recent_commits(reader, context.project_id, limit=200)
        if not get_current_worker().is_cancelled:
            self.post_message(GitLoaded(context, repositories, commits))

    @on(GitLoaded)
    def _show(self, message: GitLoaded) -> None:
        context = message.context
        self.query_one(NavBar).show_project(context.project_key, context.project_name)
        self.repositories = [dict(row, key=row["path"]) for row in message.repositories]
        # The cursor follows a commit by its sha; enter opens the first task it cites.
        self.commits = [dict(row, key=row["sha"]) for row in message.commits]
        linked = len(self.repositories)
        self.query_one("#git-header", Static).update(
            "No repository linked yet: pmtool git link PATH, then press s to sync."
            if not linked
            else f"{linked} linked {'repository' if linked == 1 else 'repositories'}, "
            f"{len(self.commits)} recent commits. s syncs."
        )
        self.query_one("#git-repositories", TaskTable).set_rows(self.repositories)
        self.query_one("#git-commits", TaskTable).set_rows(self.commits)
        self.painted()

    def action_sync(self) -> None:
        context = self.shell.context
        if context is None:
            return
        if not self.repositories:
            self.notify("No linked repository: pmtool git link PATH", severity="warning")
            return
        self.notify("Syncing…", timeout=2)
        self.post_message(SubmitWrite(sync_request(context.project_key)))

    @on(TaskTable.Opened)
    def _opened(self, message: TaskTable.Opened) -> None:
        if message.table.id != "git-commits":
            return
        row: dict[str, Any] | None = next(
            (c for c in self.commits if c["key"] == message.key), None
        )
        if row is None or not row["tasks"]:
            self.notify("This commit cites no task.", severity="information")
            return
        self.post_message(OpenTask(row["tasks"][0]))
