"""The dashboard: the running sprint with its burndown, my tasks, overdue work, and the
panels the domains register (services/read/dashboard.py), shown only when they have
something to say."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static
from textual.worker import get_current_worker

from pmtool.services.read.dashboard import registered_panels
from pmtool.tui.context import TuiContext
from pmtool.tui.messages import DashboardLoaded, OpenTask
from pmtool.tui.screens.base import DataScreen
from pmtool.tui.widgets.charts import BurndownChart, Meter
from pmtool.tui.widgets.footer import KeyFooter
from pmtool.tui.widgets.nav import NavBar
from pmtool.tui.widgets.table import TableColumn, TaskTable, show_status

MINI_COLUMNS = (
    TableColumn("key", "KEY", 10),
    TableColumn("title", "TITLE", 0),
    TableColumn("status", "STATUS", 11, drop_order=2, show=show_status),
    TableColumn("due", "DUE", 10, drop_order=1),
)


class DashboardScreen(DataScreen):
    MODE = "dashboard"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "app.focus_next", "Next list", show=False, id="dashboard.next"),
    ]

    def compose(self) -> ComposeResult:
        yield NavBar(self.MODE)
        with Grid(id="dashboard"):
            with Vertical(id="sprint-panel", classes="panel"):
                yield Static("Loading…", id="sprint-summary")
                yield BurndownChart(id="dashboard-burndown")
            with Vertical(id="mine-panel", classes="panel"):
                yield TaskTable(MINI_COLUMNS, id="my-tasks", show_header=False)
            with Vertical(id="overdue-panel", classes="panel"):
                yield TaskTable(
                    MINI_COLUMNS, id="overdue", show_header=False, empty_text="Nothing overdue."
                )
        with Horizontal(id="dashboard-panels"):
            for panel in registered_panels():
                with Vertical(id=f"panel-{panel.id}", classes="panel follow-up") as box:
                    box.border_title = panel.title
                    box.display = False
                    yield Static("", classes="panel-rows")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#sprint-panel").border_title = "Sprint"
        self.query_one("#mine-panel").border_title = "My tasks"
        self.query_one("#overdue-panel").border_title = "Overdue"

    def load(self, context: TuiContext) -> None:
        self._read(context)

    @work(thread=True, exclusive=True, group="dashboard-load", exit_on_error=False)
    def _read(self, context: TuiContext) -> None:
        from pmtool.core import clock
        from pmtool.services.read.dashboard import dashboard
        from pmtool.storage.reader import reading

        with reading(context.location) as reader:
            data = dashboard(
                reader,
                context.project_id,
                today=clock.today(),
                now=clock.utcnow(),
                me=context.actor,
            )
        if not get_current_worker().is_cancelled:
            self.post_message(DashboardLoaded(data))

    @on(DashboardLoaded)
    def _show(self, message: DashboardLoaded) -> None:
        data: dict[str, Any] = message.data
        self.query_one(NavBar).show_project(data["project"], data["project_name"])
        self._show_sprint(data["sprint"])
        mine = self.query_one("#my-tasks", TaskTable)
        mine.today = data["today"]
        mine.empty_text = f"Nothing open is assigned to {data['me']}."
        mine.set_rows(data["my_tasks"])
        mine_title = Content(f"My tasks · {data['me']} ({len(data['my_tasks'])})")
        self.query_one("#mine-panel").border_title = mine_title
        overdue = self.query_one("#overdue", TaskTable)
        overdue.today = data["today"]
        overdue.set_rows(data["overdue"])
        self.query_one("#overdue-panel").border_title = f"Overdue ({len(data['overdue'])})"
        self._show_panels(data["panels"])
        self.painted()

    def _show_sprint(self, sprint: dict[str, Any] | None) -> None:
        summary = self.query_one("#sprint-summary", Static)
        chart = self.query_one("#dashboard-burndown", BurndownChart)
        box = self.query_one("#sprint-panel")
        if sprint is None:
            box.border_title = "Sprint"
            summary.update(
                "No sprint is running.\nPlan and start one on the Sprints screen (4), "
                "or with `pmtool sprint start NAME`."
            )
            chart.display = False
            return
        box.border_title = Content(
            f"{sprint['name']} · day {sprint['day']} of {sprint['length_days']}"
        )
        done, total = sprint["done_points"], sprint["points"]
        lines = Table.grid(expand=True)
        lines.add_row(Text(sprint["goal"] or "(no goal set)", no_wrap=True, overflow="ellipsis"))
        lines.add_row(
            Meter(done, total, f"{done}/{total} pts ({round(100 * sprint['progress'])}%)")
        )
        lines.add_row(
            Text(
                f"{sprint['days_left']} days left · {sprint['tasks']} tasks · ends {sprint['end']}",
                no_wrap=True,
                overflow="ellipsis",
            )
        )
        summary.update(lines)
        chart.display = True
        chart.show(sprint["burndown"], sprint["committed"])

    def _show_panels(self, panels: list[dict[str, Any]]) -> None:
        """Show the panels that have something to say, hide the others (and the row)."""
        shown = {panel["id"]: panel for panel in panels}
        for box in self.query(".follow-up"):
            panel = shown.get((box.id or "").removeprefix("panel-"))
            box.display = panel is not None
            if panel is None:
                continue
            rows = panel["rows"]
            box.border_title = Content(f"{panel['title']} ({len(rows)})")
            text = box.query_one(".panel-rows", Static)
            text.update(
                Content("\n").join(panel_line(row) for row in rows[:20])
                if rows
                else Content(panel["empty_text"])
            )
        row = self.query_one("#dashboard-panels")
        row.display = bool(shown)
        tallest = max((len(panel["rows"]) or 1 for panel in panels), default=1)
        row.styles.height = min(tallest, PANEL_MAX_LINES) + 2  # and the border

    @on(TaskTable.Opened)
    def _open(self, message: TaskTable.Opened) -> None:
        self.post_message(OpenTask(message.key))


PANEL_MAX_LINES = 8  # more scroll inside the panel
LEVEL_STYLES = {"late": "$error", "soon": "$warning", "over": "$warning"}


def panel_line(row: dict[str, Any]) -> Content:
    """One panel row: the date (month-day), then the sentence, coloured by its level."""
    when = (row.get("when") or "")[5:]
    style = LEVEL_STYLES.get(row.get("level") or "", "")
    return Content.assemble((f"{when:5} ", style), row["text"])
