"""Shipped templates: definition-of-done checklists (later: thesis plans, reports)."""

from __future__ import annotations

from pmtool.core.errors import NotFound
from pmtool.resources import templates_dir


def checklist_names() -> list[str]:
    return sorted(path.stem for path in (templates_dir() / "checklists").glob("*.txt"))


def load_checklist(name: str) -> list[str]:
    path = templates_dir() / "checklists" / f"{name.strip().lower()}.txt"
    if not path.is_file():
        raise NotFound(f"no checklist template {name!r}; templates: {', '.join(checklist_names())}")
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
