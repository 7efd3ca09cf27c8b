"""The audit trail: every flushed change becomes rows, and undo replays them backwards.

Changes are captured once, in a SQLAlchemy ``after_flush`` hook, so no service can
forget to record one. A command record groups the rows of one user action.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, event, insert, inspect
from sqlmodel import Session, col, select

from pmtool import clock
from pmtool.errors import Conflict, Refused
from pmtool.models import (
    AuditEntry,
    CommandRecord,
    Member,
    Project,
    Setting,
    Sprint,
    Task,
    WorkflowColumn,
)
from pmtool.models.base import Audited, require_id
from pmtool.services.values import decode, encode

MODELS_BY_ENTITY: dict[str, type[Any]] = {
    model.audit_entity: model for model in (Project, WorkflowColumn, Member, Sprint, Task, Setting)
}


@dataclass
class CommandContext:
    """Who is acting and why; the command row is written with the first change."""

    actor: str
    summary: str
    undo_of: int | None = None
    command_id: int | None = None
    pending_notes: list[tuple[str, str, str, str]] = field(default_factory=list)


def context_of(session: Session) -> CommandContext:
    context = session.info.get("command")
    if context is None:
        raise RuntimeError("a write session needs a CommandContext (use services.session.writing)")
    return context


def add_note(session: Session, entity: str, entity_id: object, note_field: str, text: str) -> None:
    """Record a fact that is not a column change (e.g. a WIP limit overridden with --force)."""
    context_of(session).pending_notes.append((entity, str(entity_id), note_field, text))


def _primary_key(instance: Any) -> str:
    # The mapper reads the key off the instance: in after_flush new rows have their
    # ids, but not yet an identity.
    values = inspect(type(instance)).primary_key_from_instance(instance)
    return str(values[0]) if len(values) == 1 else json.dumps(values)


def _column_names(instance: Any) -> list[str]:
    return [attribute.key for attribute in inspect(type(instance)).column_attrs]


def _snapshot(instance: Any) -> str:
    return json.dumps(
        {name: decode(encode(getattr(instance, name))) for name in _column_names(instance)}
    )


@event.listens_for(Session, "after_flush")
def _record_changes(session: Session, _flush_context: Any) -> None:
    context = session.info.get("command")
    if context is None:
        return
    now = clock.utcnow()
    entries: list[dict[str, Any]] = []

    def entry(instance: Any, action: str, name: str | None, old: Any, new: Any) -> None:
        entries.append(
            {
                "entity": instance.audit_entity,
                "entity_id": _primary_key(instance),
                "action": action,
                "field": name,
                "old": old,
                "new": new,
            }
        )

    for instance in session.new:
        if isinstance(instance, Audited):
            for name in _column_names(instance):
                value = getattr(instance, name)
                if value is not None and name != "id" and name not in instance.audit_ignore:
                    entry(instance, "create", name, None, encode(value))
    for instance in session.dirty:
        if not isinstance(instance, Audited):
            continue
        state = inspect(instance)
        for name in _column_names(instance):
            if name in instance.audit_ignore:
                continue
            history = state.attrs[name].history
            if not history.has_changes():
                continue
            old = encode(history.deleted[0]) if history.deleted else None
            new = encode(history.added[0]) if history.added else None
            if old != new:
                entry(instance, "update", name, old, new)
    for instance in session.deleted:
        if isinstance(instance, Audited):
            entry(instance, "delete", None, _snapshot(instance), None)
    for entity, entity_id, note_field, text in context.pending_notes:
        entries.append(
            {
                "entity": entity,
                "entity_id": entity_id,
                "action": "note",
                "field": note_field,
                "old": None,
                "new": json.dumps(text),
            }
        )
    context.pending_notes.clear()
    if not entries:
        return
    connection = session.connection()
    if context.command_id is None:
        result = connection.execute(
            insert(CommandRecord).values(
                at=now, actor=context.actor, summary=context.summary, undo_of=context.undo_of
            )
        )
        context.command_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    for row in entries:
        row.update(command_id=context.command_id, at=now, actor=context.actor)
    connection.execute(insert(AuditEntry), entries)


@dataclass(frozen=True)
class UndoResult:
    command_id: int
    summary: str
    changes: int


def _typed_value(model: type[Any], name: str, text: str | None) -> Any:
    value = decode(text)
    if value is None:
        return None
    column_type = inspect(model).columns[name].type
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    if isinstance(column_type, Boolean):
        return bool(value)
    return value


def undo_last_command(session: Session) -> UndoResult:
    """Revert the newest command not yet undone by writing new changes, never by deleting."""
    context = context_of(session)
    target = session.exec(
        select(CommandRecord)
        .where(col(CommandRecord.undo_of).is_(None), col(CommandRecord.undone_by).is_(None))
        .order_by(col(CommandRecord.id).desc())
        .limit(1)
    ).first()
    if target is None:
        raise Refused("nothing to undo")
    entries = session.exec(
        select(AuditEntry)
        .where(AuditEntry.command_id == target.id)
        .order_by(col(AuditEntry.id).desc())
    ).all()
    context.summary = f"undo #{target.id}: {target.summary}"
    context.undo_of = target.id
    reverted_creations: set[tuple[str, str]] = set()
    for audit_entry in entries:
        model = MODELS_BY_ENTITY.get(audit_entry.entity)
        if model is None or audit_entry.action == "note":
            continue
        key = (audit_entry.entity, audit_entry.entity_id)
        if audit_entry.action == "delete":
            snapshot = json.loads(audit_entry.old or "{}")
            restored = {
                name: _typed_value(model, name, encode(value)) for name, value in snapshot.items()
            }
            session.add(model(**restored))
            continue
        if audit_entry.action == "create" and key in reverted_creations:
            continue  # one entry per field; the row is already gone (hard delete)
        instance = session.get(model, _entity_key(model, audit_entry.entity_id))
        if instance is None:
            raise Conflict(f"cannot undo #{target.id}: the {audit_entry.entity} it changed is gone")
        if audit_entry.action == "create":
            # Undoing a creation deletes the row: the trail keeps every value it had, and
            # rows created earlier (a sprint it was planned into) can then be undone too.
            reverted_creations.add(key)
            session.delete(instance)
            session.flush()  # delete children before parents, in audit order
            continue
        assert audit_entry.field is not None
        current = encode(getattr(instance, audit_entry.field))
        if current != audit_entry.new:
            raise Conflict(
                f"cannot undo #{target.id}: {audit_entry.entity} {audit_entry.entity_id} "
                f"{audit_entry.field} was changed since"
            )
        setattr(
            instance, audit_entry.field, _typed_value(model, audit_entry.field, audit_entry.old)
        )
    session.flush()
    if context.command_id is None:
        raise Refused(f"command #{target.id} ({target.summary}) changed nothing that can be undone")
    target.undone_by = context.command_id
    session.flush()
    return UndoResult(
        require_id(target), target.summary, sum(1 for e in entries if e.action != "note")
    )


def _entity_key(model: type[Any], entity_id: str) -> Any:
    if model is Setting:
        return entity_id
    return int(entity_id)
