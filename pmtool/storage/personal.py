"""Personal data in the append-only audit trail: sealed values and per-person keys.

The trail is append-only and hash-chained, yet a person must be erasable (GDPR Art. 17).
So the trail never holds a personal value itself: the gateway writes the old and new
values of the columns a table declares ``personal`` (``storage/tables.py``) sealed with
AES-GCM under a key of that person (``personal_key``, one row per subject such as
``stakeholder:12``; that table is not audited). Forgetting a person deletes the key:
the sealed audit rows stay, unchanged (the chain still verifies), and can never be
opened again. :func:`scrub` then rewrites the file so the erased bytes are gone from
the database, its WAL and any backup made afterwards.

``cryptography`` is imported only when a sealed value is made or opened.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from pmtool.storage.reader import Reader

# A sealed audit value is this JSON object: {"personal": SUBJECT, "sealed": BASE64}.
SEALED_START = '{"personal": '
SHOWN_SEALED = "(personal)"
KEY_BYTES = 32
NONCE_BYTES = 12


def new_secret() -> bytes:
    return os.urandom(KEY_BYTES)


def subject_of(entity: str, key: object) -> str:
    """Whose key seals a row's personal values: the row itself, e.g. ``member:3``."""
    return f"{entity}:{key}"


def is_sealed(text: str | None) -> bool:
    return text is not None and text.startswith(SEALED_START)


def sealed_subject(text: str) -> str:
    return str(json.loads(text)["personal"])


def seal(secret: bytes, subject: str, plain_text: str) -> str:
    """Audit text that holds ``plain_text`` (itself audit JSON) only for the key's holder."""
    import base64

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(secret).encrypt(nonce, plain_text.encode(), subject.encode())
    packed = base64.b64encode(nonce + sealed).decode("ascii")
    return json.dumps({"personal": subject, "sealed": packed})


def unseal(secret: bytes, text: str) -> str:
    """The audit JSON a sealed value holds (raises ValueError if it does not open)."""
    import base64

    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    content = json.loads(text)
    packed = base64.b64decode(content["sealed"])
    try:
        plain = AESGCM(secret).decrypt(
            packed[:NONCE_BYTES], packed[NONCE_BYTES:], str(content["personal"]).encode()
        )
    except InvalidTag as error:
        raise ValueError("the sealed value does not open with this key") from error
    return plain.decode()


def scrub(path: str | Path) -> bool:
    """Rewrite a SQLite file so that erased values are gone from its bytes.

    ``secure_delete`` (on for every connection) already zeroes what a transaction frees;
    the WAL still holds earlier page images until a checkpoint truncates it, and VACUUM
    rebuilds the file from the live rows only. Returns False when another connection
    kept the WAL from being truncated (the next checkpoint finishes the job).
    """
    from pmtool.storage import sqlite as sqlite_files

    connection = sqlite_files.connect(path)
    try:
        connection.execute("PRAGMA secure_delete=ON")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("VACUUM")
        busy, _frames, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.OperationalError:
        # Another writer held the file past the busy timeout. The erasure is committed
        # and secure_delete zeroed the freed cells; the rewrite waits for another time.
        return False
    finally:
        connection.close()
    return not busy


def open_for_reading(reader: Reader, text: str) -> str | None:
    """The audit JSON a sealed value holds, or None when the person was forgotten."""
    subject = sealed_subject(text)
    found = reader.tuples("SELECT secret FROM personal_key WHERE subject = :s", {"s": subject})
    if not found:
        return None
    return unseal(bytes.fromhex(found[0][0]), text)


def plain_trail_rows(reader: Reader, entity: str, entity_id: object, fields: frozenset[str]) -> int:
    """Rows of the trail (audit rows and command lines) that hold one row's personal
    values in the clear: written before schema 0004 sealed them. Forget cannot erase
    those without breaking the append-only, hash-chained trail."""
    found = reader.tuples(
        "SELECT field, old, new, action FROM audit WHERE entity = :e AND entity_id = :id",
        {"e": entity, "id": str(entity_id)},
    )
    plain: set[str] = set()
    count = 0
    for field, old, new, action in found:
        values: list[object] = []
        if action == "delete":
            snapshot = json.loads(old or "{}")
            values = [snapshot.get(name) for name in fields]
        elif field in fields:
            values = [json.loads(value) for value in (old, new) if value and not is_sealed(value)]
        clear = [str(value) for value in values if isinstance(value, str) and value]
        if clear:
            count += 1
            plain.update(clear)
    for value in plain:
        count += reader.tuples(
            "SELECT COUNT(*) FROM command WHERE summary LIKE :v", {"v": f"%{value}%"}
        )[0][0]
    return count
