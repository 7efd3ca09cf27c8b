"""A list of tasks drawn line by line: 10,000 rows cost what the visible ones cost.

Columns share the width: fixed columns keep theirs, the flexible one (the title)
takes the rest, and low-priority columns are left out when the terminal is narrow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from pmtool.tui.widgets.cards import fit, short_name
from pmtool.tui.widgets.styled import StyledScrollView


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


@dataclass(frozen=True)
class TableColumn:
    field: str
    label: str
    width: int = 0  # 0: flexible, takes the remaining width
    drop_order: int = 0  # columns with a higher number are left out first when narrow
    align_right: bool = False
    show: Callable[[Any], str] = _text


def show_assignee(value: Any) -> str:
    return short_name(value)


def show_status(value: Any) -> str:
    return str(value or "").replace("_", " ")


TASK_COLUMNS: tuple[TableColumn, ...] = (
    TableColumn("key", "KEY", 10),
    TableColumn("status", "STATUS", 11, drop_order=1, show=show_status),
    TableColumn("points", "PTS", 3, align_right=True),
    TableColumn("title", "TITLE", 0),
    TableColumn("assignee", "ASSIGNEE", 10, drop_order=2, show=show_assignee),
    TableColumn("sprint", "SPRINT", 9, drop_order=3),
    TableColumn("labels", "LABELS", 14, drop_order=5),
    TableColumn("due", "DUE", 10, drop_order=4),
)


class TaskTable(StyledScrollView, can_focus=True, inherit_bindings=False):
    """Rows of tasks with a header line and a cursor. Sorting is the owner's job."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "table--header",
        "table--row",
        "table--odd",
        "table--cursor",
        "table--overdue",
        "table--empty",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Previous row", show=False, id="table.up"),
        Binding("down", "cursor(1)", "Next row", show=False, id="table.down"),
        Binding("home", "cursor_to(0)", "First row", show=False, id="table.first"),
        Binding("end", "cursor_to(-1)", "Last row", show=False, id="table.last"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table.page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table.page-down"),
        Binding("enter", "open", "Open", id="table.open"),
    ]
    DEFAULT_CSS = """
    TaskTable {
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
    }
    TaskTable > .table--header { text-style: bold; color: $text-accent; }
    TaskTable > .table--odd { background: $surface-lighten-1 30%; }
    TaskTable > .table--cursor { background: $block-cursor-blurred-background; }
    TaskTable:focus > .table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    TaskTable > .table--overdue { color: $error; }
    TaskTable > .table--empty { color: $text-disabled; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    @dataclass
    class Highlighted(Message):
        table: TaskTable
        key: str | None

    @dataclass
    class Opened(Message):
        table: TaskTable
        key: str

    @dataclass
    class HeaderClicked(Message):
        table: TaskTable
        field: str

    def __init__(
        self,
        columns: Sequence[TableColumn] = TASK_COLUMNS,
        *,
        empty_text: str = "No tasks.",
        show_header: bool = True,
        min_flexible: int = 16,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = tuple(columns)
        self.empty_text = empty_text
        self.show_header = show_header
        self.min_flexible = min_flexible
        self.rows: list[dict[str, Any]] = []
        self.sort_field: str | None = None
        self.sort_descending = False
        self.today = ""
        self._layout: list[tuple[TableColumn, int]] = []
        self._layout_width = -1

    # Data -------------------------------------------------------------------------

    @property
    def header_height(self) -> int:
        return 1 if self.show_header else 0

    def set_rows(self, rows: list[dict[str, Any]], *, keep: str | None = None) -> None:
        wanted = keep if keep is not None else self.current_key
        self.rows = rows
        self.virtual_size = Size(self.size.width, len(rows) + self.header_height)
        index = None
        if wanted is not None:
            index = next((i for i, row in enumerate(rows) if row["key"] == wanted), None)
        self.cursor = index if index is not None else min(self.cursor, max(len(rows) - 1, 0))
        self.refresh()

    def set_sort(self, field: str | None, descending: bool) -> None:
        self.sort_field, self.sort_descending = field, descending
        self.refresh()

    @property
    def current(self) -> dict[str, Any] | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    @property
    def current_key(self) -> str | None:
        row = self.current
        return None if row is None else str(row["key"])

    # Cursor -----------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1)) if self.rows else 0

    def watch_cursor(self) -> None:
        self.refresh()
        self.scroll_to_cursor()
        self.post_message(self.Highlighted(self, self.current_key))

    def scroll_to_cursor(self) -> None:
        visible = max(self.scrollable_content_region.height - self.header_height, 1)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True, force=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True, force=True)

    def action_cursor(self, step: int) -> None:
        self.cursor += step

    def action_cursor_to(self, index: int) -> None:
        self.cursor = len(self.rows) - 1 if index < 0 else index

    def action_page(self, step: int) -> None:
        self.cursor += step * max(self.scrollable_content_region.height - self.header_height, 1)

    def action_open(self) -> None:
        key = self.current_key
        if key is not None:
            self.post_message(self.Opened(self, key))

    def on_focus(self) -> None:
        self._styles.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._styles.clear()
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + self.header_height)

    # Mouse ------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        self.focus()
        if offset is None:
            return
        if self.show_header and offset.y == 0:
            field = self._column_at(offset.x)
            if field is not None:
                self.post_message(self.HeaderClicked(self, field))
            return
        index = offset.y - self.header_height + round(self.scroll_y)
        if 0 <= index < len(self.rows):
            self.cursor = index
            if event.chain >= 2:
                self.post_message(self.Opened(self, str(self.rows[index]["key"])))

    def _column_at(self, x: int) -> str | None:
        position = 0
        for column, width in self.column_layout(self.scrollable_content_region.width):
            if position <= x < position + width + 1:
                return column.field
            position += width + 1
        return None

    # Drawing ----------------------------------------------------------------------

    def column_layout(self, width: int) -> list[tuple[TableColumn, int]]:
        """The columns that fit in ``width``, each with its width (one space between)."""
        if width == self._layout_width:
            return self._layout
        chosen = list(self.columns)

        def needed(columns: list[TableColumn]) -> int:
            fixed = sum(column.width for column in columns if column.width)
            flexible = sum(self.min_flexible for column in columns if not column.width)
            return fixed + flexible + len(columns) - 1 + 1

        while needed(chosen) > width:
            droppable = [column for column in chosen if column.drop_order]
            if not droppable:
                break
            chosen.remove(max(droppable, key=lambda column: column.drop_order))
        fixed = sum(column.width for column in chosen if column.width) + len(chosen)
        flexible_count = sum(1 for column in chosen if not column.width) or 1
        flexible_width = max((width - fixed) // flexible_count, 4)
        self._layout = [(column, column.width or flexible_width) for column in chosen]
        self._layout_width = width
        return self._layout

    def _cells(self, values: list[str], widths: list[tuple[TableColumn, int]]) -> str:
        parts = []
        for value, (column, width) in zip(values, widths, strict=True):
            text = fit(value, width)
            if column.align_right:
                text = fit(value.rjust(width), width)
            parts.append(text)
        return " ".join(parts) + " "

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        columns = self.column_layout(width)
        if self.show_header and y == 0:
            labels = []
            for column, _ in columns:
                label = column.label
                if column.field == self.sort_field:
                    label += " ▼" if self.sort_descending else " ▲"
                labels.append(label)
            style = self._style("table--header")
            return Strip([Segment(self._cells(labels, columns), style)]).adjust_cell_length(
                width, style
            )
        index = y - self.header_height + round(self.scroll_y)
        if not self.rows:
            if y == self.header_height:
                style = self._style("table--empty")
                return Strip([Segment(fit(" " + self.empty_text, width), style)], width)
            return Strip.blank(width, self.rich_style)
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        row = self.rows[index]
        # Whole styles for the backgrounds (blended with the widget's), a partial one
        # for the overdue colour on top.
        if index == self.cursor:
            style = self._style("table--cursor")
        else:
            style = self._style("table--odd" if index % 2 else "table--row")
        due = row.get("due")
        if due and self.today and due < self.today and not row.get("is_done"):
            style += self._style("table--overdue", partial=True)
        text = self._cells([column.show(row.get(column.field)) for column, _ in columns], columns)
        return Strip([Segment(text, style)]).adjust_cell_length(width, style)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.rows) + self.header_height
