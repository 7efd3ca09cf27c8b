"""What every table shares: the metadata, and the marker for audited tables."""

from __future__ import annotations

from typing import ClassVar

from sqlmodel import SQLModel

metadata = SQLModel.metadata


class Audited:
    """Mixin for tables whose every change writes audit rows.

    ``audit_entity`` names the entity in the audit trail; ``audit_ignore`` lists
    columns that change as a side effect and carry no history of their own.
    """

    audit_entity: ClassVar[str]
    audit_ignore: ClassVar[frozenset[str]] = frozenset({"updated_at"})


def require_id(row: object) -> int:
    """The primary key of a flushed row (SQLModel types it as optional)."""
    value = getattr(row, "id", None)
    if value is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush the session first")
    return int(value)
