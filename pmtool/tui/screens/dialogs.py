"""Small modal screens: confirm, choose one of several, help, and a task's details."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from pmtool.storage.location import DatabaseLocation
from pmtool.tui.messages import TaskDetailLoaded
from pmtool.tui.screens.base import ReportsWorkerErrors


class ConfirmDialog(ModalScreen[bool]):
    """Yes or no; Esc is no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(False)", "Cancel", id="confirm.cancel"),
        Binding("y", "dismiss(True)", "Yes", show=False, id="confirm.yes"),
    ]

    def __init__(self, question: str, detail: str = "", action: str = "OK") -> None:
        super().__init__(classes="dialog-screen")
        self.question, self.detail, self.action = question, detail, action

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.question), classes="dialog-title")
            if self.detail:
                yield Static(Content(self.detail), classes="dialog-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.action, variant="error", id="yes", compact=True)
                yield Button("Cancel", id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class ChoiceDialog(ModalScreen[str | None]):
    """One of several options by id; Esc returns None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="choice.cancel"),
    ]

    def __init__(
        self, title: str, options: list[tuple[str, str]], *, action: str | None = None
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text, self.options, self.action = title, options, action

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.title_text), classes="dialog-title")
            yield OptionList(
                *[Option(Content(label), id=option_id) for option_id, label in self.options],
                id="choices",
            )
            hint = f"enter: {self.action.lower()} · esc: cancel" if self.action else ""
            yield Static(hint or "enter: choose · esc: cancel", classes="dialog-detail")

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        choices.highlighted = 0 if self.options else None
        choices.focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class HelpScreen(ModalScreen[None]):
    """Every key of the screen below, and how to filter."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss(None)", "Close", id="help.close"),
    ]

    def __init__(self, bindings: list[tuple[str, str, str]], notes: str) -> None:
        super().__init__(classes="dialog-screen")
        self.bindings_shown, self.notes = bindings, notes

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, header_style="bold", expand=True)
        table.add_column("Key", no_wrap=True)
        table.add_column("Action")
        table.add_column("Where", style="dim", no_wrap=True)
        for key, description, where in self.bindings_shown:
            table.add_row(key, description, where)
        with Vertical(classes="dialog help"):
            yield Label("Keys (esc closes)", classes="dialog-title")
            with VerticalScroll():
                yield Static(table)
                yield Static(self.notes, classes="dialog-detail")


class TaskDetail(ReportsWorkerErrors, ModalScreen[str | None]):
    """A task with its description, subtasks and recent history; e edits it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close", id="detail.close"),
        Binding("e", "dismiss('edit')", "Edit", id="detail.edit"),
        Binding("delete", "dismiss('delete')", "Delete", key_display="del", id="detail.delete"),
    ]

    def __init__(self, location: DatabaseLocation, key: str) -> None:
        super().__init__(classes="dialog-screen")
        self.location, self.key = location, key
        self.task_title = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog detail"):
            yield Label(self.key, classes="dialog-title", id="detail-title")
            with VerticalScroll():
                yield Static("Loading…", id="detail-body")
            yield Static("e: edit · del: delete · esc: close", classes="dialog-detail")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()  # up/down/page keys scroll the details
        self._read(self.location, self.key)

    @work(thread=True, exclusive=True, group="detail-load", exit_on_error=False)
    def _read(self, location: DatabaseLocation, key: str) -> None:
        from pmtool.services.read.history import history
        from pmtool.services.read.tasks import task_row
        from pmtool.storage.reader import reading

        with reading(location) as reader:
            task = task_row(reader, key)
            changes = history(reader, task_key=key, limit=8)
        if not get_current_worker().is_cancelled:
            self.post_message(TaskDetailLoaded(task, changes))

    @on(TaskDetailLoaded)
    def _show(self, message: TaskDetailLoaded) -> None:
        task, changes = message.task, message.changes
        self.task_title = task["title"]
        self.query_one("#detail-title", Label).update(Content(f"{task['key']}  {task['title']}"))
        fields = Table.grid(padding=(0, 2))
        fields.add_column(style="bold", no_wrap=True)
        fields.add_column()
        for name in ("status", "type", "priority", "points", "assignee", "sprint", "due"):
            fields.add_row(name, "" if task[name] is None else str(task[name]))
        fields.add_row("labels", ", ".join(task["labels"]))
        fields.add_row("parent", task["parent"] or "")
        fields.add_row("subtasks", ", ".join(task["subtasks"]))
        if task.get("gates"):  # behind a closed approval gate
            fields.add_row("gated", Text("🔒 " + "; ".join(task["gates"]), style="yellow"))
        fields.add_row("updated", task["updated"] or "")
        body = Table.grid()
        body.add_row(fields)
        body.add_row(Text(""))
        body.add_row(Text(task["description"] or "(no description)", style="italic"))
        if changes:
            body.add_row(Text(""))
            body.add_row(Text("Recent changes", style="bold"))
            for change in changes:
                body.add_row(Text(_change_line(change), style="dim"))
        self.query_one("#detail-body", Static).update(body)


def _change_line(change: dict[str, Any]) -> str:
    at = str(change.get("at") or "")[:16].replace("T", " ")
    what = change.get("field") or change.get("action") or ""
    new = change.get("new")
    shown = "" if new is None else f" → {new}"
    return f"{at} {change.get('actor', '')}: {what}{shown}"
