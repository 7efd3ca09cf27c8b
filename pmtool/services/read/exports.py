"""What `pmtool export ENTITY` can export: the registry every domain plugs into.

A domain registers each entity once, in :func:`pmtool.services.read.domains.register_exports`::

    exports.register_export(
        "approvals", approvals.export_rows, approvals.APPROVAL_FIELDS,
        personal_fields=("contact_email",),
        filters=(exports.ExportFilter("status", "Only approvals in this status."),),
        kinds={"valid_until": "date", "submitted": "date"},
        title="Ethics and data approvals",
    )

``query(reader, scope, filters)`` returns (or yields: exports stream) one dict per
record with at least the entity's ``fields`` and its ``personal_fields``. ``scope``
says which projects (``project_ids`` None: every project) and when (``today``,
``now``); ``filters`` holds only the filters the user gave, by keyword (``sprint``,
``statuses``, ...). Personal fields (contact details) leave the export unless
``--include-personal`` is given; the CLI takes care of that, not the query.

The shape of each entity is documented in docs/exports.md with its ``schema_version``;
``tests/test_exports.py`` fails when an exported field is not documented there.
Standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal, NamedTuple

from pmtool.core.errors import InvalidInput
from pmtool.storage.reader import Reader, Row

# How a filter is given on the command line: a value, a repeatable value, a flag, a
# date (ISO, today, +3d, ...), or a whole number.
FilterKind = Literal["text", "many", "flag", "date", "count"]
# The spreadsheet type of a field's cells (numbers and booleans are typed by value).
CellKind = Literal["date", "datetime", "text"]


class ExportScope(NamedTuple):
    """Which projects an export covers (None: every project) and what day it is."""

    project_ids: tuple[int, ...] | None
    today: date
    now: datetime


class ExportFilter(NamedTuple):
    """A filter option of `pmtool export`: ``--NAME`` on the command line, the keyword
    ``NAME`` (dashes as underscores; ``many`` filters in the plural: ``statuses``,
    ``labels``) for the query."""

    name: str
    help: str
    kind: FilterKind = "text"

    @property
    def keyword(self) -> str:
        base = self.name.replace("-", "_")
        if self.kind != "many":
            return base
        return base + ("es" if base.endswith("s") else "s")


Query = Callable[[Reader, ExportScope, Mapping[str, Any]], Iterable[Row]]
# A faster route for one format, or None where the database can't take it (see below).
FastQuery = Callable[[Reader, ExportScope, Mapping[str, Any], bool], Iterator[Any] | None]


class ExportEntity(NamedTuple):
    """One exportable entity. ``fast_csv(reader, scope, filters, raw)`` may yield whole
    CSV lines (without the line end; cells neutralised unless ``raw``, quoted as CSV
    needs), ``fast_json(...)`` rows as encoded JSON objects; both return None to fall
    back to ``query``. Large entities (tasks) use them to stream at the database's
    pace."""

    entity: str
    query: Query
    fields: tuple[str, ...]
    personal_fields: tuple[str, ...] = ()
    filters: tuple[ExportFilter, ...] = ()
    kinds: Mapping[str, CellKind] = {}
    title: str = ""
    schema_version: int = 1
    one_project: bool = False  # needs a single project (a sprint's burndown)
    workspace: bool = False  # belongs to no project (members): no project is chosen
    fast_csv: FastQuery | None = None
    fast_json: FastQuery | None = None

    def fields_for(self, include_personal: bool) -> tuple[str, ...]:
        return self.fields + self.personal_fields if include_personal else self.fields


_ENTITIES: dict[str, ExportEntity] = {}


def register_export(
    entity: str,
    query: Query,
    fields: Sequence[str],
    *,
    personal_fields: Sequence[str] = (),
    filters: Sequence[ExportFilter] = (),
    kinds: Mapping[str, CellKind] | None = None,
    title: str = "",
    schema_version: int = 1,
    one_project: bool = False,
    workspace: bool = False,
    fast_csv: FastQuery | None = None,
    fast_json: FastQuery | None = None,
) -> None:
    """Make ``pmtool export ENTITY`` work (a second registration replaces the first).

    A filter name used by several entities must mean the same kind of value in each.
    """
    if not entity.replace("-", "").isalnum() or entity != entity.lower():
        raise ValueError(f"an entity name is lower-case words with dashes: {entity!r}")
    overlap = set(fields) & set(personal_fields)
    if overlap:
        raise ValueError(f"{entity}: {sorted(overlap)} are both ordinary and personal fields")
    for wanted in filters:
        for other in _ENTITIES.values():
            for known in other.filters:
                if known.name == wanted.name and known.kind != wanted.kind:
                    raise ValueError(
                        f"{entity}: filter --{wanted.name} is a {wanted.kind} here but a "
                        f"{known.kind} for {other.entity}"
                    )
    _ENTITIES[entity] = ExportEntity(
        entity,
        query,
        tuple(fields),
        tuple(personal_fields),
        tuple(filters),
        dict(kinds or {}),
        title or entity.capitalize(),
        schema_version,
        one_project,
        workspace,
        fast_csv,
        fast_json,
    )


def export_entities() -> tuple[ExportEntity, ...]:
    """Every registered entity, in registration order (the domains registered first)."""
    from pmtool.services.read.domains import register_exports

    register_exports()
    return tuple(_ENTITIES.values())


def export_entity(name: str) -> ExportEntity:
    """The entity called ``name``, or an InvalidInput naming the ones there are."""
    entities = {found.entity: found for found in export_entities()}
    if name not in entities:
        raise InvalidInput(f"no export {name!r}; entities: {', '.join(entities)}")
    return entities[name]


def every_filter() -> tuple[ExportFilter, ...]:
    """Each filter name once (the CLI turns them into options)."""
    seen: dict[str, ExportFilter] = {}
    for found in export_entities():
        for wanted in found.filters:
            seen.setdefault(wanted.name, wanted)
    return tuple(seen.values())


def check_filters(entity: ExportEntity, given: Mapping[str, Any]) -> None:
    """Refuse a filter the entity does not take (``--sprint`` on members, say)."""
    known = {wanted.keyword for wanted in entity.filters}
    for keyword in given:
        if keyword not in known:
            option = "--" + keyword.removesuffix("s").replace("_", "-")
            for wanted in every_filter():
                if wanted.keyword == keyword:
                    option = "--" + wanted.name
            takes = ", ".join("--" + wanted.name for wanted in entity.filters) or "no filters"
            raise InvalidInput(f"export {entity.entity} takes {takes}, not {option}")


ENTITY_LIST_FIELDS = ("entity", "schema_version", "title", "fields", "personal_fields", "filters")


def entity_rows() -> list[Row]:
    """The registry as rows, for `pmtool export --list`."""
    return [
        {
            "entity": found.entity,
            "schema_version": found.schema_version,
            "title": found.title,
            "fields": list(found.fields),
            "personal_fields": list(found.personal_fields),
            "filters": [wanted.name for wanted in found.filters],
        }
        for found in export_entities()
    ]
