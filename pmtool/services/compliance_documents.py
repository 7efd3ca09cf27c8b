"""The documents a clinical AI project owes, written from its records (Markdown).

Templates are Jinja2 files in ``templates/reports/compliance-*.md.j2``; the data comes
from :func:`pmtool.services.read.compliance.document_context`. What the records do not
hold yet is marked with :data:`GAP_MARKER`, so a reader (and a script) finds the gaps.
Jinja2 is imported only here, when a document is written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pmtool.core.errors import InvalidInput, NotFound
from pmtool.core.values import iso_timestamp
from pmtool.resources import templates_dir
from pmtool.storage.reader import Reader, Row

GAP_MARKER = "GAP:"
TEMPLATE_FILES = {
    "annex-iv": "compliance-annex-iv.md.j2",
    "model-card": "compliance-model-card.md.j2",
    "reporting-appendix": "compliance-reporting-appendix.md.j2",
}
TITLES = {
    "annex-iv": "Technical documentation (EU AI Act Annex IV)",
    "model-card": "Model card",
    "reporting-appendix": "Reporting-guideline appendix",
}


def _box(item: Row) -> str:
    return {"done": "[x]", "not_applicable": "[-]"}.get(item["status"], "[ ]")


def _evidence(item: Row) -> str:
    if item["status"] == "not_applicable":
        return f"not applicable: {item['na_reason']}"
    if item["evidence"]:
        return f"{item['evidence_kind']} {item['evidence']}"
    return ""


def _item_line(item: Row) -> str:
    """One checklist item as a Markdown list line, a gap when it is not finished."""
    text = f"- {_box(item)} {item['number']} {item['label']}"
    if item["status"] in ("done", "not_applicable"):
        return f"{text} ({_evidence(item)})"
    details = [item["status"].replace("_", " ")]
    if item["owner"]:
        details.append(f"owner {item['owner']}")
    if item["due"]:
        details.append(f"due {item['due']}")
    if item["tasks"]:
        details.append(f"tasks {', '.join(item['tasks'])}")
    return f"{text} ({GAP_MARKER} {', '.join(details)})"


def _where(item: Row) -> str:
    """Where an item is addressed: its evidence or reason, else a gap with what exists."""
    if item["status"] in ("done", "not_applicable"):
        return _evidence(item)
    details = [item["status"].replace("_", " ")]
    if item["evidence"]:
        details.append(_evidence(item))
    if item["tasks"]:
        details.append(f"tasks {', '.join(item['tasks'])}")
    return f"{GAP_MARKER} {', '.join(details)}"


def _checklist_lines(
    checklist: Row | None,
    *,
    section: str | None = None,
    sections: tuple[str, ...] | list[str] | None = None,
    numbers: tuple[str, ...] | list[str] | None = None,
    missing: str = "",
) -> str:
    """The items of a checklist (of some sections, or with these numbers) as list lines;
    a gap line when the project has no such checklist."""
    if checklist is None:
        return f"- {GAP_MARKER} {missing}"
    chosen = [
        item
        for item in checklist["items_list"]
        if (section is None or item["section"] == section)
        and (sections is None or item["section"] in sections)
        and (numbers is None or item["number"] in numbers)
    ]
    return "\n".join(_item_line(item) for item in chosen)


def _cell(value: Any) -> str:
    """A Markdown table cell: one line, pipes escaped."""
    text = "" if value is None else " ".join(str(value).split())
    return text.replace("|", "\\|")


def _environment() -> Any:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir() / "reports")),
        autoescape=False,  # Markdown, not HTML
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["item_line"] = _item_line
    environment.filters["cell"] = _cell
    environment.filters["box"] = _box
    environment.filters["evidence"] = _evidence
    environment.filters["where"] = _where
    environment.globals["checklist_lines"] = _checklist_lines
    environment.globals["GAP"] = GAP_MARKER
    return environment


def _reporting_checklist(
    reader: Reader, project_id: int, name: str | None, thesis_id: int | None
) -> int:
    """The checklist of a reporting appendix: the one named, or the only reporting
    guideline of the project (or of the thesis)."""
    from pmtool.services import compliance

    if name is not None:
        return int(compliance.checklist(reader, project_id, name, thesis_id)["id"])
    found = reader.tuples(
        "SELECT id, template, thesis_id FROM compliance_checklist WHERE project_id = :p "
        "AND kind = 'reporting-guideline' ORDER BY id",
        {"p": project_id},
    )
    if thesis_id is not None:
        found = [row for row in found if row[2] == thesis_id]
    if not found:
        raise NotFound(
            "no reporting-guideline checklist here: add one with "
            "`pmtool compliance checklist add tripod-ai` (or claim, stard-2015, decide-ai)"
        )
    if len(found) > 1:
        names = ", ".join(f"{row[1]} (id {row[0]})" for row in found)
        raise InvalidInput(f"several reporting-guideline checklists: {names}; give --checklist")
    return int(found[0][0])


def render(
    reader: Reader,
    kind: str,
    project_id: int,
    *,
    database: str,
    now: datetime,
    checklist_name: str | None = None,
    thesis_id: int | None = None,
) -> str:
    """The document ``kind`` for the project, as Markdown text."""
    from pmtool.services.read.compliance import document_context

    if kind not in TEMPLATE_FILES:
        raise InvalidInput(f"no document {kind!r}; documents: {', '.join(TEMPLATE_FILES)}")
    checklist_id = None
    if kind == "reporting-appendix":
        checklist_id = _reporting_checklist(reader, project_id, checklist_name, thesis_id)
    elif checklist_name is not None or thesis_id is not None:
        raise InvalidInput("--checklist and --thesis choose the checklist of reporting-appendix")
    context = document_context(
        reader, project_id, checklist_id=checklist_id, today=now.astimezone().date()
    )
    context.update(
        title=TITLES[kind],
        generated_at=iso_timestamp(now),
        database=database,
        kind=kind,
    )
    text: str = _environment().get_template(TEMPLATE_FILES[kind]).render(**context)
    return text
