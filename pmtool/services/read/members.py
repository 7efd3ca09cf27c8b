"""Members as rows (read side). Email is personal data: only with include_personal."""

from __future__ import annotations

from pmtool.core.values import iso_timestamp
from pmtool.storage.reader import Reader, Row


def list_members(reader: Reader, *, include_personal: bool = False) -> list[Row]:
    rows = reader.rows(
        """
        SELECT m.name, m.role, m.email, m.created_at,
               (SELECT COUNT(*) FROM v_task t WHERE t.assignee_id = m.id AND NOT t.is_done)
                   AS open_tasks,
               (SELECT COALESCE(SUM(t.points), 0) FROM v_task t
                 WHERE t.assignee_id = m.id AND NOT t.is_done) AS open_points
        FROM member m ORDER BY lower(m.name)
        """
    )
    members = []
    for row in rows:
        member = {
            "name": row["name"],
            "role": row["role"],
            "open_tasks": row["open_tasks"],
            "open_points": row["open_points"],
            "created": iso_timestamp(row["created_at"]),
        }
        if include_personal:
            member["email"] = row["email"]
        members.append(member)
    return members
