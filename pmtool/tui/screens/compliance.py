"""Compliance: the regulatory profile, the checklists with their progress, and the items
of the chosen checklist; keys mark an item done (with evidence), not applicable (with a
reason), in progress or open again, or turn it into a task."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static
from textual.worker import get_current_worker

from pmtool.tui.context import TuiContext
from pmtool.tui.messages import OpenTask, SubmitWrite
from pmtool.tui.screens.base import DataScreen
from pmtool.tui.widgets.footer import KeyFooter
from pmtool.tui.widgets.nav import NavBar
from pmtool.tui.widgets.table import TableColumn, TaskTable, show_assignee, show_status
from pmtool.tui.writes import Outcome, WriteRequest

if TYPE_CHECKING:
    from pmtool.storage.gateway import Gateway


def show_item_status(value: Any) -> str:
    return "n/a" if value == "not_applicable" else show_status(value)


CHECKLIST_COLUMNS = (
    TableColumn("template", "CHECKLIST", 0),
    TableColumn("bar", "PROGRESS", 8, drop_order=1),
    TableColumn("count", "DONE", 7, align_right=True),
    TableColumn("overdue_text", "LATE", 4, align_right=True, drop_order=2),
)
ITEM_COLUMNS = (
    TableColumn("number", "#", 13),
    TableColumn("status", "STATUS", 11, show=show_item_status),
    TableColumn("label", "ITEM", 0),
    TableColumn("owner", "OWNER", 10, drop_order=3, show=show_assignee),
    TableColumn("due", "DUE", 10, drop_order=1),
    TableColumn("where", "EVIDENCE", 18, drop_order=2),
)


@dataclass
class ComplianceLoaded(Message, bubble=False):
    context: TuiContext
    profile: dict[str, Any]
    checklists: list[dict[str, Any]]
    items: dict[int, list[dict[str, Any]]]  # checklist id -> its items
    today: str


# --- the changes this screen asks for (one audited command each) ----------------------------


def _item_change(summary: str, item_id: int, change: Any) -> WriteRequest:
    def apply(gw: Gateway) -> Outcome:
        from pmtool.services import compliance

        return Outcome(change(gw, compliance, compliance.item(gw.reader, item_id)))

    return WriteRequest(f"tui: compliance item {summary}", apply)


def mark_done(item_id: int, evidence: str) -> WriteRequest:
    def change(gw: Gateway, compliance: Any, entry: dict[str, Any]) -> str:
        done = compliance.mark_done(gw, entry, evidence)
        return f"{done['checklist']} {done['number']} done ({done['evidence_kind']})"

    return _item_change(f"done {item_id} --evidence {shlex.quote(evidence)}", item_id, change)


def mark_not_applicable(item_id: int, reason: str) -> WriteRequest:
    def change(gw: Gateway, compliance: Any, entry: dict[str, Any]) -> str:
        compliance.mark_not_applicable(gw, entry, reason)
        return f"{entry['checklist']} {entry['number']} not applicable"

    return _item_change(f"na {item_id} --reason {shlex.quote(reason)}", item_id, change)


def set_status(item_id: int, status: str) -> WriteRequest:
    def change(gw: Gateway, compliance: Any, entry: dict[str, Any]) -> str:
        compliance.set_status(gw, entry, status)
        return f"{entry['checklist']} {entry['number']}: {status.replace('_', ' ')}"

    return _item_change(f"edit {item_id} --status {status}", item_id, change)


def set_in_dod(item_id: int, included: bool) -> WriteRequest:
    def change(gw: Gateway, compliance: Any, entry: dict[str, Any]) -> str:
        compliance.set_in_dod(gw, entry, included)
        where = "in" if included else "out of"
        return f"{entry['checklist']} {entry['number']} is {where} the definition of done"

    return _item_change(f"dod {item_id}{'' if included else ' --remove'}", item_id, change)


def make_task(item_id: int) -> WriteRequest:
    def change(gw: Gateway, compliance: Any, entry: dict[str, Any]) -> str:
        created = compliance.make_task(gw, entry)
        return f"Created {created['key']} for {entry['checklist']} {entry['number']}"

    return _item_change(f"task {item_id}", item_id, change)


# --- the text dialog (evidence, reason) ------------------------------------------------------


class TextDialog(ModalScreen[str | None]):
    """One line of text; Enter gives it (never empty), Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="text.cancel"),
    ]

    def __init__(self, title: str, hint: str, placeholder: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text, self.hint, self.placeholder = title, hint, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.title_text), classes="dialog-title")
            yield Input(placeholder=self.placeholder, id="text-value")
            yield Static(Content(self.hint), classes="dialog-detail")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if value:
            self.dismiss(value)
        else:
            self.notify("Type something first (esc cancels).", severity="warning")


# --- the screen ------------------------------------------------------------------------------


def _where(item: dict[str, Any]) -> str:
    if item["status"] == "not_applicable":
        return f"n/a: {item['na_reason']}"
    if item["evidence"]:
        return str(item["evidence"])
    return ", ".join(item["tasks"])


class ComplianceScreen(DataScreen):
    MODE = "compliance"
    AUTO_FOCUS = "#compliance-items"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "done", "Done", id="compliance.done"),
        Binding("n", "not_applicable", "Not applicable", id="compliance.na"),
        Binding("t", "make_task", "Make task", id="compliance.task"),
        Binding("p", "status('in_progress')", "In progress", id="compliance.start"),
        Binding("o", "status('open')", "Reopen", show=False, id="compliance.reopen"),
        Binding("D", "toggle_dod", "Definition of done", show=False, id="compliance.dod"),
        Binding(
            "left", "focus_list('#checklists')", "Checklists", show=False, id="compliance.left"
        ),
        Binding(
            "right", "focus_list('#compliance-items')", "Items", show=False, id="compliance.right"
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.checklists: list[dict[str, Any]] = []
        self.items: dict[int, list[dict[str, Any]]] = {}
        self.checklist_id: int | None = None

    def compose(self) -> ComposeResult:
        yield NavBar(self.MODE)
        yield Static("", id="compliance-profile")
        with Horizontal(id="compliance-lists"):
            with Vertical(id="checklists-box", classes="panel"):
                yield TaskTable(
                    CHECKLIST_COLUMNS,
                    id="checklists",
                    empty_text="No checklists: pmtool compliance checklist add TEMPLATE",
                    min_flexible=12,
                )
            with Vertical(id="compliance-items-box", classes="panel"):
                yield TaskTable(ITEM_COLUMNS, id="compliance-items", empty_text="No items.")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#checklists-box").border_title = "Checklists"
        self.query_one("#compliance-items-box").border_title = "Items"

    # Loading ----------------------------------------------------------------------

    def load(self, context: TuiContext) -> None:
        self._read(context)

    @work(thread=True, exclusive=True, group="compliance-load", exit_on_error=False)
    def _read(self, context: TuiContext) -> None:
        from pmtool.core import clock
        from pmtool.services.read import compliance
        from pmtool.storage.reader import reading

        today = clock.today()
        with reading(context.location) as reader:
            profile = compliance.profile(reader, context.project_id)
            checklists = compliance.list_checklists(reader, context.project_id, today)
            items = {
                entry["id"]: compliance.list_items(
                    reader, context.project_id, checklist_id=entry["id"]
                )
                for entry in checklists
            }
        if not get_current_worker().is_cancelled:
            self.post_message(
                ComplianceLoaded(context, profile, checklists, items, today.isoformat())
            )

    @on(ComplianceLoaded)
    def _show(self, message: ComplianceLoaded) -> None:
        from pmtool.services.read.compliance import progress_bar

        context = message.context
        self.query_one(NavBar).show_project(context.project_key, context.project_name)
        self.query_one("#compliance-profile", Static).update(_profile_text(message.profile))
        for entry in message.checklists:
            entry["key"] = str(entry["id"])
            entry["bar"] = progress_bar(entry["progress"], width=8)
            entry["count"] = f"{entry['done'] + entry['not_applicable']}/{entry['items']}"
            entry["overdue_text"] = str(entry["overdue"]) if entry["overdue"] else ""
            if entry["thesis_id"] is not None:
                entry["template"] = f"{entry['template']} (thesis {entry['thesis_id']})"
        for rows in message.items.values():
            for item in rows:
                item["key"] = str(item["id"])
                item["where"] = _where(item)
                item["is_done"] = item["status"] in ("done", "not_applicable")
        self.checklists, self.items = message.checklists, message.items
        known = [entry["id"] for entry in self.checklists]
        if self.checklist_id not in known:
            self.checklist_id = known[0] if known else None
        table = self.query_one("#checklists", TaskTable)
        table.set_rows(self.checklists, keep=str(self.checklist_id) if self.checklist_id else None)
        items_table = self.query_one("#compliance-items", TaskTable)
        items_table.today = message.today
        self._show_items()
        self.painted()

    def _show_items(self) -> None:
        chosen = next((c for c in self.checklists if c["id"] == self.checklist_id), None)
        box = self.query_one("#compliance-items-box")
        if chosen is None:
            box.border_title = "Items"
            self.query_one("#compliance-items", TaskTable).set_rows([])
            return
        box.border_title = Content(
            f"{chosen['title']}: {chosen['count']} finished · d done · n not applicable · t task"
        )
        rows = self.items.get(chosen["id"], [])
        table = self.query_one("#compliance-items", TaskTable)
        # The number column as wide as this checklist's numbers: 2 for TRIPOD+AI,
        # 13 for "Art. 10(2)(a)"; the labels get the rest.
        width = min(max([len(row["number"]) for row in rows] + [2]), 16)
        if table.columns[0].width != width:
            table.columns = (replace(ITEM_COLUMNS[0], width=width), *ITEM_COLUMNS[1:])
            table.column_layout(-1)  # forget the cached layout
        table.set_rows(rows)

    @on(TaskTable.Highlighted)
    def _checklist_chosen(self, message: TaskTable.Highlighted) -> None:
        if message.table.id != "checklists":
            return
        if message.key is not None and int(message.key) != self.checklist_id:
            self.checklist_id = int(message.key)
            self._show_items()

    @on(TaskTable.Opened)
    def _opened(self, message: TaskTable.Opened) -> None:
        if message.table.id == "checklists":
            self.query_one("#compliance-items", TaskTable).focus()
            return
        item = message.table.current
        if item is not None and item["tasks"]:
            self.post_message(OpenTask(item["tasks"][0]))  # the task details, as elsewhere
        elif item is not None:
            self.notify("No task is linked to this item; t makes one.")

    # Actions ----------------------------------------------------------------------

    def action_focus_list(self, selector: str) -> None:
        self.query_one(selector, TaskTable).focus()

    def _current_item(self) -> dict[str, Any] | None:
        item = self.query_one("#compliance-items", TaskTable).current
        if item is None:
            self.notify("No checklist item selected.", severity="warning")
        return item

    def action_done(self) -> None:
        item = self._current_item()
        if item is None:
            return

        def chosen(evidence: str | None) -> None:
            if evidence:
                self.post_message(SubmitWrite(mark_done(item["id"], evidence)))

        self.app.push_screen(
            TextDialog(
                f"Done: {item['number']} {item['label']}",
                "Evidence: a file path, URL, task key (PM-12) or commit sha · "
                "enter: save · esc: cancel",
                "docs/evaluation.md",
            ),
            chosen,
        )

    def action_not_applicable(self) -> None:
        item = self._current_item()
        if item is None:
            return

        def chosen(reason: str | None) -> None:
            if reason:
                self.post_message(SubmitWrite(mark_not_applicable(item["id"], reason)))

        self.app.push_screen(
            TextDialog(
                f"Not applicable: {item['number']} {item['label']}",
                "Why it does not apply (required) · enter: save · esc: cancel",
            ),
            chosen,
        )

    def action_make_task(self) -> None:
        item = self._current_item()
        if item is not None:
            self.post_message(SubmitWrite(make_task(item["id"])))

    def action_toggle_dod(self) -> None:
        item = self._current_item()
        if item is not None:
            self.post_message(SubmitWrite(set_in_dod(item["id"], not item["in_dod"])))

    def action_status(self, status: str) -> None:
        item = self._current_item()
        if item is not None:
            self.post_message(SubmitWrite(set_status(item["id"], status)))


def _profile_text(profile: dict[str, Any]) -> Content:
    """Two lines: role, tier, classes; then the reason of the tier or the first hint."""
    tier = profile["ai_act_tier"] or "tier not set"
    if profile["ai_act_tier_derived"]:
        tier += f" (via MDR {profile['mdr_class']})"
    mdr = f"MDR class {profile['mdr_class']}" if profile["mdr_class"] else "MDR not classified"
    if profile["previous_mdr_class"]:
        mdr += f" (was {profile['previous_mdr_class']})"
    safety = (
        f"IEC 62304 class {profile['iec62304_class']}"
        if profile["iec62304_class"]
        else "IEC 62304 class not set"
    )
    role = profile["ai_act_role"] or "role not set"
    first = f"AI Act: {role}, {tier} · {mdr} · {safety}"
    second = profile["hints"][0] if profile["hints"] else (profile["ai_act_reason"] or "")
    return Content.assemble((first, "bold"), "\n", (second, "dim"))
