"""The task editor: a modal form that saves a new or changed task as one audited change.

Every field is checked with the services' own rules first; a problem shows next to
its field. Then the form asks the app to write the change and stays open until it is
stored: a refused change (a full column, a task changed meanwhile) shows its reason
in the form, and what was typed is kept. It returns the saved :class:`TaskForm`, or
None on Esc.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, TextArea

from pmtool.core import words as vocab
from pmtool.core.errors import InvalidInput
from pmtool.tui import writes
from pmtool.tui.messages import SubmitWrite, WriteRefused, Written
from pmtool.tui.writes import TaskForm

FIELD_NAMES = (
    "title", "type", "priority", "status", "points", "assignee", "sprint", "labels", "due",
    "parent", "description",
)  # fmt: skip


def _field(label: str, name: str, widget: Widget) -> Vertical:
    """A labelled field with room for its validation message."""
    return Vertical(
        Horizontal(Label(label, classes="field-label"), widget, classes="field-row"),
        Label("", id=f"error-{name}", classes="field-error"),
        classes="field",
        id=f"field-{name}",
    )


class TaskEditor(ModalScreen[TaskForm | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="editor.cancel"),
        Binding("ctrl+s", "save", "Save", id="editor.save"),
    ]

    def __init__(
        self,
        original: dict[str, Any] | None,
        form_choices: dict[str, Any],
        *,
        today: date,
        defaults: dict[str, Any] | None = None,
        project_key: str,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.original = original
        self.form_choices = form_choices
        self.today = today
        self.project_key = project_key
        self.saving: writes.WriteRequest | None = None  # written, not stored yet
        self.saved: TaskForm | None = None
        self.values: dict[str, Any] = dict(defaults or {})
        if original is not None:
            self.values.update(original)

    # Layout -----------------------------------------------------------------------

    def _select(self, name: str, options: list[str], blank: str | None) -> Select[str]:
        value = self.values.get(name)
        shown = list(options)
        if value and value not in shown:
            shown.append(value)  # e.g. a task still in a closed sprint
        return Select(
            [(option.replace("_", " "), option) for option in shown],
            prompt=blank or "",
            allow_blank=blank is not None,
            value=value if value else (Select.NULL if blank is not None else shown[0]),
            compact=True,
            id=name,
        )

    def compose(self) -> ComposeResult:
        values = self.values
        heading = f"Edit {self.original['key']}" if self.original is not None else "New task"
        statuses = list(self.form_choices["statuses"])
        with Vertical(classes="dialog editor"):
            yield Label(heading, classes="dialog-title")
            with VerticalScroll(id="editor-fields"):
                yield _field(
                    "Title",
                    "title",
                    Input(values.get("title", ""), id="title", compact=True),
                )
                with Horizontal(classes="field-pair"):
                    yield _field(
                        "Type",
                        "type",
                        Select(
                            [(t, t) for t in vocab.TASK_TYPES],
                            value=values.get("type", "task"),
                            allow_blank=False,
                            compact=True,
                            id="type",
                        ),
                    )
                    yield _field(
                        "Priority",
                        "priority",
                        Select(
                            [(p, p) for p in vocab.PRIORITIES],
                            value=values.get("priority", "medium"),
                            allow_blank=False,
                            compact=True,
                            id="priority",
                        ),
                    )
                with Horizontal(classes="field-pair"):
                    yield _field("Status", "status", self._select("status", statuses, None))
                    points = values.get("points")
                    yield _field(
                        "Points",
                        "points",
                        Input(
                            "" if points is None else str(points),
                            placeholder="none",
                            id="points",
                            compact=True,
                        ),
                    )
                with Horizontal(classes="field-pair"):
                    yield _field(
                        "Assignee",
                        "assignee",
                        self._select("assignee", self.form_choices["members"], "(nobody)"),
                    )
                    yield _field(
                        "Sprint",
                        "sprint",
                        self._select("sprint", self.form_choices["sprints"], "(backlog)"),
                    )
                with Horizontal(classes="field-pair"):
                    yield _field(
                        "Labels",
                        "labels",
                        Input(
                            ", ".join(values.get("labels", [])),
                            placeholder="data, privacy",
                            id="labels",
                            compact=True,
                        ),
                    )
                    yield _field(
                        "Due",
                        "due",
                        Input(
                            values.get("due") or "",
                            placeholder="2026-12-01, friday, +3d",
                            id="due",
                            compact=True,
                        ),
                    )
                yield _field(
                    "Parent",
                    "parent",
                    Input(
                        values.get("parent") or "", placeholder="KEY-N", id="parent", compact=True
                    ),
                )
                yield _field(
                    "Notes",
                    "description",
                    TextArea(
                        values.get("description") or "",
                        id="description",
                        compact=True,
                        soft_wrap=True,
                    ),
                )
            yield Label("", id="save-error", classes="save-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="save", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
                yield Label("ctrl+s saves · esc cancels", classes="dialog-detail")

    def on_mount(self) -> None:
        for label in self.query(".field-error, .save-error"):
            label.display = False
        self.query_one("#title", Input).focus()

    # Checking ---------------------------------------------------------------------

    def _text(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    def _choice(self, name: str) -> str | None:
        value = self.query_one(f"#{name}", Select).value
        return None if value is Select.NULL else str(value)

    def check(self) -> tuple[TaskForm | None, dict[str, str]]:
        """The form as typed, or the problems by field name."""
        from pmtool.core.dates import parse_date
        from pmtool.core.keys import parse_key
        from pmtool.core.validation import check_points, clean_text

        problems: dict[str, str] = {}

        def checked(name: str, check: Any) -> Any:
            try:
                return check()
            except InvalidInput as error:
                problems[name] = str(error)
                return None

        def title() -> str:
            return clean_text(self._text("title"), "the title", vocab.MAX_TITLE_LENGTH)

        def points() -> int | None:
            text = self._text("points").strip()
            if not text:
                return None
            try:
                return check_points(int(text))
            except ValueError:
                raise InvalidInput(f"{text!r} is not a whole number") from None

        def labels() -> tuple[str, ...]:
            found: list[str] = []
            for part in self._text("labels").split(","):
                if part.strip():
                    label = clean_text(part, "a label", 40)
                    if label not in found:
                        found.append(label)
            return tuple(found)

        def due() -> date | None:
            text = self._text("due").strip()
            return parse_date(text, today=self.today) if text else None

        def parent() -> str | None:
            text = self._text("parent").strip()
            if not text:
                return None
            project, number = parse_key(text)
            key = f"{project}-{number}"
            if self.original is not None and key == self.original["key"]:
                raise InvalidInput("a task cannot be its own parent")
            return key

        form_title = checked("title", title)
        form_points = checked("points", points)
        form_labels = checked("labels", labels)
        form_due = checked("due", due)
        form_parent = checked("parent", parent)
        description = self.query_one("#description", TextArea).text.strip() or None
        if problems:
            return None, problems
        return (
            TaskForm(
                title=form_title,
                task_type=self._choice("type") or "task",
                priority=self._choice("priority") or "medium",
                status=self._choice("status"),
                points=form_points,
                assignee=self._choice("assignee"),
                labels=form_labels or (),
                due=form_due,
                sprint=self._choice("sprint"),
                parent=form_parent,
                description=description,
            ),
            {},
        )

    def _show_problems(self, problems: dict[str, str]) -> None:
        for name in FIELD_NAMES:
            label = self.query_one(f"#error-{name}", Label)
            message = problems.get(name, "")
            label.update(Content(message))
            label.display = bool(message)
            self.query_one(f"#field-{name}").set_class(bool(message), "-invalid")
        if problems:
            first = next(name for name in FIELD_NAMES if name in problems)
            self.query_one(f"#{first}").focus()

    # Actions ----------------------------------------------------------------------

    def action_save(self) -> None:
        if self.saving is not None:
            return  # the change is on its way
        form, problems = self.check()
        self._show_problems(problems)
        self._show_refusal("")
        if form is None:
            return
        request = self._request(form)
        if request is None:
            assert self.original is not None  # a new task is always a change
            self.notify(f"Nothing changed in {self.original['key']}.")
            self.dismiss(None)
            return
        self.saving, self.saved = request, form
        self.post_message(SubmitWrite(request))

    def _request(self, form: TaskForm) -> writes.WriteRequest | None:
        """The change to write: a new task, or the fields changed (None: nothing)."""
        if self.original is None:
            return writes.create(form, self.project_key)
        changes = writes.changes_between(self.original, form)
        if changes.empty:
            return None
        return writes.edit(
            self.original["key"],
            changes,
            self.original["updated_at"],
            expected_version=self.original.get("version"),
        )

    @on(Written)
    def _stored(self, message: Written) -> None:
        if message.request is self.saving:
            self.dismiss(self.saved)

    @on(WriteRefused)
    def _refused(self, message: WriteRefused) -> None:
        if message.request is not self.saving:
            return
        self.saving = None
        self._show_refusal(f"Not saved: {message.reason}")

    def _show_refusal(self, reason: str) -> None:
        label = self.query_one("#save-error", Label)
        label.update(Content(reason))
        label.display = bool(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()
