"""Sprints: plan work against capacity, follow the burndown, compare velocity, close."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from pmtool.tui import writes
from pmtool.tui.context import TuiContext
from pmtool.tui.messages import OpenTask, SprintsLoaded, SubmitWrite
from pmtool.tui.screens.base import DataScreen
from pmtool.tui.widgets.charts import BurndownChart, Meter, VelocityChart
from pmtool.tui.widgets.footer import KeyFooter
from pmtool.tui.widgets.nav import NavBar
from pmtool.tui.widgets.table import TableColumn, TaskTable, show_status

PLAN_COLUMNS = (
    TableColumn("key", "KEY", 10),
    TableColumn("points", "PTS", 3, align_right=True),
    TableColumn("title", "TITLE", 0),
    TableColumn("status", "STATUS", 11, drop_order=1, show=show_status),
)
VIEWS = ("plan", "burndown", "velocity")
_SWITCH = Binding.Group("Sprint", compact=True)


class SprintsScreen(DataScreen):
    MODE = "sprints"
    AUTO_FOCUS = "#candidates"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "left_square_bracket",
            "cycle_sprint(-1)",
            "Previous sprint",
            key_display="[",
            group=_SWITCH,
            id="sprints.previous",
        ),
        Binding(
            "right_square_bracket",
            "cycle_sprint(1)",
            "Next sprint",
            key_display="]",
            group=_SWITCH,
            id="sprints.next",
        ),
        Binding("v", "next_view", "View", id="sprints.view"),
        Binding("left", "focus_list('#in-sprint')", "Sprint list", show=False, id="sprints.left"),
        Binding(
            "right", "focus_list('#candidates')", "Backlog list", show=False, id="sprints.right"
        ),
        Binding("a", "add_to_sprint", "Add", id="sprints.add"),
        Binding("r", "remove_from_sprint", "Remove", id="sprints.remove"),
        Binding("S", "start_sprint", "Start sprint", show=False, id="sprints.start"),
        Binding("C", "close_sprint", "Close sprint", show=False, id="sprints.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sprint: str | None = None
        self.sprints: list[dict[str, Any]] = []
        self.plan: dict[str, Any] | None = None
        self._project: int | None = None

    def compose(self) -> ComposeResult:
        yield NavBar(self.MODE)
        yield Static("", id="sprint-header")
        with TabbedContent(initial="plan", id="sprint-views"):
            with TabPane("Plan", id="plan"):
                yield Static("", id="capacity")
                with Horizontal(id="plan-lists"):
                    with Vertical(id="in-sprint-box", classes="panel"):
                        yield TaskTable(
                            PLAN_COLUMNS, id="in-sprint", empty_text="Nothing planned yet."
                        )
                    with Vertical(id="candidates-box", classes="panel"):
                        yield TaskTable(
                            PLAN_COLUMNS, id="candidates", empty_text="The backlog is empty."
                        )
            with TabPane("Burndown", id="burndown"):
                yield BurndownChart(id="sprint-burndown")
            with TabPane("Velocity", id="velocity"):
                yield VelocityChart(id="velocity-chart")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#in-sprint-box").border_title = "In the sprint"
        self.query_one("#candidates-box").border_title = "Backlog (a adds the selected task)"

    # Loading ----------------------------------------------------------------------

    def load(self, context: TuiContext) -> None:
        if self._project not in (None, context.project_id):
            self.sprint = None
        self._project = context.project_id
        self._read(context, self.sprint)

    @work(thread=True, exclusive=True, group="sprints-load", exit_on_error=False)
    def _read(self, context: TuiContext, wanted: str | None) -> None:
        from pmtool.core import clock
        from pmtool.services.read import metrics, planning
        from pmtool.storage.reader import reading

        with reading(context.location) as reader:
            sprints = planning.sprint_names(reader, context.project_id)
            names = [sprint["name"] for sprint in sprints]
            name = wanted if wanted in names else planning.default_sprint(sprints)
            plan = burndown = None
            if name is not None:
                plan = planning.plan(reader, context.project_id, name)
                _record, committed, rows = metrics.burndown(
                    reader, context.project_id, name, clock.today(), clock.utcnow()
                )
                burndown = (committed, rows)
            velocity = metrics.velocity(reader, context.project_id)
        average = metrics.average_velocity(velocity)
        if not get_current_worker().is_cancelled:
            self.post_message(SprintsLoaded(context, sprints, plan, burndown, velocity, average))

    @on(SprintsLoaded)
    def _show(self, message: SprintsLoaded) -> None:
        context = message.context
        self.query_one(NavBar).show_project(context.project_key, context.project_name)
        self.sprints = message.sprints
        plan = self.plan = message.plan
        header = self.query_one("#sprint-header", Static)
        if plan is None:
            self.sprint = None
            header.update("No sprints yet: plan one with `pmtool sprint add NAME --start DATE`.")
            self.query_one("#capacity", Static).update("")
            self.query_one("#in-sprint", TaskTable).set_rows([])
            self.query_one("#candidates", TaskTable).set_rows([])
        else:
            self.sprint = plan["name"]
            position = [s["name"] for s in self.sprints].index(plan["name"]) + 1
            goal = f" · {plan['goal']}" if plan["goal"] else ""
            text = Text(no_wrap=True, overflow="ellipsis")
            text.append(plan["name"], "bold")
            text.append(f" ({plan['status']}) · {plan['start']} → {plan['end']}{goal}")
            text.append(f"   {position}/{len(self.sprints)}, [ and ] switch", "dim")
            header.update(text)
            self._show_plan(plan)
        chart = self.query_one("#sprint-burndown", BurndownChart)
        if message.burndown is None:
            chart.show([], 0)
        else:
            committed, rows = message.burndown
            chart.show(rows, committed)
        self.query_one("#velocity-chart", VelocityChart).show(message.velocity, message.average)
        self.painted()

    def _show_plan(self, plan: dict[str, Any]) -> None:
        capacity, points = plan["capacity"], plan["points"]
        capacity_line = self.query_one("#capacity", Static)
        if capacity is None:
            capacity_line.update(
                Content(
                    f"Planned {points} points. No capacity set and no velocity yet "
                    f'(`pmtool sprint edit "{plan["name"]}" --capacity N`).'
                )
            )
            capacity_line.remove_class("over")
        else:
            source = "capacity" if plan["capacity_source"] == "capacity" else "average velocity"
            share = round(100 * points / capacity) if capacity else 0
            capacity_line.update(
                Meter(
                    points,
                    capacity,
                    f"{points} of {capacity} points planned ({share}% of the {source})",
                    over=points > capacity,
                )
            )
            capacity_line.set_class(points > capacity, "over")
        box_title = Content(f"In {plan['name']} ({len(plan['tasks'])} tasks, {points} points)")
        self.query_one("#in-sprint-box").border_title = box_title
        self.query_one("#in-sprint", TaskTable).set_rows(plan["tasks"])
        self.query_one("#candidates", TaskTable).set_rows(plan["candidates"])

    # Actions ----------------------------------------------------------------------

    def action_cycle_sprint(self, step: int) -> None:
        names = [sprint["name"] for sprint in self.sprints]
        if not names:
            return
        index = names.index(self.sprint) if self.sprint in names else 0
        self.sprint = names[(index + step) % len(names)]
        self.reload()

    def action_focus_list(self, selector: str) -> None:
        self.query_one(selector, TaskTable).focus()

    def action_next_view(self) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = VIEWS[(VIEWS.index(tabs.active) + 1) % len(VIEWS)]

    def action_show_view(self, view: str) -> None:
        self.query_one(TabbedContent).active = view

    def action_add_to_sprint(self) -> None:
        if self.plan is None:
            return
        if self.plan["status"] == "closed":
            self.notify(f"{self.plan['name']} is closed.", severity="warning")
            return
        candidates = self.query_one("#candidates", TaskTable)
        key = candidates.current_key
        if key is None:
            self.notify("No backlog task selected.", severity="warning")
            return
        self.post_message(SubmitWrite(writes.assign_sprint(key, self.plan["name"])))

    def action_remove_from_sprint(self) -> None:
        key = self.query_one("#in-sprint", TaskTable).current_key
        if key is None:
            self.notify("No task in the sprint selected.", severity="warning")
            return
        self.post_message(SubmitWrite(writes.assign_sprint(key, None)))

    def action_start_sprint(self) -> None:
        from pmtool.tui.screens.dialogs import ConfirmDialog

        plan, context = self.plan, self.shell.context
        if plan is None or context is None:
            return
        if plan["status"] != "planned":
            self.notify(f"{plan['name']} is {plan['status']}; only planned sprints start.")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                request = writes.start_sprint(context.project_key, plan["name"])
                self.post_message(SubmitWrite(request))

        self.app.push_screen(
            ConfirmDialog(
                f"Start {plan['name']}?",
                f"Its {plan['points']} points become the sprint's commitment.",
                "Start",
            ),
            confirmed,
        )

    def action_close_sprint(self) -> None:
        from pmtool.tui.screens.dialogs import ChoiceDialog

        plan, context = self.plan, self.shell.context
        if plan is None or context is None:
            return
        if plan["status"] != "active":
            self.notify(f"{plan['name']} is {plan['status']}; only the active sprint closes.")
            return
        options = [("backlog", "The backlog")] + [
            (s["name"], f"{s['name']} (starts {s['start']})")
            for s in self.sprints
            if s["status"] == "planned"
        ]
        unfinished = plan["unfinished_tasks"]
        title = (
            f"Close {plan['name']}: carry {unfinished} unfinished tasks "
            f"({plan['unfinished_points']} points) over to"
            if unfinished
            else f"Close {plan['name']}: every task is done. Confirm with"
        )

        def chosen(carry_to: str | None) -> None:
            if carry_to is not None:
                request = writes.close_sprint(context.project_key, plan["name"], carry_to)
                self.post_message(SubmitWrite(request))

        self.app.push_screen(ChoiceDialog(title, options, action="Close sprint"), chosen)

    @on(TaskTable.Opened)
    def _opened(self, message: TaskTable.Opened) -> None:
        self.post_message(OpenTask(message.key))
