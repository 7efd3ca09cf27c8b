"""The line at the top: which project, which screen, and where the others are."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

SCREENS = (
    ("dashboard", "1", "Dashboard"),
    ("board", "2", "Board"),
    ("backlog", "3", "Backlog"),
    ("sprints", "4", "Sprints"),
)


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
        for mode, key, label in SCREENS:
            style = "reverse bold" if mode == self.current else ""
            tab = Content.from_markup(f"[@click=app.go('{mode}')]{key} {label}[/]").stylize(style)
            parts.extend([Content(" "), tab, Content(" ")])
        parts.append(Content.from_markup("  [@click=app.help]? help[/]"))
        if detail:
            parts.append(Content(f"  {detail}"))
        self.update(Content("").join(parts))
