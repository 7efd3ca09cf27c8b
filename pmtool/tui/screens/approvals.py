"""Approvals: ethics votes and data-protection records grouped by what they need, with
expiry countdowns; the selected one in full with its conditions. Keys submit, start the
review, decide and mark a condition met; everything else is on the command line."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static
from textual.worker import get_current_worker

from pmtool.core import clock
from pmtool.core.words import APPROVAL_KIND_NAMES
from pmtool.tui import writes
from pmtool.tui.context import TuiContext
from pmtool.tui.messages import ApprovalsLoaded, SubmitWrite
from pmtool.tui.screens.base import DataScreen
from pmtool.tui.widgets.footer import KeyFooter
from pmtool.tui.widgets.nav import NavBar
from pmtool.tui.widgets.table import TableColumn, TaskTable

APPROVAL_COLUMNS = (
    TableColumn("group_label", "GROUP", 10),
    TableColumn("key", "#", 3, align_right=True),
    TableColumn("kind", "KIND", 11, drop_order=2),
    TableColumn("state_short", "STATE", 22),
    TableColumn("title", "TITLE", 0),
    TableColumn("conditions_shown", "CONDITIONS", 10, drop_order=3),
)


class TextDialog(ModalScreen[str | None]):
    """One line of text; enter returns it, esc returns None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="text.cancel"),
    ]

    def __init__(self, title: str, placeholder: str = "", value: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text, self.placeholder, self.value = title, placeholder, value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.title_text), classes="dialog-title")
            yield Input(value=self.value, placeholder=self.placeholder, id="text-input")
            yield Static("enter: OK · esc: cancel", classes="dialog-detail")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


class ApprovalsScreen(DataScreen):
    MODE = "approvals"
    AUTO_FOCUS = "#approvals"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "submit", "Submit", id="approvals.submit"),
        Binding("r", "review", "Review", id="approvals.review"),
        Binding("d", "decide", "Decide", id="approvals.decide"),
        Binding("m", "condition_met", "Condition met", id="approvals.condition-met"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.details: dict[int, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        yield NavBar(self.MODE)
        with Horizontal(id="approvals-body"):
            with Vertical(id="approvals-box", classes="panel"):
                yield TaskTable(
                    APPROVAL_COLUMNS,
                    id="approvals",
                    empty_text="No approvals yet: pmtool approval add KIND --body NAME",
                    min_flexible=10,
                )
            with Vertical(id="approval-detail-box", classes="panel"), VerticalScroll():
                yield Static("", id="approval-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#approvals-box").border_title = "Approvals"
        self.query_one("#approval-detail-box").border_title = "Details"

    # Loading ----------------------------------------------------------------------

    def load(self, context: TuiContext) -> None:
        self._read(context)

    @work(thread=True, exclusive=True, group="approvals-load", exit_on_error=False)
    def _read(self, context: TuiContext) -> None:
        from pmtool.core import clock
        from pmtool.services.read import approvals
        from pmtool.storage.reader import reading

        today = clock.today()
        with reading(context.location) as reader:
            rows = approvals.screen_rows(reader, context.project_id, today)
            details = {row["id"]: approvals.show_approval(reader, row["id"], today) for row in rows}
        if not get_current_worker().is_cancelled:
            self.post_message(ApprovalsLoaded(context, rows, details))

    @on(ApprovalsLoaded)
    def _show(self, message: ApprovalsLoaded) -> None:
        context = message.context
        self.query_one(NavBar).show_project(context.project_key, context.project_name)
        previous = None
        for row in message.rows:
            row["group_label"] = row["group"] if row["group"] != previous else ""
            previous = row["group"]
            row["state_short"] = short_state(row)
            # Expired rows in the table's "overdue" colour.
            row["due"] = row["valid_until"] if row["status"] == "expired" else None
        self.rows, self.details = message.rows, message.details
        table = self.query_one("#approvals", TaskTable)
        table.today = clock.today().isoformat()
        table.set_rows(message.rows)
        self._show_detail()
        self.painted()

    @on(TaskTable.Opened)
    def _opened(self, message: TaskTable.Opened) -> None:
        """Enter: the next step of the selected approval's state machine."""
        record = self.current
        if record is None:
            return
        step = {
            "draft": self.action_submit,
            "submitted": self.action_review,
            "clarification_requested": self.action_review,
            "under_review": self.action_decide,
            "approved_with_conditions": self.action_condition_met,
        }.get(record["stored_status"])
        if step is None:
            self.notify(f"Approval {record['id']}: {record['state']}; nothing to do here.")
            return
        step()

    @on(TaskTable.Highlighted)
    def _highlighted(self, message: TaskTable.Highlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#approval-detail", Static)
        record = self.current
        if record is None:
            detail.update("")
            return
        detail.update(detail_text(record))

    @property
    def current(self) -> dict[str, Any] | None:
        key = self.query_one("#approvals", TaskTable).current_key
        return None if key is None else self.details.get(int(key))

    # Actions ----------------------------------------------------------------------

    def _selected(self, *states: str) -> dict[str, Any] | None:
        """The selected approval if it is in one of ``states`` (else a notification)."""
        record = self.current
        if record is None:
            self.notify("No approval selected.", severity="warning")
            return None
        if states and record["stored_status"] not in states:
            shown = record["stored_status"].replace("_", " ")
            self.notify(f"Approval {record['id']} is {shown}.", severity="warning")
            return None
        return record

    def action_submit(self) -> None:
        record = self._selected("draft")
        if record is None:
            return

        def entered(reference: str | None) -> None:
            if reference is not None:
                request = writes.approval_submit(record["id"], reference.strip() or None)
                self.post_message(SubmitWrite(request))

        self.app.push_screen(
            TextDialog(
                f"Submit approval {record['id']}: the body's reference number",
                "e.g. EA1/123/26",
                record["reference"] or "",
            ),
            entered,
        )

    def action_review(self) -> None:
        record = self._selected("submitted", "clarification_requested")
        if record is not None:
            self.post_message(SubmitWrite(writes.approval_review(record["id"])))

    def action_decide(self) -> None:
        from pmtool.tui.screens.dialogs import ChoiceDialog

        record = self._selected("submitted", "under_review")
        if record is None:
            return
        options = [
            ("approved", "Approved"),
            ("conditional", "Approved with conditions"),
            ("resubmit", "Resubmission requested"),
            ("rejected", "Rejected"),
        ]

        def chosen(outcome: str | None) -> None:
            if outcome in ("resubmit", "rejected"):
                self.post_message(SubmitWrite(writes.approval_decide(record["id"], outcome)))
            elif outcome is not None:
                self._ask_validity(record["id"], outcome)

        self.app.push_screen(
            ChoiceDialog(f"Decision on approval {record['id']}", options, action="Record"),
            chosen,
        )

    def _ask_validity(self, approval_id: int, outcome: str) -> None:
        def entered(text: str | None) -> None:
            if text is None:
                return
            from pmtool.core.dates import parse_date
            from pmtool.core.errors import InvalidInput

            try:
                valid_until = parse_date(text) if text.strip() else None
            except InvalidInput as error:
                self.notify(str(error), severity="error")
                return
            if outcome == "conditional":
                self._ask_conditions(approval_id, valid_until)
            else:
                request = writes.approval_decide(approval_id, outcome, valid_until=valid_until)
                self.post_message(SubmitWrite(request))

        self.app.push_screen(
            TextDialog("Valid until (empty: open-ended)", "e.g. 2027-11-30 or +1y"), entered
        )

    def _ask_conditions(self, approval_id: int, valid_until: date | None) -> None:
        def entered(text: str | None) -> None:
            if text is None:
                return
            conditions = tuple(part.strip() for part in text.split(";") if part.strip())
            request = writes.approval_decide(
                approval_id, "conditional", valid_until=valid_until, conditions=conditions
            )
            self.post_message(SubmitWrite(request))

        self.app.push_screen(
            TextDialog("The conditions, separated by ;", "e.g. Final consent form; Name a DPO"),
            entered,
        )

    def action_condition_met(self) -> None:
        from pmtool.tui.screens.dialogs import ChoiceDialog

        record = self._selected("approved_with_conditions")
        if record is None:
            return
        open_conditions = [c for c in record["condition_list"] if c["status"] == "open"]
        options = [(str(c["number"]), f"{c['number']}. {c['text']}") for c in open_conditions]

        def chosen(number: str | None) -> None:
            if number is None:
                return

            def entered(evidence: str | None) -> None:
                if evidence is not None:
                    request = writes.approval_condition_met(record["id"], int(number), evidence)
                    self.post_message(SubmitWrite(request))

            self.app.push_screen(
                TextDialog(f"Evidence that condition {number} is met", "e.g. letter of 20 Nov"),
                entered,
            )

        self.app.push_screen(
            ChoiceDialog(f"Which condition of approval {record['id']} is met?", options), chosen
        )


def short_state(row: dict[str, Any]) -> str:
    """The state in a few words for the table: ``conditional · 718 days``."""
    if row["status"] == "expired":
        return f"expired {-row['days_left']} days ago"
    words = {"approved_with_conditions": "conditional"}.get(row["status"], row["status"])
    words = words.replace("_", " ")
    if row["days_left"] is not None:
        left = row["days_left"]
        return f"{words} · {'ends today' if left == 0 else f'{left} days'}"
    return words


def detail_text(record: dict[str, Any]) -> Text:
    """One approval in full, for the details panel."""
    text = Text()
    kind = APPROVAL_KIND_NAMES.get(record["kind"], record["kind"])
    text.append(f"#{record['id']} {record['title']}\n", "bold")
    text.append(f"{kind} · {record['body']}\n")
    state_style = "bold red" if record["status"] in ("expired", "suspended") else "bold"
    text.append(record["state"], state_style)
    if record["days_left"] is not None and record["status"] != "expired":
        text.append(f" · {record['days_left']} days left")
    text.append("\n\n")
    facts = [
        ("Reference", record["reference"]),
        ("Applicant", record["applicant"]),
        ("Submitted", record["submitted_on"]),
        ("Decided", record["decided_on"]),
        ("Valid from", record["valid_from"]),
        ("Valid until", record["valid_until"]),
        ("Report due", record["next_report_due"]),
        ("Legal basis", record["legal_basis"]),
        ("Data form", record["data_form"]),
        ("DPO consulted", record["dpo_consulted_on"]),
        ("Documents", ", ".join(record["documents"])),
        ("Required by", ", ".join(record["required_by"])),
    ]
    for name, value in facts:
        if value:
            text.append(f"{name:<14}", "dim")
            text.append(f"{value}\n")
    if record["condition_list"]:
        text.append("\nConditions\n", "bold")
        for condition in record["condition_list"]:
            met = condition["status"] == "met"
            text.append("  ☑ " if met else "  ☐ ", "green" if met else "yellow")
            text.append(f"{condition['number']}. {condition['text']}")
            if met:
                text.append(f" (met {condition['met_on']})", "dim")
            elif condition["due"]:
                text.append(f" (due {condition['due']})", "dim")
            text.append("\n")
    if record["amendments"]:
        text.append("\nAmendments\n", "bold")
        for amendment in record["amendments"]:
            text.append(f"  {amendment['number']}. {amendment['summary']} ")
            text.append(f"({amendment['status']})\n", "dim")
    if record["incidents"]:
        text.append("\nIncidents\n", "bold")
        for incident in record["incidents"]:
            reported = incident["reported_on"]
            text.append(f"  {incident['occurred_on']} {incident['kind']}: {incident['summary']}")
            text.append(
                f" (reported {reported})\n" if reported else " (not reported)\n",
                "dim" if reported else "red",
            )
    return text
