"""Reports rendered from Jinja2 templates: ``templates/reports/NAME.md.j2`` and
``NAME.html.j2``, or the same names in a folder of the user's (``--templates DIR`` or
``PMTOOL_TEMPLATES``), which is searched first, so a user can replace one template and
keep the rest, or extend the shipped ``layout.html.j2``.

Templates run in Jinja2's sandbox with undefined names as errors. HTML templates
escape every value; Markdown templates escape table cells with the ``md`` filter.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from pmtool.core.errors import InvalidInput
from pmtool.exports import charts
from pmtool.resources import templates_dir
from pmtool.services.read.reports import ReportRequest
from pmtool.storage.reader import Reader

REPORT_FORMATS = ("md", "html")
TEMPLATES_VARIABLE = "PMTOOL_TEMPLATES"
_MARKDOWN_CELL = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|", "\n": " ", "\r": " "}
)


def shipped_templates() -> Path:
    return templates_dir() / "reports"


def markdown_cell(value: Any) -> str:
    """Text for a Markdown table cell or line: HTML and pipes escaped, one line."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(item) for item in value)
    return str(value).translate(_MARKDOWN_CELL)


def _svg(function: Any) -> Any:
    def render(*args: Any, **kwargs: Any) -> Markup:
        return Markup(function(*args, **kwargs))  # the chart escapes its own text

    return render


def template_folders(user_folder: str | None) -> list[Path]:
    """The user's folder (if any, searched first), then the shipped templates."""
    chosen = user_folder or os.environ.get(TEMPLATES_VARIABLE) or None
    folders = []
    if chosen:
        folder = Path(chosen).expanduser()
        if not folder.is_dir():
            raise InvalidInput(f"no template folder {chosen}")
        folders.append(folder)
    folders.append(shipped_templates())
    return folders


def environment(user_folder: str | None = None) -> SandboxedEnvironment:
    loader = jinja2.FileSystemLoader([str(folder) for folder in template_folders(user_folder)])
    env = SandboxedEnvironment(
        loader=loader,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_cell
    env.globals.update(
        burndown_svg=_svg(charts.burndown_svg),
        velocity_svg=_svg(charts.velocity_svg),
        timeline_svg=_svg(charts.timeline_svg),
    )
    return env


def render(name: str, fmt: str, context: Mapping[str, Any], user_folder: str | None) -> str:
    """The report ``name`` as ``fmt`` (md or html); template problems are InvalidInput
    naming the template and line."""
    template_name = f"{name}.{fmt}.j2"
    env = environment(user_folder)
    try:
        template = env.get_template(template_name)
        return template.render(**context)
    except jinja2.TemplateNotFound as error:
        wanted = error.name or template_name
        raise InvalidInput(
            f"no template {wanted} (looked in {', '.join(map(str, template_folders(user_folder)))})"
        ) from None
    except jinja2.TemplateSyntaxError as error:
        where = error.filename or error.name or template_name
        raise InvalidInput(f"template {where}, line {error.lineno}: {error.message}") from None
    except jinja2.UndefinedError as error:
        raise InvalidInput(f"template {template_name}: {error.message}") from None
    except jinja2.exceptions.SecurityError as error:
        raise InvalidInput(f"template {template_name}: not allowed: {error}") from None


def document(
    name: str,
    fmt: str,
    reader: Reader,
    request: ReportRequest,
    shown: str,
    user_folder: str | None = None,
) -> str:
    """The registered report ``name`` (services/read/reports.py) built from ``reader`` for
    ``request`` and rendered as ``fmt``; ``shown`` is what it covers (a project, "all
    projects"). `pmtool report NAME` and the domains' own report commands (`approval
    report`) both call this, so a report has one set of templates."""
    from pmtool.services.read.reports import report_spec

    spec = report_spec(name)
    context = spec.builder()(reader, request)
    context["report"] = {
        "name": spec.name,
        "title": spec.title,
        "project": shown,
        "generated": request.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "today": request.today.isoformat(),
    }
    text = render(spec.name, fmt, context, user_folder)
    return text if text.endswith("\n") else text + "\n"
