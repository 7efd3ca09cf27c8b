"""A ScrollView that paints its own lines, with its component styles cached."""

from __future__ import annotations

from typing import Any

from rich.style import Style
from textual.scroll_view import ScrollView


class StyledScrollView(ScrollView):
    """Looks each component class's rich style up once, until the CSS changes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._styles: dict[tuple[str, bool], Style] = {}

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def _style(self, name: str, partial: bool = False) -> Style:
        style = self._styles.get((name, partial))
        if style is None:
            style = self._styles[(name, partial)] = self.get_component_rich_style(
                name, partial=partial
            )
        return style
