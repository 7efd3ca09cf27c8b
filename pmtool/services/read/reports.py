"""What `pmtool report NAME` can render: the registry every domain plugs into.

A report is a function that reads what it shows and returns a plain dict (its
*context*), and a pair of Jinja2 templates, ``templates/reports/NAME.md.j2`` and
``NAME.html.j2``, that turn the context into a document. A domain registers its report
once, in :func:`pmtool.services.read.domains.register_reports`::

    reports.register_report(
        "thesis", "pmtool.services.read.thesis:thesis_report",
        title="Thesis progress", subject="THESIS", subject_help="The thesis (id or student).",
    )

``build`` is the function or its ``"module:function"`` path (imported only when the
report runs, so a report may use heavier libraries than the registry). It is called as
``build(reader, request)`` with a :class:`ReportRequest` and returns the context; the
templates get it as is, plus ``report`` (name, title, generated, project), and the
chart helpers (``burndown_svg``, ``velocity_svg``, ``timeline_svg``: see
:mod:`pmtool.exports.charts`). Standard library only.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, NamedTuple

from pmtool.core.errors import InvalidInput
from pmtool.storage.reader import Reader


class ReportRequest(NamedTuple):
    """What the user asked for: the projects (None: every project, with --all), the
    subject (a sprint name, a thesis id; None when the report takes none), and when.
    A report registered with a ``scope`` gets None: it covers no one project."""

    project_ids: tuple[int, ...] | None
    subject: str | None
    today: date
    now: datetime


Build = Callable[[Reader, ReportRequest], dict[str, Any]]


class ReportSpec(NamedTuple):
    name: str
    build: Build | str
    title: str
    subject: str | None = None  # the argument's metavar, e.g. "SPRINT"
    subject_default: str | None = None
    subject_help: str = ""
    every_project: bool = False  # takes --all
    help: str = ""
    # What the report covers when it is no project's (e.g. "all theses"): it needs none.
    scope: str | None = None

    def builder(self) -> Build:
        if not isinstance(self.build, str):
            return self.build
        module_name, _, function = self.build.partition(":")
        built: Build = getattr(importlib.import_module(module_name), function)
        return built


_REPORTS: dict[str, ReportSpec] = {}


def register_report(
    name: str,
    build: Build | str,
    *,
    title: str,
    subject: str | None = None,
    subject_default: str | None = None,
    subject_help: str = "",
    every_project: bool = False,
    help: str = "",
    scope: str | None = None,
) -> None:
    """Make ``pmtool report NAME`` work (a second registration replaces the first)."""
    if not name.replace("-", "").isalnum() or name != name.lower():
        raise ValueError(f"a report name is lower-case words with dashes: {name!r}")
    if isinstance(build, str) and ":" not in build:
        raise ValueError(f"build must be a function or 'module:function', not {build!r}")
    _REPORTS[name] = ReportSpec(
        name, build, title, subject, subject_default, subject_help, every_project, help, scope
    )


def report_specs() -> tuple[ReportSpec, ...]:
    from pmtool.services.read.domains import register_reports

    register_reports()
    return tuple(_REPORTS.values())


def report_spec(name: str) -> ReportSpec:
    found = {spec.name: spec for spec in report_specs()}
    if name not in found:
        raise InvalidInput(f"no report {name!r}; reports: {', '.join(found)}")
    return found[name]
