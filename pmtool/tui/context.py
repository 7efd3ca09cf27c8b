"""What every screen needs to reach the data: where it is, which project, who acts."""

from __future__ import annotations

from dataclasses import dataclass

from pmtool.services.read.changes import ChangeMarker
from pmtool.storage.location import DatabaseLocation


@dataclass(frozen=True)
class TuiContext:
    location: DatabaseLocation
    project_id: int
    project_key: str
    project_name: str
    actor: str


def resolve_context(
    location: DatabaseLocation, project: str | None, actor: str | None
) -> tuple[TuiContext, ChangeMarker] | None:
    """Project, actor and change marker before the app starts; None: the user picks.

    Raises the usual errors (no database, no such project) so that the command line
    can report them before any screen appears.
    """
    from pmtool.core.actor import resolve_actor
    from pmtool.core.errors import InvalidInput
    from pmtool.services.read.board import project_header
    from pmtool.services.read.changes import change_marker
    from pmtool.services.resolve import project_ref as resolve
    from pmtool.storage.reader import reading

    with reading(location) as reader:
        try:
            project_id, key = resolve(reader, project)
        except InvalidInput:
            return None
        name = project_header(reader, project_id)["name"]
        marker = change_marker(reader)
    return TuiContext(location, project_id, key, name, resolve_actor(actor)), marker
