"""A cheap fingerprint of the database's history, for interfaces that follow changes live."""

from __future__ import annotations

from pmtool.storage.reader import Reader

# (last command id, last audit id): every write through the services moves one of them.
ChangeMarker = tuple[int, int]


def change_marker(reader: Reader) -> ChangeMarker:
    """Two primary-key lookups: cheap enough to ask every second."""
    found = reader.tuples("SELECT (SELECT MAX(id) FROM command), (SELECT MAX(id) FROM audit)")[0]
    return int(found[0] or 0), int(found[1] or 0)
