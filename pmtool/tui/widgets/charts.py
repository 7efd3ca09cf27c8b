"""Burndown and velocity charts drawn with block characters, sized to their widget."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

_EIGHTHS = " ▁▂▃▄▅▆▇█"


class Meter:
    """A bar that fills the width it is given, followed by a label: ``████░░ 15/30``."""

    def __init__(self, done: float, total: float, label: str, *, over: bool = False) -> None:
        self.done, self.total, self.label, self.over = done, total, label, over

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = min(max(options.max_width - cell_len(self.label) - 1, 4), 40)
        share = min(self.done / self.total, 1.0) if self.total else 0.0
        filled = round(width * share)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("█" * filled, "bold red" if self.over else "")
        text.append("░" * (width - filled), "dim")
        text.append(" " + self.label)
        yield text


def _day_label(iso: str) -> str:
    return iso[5:10]


def burndown_text(
    rows: list[dict[str, Any]],
    committed: int,
    width: int,
    height: int,
    *,
    bar: Style,
    ideal: Style,
    axis: Style,
) -> Text:
    """Remaining points per day as bars, the ideal line as marks, in width x height cells."""
    if not rows:
        return Text("No sprint days to show.", style=axis)
    top = max([committed, 1, *(int(row["scope"] or 0) for row in rows)])
    top = max(top, *(int(row["remaining"] or 0) for row in rows))
    label_width = len(str(top))
    plot_width = max(width - label_width - 2, 1)
    show_legend = height >= 6
    chart_height = max(height - 2 - (1 if show_legend else 0), 1)
    count = len(rows)
    if plot_width >= count:
        column_width = plot_width // count
        shown = rows
    else:
        column_width = 1
        shown = [rows[round(i * (count - 1) / max(plot_width - 1, 1))] for i in range(plot_width)]
    bar_width = column_width - 1 if column_width >= 2 else 1  # a gap between days
    both = Style(color=ideal.color, bgcolor=bar.color)
    lines: list[Text] = []
    if show_legend:
        legend = Text(no_wrap=True, overflow="crop")
        legend.append("█", bar)
        legend.append(" remaining  ", axis)
        legend.append("─", ideal)
        legend.append(" ideal", axis)
        extra = f"   committed {committed}"
        scope = next((row["scope"] for row in reversed(rows) if row["scope"] is not None), None)
        if scope is not None and scope != committed:
            extra += f", scope now {scope}"
        if legend.cell_len + len(extra) <= width:
            legend.append(extra, axis)
        lines.append(legend)
    for line_index in range(chart_height):
        floor_units = (chart_height - line_index - 1) * 8
        if line_index == 0:
            label = str(top).rjust(label_width)
        elif line_index == chart_height - 1:
            label = "0".rjust(label_width)
        else:
            label = " " * label_width
        text = Text(label + " │", style=axis, no_wrap=True, overflow="crop")
        for row in shown:
            units = 0
            if row["remaining"] is not None:
                units = round(int(row["remaining"]) / top * chart_height * 8) - floor_units
            ideal_height = float(row["ideal"]) / top * chart_height
            ideal_line = chart_height - 1 - min(math.floor(ideal_height), chart_height - 1)
            on_ideal = line_index == ideal_line
            if units >= 8:
                cell, style = ("─", both) if on_ideal else ("█", bar)
            elif units > 0:
                cell, style = ("─", both) if on_ideal else (_EIGHTHS[units], bar)
            else:
                cell, style = ("─", ideal) if on_ideal else (" ", axis)
            text.append(cell * bar_width, style)
            if column_width > bar_width:
                gap = "─" if on_ideal else " "
                text.append(gap * (column_width - bar_width), ideal if on_ideal else axis)
        lines.append(text)
    lines.append(Text(" " * label_width + " └" + "─" * (column_width * len(shown)), style=axis))
    first, last = _day_label(rows[0]["date"]), _day_label(rows[-1]["date"])
    span = column_width * len(shown)
    dates = first + " " * max(span - len(first) - len(last), 1) + last
    lines.append(Text(" " * (label_width + 2) + dates, style=axis))
    for line in lines:
        line.no_wrap, line.overflow = True, "crop"
    return Text("\n", no_wrap=True, overflow="crop").join(lines)


def velocity_text(
    rows: list[dict[str, Any]],
    average: float | None,
    width: int,
    *,
    done: Style,
    planned: Style,
    axis: Style,
) -> Text:
    """Completed against committed points per closed sprint, one bar per sprint."""
    if not rows:
        return Text("No closed sprints yet: velocity appears after the first one.", style=axis)
    name_width = min(max(len(str(row["sprint"])) for row in rows), 14)
    number_width = len(f"{max(max(r['completed'], r['committed']) for r in rows)}") * 2 + 2
    bar_width = max(width - name_width - number_width - 3, 4)
    top = max([1, *(max(row["completed"], row["committed"]) for row in rows)])
    lines: list[Text] = []
    legend = Text()
    legend.append("█", done)
    legend.append(" completed  ", axis)
    legend.append("░", planned)
    legend.append(" committed, not completed", axis)
    lines.append(legend)
    for row in rows:
        completed = round(row["completed"] / top * bar_width)
        committed = round(row["committed"] / top * bar_width)
        name = str(row["sprint"])
        name = name if len(name) <= name_width else name[: name_width - 1] + "…"
        text = Text(name.ljust(name_width) + " ", style=axis)
        text.append("█" * completed, done)
        text.append("░" * max(committed - completed, 0), planned)
        text.append(" " * (bar_width - max(committed, completed)), axis)
        text.append(f" {row['completed']}/{row['committed']}", axis)
        lines.append(text)
    if average is not None:
        lines.append(Text(f"Average of the last {min(3, len(rows))}: {average} points", axis))
    return Text("\n").join(lines)


class BurndownChart(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"chart--bar", "chart--ideal", "chart--axis"}
    DEFAULT_CSS = """
    BurndownChart { height: 1fr; min-height: 5; }
    BurndownChart > .chart--bar { color: $primary; }
    BurndownChart > .chart--ideal { color: $warning; }
    BurndownChart > .chart--axis { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: list[dict[str, Any]] = []
        self.committed = 0

    def show(self, rows: list[dict[str, Any]], committed: int) -> None:
        self.rows, self.committed = rows, committed
        self.refresh()

    def render(self) -> Text:
        return burndown_text(
            self.rows,
            self.committed,
            self.size.width,
            self.size.height,
            bar=self.get_component_rich_style("chart--bar"),
            ideal=self.get_component_rich_style("chart--ideal"),
            axis=self.get_component_rich_style("chart--axis"),
        )


class VelocityChart(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"chart--done", "chart--planned", "chart--axis"}
    DEFAULT_CSS = """
    VelocityChart { height: auto; }
    VelocityChart > .chart--done { color: $success; }
    VelocityChart > .chart--planned { color: $primary; }
    VelocityChart > .chart--axis { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: list[dict[str, Any]] = []
        self.average: float | None = None

    def show(self, rows: list[dict[str, Any]], average: float | None) -> None:
        self.rows, self.average = rows, average
        self.refresh(layout=True)

    def render(self) -> Text:
        return velocity_text(
            self.rows,
            self.average,
            self.size.width,
            done=self.get_component_rich_style("chart--done"),
            planned=self.get_component_rich_style("chart--planned"),
            axis=self.get_component_rich_style("chart--axis"),
        )
