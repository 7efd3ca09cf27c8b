"""The line at the top: which project, which screen, and where the others are."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from pmtool.tui.places import PLACES


class NavBar(Static):
    """Project, screen tabs (clickable) and the help key.

    The project key comes first, so a narrow terminal cuts the project's name at the
    end, never the key.
    """

    DEFAULT_CSS = """
    NavBar {
        dock: top;
        height: 1;
        background: $panel;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, current: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.current = current
        self._shown: tuple[str, str] | None = None

    def on_mount(self) -> None:
        self.show_project("")

    def show_project(self, project: str, detail: str = "") -> None:
        if (project, detail) == self._shown:
            return
        self._shown = (project, detail)
        parts = [Content.from_markup(" [b]pmtool[/b] "), Content.styled(f"{project} ", "bold")]
        for place in PLACES:
            style = "reverse bold" if place.mode == self.current else ""
            link = f"[@click=app.go('{place.mode}')]{place.key} {place.label}[/]"
            tab = Content.from_markup(link).stylize(style)
            parts.extend([Content(" "), tab, Content(" ")])
        parts.append(Content.from_markup("  [@click=app.help]? help[/]"))
        if detail:
            parts.append(Content(f"  {detail}"))
        self.update(Content("").join(parts))
