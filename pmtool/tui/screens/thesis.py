"""Theses: the supervisor's overview (one row per thesis, riskiest first) and, below it,
the highlighted thesis's timeline; Enter opens the thesis with its whole plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import get_current_worker

from pmtool.storage.reader import Row
from pmtool.tui.context import TuiContext
from pmtool.tui.screens.base import DataScreen, ReportsWorkerErrors
from pmtool.tui.widgets.footer import KeyFooter
from pmtool.tui.widgets.nav import NavBar
from pmtool.tui.widgets.table import TableColumn, TaskTable

RISK_STYLES = {"high": "bold red", "medium": "yellow", "low": "green"}


def _days(value: Any) -> str:
    return "" if value is None else f"{value}d"


def _short_phase(value: Any) -> str:
    text = str(value or "")
    return {"preparation": "prep", "past deadline": "overdue"}.get(
        text, text.replace("week ", "wk ")
    )


def _short_approvals(value: Any) -> str:
    text = str(value or "")
    if text.startswith("missing: ") and ";" not in text:
        return f"{len(text.split(', '))} missing"
    return text.split(":")[0] if text.startswith("expired") else text or "-"


THESIS_COLUMNS = (
    TableColumn("key", "ID", 3, align_right=True),
    TableColumn("student", "STUDENT", 18),
    TableColumn("phase", "PHASE", 8, show=_short_phase),
    TableColumn("next_milestone", "NEXT", 0),
    TableColumn("next_due", "DUE", 10, drop_order=3),
    TableColumn("days_to_deadline", "DAYS", 5, align_right=True, show=_days),
    TableColumn("overdue", "LATE", 4, align_right=True),
    TableColumn("approvals", "APPROVALS", 10, drop_order=2, show=_short_approvals),
    TableColumn("last_meeting", "MET", 10, drop_order=4),
    TableColumn("risk", "RISK", 6),
)


@dataclass
class ThesesLoaded(Message, bubble=False):
    context: TuiContext
    rows: list[Row]


@dataclass
class ThesisDetailLoaded(Message, bubble=False):
    thesis_id: int
    record: Row
    milestones: list[Row]
    today: date


def timeline_text(milestones: list[Row], today: date, width: int) -> Text:
    """The timeline of read/thesis.py, late lines in red and today's line marked."""
    from pmtool.services.read.thesis import timeline

    text = Text(no_wrap=True, overflow="ellipsis")
    for index, line in enumerate(timeline(milestones, today, width)):
        if index:
            text.append("\n")
        style = "red" if line.endswith("late") else ("dim" if index == 0 else "")
        text.append(line, style)
    return text


def detail_header(record: Row) -> Text:
    text = Text()
    text.append(f"{record['student']}", "bold")
    text.append(f" · {record['title']}\n")
    text.append(
        f"{record['status']} · {record['phase']} · start {record['start']} · deadline "
        f"{record['deadline']}"
    )
    if record.get("defence"):
        text.append(f" · defence {record['defence']}")
    if record.get("confidential_until"):
        text.append(f" · Sperrvermerk until {record['confidential_until']}")
    text.append("\nrisk ")
    text.append(str(record["risk"]), RISK_STYLES.get(str(record["risk"]), ""))
    if record["reasons"]:
        text.append(": " + "; ".join(record["reasons"]))
    return text


class ThesesScreen(DataScreen):
    MODE = "theses"
    AUTO_FOCUS = "#theses"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_thesis", "Open thesis", id="theses.open"),
        Binding("d", "next_done", "Next milestone done", id="theses.done"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []
        self.detail_id: int | None = None
        self.next_open: dict[int, Row] = {}  # thesis id -> its first open milestone

    def compose(self) -> ComposeResult:
        yield NavBar(self.MODE)
        yield Static("", id="theses-header")
        with Vertical(id="theses-box", classes="panel"):
            yield TaskTable(
                THESIS_COLUMNS,
                id="theses",
                empty_text="No theses yet: pmtool thesis add STUDENT --title T --start DATE",
            )
        with VerticalScroll(id="thesis-timeline-box", classes="panel"):
            yield Static("", id="thesis-timeline")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#theses-box").border_title = "Supervisor overview (riskiest first)"
        self.query_one("#thesis-timeline-box").border_title = "Timeline"

    # Loading ----------------------------------------------------------------------

    def load(self, context: TuiContext) -> None:
        self._read(context)

    @work(thread=True, exclusive=True, group="theses-load", exit_on_error=False)
    def _read(self, context: TuiContext) -> None:
        from pmtool.core import clock
        from pmtool.services.read import thesis as read
        from pmtool.storage.reader import reading

        with reading(context.location) as reader:
            exists = reader.tuples(
                "SELECT 1 FROM sqlite_master WHERE name = 'thesis'"
                if reader.dialect == "sqlite"
                else "SELECT 1 FROM information_schema.tables WHERE table_name = 'thesis'"
            )
            rows = read.overview_rows(reader, clock.today()) if exists else []
        for row in rows:
            row["key"] = str(row["id"])
        if not get_current_worker().is_cancelled:
            self.post_message(ThesesLoaded(context, rows))

    @on(ThesesLoaded)
    def _show(self, message: ThesesLoaded) -> None:
        context = message.context
        self.query_one(NavBar).show_project(context.project_key, context.project_name)
        self.rows = message.rows
        table = self.query_one("#theses", TaskTable)
        table.set_rows(message.rows)
        high = sum(1 for row in message.rows if row["risk"] == "high")
        header = Text(no_wrap=True, overflow="ellipsis")
        header.append(f"{len(message.rows)} theses in progress")
        if high:
            header.append(f" · {high} at high risk", "bold red")
        header.append("   Enter opens a thesis; `pmtool thesis overview` prints this", "dim")
        self.query_one("#theses-header", Static).update(header)
        self._load_detail(table.current_key)
        self.painted()

    @on(TaskTable.Highlighted)
    def _highlighted(self, message: TaskTable.Highlighted) -> None:
        self._load_detail(message.key)

    def _load_detail(self, key: str | None) -> None:
        context = self.shell.context
        if key is None or context is None:
            self.detail_id = None
            self.query_one("#thesis-timeline", Static).update("")
            return
        self.detail_id = int(key)
        self._read_detail(context, int(key))

    @work(thread=True, exclusive=True, group="thesis-detail", exit_on_error=False)
    def _read_detail(self, context: TuiContext, thesis_id: int) -> None:
        from pmtool.core import clock
        from pmtool.services.read import thesis as read
        from pmtool.storage.reader import reading

        today = clock.today()
        with reading(context.location) as reader:
            record = reader.rows("SELECT * FROM thesis WHERE id = :id", {"id": thesis_id})
            if not record:
                return
            shown = read.show_thesis(reader, record[0], today)
            milestones = read.milestone_rows(reader, record[0], today)
        if not get_current_worker().is_cancelled:
            self.post_message(ThesisDetailLoaded(thesis_id, shown, milestones, today))

    @on(ThesisDetailLoaded)
    def _show_detail(self, message: ThesisDetailLoaded) -> None:
        if message.thesis_id != self.detail_id:
            return
        first_open = next((m for m in message.milestones if m["done"] is None), None)
        if first_open is None:
            self.next_open.pop(message.thesis_id, None)
        else:
            self.next_open[message.thesis_id] = first_open
        box = self.query_one("#thesis-timeline-box")
        box.border_title = f"Timeline: {message.record['student']}"
        width = max(box.size.width - 4, 40)
        self.query_one("#thesis-timeline", Static).update(
            timeline_text(message.milestones, message.today, width)
        )

    # Actions ----------------------------------------------------------------------

    @on(TaskTable.Opened)
    def _opened(self, message: TaskTable.Opened) -> None:
        self.open_thesis(int(message.key))

    def action_open_thesis(self) -> None:
        key = self.query_one("#theses", TaskTable).current_key
        if key is not None:
            self.open_thesis(int(key))

    def action_next_done(self) -> None:
        """Mark the highlighted thesis's first open milestone done today, after a yes."""
        from pmtool.tui import writes
        from pmtool.tui.messages import SubmitWrite
        from pmtool.tui.screens.dialogs import ConfirmDialog

        key = self.query_one("#theses", TaskTable).current_key
        milestone = self.next_open.get(int(key)) if key is not None else None
        if key is None or milestone is None:
            self.notify("No open milestone to mark done.", severity="warning")
            return
        thesis_id, number = int(key), int(milestone["number"])

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.post_message(SubmitWrite(writes.thesis_milestone_done(thesis_id, number)))

        self.app.push_screen(
            ConfirmDialog(
                f"Milestone {number} done today?",
                f"{milestone['title']} (due {milestone['due']})",
                "Done",
            ),
            confirmed,
        )

    def open_thesis(self, thesis_id: int) -> None:
        context = self.shell.context
        if context is not None:
            self.app.push_screen(ThesisDetail(context, thesis_id))


class ThesisDetail(ReportsWorkerErrors, ModalScreen[None]):
    """One thesis: where it stands, its timeline and its plan; Esc closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close", id="thesis-detail.close"),
    ]

    def __init__(self, context: TuiContext, thesis_id: int) -> None:
        super().__init__(classes="dialog-screen")
        self.context = context
        self.thesis_id = thesis_id
        self.loaded = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="thesis-detail"):
            yield Static("Loading…", id="thesis-detail-header")
            yield Static("", id="thesis-detail-timeline")
            yield Static("", id="thesis-detail-plan")

    def on_mount(self) -> None:
        self._read(self.context, self.thesis_id)

    @work(thread=True, exclusive=True, group="thesis-open", exit_on_error=False)
    def _read(self, context: TuiContext, thesis_id: int) -> None:
        from pmtool.core import clock
        from pmtool.services.read import thesis as read
        from pmtool.storage.reader import reading

        today = clock.today()
        with reading(context.location) as reader:
            record = reader.rows("SELECT * FROM thesis WHERE id = :id", {"id": thesis_id})[0]
            shown = read.show_thesis(reader, record, today)
            milestones = read.milestone_rows(reader, record, today)
        if not get_current_worker().is_cancelled:
            self.post_message(ThesisDetailLoaded(thesis_id, shown, milestones, today))

    @on(ThesisDetailLoaded)
    def _show(self, message: ThesisDetailLoaded) -> None:
        self.query_one("#thesis-detail-header", Static).update(detail_header(message.record))
        width = max(self.query_one("#thesis-detail").size.width - 4, 40)
        self.query_one("#thesis-detail-timeline", Static).update(
            timeline_text(message.milestones, message.today, width)
        )
        plan = Text(no_wrap=True, overflow="ellipsis")
        for milestone in message.milestones:
            style = {"late": "red", "done": "dim", "due": "yellow"}.get(milestone["state"], "")
            mark = "*" if milestone["critical"] else " "
            needs = f"  needs {', '.join(milestone['needs'])}" if milestone["needs"] else ""
            plan.append(
                f"{milestone['number']:>2}{mark} {milestone['due']}  {milestone['state']:<5} "
                f"{milestone['title']}{needs}\n",
                style,
            )
        plan.append("* on the critical path (the submission waits for it)", "dim")
        self.query_one("#thesis-detail-plan", Static).update(plan)
        self.loaded = True
