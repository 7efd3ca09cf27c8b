"""A board column's cards, drawn line by line: only the cards in view cost anything.

A thousand cards as widgets take seconds to mount; as rows of a Line API widget they
take no longer than one screenful.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from pmtool.tui.widgets.styled import StyledScrollView

CARD_LINES = 4  # key and points, two lines of title, assignee and labels
CARD_HEIGHT = CARD_LINES + 1  # and a blank line between cards


def _looks(card: dict[str, Any]) -> tuple[Any, ...]:
    """What a card shows: two cards that look the same need no repaint."""
    return (
        card["key"], card["title"], card["points"], card.get("assignee"),
        tuple(card.get("labels") or ()), card.get("due"), card.get("gate"),
    )  # fmt: skip


def short_name(name: str | None) -> str:
    """``Lena Vogel`` as ``Lena V.``; titles such as ``Dr.`` are skipped."""
    if not name:
        return ""
    parts = [part for part in name.split() if not part.endswith(".")] or name.split()
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]} {parts[-1][0]}."


def fit(text: str, width: int) -> str:
    """Exactly ``width`` cells: padded, or cut with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def _head(text: str, width: int) -> str:
    """The longest start of ``text`` that takes at most ``width`` cells."""
    cut = len(text)
    while cut and cell_len(text[:cut]) > width:
        cut -= 1
    return text[:cut]


def title_lines(title: str, width: int) -> list[str]:
    """The title in two lines of ``width`` cells, nothing skipped in between.

    Words wrap; a word longer than a line is broken with a hyphen, so a narrow column
    shows the title's start instead of cutting its first word. The second line is cut
    with an ellipsis.
    """
    width = max(width, 1)
    words = title.split()
    first = ""
    while words:
        word = words[0]
        joined = f"{first} {word}" if first else word
        if cell_len(joined) <= width:
            first = joined
            words.pop(0)
            continue
        room = width - (cell_len(first) + 1 if first else 0)
        if cell_len(word) > width and room >= 4:
            head = _head(word, room - 1)
            first = f"{first} {head}-" if first else f"{head}-"
            words[0] = word[len(head) :]
        break
    return [fit(first, width), fit(" ".join(words), width)]


def key_and_points(key: str, points: str, width: int) -> tuple[str, str]:
    """The card's first line: the key in full, the points if there is room for both.

    A key wider than the card keeps its number (``CARDIOL…-12``): the number is
    what tells two cards of a project apart.
    """
    if cell_len(key) + 1 + cell_len(points) <= width:
        return key, points
    if cell_len(key) <= width:
        return key, ""
    project, dash, number = key.rpartition("-")
    tail = f"…{dash}{number}"
    if not project or cell_len(tail) >= width:
        return fit(key, width), ""
    return _head(project, width - cell_len(tail)) + tail, ""


class CardList(StyledScrollView, can_focus=False, inherit_bindings=False):
    """The cards of one status; in the active column a cursor marks the card keys act on.

    The board, not the column, takes the keys: moving between columns then changes
    which column is active, not the focus, and repaints two cards instead of restyling
    the whole screen.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "card",
        "card--cursor",
        "card--key",
        "card--points",
        "card--meta",
        "card--overdue",
        "card--gate",
        "card--empty",
    }
    DEFAULT_CSS = """
    CardList {
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
    }
    CardList > .card { background: $panel; }
    CardList > .card--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    CardList > .card--key { text-style: bold; }
    CardList > .card--points { color: $text-muted; }
    CardList > .card--meta { color: $text-muted; }
    CardList > .card--overdue { color: $error; }
    CardList > .card--gate { color: $warning; }
    CardList > .card--empty { color: $text-disabled; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    @dataclass
    class Clicked(Message):
        cards: CardList
        index: int | None  # the card clicked, None for the empty space below the cards
        double: bool

    def __init__(
        self, status: str, *, today: str = "", name: str | None = None, id: str | None = None
    ) -> None:
        super().__init__(name=name, id=id)
        self.status = status
        self.today = today
        self.cards: list[dict[str, Any]] = []
        self._shown: list[tuple[Any, ...]] = []
        self._strips: dict[tuple[int, bool], list[Strip]] = {}
        self._width = 0
        self.active = False

    # Data -------------------------------------------------------------------------

    def set_cards(self, cards: list[dict[str, Any]], *, keep: str | None = None) -> None:
        """Show ``cards``; the cursor stays on ``keep`` (or the same key) if it is there."""
        wanted = keep if keep is not None else self.current_key
        shown = [_looks(card) for card in cards]
        self.cards = cards
        if shown != self._shown:  # repaint only what looks different
            self._shown = shown
            self._strips.clear()
            self._set_height(len(cards) * CARD_HEIGHT)
            self.refresh()
        index = next((i for i, card in enumerate(cards) if card["key"] == wanted), None)
        cursor = index if index is not None else min(self.cursor, max(len(cards) - 1, 0))
        if cursor != self.cursor:
            self.cursor = cursor

    def _set_height(self, height: int) -> None:
        """The scrollable height; a relayout of the screen only if the scrollbar comes or goes.

        A relayout repaints every column; a card moved to the next column changes two
        heights and must not cost that.
        """
        new = Size(self.size.width, height)
        old = self.virtual_size
        if new == old:
            return
        view = self.scrollable_content_region.height
        if self.is_mounted and view and (old.height > view) == (height > view):
            self.set_reactive(CardList.virtual_size, new)
            self._scroll_update(new)
        else:
            self.virtual_size = new

    @property
    def current(self) -> dict[str, Any] | None:
        if 0 <= self.cursor < len(self.cards):
            return self.cards[self.cursor]
        return None

    @property
    def current_key(self) -> str | None:
        card = self.current
        return None if card is None else str(card["key"])

    def index_of(self, key: str) -> int | None:
        return next((i for i, card in enumerate(self.cards) if card["key"] == key), None)

    # Cursor -----------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.cards) - 1)) if self.cards else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self.scroll_to_cursor()
        self._refresh_card(old)
        self._refresh_card(new)

    def set_active(self, active: bool) -> None:
        if active != self.active:
            self.active = active
            self._refresh_card(self.cursor)

    def _refresh_card(self, index: int) -> None:
        top = index * CARD_HEIGHT - round(self.scroll_y)
        self.refresh(Region(0, top, self.size.width, CARD_LINES))

    def scroll_to_cursor(self) -> None:
        """Bring the cursor's card into view, scrolling by whole cards."""
        if not self.cards:
            return
        view = self.scrollable_content_region.height
        top = self.cursor * CARD_HEIGHT
        shown = round(self.scroll_y)
        if top < shown or view < CARD_LINES:
            target = top
        elif top + CARD_LINES > shown + view:
            below = top + CARD_LINES - view  # the least scroll that shows the whole card
            target = -(-below // CARD_HEIGHT) * CARD_HEIGHT  # rounded up to a card's top
        else:
            return
        self.scroll_to(y=target, animate=False, force=True, immediate=True)

    def move_cursor(self, step: int) -> None:
        self.cursor += step

    def cursor_to(self, index: int) -> None:
        self.cursor = len(self.cards) - 1 if index < 0 else index

    def page(self, step: int) -> None:
        per_page = max(self.size.height // CARD_HEIGHT, 1)
        self.cursor += step * per_page

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def on_resize(self) -> None:
        self._strips.clear()
        self.virtual_size = Size(self.size.width, len(self.cards) * CARD_HEIGHT)

    # Mouse ------------------------------------------------------------------------

    def _card_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        line = offset.y + round(self.scroll_y)
        index, within = divmod(line, CARD_HEIGHT)
        if within >= CARD_LINES or index >= len(self.cards):
            return None
        return index

    def on_click(self, event: events.Click) -> None:
        index = self._card_at(event)
        if index is not None:
            self.cursor = index
        self.post_message(self.Clicked(self, index, event.chain >= 2))

    # Drawing ----------------------------------------------------------------------

    def _card_strips(self, index: int, selected: bool) -> list[Strip]:
        cached = self._strips.get((index, selected))
        if cached is not None:
            return cached
        card = self.cards[index]
        width = self.scrollable_content_region.width
        inner = max(width - 2, 1)
        base = self._style("card--cursor" if selected else "card")
        key_style = base + self._style("card--key", partial=True)
        meta_style = base + self._style("card--meta", partial=True)
        points_style = base + self._style("card--points", partial=True)
        due = str(card.get("due") or "")
        overdue = bool(due and self.today and due < self.today and not card.get("is_done"))
        points = "" if card["points"] is None else f"{card['points']}p"
        gate = card.get("gate")
        if gate:  # behind a closed approval gate: a lock by the key, the reason below
            points = f"🔒 {points}".rstrip()
        key, points = key_and_points(str(card["key"]), points, inner)
        gap = max(inner - cell_len(key) - cell_len(points), 0)
        first = [
            Segment(" ", base),
            Segment(key, key_style),
            Segment(" " * gap, base),
            Segment(points, points_style),
            Segment(" ", base),
        ]
        titles = title_lines(str(card["title"]), inner)
        meta_parts = [short_name(card.get("assignee"))] if card.get("assignee") else []
        if card.get("labels"):
            meta_parts.append(", ".join(card["labels"]))
        meta = " · ".join(meta_parts)
        if overdue:
            meta = f"due {due[5:]} · {meta}" if meta else f"due {due}"
        if gate:  # the lock is by the key; the reason takes the meta line
            meta = gate
        meta_line = fit(meta, inner)
        meta_line_style = (
            base + self._style("card--overdue", partial=True) if overdue else meta_style
        )
        if gate:
            meta_line_style = base + self._style("card--gate", partial=True)
        strips = [
            Strip(first, width),
            Strip([Segment(" " + titles[0] + " ", base)], width),
            Strip([Segment(" " + titles[1] + " ", base)], width),
            Strip([Segment(" ", base), Segment(meta_line, meta_line_style), Segment(" ", base)]),
        ]
        strips = [strip.adjust_cell_length(width, base) for strip in strips]
        self._strips[(index, selected)] = strips
        return strips

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if width != self._width:
            self._width = width
            self._strips.clear()
        blank = Strip.blank(width, self.rich_style)
        if not self.cards:
            if y == 1:
                style = self._style("card--empty")
                return Strip([Segment(fit(" no cards", width), style)], width)
            return blank
        line = y + round(self.scroll_y)
        index, within = divmod(line, CARD_HEIGHT)
        if index >= len(self.cards) or within >= CARD_LINES:
            return blank
        selected = index == self.cursor and self.active
        if y == 0:
            within = 0  # a card scrolled part way out keeps its key line in view
        return self._card_strips(index, selected)[within]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.cards) * CARD_HEIGHT


class ColumnTitle(Widget):
    """A column's name, card count and WIP limit; repaints without a relayout."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"column-title--limit"}
    DEFAULT_CSS = """
    ColumnTitle { height: 2; }
    ColumnTitle > .column-title--limit { color: $error; text-style: bold; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.lines: tuple[str, str, bool] = ("", "", False)

    def show(self, name: str, wip: str, at_limit: bool) -> None:
        if (name, wip, at_limit) != self.lines:
            self.lines = (name, wip, at_limit)
            self.refresh()

    def render(self) -> Text:
        name, wip, at_limit = self.lines
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(name)
        text.append("\n")
        text.append(wip, self.get_component_rich_style("column-title--limit") if at_limit else "")
        return text
