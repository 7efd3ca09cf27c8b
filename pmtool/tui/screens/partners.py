"""Partners: the stakeholders, their power/interest grid, follow-ups and agreements.

Shift+arrows move the selected person on the grid (power up and down, interest left
and right), `c` logs a contact, `t` turns their oldest open follow-up into a task.
Contact details are personal data: this screen shows names and roles, never email
addresses or phone numbers (`pmtool stakeholder show NAME` has them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static
from textual.worker import get_current_worker

from pmtool.storage.reader import Row
from pmtool.tui import writes
from pmtool.tui.context import TuiContext
from pmtool.tui.messages import SubmitWrite
from pmtool.tui.screens.base import DataScreen
from pmtool.tui.widgets.footer import KeyFooter
from pmtool.tui.widgets.nav import NavBar
from pmtool.tui.widgets.table import TableColumn, TaskTable

PEOPLE_COLUMNS = (
    TableColumn("name", "NAME", 0),
    TableColumn("role", "ROLE", 18, drop_order=2),
    TableColumn("power", "P", 1, align_right=True),
    TableColumn("interest", "I", 1, align_right=True),
    TableColumn("quadrant", "QUADRANT", 14, drop_order=1),
    TableColumn("next_follow_up", "FOLLOW-UP", 10, drop_order=3),
)


@dataclass
class PartnersLoaded(Message, bubble=False):
    context: TuiContext
    people: list[Row]
    quadrants: list[Row]
    follow_ups: list[Row]
    agreements: list[Row]


@dataclass(frozen=True)
class ContactForm:
    kind: str
    summary: str
    follow_up: date | None


class ContactDialog(ModalScreen[ContactForm | None]):
    """Log a meeting, email or call: kind, summary, follow-up date (optional)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="contact.cancel"),
    ]

    def __init__(self, person: str) -> None:
        super().__init__(classes="dialog-screen")
        self.person = person

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(f"Log a contact with {self.person}"), classes="dialog-title")
            yield Select(
                [("meeting", "meeting"), ("call", "call"), ("email", "email")],
                value="meeting",
                allow_blank=False,
                id="contact-kind",
            )
            yield Input(placeholder="What was it about?", id="contact-summary")
            yield Input(
                placeholder="Follow up on (e.g. +1w, friday; empty: none)", id="contact-due"
            )
            yield Static("", id="contact-error", classes="dialog-detail")
            yield Static("enter: next field, then save · esc: cancel", classes="dialog-detail")

    def on_mount(self) -> None:
        self.query_one("#contact-summary", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        from pmtool.core.dates import parse_date
        from pmtool.core.errors import InvalidInput

        if event.input.id == "contact-summary" and event.value.strip():
            self.query_one("#contact-due", Input).focus()  # enter moves on, like a form
            return
        summary = self.query_one("#contact-summary", Input).value.strip()
        due_text = self.query_one("#contact-due", Input).value.strip()
        error = self.query_one("#contact-error", Static)
        if not summary:
            error.update("The summary cannot be empty.")
            self.query_one("#contact-summary", Input).focus()
            return
        follow_up = None
        if due_text:
            try:
                follow_up = parse_date(due_text)
            except (InvalidInput, ValueError, OverflowError) as problem:
                error.update(Content(f"Follow-up: {problem}"))
                self.query_one("#contact-due", Input).focus()
                return
        kind = str(self.query_one("#contact-kind", Select).value)
        self.dismiss(ContactForm(kind, summary, follow_up))


class StakeholderDetail(ModalScreen[None]):
    """Everything about one stakeholder but their contact details; Esc closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close", id="stakeholder.close"),
    ]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text, self.lines = title, lines

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.title_text), classes="dialog-title")
            yield Static(Content("\n".join(self.lines)), id="stakeholder-lines")
            yield Static("esc: close", classes="dialog-detail")


class PartnersScreen(DataScreen):
    MODE = "partners"
    AUTO_FOCUS = "#people"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "shift+up",
            "nudge(1, 0)",
            "Move on the grid",
            key_display="⇧+arrows",
            id="partners.power-up",
        ),
        Binding("shift+down", "nudge(-1, 0)", "Power −", show=False, id="partners.power-down"),
        Binding("shift+right", "nudge(0, 1)", "Interest +", show=False, id="partners.interest-up"),
        Binding(
            "shift+left", "nudge(0, -1)", "Interest −", show=False, id="partners.interest-down"
        ),
        Binding("c", "log_contact", "Log contact", id="partners.contact"),
        Binding("t", "follow_up_task", "Follow-up → task", id="partners.task"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.people: list[Row] = []
        self.quadrants: list[Row] = []
        self.follow_ups: list[Row] = []
        self.agreements: list[Row] = []

    def compose(self) -> ComposeResult:
        yield NavBar(self.MODE)
        with Horizontal(id="partners-body"):
            with Vertical(id="people-box", classes="panel"):
                yield TaskTable(
                    PEOPLE_COLUMNS,
                    id="people",
                    empty_text="No stakeholders yet: pmtool stakeholder add NAME --power N "
                    "--interest N",
                )
            with Vertical(id="partners-side"):
                yield Static("", id="stakeholder-grid", classes="panel")
                yield Static("", id="stakeholder-detail", classes="panel")
                yield Static("", id="agreements", classes="panel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#people-box").border_title = "Stakeholders"
        self.query_one("#stakeholder-grid").border_title = "Power / interest"
        self.query_one("#stakeholder-detail").border_title = "Contact log"
        self.query_one("#agreements").border_title = "Agreements"

    # Loading ----------------------------------------------------------------------

    def load(self, context: TuiContext) -> None:
        self._read(context)

    @work(thread=True, exclusive=True, group="partners-load", exit_on_error=False)
    def _read(self, context: TuiContext) -> None:
        from pmtool.core import clock
        from pmtool.services.read import partners
        from pmtool.storage.reader import reading

        today = clock.today()
        with reading(context.location) as reader:
            people = partners.list_stakeholders(reader)
            quadrants = partners.grid(reader)
            follow_ups = partners.list_contacts(reader, today)
            agreements = partners.list_agreements(reader, today)
        if not get_current_worker().is_cancelled:
            self.post_message(PartnersLoaded(context, people, quadrants, follow_ups, agreements))

    @on(PartnersLoaded)
    def _show(self, message: PartnersLoaded) -> None:
        context = message.context
        self.query_one(NavBar).show_project(context.project_key, context.project_name)
        self.people = [{**row, "key": f"#{row['id']}"} for row in message.people]
        self.quadrants = message.quadrants
        self.follow_ups = message.follow_ups
        self.agreements = message.agreements
        self.query_one("#people", TaskTable).set_rows(self.people)
        self._show_selected()
        self._show_agreements()
        self.painted()

    def selected(self) -> Row | None:
        key = self.query_one("#people", TaskTable).current_key
        return next((row for row in self.people if row["key"] == key), None)

    def _show_selected(self) -> None:
        from pmtool.services.read.partners import draw_grid

        person = self.selected()
        grid = self.query_one("#stakeholder-grid", Static)
        width = grid.content_size.width or 60
        grid.update(
            Content(draw_grid(self.quadrants, width, marked=person["id"] if person else None))
        )
        detail = self.query_one("#stakeholder-detail", Static)
        if person is None:
            detail.update("")
            return
        lines = [
            f"{person['name']} · {person['role'] or 'no role'} · "
            f"{person['partner'] or 'no partner'}",
            f"{person['quadrant']} · attitude {person['attitude'] or '-'} · engagement "
            f"{person['engagement_current'] or '-'} → {person['engagement_desired'] or '-'}",
        ]
        contacts = [c for c in self.follow_ups if c["stakeholder_id"] == person["id"]]
        for contact in contacts[:6]:
            state = f" · follow-up {contact['follow_up']} {contact['follow_up_status']}"
            lines.append(
                f"#{contact['id']} {contact['date']} {contact['kind']}: {contact['summary']}"
                + (state if contact["follow_up"] else "")
            )
        if not contacts:
            lines.append("No contacts logged yet (c logs one).")
        detail.update(Content("\n".join(lines)))

    def _show_agreements(self) -> None:
        lines = []
        for agreement in self.agreements:
            until = f" until {agreement['valid_until']}" if agreement["valid_until"] else ""
            lines.append(
                f"#{agreement['id']} {agreement['kind'].upper()} · {agreement['partner']} · "
                f"{agreement['status'].replace('_', ' ')}{until}"
            )
        self.query_one("#agreements", Static).update(
            Content("\n".join(lines) or "No agreements (pmtool agreement add KIND --partner P).")
        )

    @on(TaskTable.Opened)
    def _opened(self) -> None:
        person = self.selected()
        if person is None:
            return
        lines = [
            f"Partner: {person['partner'] or '-'}",
            f"Role: {person['role'] or '-'}",
            f"Projects: {', '.join(person['projects']) or '-'}",
            f"Power {person['power']}, interest {person['interest']}: {person['quadrant']}",
            f"Attitude: {person['attitude'] or '-'}",
            f"Engagement: {person['engagement_current'] or '-'} (wanted: "
            f"{person['engagement_desired'] or '-'})",
            f"Last contact: {person['last_contact'] or '-'}; next follow-up: "
            f"{person['next_follow_up'] or '-'}",
            "",
            "Contact details: pmtool stakeholder show " + person["key"],
        ]
        self.app.push_screen(StakeholderDetail(person["name"], lines))

    @on(TaskTable.Highlighted)
    def _highlighted(self) -> None:
        if self.loaded:
            self._show_selected()

    # Actions ----------------------------------------------------------------------

    def action_nudge(self, power_step: int, interest_step: int) -> None:
        from pmtool.core.words import GRID_MAX, GRID_MIN, quadrant

        person = self.selected()
        if person is None:
            return
        power = min(max(person["power"] + power_step, GRID_MIN), GRID_MAX)
        interest = min(max(person["interest"] + interest_step, GRID_MIN), GRID_MAX)
        if (power, interest) == (person["power"], person["interest"]):
            self.notify(f"Power and interest run from {GRID_MIN} to {GRID_MAX}.")
            return
        # Show the move at once; the write and the re-read follow.
        person.update(power=power, interest=interest, quadrant=quadrant(power, interest))
        for box in self.quadrants:
            box["stakeholders"] = [p for p in box["stakeholders"] if p["id"] != person["id"]]
            if box["quadrant"] == person["quadrant"]:
                box["stakeholders"].append(
                    {
                        "id": person["id"],
                        "name": person["name"],
                        "partner": person["partner"],
                        "power": power,
                        "interest": interest,
                    }
                )
        self.query_one("#people", TaskTable).set_rows(self.people)
        self._show_selected()
        self.post_message(SubmitWrite(writes.move_stakeholder(person["id"], power, interest)))

    def action_log_contact(self) -> None:
        person, context = self.selected(), self.shell.context
        if person is None or context is None:
            return

        def done(form: ContactForm | None) -> None:
            if form is not None:
                request = writes.log_contact(
                    person["id"], context.project_key, form.kind, form.summary, form.follow_up
                )
                self.post_message(SubmitWrite(request))

        self.app.push_screen(ContactDialog(person["name"]), done)

    def action_follow_up_task(self) -> None:
        person, context = self.selected(), self.shell.context
        if person is None or context is None:
            return
        open_ones = [
            c
            for c in self.follow_ups
            if c["stakeholder_id"] == person["id"] and c["follow_up_status"] in ("open", "overdue")
        ]
        if not open_ones:
            self.notify(f"{person['name']} has no open follow-up.", severity="warning")
            return
        oldest = min(open_ones, key=lambda c: (c["follow_up"], c["id"]))
        self.post_message(SubmitWrite(writes.follow_up_task(oldest["id"], context.project_key)))

    def commands(self) -> list[tuple[str, str, Any]]:
        return [
            ("Log a contact", "With the selected stakeholder", self.action_log_contact),
            ("Follow-up to task", "The selected person's oldest open follow-up",
             self.action_follow_up_task),
        ]  # fmt: skip
