"""Inline SVG charts for HTML reports: burndown, velocity, and a timeline (Gantt).

Made to be read on paper as well as on screen: black and grey strokes, dashes and
hatching instead of colour alone, every series labelled in a legend, values written
next to bars, fixed sizes with a viewBox (they scale with the page and never split
across a page break; see the reports' print CSS). Plain strings, no library: every
text passes through :func:`escape`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from html import escape as _html_escape
from typing import Any, NamedTuple

WIDTH = 640
HEIGHT = 280
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48, 16, 28, 44
FONT = "font-family='Helvetica, Arial, sans-serif' font-size='11'"
INK, GREY, LIGHT = "#111111", "#767676", "#d9d9d9"
LATE = "#b00020"  # also marked by a pattern and a word, never by colour alone


def escape(text: Any) -> str:
    return _html_escape("" if text is None else str(text), quote=True)


def _open(title: str, width: int = WIDTH, height: int = HEIGHT) -> list[str]:
    return [
        f"<svg xmlns='http://www.w3.org/2000/svg' class='chart' role='img' "
        f"width='{width}' height='{height}' viewBox='0 0 {width} {height}' "
        f"aria-label='{escape(title)}'>",
        f"<title>{escape(title)}</title>",
        f"<rect x='0' y='0' width='{width}' height='{height}' fill='#ffffff'/>",
        f"<text x='{MARGIN_LEFT}' y='16' {FONT} font-weight='bold' fill='{INK}'>"
        f"{escape(title)}</text>",
    ]


def _nice_top(value: float) -> int:
    """The top of a y axis of four steps of 1, 2 or 5 times a power of ten, at or above
    ``value`` (31 -> 40: ticks at 0, 10, 20, 30, 40)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor * 4 >= value:
                return step * factor * 4
        step *= 10


def _y_axis(parts: list[str], top: int, plot_height: float, width: int = WIDTH) -> None:
    for tick in range(5):
        value = top * tick / 4
        y = MARGIN_TOP + plot_height * (1 - tick / 4)
        parts.append(
            f"<line x1='{MARGIN_LEFT}' y1='{y:.1f}' x2='{width - MARGIN_RIGHT}' y2='{y:.1f}' "
            f"stroke='{LIGHT}' stroke-width='1'/>"
        )
        label = f"{value:g}"
        parts.append(
            f"<text x='{MARGIN_LEFT - 6}' y='{y + 4:.1f}' {FONT} text-anchor='end' "
            f"fill='{GREY}'>{label}</text>"
        )


def _legend(parts: list[str], entries: Sequence[tuple[str, str]], y: float) -> None:
    """Entries of (svg snippet drawing a 24x10 sample at x=0..24, label)."""
    x = MARGIN_LEFT
    for sample, label in entries:
        parts.append(f"<g transform='translate({x},{y:.1f})'>{sample}")
        parts.append(f"<text x='30' y='9' {FONT} fill='{INK}'>{escape(label)}</text></g>")
        x += 40 + 7 * len(label)


def burndown_svg(rows: Sequence[Mapping[str, Any]], committed: int, title: str) -> str:
    """Remaining points per day (solid line, dots) against the ideal (dashed), with the
    scope (dotted) where it changed. ``rows`` are burndown rows (date, remaining, ideal,
    completed, scope); days still to come have no remaining."""
    parts = _open(title)
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    values = [committed] + [float(row["scope"] or 0) for row in rows]
    values += [float(row["remaining"] or 0) for row in rows]
    top = _nice_top(max(values) if values else 0)
    _y_axis(parts, top, plot_height)
    count = max(len(rows), 1)
    step = plot_width / max(count - 1, 1)

    def point(index: int, value: float) -> str:
        return (
            f"{MARGIN_LEFT + index * step:.1f},{MARGIN_TOP + plot_height * (1 - value / top):.1f}"
        )

    if rows:
        ideal = " ".join(point(index, float(row["ideal"])) for index, row in enumerate(rows))
        parts.append(
            f"<polyline points='{ideal}' fill='none' stroke='{GREY}' stroke-width='1.5' "
            "stroke-dasharray='6 4'/>"
        )
        scope = [(i, row["scope"]) for i, row in enumerate(rows) if row["scope"] is not None]
        if scope and len({value for _, value in scope}) > 1:
            line = " ".join(point(index, float(value)) for index, value in scope)
            parts.append(
                f"<polyline points='{line}' fill='none' stroke='{INK}' stroke-width='1' "
                "stroke-dasharray='1 3'/>"
            )
        actual = [
            (i, row["remaining"]) for i, row in enumerate(rows) if row["remaining"] is not None
        ]
        if actual:
            line = " ".join(point(index, float(value)) for index, value in actual)
            parts.append(
                f"<polyline points='{line}' fill='none' stroke='{INK}' stroke-width='2.5'/>"
            )
            for index, value in actual:
                dot_x, dot_y = point(index, float(value)).split(",")
                parts.append(f"<circle cx='{dot_x}' cy='{dot_y}' r='3' fill='{INK}'/>")
        label_every = max(1, count // 7)
        for index, row in enumerate(rows):
            if index % label_every == 0:
                day = str(row["date"])[5:10]
                x = MARGIN_LEFT + index * step
                parts.append(
                    f"<text x='{x:.1f}' y='{HEIGHT - MARGIN_BOTTOM + 14}' {FONT} "
                    f"text-anchor='middle' fill='{GREY}'>{escape(day)}</text>"
                )
    _legend(
        parts,
        [
            (
                f"<line x1='0' y1='5' x2='24' y2='5' stroke='{INK}' stroke-width='2.5'/>",
                "remaining",
            ),
            (
                f"<line x1='0' y1='5' x2='24' y2='5' stroke='{GREY}' stroke-width='1.5' "
                "stroke-dasharray='6 4'/>",
                "ideal",
            ),
            (
                f"<line x1='0' y1='5' x2='24' y2='5' stroke='{INK}' stroke-dasharray='1 3'/>",
                "scope",
            ),
        ],
        HEIGHT - 18,
    )
    parts.append("</svg>")
    return "\n".join(parts)


def velocity_svg(
    rows: Sequence[Mapping[str, Any]], title: str, average: float | None = None
) -> str:
    """Committed (outlined, hatched) and completed (solid) points per closed sprint, with
    the numbers on the bars and the average as a dashed line."""
    parts = _open(title)
    parts.append(
        "<defs><pattern id='hatch' width='6' height='6' patternUnits='userSpaceOnUse' "
        "patternTransform='rotate(45)'>"
        f"<line x1='0' y1='0' x2='0' y2='6' stroke='{GREY}' stroke-width='2'/></pattern></defs>"
    )
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    values = [float(row["committed"] or 0) for row in rows]
    values += [float(row["completed"] or 0) for row in rows]
    top = _nice_top(max(values) if values else 0)
    _y_axis(parts, top, plot_height)
    slot = plot_width / max(len(rows), 1)
    bar = min(28.0, slot / 3)
    for index, row in enumerate(rows):
        left = MARGIN_LEFT + index * slot + slot / 2 - bar
        for offset, field, fill in ((0, "committed", "url(#hatch)"), (bar, "completed", INK)):
            value = float(row[field] or 0)
            height = plot_height * value / top
            y = MARGIN_TOP + plot_height - height
            parts.append(
                f"<rect x='{left + offset:.1f}' y='{y:.1f}' width='{bar:.1f}' "
                f"height='{height:.1f}' fill='{fill}' stroke='{INK}' stroke-width='1'/>"
            )
            parts.append(
                f"<text x='{left + offset + bar / 2:.1f}' y='{y - 3:.1f}' {FONT} "
                f"text-anchor='middle' fill='{INK}'>{value:g}</text>"
            )
        parts.append(
            f"<text x='{left + bar:.1f}' y='{HEIGHT - MARGIN_BOTTOM + 14}' {FONT} "
            f"text-anchor='middle' fill='{GREY}'>{escape(_short(row['sprint']))}</text>"
        )
    if average is not None and rows:
        y = MARGIN_TOP + plot_height * (1 - average / top)
        parts.append(
            f"<line x1='{MARGIN_LEFT}' y1='{y:.1f}' x2='{WIDTH - MARGIN_RIGHT}' y2='{y:.1f}' "
            f"stroke='{INK}' stroke-width='1.5' stroke-dasharray='6 4'/>"
        )
    _legend(
        parts,
        [
            (
                f"<rect x='0' y='0' width='24' height='10' fill='url(#hatch)' stroke='{INK}'/>",
                "committed",
            ),
            (f"<rect x='0' y='0' width='24' height='10' fill='{INK}'/>", "completed"),
            (
                f"<line x1='0' y1='5' x2='24' y2='5' stroke='{INK}' stroke-dasharray='6 4'/>",
                "average" if average is None else f"average {average:g}",
            ),
        ],
        HEIGHT - 18,
    )
    parts.append("</svg>")
    return "\n".join(parts)


def _short(text: Any, limit: int = 14) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class TimelineRow(NamedTuple):
    """One bar of a timeline: from ``start`` to ``end`` (a due date: start == end is a
    milestone diamond); ``done`` fills it, ``late`` marks it (hatched red, 'late')."""

    label: str
    start: date | None
    end: date
    done: bool = False
    late: bool = False


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def timeline_rows(rows: Iterable[Sequence[Any] | Mapping[str, Any]]) -> list[TimelineRow]:
    """TimelineRows from tuples (label, start, end/due, done, late) or dicts with those
    keys (``due`` for ``end`` will do); dates as ``date`` or ISO text."""
    found = []
    for row in rows:
        if isinstance(row, Mapping):
            values = (
                row["label"],
                row.get("start"),
                row.get("end", row.get("due")),
                row.get("done", False),
                row.get("late", False),
            )
        else:
            values = tuple(row) + (False,) * (5 - len(row))
        label, start, end, done, late = values[:5]
        finish = _as_date(end)
        if finish is None:
            continue
        found.append(TimelineRow(str(label), _as_date(start), finish, bool(done), bool(late)))
    return found


def timeline_svg(
    rows: Iterable[Sequence[Any] | Mapping[str, Any]], title: str, today: date | str | None = None
) -> str:
    """A Gantt chart: one line per row (label on the left), bars from start to end or a
    diamond for a due date, done filled, open outlined, late hatched in red and labelled
    'late'; a dashed line marks today. For milestones, phases, approvals, meetings."""
    items = timeline_rows(rows)
    today = _as_date(today)
    label_width = 180
    row_height = 22
    height = MARGIN_TOP + 24 + row_height * max(len(items), 1) + 40
    parts = _open(title, WIDTH, height)
    parts.append(
        "<defs><pattern id='late-hatch' width='6' height='6' patternUnits='userSpaceOnUse' "
        "patternTransform='rotate(45)'>"
        f"<line x1='0' y1='0' x2='0' y2='6' stroke='{LATE}' stroke-width='2'/></pattern></defs>"
    )
    if not items:
        parts.append(
            f"<text x='{MARGIN_LEFT}' y='{MARGIN_TOP + 30}' {FONT} fill='{GREY}'>"
            "Nothing scheduled.</text></svg>"
        )
        return "\n".join(parts)
    days = [item.end for item in items] + [item.start for item in items if item.start]
    if today is not None:
        days.append(today)
    first, last = min(days), max(days)
    if last == first:
        last = first + timedelta(days=1)
    span = (last - first).days
    left = label_width
    plot_width = WIDTH - left - MARGIN_RIGHT - 36

    def x_of(day: date) -> float:
        return left + plot_width * (day - first).days / span

    axis_y = MARGIN_TOP + 12
    labelled: list[float] = []
    for tick in range(5):
        day = first + timedelta(days=round(span * tick / 4))
        x = x_of(day)
        if labelled and x - labelled[-1] < 80:  # an ISO date is ~65 px wide
            continue
        labelled.append(x)
        parts.append(
            f"<line x1='{x:.1f}' y1='{axis_y + 4}' x2='{x:.1f}' y2='{height - 36}' "
            f"stroke='{LIGHT}'/>"
        )
        parts.append(
            f"<text x='{x:.1f}' y='{axis_y}' {FONT} text-anchor='middle' fill='{GREY}'>"
            f"{day.isoformat()}</text>"
        )
    for index, item in enumerate(items):
        y = axis_y + 10 + index * row_height
        parts.append(
            f"<text x='{left - 8}' y='{y + 13}' {FONT} text-anchor='end' fill='{INK}'>"
            f"{escape(_short(item.label, 28))}</text>"
        )
        fill = "url(#late-hatch)" if item.late else (INK if item.done else "#ffffff")
        stroke = LATE if item.late else INK
        end_x = x_of(item.end)
        if item.start is not None and item.start < item.end:
            start_x = x_of(item.start)
            parts.append(
                f"<rect x='{start_x:.1f}' y='{y + 3}' width='{max(end_x - start_x, 2):.1f}' "
                f"height='14' fill='{fill}' stroke='{stroke}' stroke-width='1.5'/>"
            )
        else:
            parts.append(
                f"<polygon points='{end_x:.1f},{y + 2} {end_x + 8:.1f},{y + 10} "
                f"{end_x:.1f},{y + 18} {end_x - 8:.1f},{y + 10}' fill='{fill}' "
                f"stroke='{stroke}' stroke-width='1.5'/>"
            )
        if item.late:
            parts.append(
                f"<text x='{end_x + 12:.1f}' y='{y + 14}' {FONT} font-weight='bold' "
                f"fill='{LATE}'>late</text>"
            )
        elif item.done:
            parts.append(
                f"<text x='{end_x + 12:.1f}' y='{y + 14}' {FONT} fill='{GREY}'>done</text>"
            )
    if today is not None and first <= today <= last:
        x = x_of(today)
        parts.append(
            f"<line x1='{x:.1f}' y1='{axis_y + 4}' x2='{x:.1f}' y2='{height - 36}' "
            f"stroke='{INK}' stroke-width='1.5' stroke-dasharray='4 3'/>"
        )
    _legend(
        parts,
        [
            (f"<rect x='0' y='0' width='24' height='10' fill='{INK}'/>", "done"),
            (f"<rect x='0' y='0' width='24' height='10' fill='#ffffff' stroke='{INK}'/>", "open"),
            (
                f"<rect x='0' y='0' width='24' height='10' fill='url(#late-hatch)' "
                f"stroke='{LATE}'/>",
                "late",
            ),
            (
                f"<line x1='12' y1='0' x2='12' y2='10' stroke='{INK}' stroke-dasharray='4 3'/>",
                "today",
            ),
        ],
        height - 22,
    )
    parts.append("</svg>")
    return "\n".join(parts)
