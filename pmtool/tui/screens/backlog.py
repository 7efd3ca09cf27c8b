"""The backlog: every task, filtered and sorted in memory, drawn only where it is seen."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Input, Label, Static
from textual.worker import get_current_worker

from pmtool.core.errors import InvalidInput
from pmtool.core.words import is_none_word
from pmtool.tui import writes
from pmtool.tui.context import TuiContext
from pmtool.tui.filtering import FILTER_PROMPT, SORT_FIELDS, filter_rows, sort_rows
from pmtool.tui.messages import (
    BacklogLoaded,
    ChooseSprint,
    DeleteTask,
    EditTask,
    NewTask,
    OpenTask,
    SubmitWrite,
)
from pmtool.tui.screens.base import DataScreen
from pmtool.tui.widgets.footer import KeyFooter
from pmtool.tui.widgets.nav import NavBar
from pmtool.tui.widgets.table import TaskTable

FIRST_PAGE = 200  # rows read before the rest, enough for a tall terminal


def _number(rows: list[dict[str, Any]]) -> None:
    """Remember the board order, the order the list returns to."""
    for order, row in enumerate(rows):
        row["board_order"] = order


def parse_points(text: str) -> int | None:
    """Points as typed inline: blank clears the estimate."""
    from pmtool.core.validation import check_points

    cleaned = text.strip()
    if not cleaned or is_none_word(cleaned):
        return None
    try:
        value = int(cleaned)
    except ValueError:
        raise InvalidInput(f"{cleaned!r} is not a whole number") from None
    return check_points(value)


class BacklogScreen(DataScreen):
    MODE = "backlog"
    AUTO_FOCUS = "#backlog-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filter", "Filter", key_display="/", id="backlog.filter"),
        Binding("escape", "leave_input", "Back to list", show=False, id="backlog.escape"),
        Binding("o", "sort_next", "Sort", id="backlog.sort"),
        Binding("O", "sort_reverse", "Reverse sort", show=False, id="backlog.sort-reverse"),
        Binding("a", "assign_sprint", "Sprint", id="backlog.assign"),
        Binding("p", "estimate", "Points", id="backlog.estimate"),
        Binding("e", "edit", "Edit", id="backlog.edit"),
        Binding("n", "new", "New", id="backlog.new"),
        Binding("delete", "delete", "Delete", show=False, id="backlog.delete"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.all_rows: list[dict[str, Any]] = []
        self.sort_field = "rank"
        self.sort_descending = False
        self._estimating: str | None = None
        self.total = 0  # tasks in the project; more than all_rows while loading
        self._project: int | None = None

    def compose(self) -> ComposeResult:
        yield NavBar(self.MODE)
        yield Input(placeholder=FILTER_PROMPT, id="filter", compact=True)
        yield TaskTable(id="backlog-table", empty_text="No tasks match.", min_flexible=26)
        with Horizontal(id="estimate-bar"):
            yield Label("", id="estimate-label")
            yield Input(id="estimate-input", compact=True, restrict=r"[0-9a-z\-]*")
            yield Label("", id="estimate-error", classes="field-error")
        yield Static("", id="backlog-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#estimate-bar").display = False

    # Loading ----------------------------------------------------------------------

    def load(self, context: TuiContext) -> None:
        if self._project not in (None, context.project_id):
            self.all_rows = []
        self._project = context.project_id
        self._read(context, first_page=not self.all_rows)

    @work(thread=True, exclusive=True, group="backlog-load", exit_on_error=False)
    def _read(self, context: TuiContext, *, first_page: bool) -> None:
        """A screenful first, so the list appears at once; the rest after it is painted."""
        from pmtool.core import clock
        from pmtool.services.read.board import all_tasks, first_tasks
        from pmtool.storage.reader import reading

        today = clock.today().isoformat()
        with reading(context.location) as reader:
            if first_page:
                rows, total = first_tasks(reader, context.project_id, FIRST_PAGE)
            else:
                rows = all_tasks(reader, context.project_id)
                total = len(rows)
        _number(rows)
        if not get_current_worker().is_cancelled:
            self.post_message(BacklogLoaded(rows, total, today, context))

    @on(BacklogLoaded)
    def _show(self, message: BacklogLoaded) -> None:
        context = message.context
        self.all_rows = message.rows
        self.total = message.total
        self.query_one(NavBar).show_project(context.project_key, context.project_name)
        self.query_one(TaskTable).today = message.today
        self._apply()
        self.painted()
        if len(message.rows) < message.total:
            self.call_after_refresh(self._read, context, first_page=False)

    def _apply(self, keep: str | None = None) -> None:
        table = self.query_one(TaskTable)
        shown = filter_rows(self.all_rows, self.query_one("#filter", Input).value)
        shown = sort_rows(shown, self.sort_field, self.sort_descending)
        table.set_sort(None if self.sort_field == "rank" else self.sort_field, self.sort_descending)
        table.set_rows(shown, keep=keep)
        points = sum(row["points"] or 0 for row in shown)
        order = "board order" if self.sort_field == "rank" else self.sort_field
        direction = " (reversed)" if self.sort_descending else ""
        loading = " (loading the rest…)" if len(self.all_rows) < self.total else ""
        self.query_one("#backlog-status", Static).update(
            f"{len(shown):,} of {self.total:,} tasks{loading} · {points:,} points · "
            f"sorted by {order}{direction}"
        )

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self._apply()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.query_one(TaskTable).focus()

    # Sorting ----------------------------------------------------------------------

    def action_sort_next(self) -> None:
        index = SORT_FIELDS.index(self.sort_field)
        self.sort_field = SORT_FIELDS[(index + 1) % len(SORT_FIELDS)]
        self.sort_descending = False
        self._apply()

    def action_sort_reverse(self) -> None:
        self.sort_descending = not self.sort_descending
        self._apply()

    @on(TaskTable.HeaderClicked)
    def _header_clicked(self, message: TaskTable.HeaderClicked) -> None:
        if message.field == self.sort_field:
            self.sort_descending = not self.sort_descending
        else:
            self.sort_field, self.sort_descending = message.field, False
        self._apply()

    # Actions ----------------------------------------------------------------------

    def _current_key(self) -> str | None:
        key = self.query_one(TaskTable).current_key
        if key is None:
            self.notify("No task selected.", severity="warning")
        return key

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_leave_input(self) -> None:
        if self._estimating is not None:
            self._close_estimate()
        self.query_one(TaskTable).focus()

    def action_assign_sprint(self) -> None:
        key = self._current_key()
        if key is None:
            return

        def chosen(name: str | None) -> None:
            if name is not None:
                sprint = None if name == "-" else name
                self.post_message(SubmitWrite(writes.assign_sprint(key, sprint)))

        self.post_message(ChooseSprint(chosen, title=f"Plan {key} into", include_backlog=True))

    def action_estimate(self) -> None:
        row = self.query_one(TaskTable).current
        if row is None:
            self.notify("No task selected.", severity="warning")
            return
        self._estimating = str(row["key"])
        self.query_one("#estimate-label", Label).update(
            f"Points for {row['key']} (blank clears, enter saves, esc cancels):"
        )
        self.query_one("#estimate-error", Label).update("")
        field = self.query_one("#estimate-input", Input)
        field.value = "" if row["points"] is None else str(row["points"])
        self.query_one("#estimate-bar").display = True
        field.focus()

    @on(Input.Submitted, "#estimate-input")
    def _estimate_submitted(self, message: Input.Submitted) -> None:
        if self._estimating is None:
            return
        try:
            points = parse_points(message.value)
        except InvalidInput as error:
            self.query_one("#estimate-error", Label).update(Content(str(error)))
            message.input.add_class("-invalid")
            return
        key = self._estimating
        self._close_estimate()
        self.query_one(TaskTable).focus()
        self.post_message(SubmitWrite(writes.estimate(key, points)))

    def _close_estimate(self) -> None:
        self._estimating = None
        self.query_one("#estimate-input", Input).remove_class("-invalid")
        self.query_one("#estimate-bar").display = False

    def action_edit(self) -> None:
        key = self._current_key()
        if key is not None:
            self.post_message(EditTask(key))

    def action_new(self) -> None:
        self.post_message(NewTask())

    def action_delete(self) -> None:
        row = self.query_one(TaskTable).current
        if row is not None:
            self.post_message(DeleteTask(str(row["key"]), str(row["title"])))

    @on(TaskTable.Opened)
    def _opened(self, message: TaskTable.Opened) -> None:
        self.post_message(OpenTask(message.key))
