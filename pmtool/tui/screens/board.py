"""The sprint board: one column per workflow status, cards moved with the keyboard."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static
from textual.worker import get_current_worker

from pmtool.tui import writes
from pmtool.tui.context import TuiContext
from pmtool.tui.messages import (
    BoardLoaded,
    ChooseSprint,
    DeleteTask,
    EditTask,
    NewTask,
    OpenTask,
    SubmitWrite,
)
from pmtool.tui.screens.base import DataScreen, PaletteCommand
from pmtool.tui.widgets.cards import CardList, ColumnTitle
from pmtool.tui.widgets.footer import KeyFooter
from pmtool.tui.widgets.nav import NavBar

_MOVE = Binding.Group("Move")


def column_title(column: dict[str, Any]) -> tuple[str, str, bool]:
    """(name and cards shown, WIP against the limit, whether the column is full)."""
    name = str(column["status"]).replace("_", " ").upper()
    limit = column["wip_limit"]
    wip = f"WIP {column['count']}/{limit}" if limit is not None else ""
    return f"{name} {len(column['cards'])}", wip, limit is not None and column["count"] >= limit


class BoardScreen(DataScreen):
    MODE = "board"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "column(-1)", "Column left", show=False, id="board.column-left"),
        Binding("right", "column(1)", "Column right", show=False, id="board.column-right"),
        Binding("up", "card(-1)", "Card above", show=False, id="board.card-up"),
        Binding("down", "card(1)", "Card below", show=False, id="board.card-down"),
        Binding("home", "card_at(0)", "First card", show=False, id="board.first"),
        Binding("end", "card_at(-1)", "Last card", show=False, id="board.last"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="board.page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="board.page-down"),
        Binding(
            "shift+left,less_than_sign",
            "move_card(-1)",
            "Move card left",
            key_display="⇧←",
            group=_MOVE,
            id="board.move-left",
        ),
        Binding(
            "shift+right,greater_than_sign",
            "move_card(1)",
            "Move card right",
            key_display="⇧→",
            group=_MOVE,
            id="board.move-right",
        ),
        Binding("shift+up", "rank_card(-1)", "Rank card up", show=False, id="board.rank-up"),
        Binding("shift+down", "rank_card(1)", "Rank card down", show=False, id="board.rank-down"),
        Binding("enter", "open_card", "Open", id="board.open"),
        Binding("e", "edit_card", "Edit", id="board.edit"),
        Binding("n", "new_card", "New", id="board.new"),
        Binding("delete,x", "delete_card", "Delete", key_display="del", id="board.delete"),
        Binding("m", "choose_status", "Move card to…", show=False, id="board.move-to"),
        Binding("v", "choose_sprint", "Board of sprint…", show=False, id="board.sprint"),
    ]

    def __init__(self, sprint: str | None = None) -> None:
        super().__init__()
        self.sprint = sprint
        self.all_open = False  # every task outside closed sprints, whatever is running
        self._project: int | None = None
        self.data: dict[str, Any] | None = None
        self.statuses: list[str] = []
        self._follow: str | None = None
        self._pending: dict[str, str] = {}  # card key -> status its move is being written to
        self._shown_title = ""
        self.active: str | None = None  # the status of the column the keys act on

    def compose(self) -> ComposeResult:
        yield NavBar(self.MODE)
        yield Static("", id="board-title")
        yield Horizontal(id="board")
        yield KeyFooter()

    # Loading ----------------------------------------------------------------------

    def load(self, context: TuiContext) -> None:
        if self._project not in (None, context.project_id):
            self.sprint, self.all_open = None, False  # another project: its running sprint
        self._project = context.project_id
        self._read(context, self.sprint, self.all_open)

    @work(thread=True, exclusive=True, group="board-load", exit_on_error=False)
    def _read(self, context: TuiContext, sprint: str | None, all_open: bool) -> None:
        from pmtool.core import clock
        from pmtool.services.read.board import board
        from pmtool.storage.reader import reading

        with reading(context.location) as reader:
            data = board(reader, context.project_id, sprint, all_open=all_open)
        data["today"] = clock.today().isoformat()
        if not get_current_worker().is_cancelled:
            self.post_message(BoardLoaded(data))

    @on(BoardLoaded)
    async def _show(self, message: BoardLoaded) -> None:
        data: dict[str, Any] = message.data
        focused_status = self.active
        statuses = [column["status"] for column in data["columns"]]
        if statuses != self.statuses:
            await self._build_columns(statuses, data["today"])
        self.data = data
        if not self.shell.busy_writing:
            self._pending.clear()
        self.query_one(NavBar).show_project(data["project"], data["project_name"])
        title = self._title(data)
        if title != self._shown_title:
            self._shown_title = title
            self.query_one("#board-title", Static).update(Content(title))
        for column in data["columns"]:
            self._show_column(column)
        target = None
        if self._follow is not None:
            target = self._column_holding(self._follow)
            if target is not None:
                index = target.index_of(self._follow)
                target.cursor = index if index is not None else 0
            self._follow = None
        if target is None and focused_status is not None and focused_status in statuses:
            target = self._list(focused_status)
        if target is None:
            target = next(
                (self._list(c["status"]) for c in data["columns"] if c["cards"]),
                self._list(statuses[0]) if statuses else None,
            )
        if target is not None:
            self._activate(target.status)
        self.painted()

    async def _build_columns(self, statuses: list[str], today: str) -> None:
        holder = self.query_one("#board", Horizontal)
        await holder.remove_children()
        views = [
            Vertical(
                ColumnTitle(classes="column-title", id=f"title-{status}"),
                CardList(status, today=today, id=f"cards-{status}"),
                classes="column",
            )
            for status in statuses
        ]
        await holder.mount_all(views)
        self.statuses = statuses
        self.active = None

    def _title(self, data: dict[str, Any]) -> str:
        sprint = data["sprint"]
        if sprint is None:
            return "All open work: every task outside closed sprints (v picks a sprint)"
        goal = f" · {sprint['goal']}" if sprint["goal"] else ""
        return f"{sprint['name']} ({sprint['status']}) · {sprint['start']} → {sprint['end']}{goal}"

    def _show_column(self, column: dict[str, Any]) -> None:
        status = column["status"]
        self.query_one(f"#title-{status}", ColumnTitle).show(*column_title(column))
        cards = self._list(status)
        cards.today = str(self.data["today"]) if self.data else cards.today
        cards.set_cards(column["cards"])

    # Helpers ----------------------------------------------------------------------

    def _list(self, status: str) -> CardList:
        return self.query_one(f"#cards-{status}", CardList)

    def _active_list(self) -> CardList | None:
        return self._list(self.active) if self.active in self.statuses else None

    def _activate(self, status: str) -> None:
        """Make ``status`` the column the keys act on."""
        if self.active in self.statuses and self.active != status:
            self._list(self.active).set_active(False)
        self.active = status
        self._list(status).set_active(True)

    def _column_holding(self, key: str) -> CardList | None:
        for status in self.statuses:
            cards = self._list(status)
            if cards.index_of(key) is not None:
                return cards
        return None

    def _column_data(self, status: str) -> dict[str, Any]:
        assert self.data is not None
        return next(c for c in self.data["columns"] if c["status"] == status)

    def _current(self) -> tuple[CardList, dict[str, Any]] | None:
        cards = self._active_list()
        if cards is None or cards.current is None:
            self.notify("Select a card first.", severity="warning")
            return None
        return cards, cards.current

    # Actions ----------------------------------------------------------------------

    def action_column(self, step: int) -> None:
        if not self.statuses:
            return
        index = self.statuses.index(self.active) if self.active in self.statuses else 0
        target = max(0, min(index + step, len(self.statuses) - 1))
        self._activate(self.statuses[target])

    def action_card(self, step: int) -> None:
        cards = self._active_list()
        if cards is not None:
            cards.move_cursor(step)

    def action_card_at(self, index: int) -> None:
        cards = self._active_list()
        if cards is not None:
            cards.cursor_to(index)

    def action_page(self, step: int) -> None:
        cards = self._active_list()
        if cards is not None:
            cards.page(step)

    def action_move_card(self, step: int) -> None:
        found = self._current()
        if found is None:
            return
        cards, card = found
        key = str(card["key"])
        # A card whose move is still being written moves on from where it is going.
        origin = self._pending.get(key, cards.status)
        index = self.statuses.index(origin) + step
        if not 0 <= index < len(self.statuses):
            self.app.bell()
            return
        self._move(key, self.statuses[index])

    def _move(self, key: str, status: str, force: bool = False, reason: str | None = None) -> None:
        self._pending[key] = status
        self._follow = key
        self.post_message(SubmitWrite(writes.move(key, status, force=force, reason=reason)))

    def action_rank_card(self, step: int) -> None:
        found = self._current()
        if found is None:
            return
        cards, card = found
        neighbour = cards.cursor + step
        if not 0 <= neighbour < len(cards.cards):
            self.app.bell()
            return
        anchor = str(cards.cards[neighbour]["key"])
        key = str(card["key"])
        self._follow = key
        if step < 0:
            self.post_message(SubmitWrite(writes.rank(key, before=anchor)))
        else:
            self.post_message(SubmitWrite(writes.rank(key, after=anchor)))

    def written(self, effect: object) -> None:
        """Show a stored move or reorder at once; the re-read that follows confirms it."""
        if self.data is None:
            return
        if isinstance(effect, writes.Moved):
            self._pending.pop(effect.key, None)
            source = self._column_holding(effect.key)
            if source is None or source.status == effect.status:
                return
            source_data = self._column_data(source.status)
            target_data = self._column_data(effect.status)
            card = next(c for c in source_data["cards"] if c["key"] == effect.key)
            source_data["cards"] = [c for c in source_data["cards"] if c["key"] != effect.key]
            source_data["count"] -= 1
            target_data["cards"] = [*target_data["cards"], dict(card, status=effect.status)]
            target_data["count"] += 1
            self._show_column(source_data)
            self._show_column(target_data)
            target = self._list(effect.status)
            target.cursor = len(target_data["cards"]) - 1
            if self._follow == effect.key:
                self._activate(effect.status)
            self.painted()
        elif isinstance(effect, writes.Ranked):
            holder = self._column_holding(effect.key)
            if holder is None:
                return
            column = self._column_data(holder.status)
            moving = next(c for c in column["cards"] if c["key"] == effect.key)
            rest = [c for c in column["cards"] if c["key"] != effect.key]
            at = next((i for i, c in enumerate(rest) if c["key"] == effect.anchor), len(rest))
            rest.insert(at if effect.before else at + 1, moving)
            column["cards"] = rest
            holder.set_cards(rest, keep=effect.key)
            self.painted()

    def action_open_card(self) -> None:
        found = self._current()
        if found is not None:
            self.post_message(OpenTask(str(found[1]["key"])))

    def action_edit_card(self) -> None:
        found = self._current()
        if found is not None:
            self._follow = str(found[1]["key"])
            self.post_message(EditTask(str(found[1]["key"])))

    def action_new_card(self) -> None:
        """A new task in the sprint on show; it starts in the first column, whatever the
        cursor is on (the column under it may be full)."""
        shown = self.data["sprint"] if self.data is not None else None
        sprint = shown["name"] if shown is not None and shown["status"] != "closed" else None
        self.post_message(NewTask(sprint=sprint))

    def action_delete_card(self) -> None:
        found = self._current()
        if found is not None:
            self.post_message(DeleteTask(str(found[1]["key"]), str(found[1]["title"])))

    def action_choose_status(self, force: bool = False) -> None:
        from pmtool.tui.screens.dialogs import ChoiceDialog

        found = self._current()
        if found is None:
            return
        cards, card = found
        options = [(s, s.replace("_", " ")) for s in self.statuses if s != cards.status]
        verb = "Force" if force else "Move"

        def chosen(status: str | None) -> None:
            if not status:
                return
            if force and card.get("gate"):  # past an approval gate: only with a reason
                self._ask_reason(str(card["key"]), status, str(card["gate"]))
            else:
                self._move(str(card["key"]), status, force=force)

        self.app.push_screen(ChoiceDialog(f"{verb} {card['key']} to", options), chosen)

    def _ask_reason(self, key: str, status: str, gate: str) -> None:
        from pmtool.tui.screens.approvals import TextDialog

        def entered(reason: str | None) -> None:
            if reason is not None and reason.strip():
                self._move(key, status, force=True, reason=reason)
            elif reason is not None:
                self.notify("A move past an approval gate needs a reason.", severity="warning")

        self.app.push_screen(
            TextDialog(f"{key} is gated ({gate}): why move it anyway? (audited)"), entered
        )

    def action_choose_sprint(self) -> None:
        self.post_message(ChooseSprint(self._set_sprint, include_all=True))

    def _set_sprint(self, name: str | None) -> None:
        if name is None:
            return
        self.all_open = name == "*"
        self.sprint = None if self.all_open else name
        self.reload()

    @on(CardList.Clicked)
    def _clicked(self, message: CardList.Clicked) -> None:
        self._activate(message.cards.status)
        if message.double and message.index is not None:
            self.post_message(OpenTask(str(message.cards.cards[message.index]["key"])))

    def commands(self) -> Iterable[PaletteCommand]:
        yield (
            "Move card past its WIP limit…",
            "Force a move into a full column or, with a reason, past an approval gate "
            "(recorded in the audit trail)",
            lambda: self.action_choose_status(force=True),
        )
