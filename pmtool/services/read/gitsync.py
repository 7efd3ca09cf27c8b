"""Git sync as rows (read side): linked repositories, commits of a task, recent
commits, last activity, the dashboard panel and the attention items.

Standard library only, plain SQL: the dashboard and `pmtool status` call these, and
other domains (thesis overviews, member pages) use :func:`last_commit` and
:func:`member_activity`. Author emails are never stored, so never shown.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pmtool.core.values import iso_timestamp
from pmtool.storage.reader import Reader, Row

# A linked repository not synced for this many days needs attention.
STALE_SYNC_DAYS = 7

REPOSITORY_FIELDS = (
    "path", "project", "default_branch", "done_on_merge", "hash_refs", "linked", "last_sync",
    "commits", "links",
)  # fmt: skip
COMMIT_FIELDS = (
    "sha", "subject", "author", "date", "branch", "on_default", "keyword", "task", "repository",
)  # fmt: skip
RECENT_COMMIT_FIELDS = (
    "sha", "subject", "author", "date", "branch", "on_default", "tasks", "repository",
)  # fmt: skip
ACTIVITY_FIELDS = ("member", "task_commits", "last_commit", "sha", "subject")


def _linked(reader: Reader, project_id: int) -> list[Row]:
    return reader.rows(
        "SELECT r.id, r.path, p.key AS project, r.default_branch, r.done_on_merge, r.hash_refs, "
        "r.created_at, (SELECT MAX(s.at) FROM git_sync s WHERE s.repository_id = r.id) AS synced "
        "FROM git_repository r JOIN project p ON p.id = r.project_id "
        "WHERE r.project_id = :p AND r.unlinked_at IS NULL ORDER BY r.id",
        {"p": project_id},
    )


def list_repositories(reader: Reader, project_id: int) -> list[Row]:
    rows = []
    for found in _linked(reader, project_id):
        counts = reader.tuples(
            "SELECT (SELECT COALESCE(SUM(commits), 0) FROM git_sync WHERE repository_id = :r), "
            "(SELECT COUNT(*) FROM git_commit_task WHERE repository_id = :r)",
            {"r": found["id"]},
        )[0]
        rows.append(
            {
                "path": found["path"],
                "project": found["project"],
                "default_branch": found["default_branch"],
                "done_on_merge": bool(found["done_on_merge"]),
                "hash_refs": bool(found["hash_refs"]),
                "linked": iso_timestamp(found["created_at"]),
                "last_sync": iso_timestamp(found["synced"]),
                "commits": counts[0],
                "links": counts[1],
            }
        )
    return rows


def task_commits(reader: Reader, task_id: int) -> list[Row]:
    """The commits citing a task, newest first, with how they cite it."""
    found = reader.tuples(
        "SELECT c.sha, c.subject, c.author, c.committed_at, c.branch, c.on_default, l.keyword, "
        "p.key || '-' || t.number, r.path "
        "FROM git_commit_task l "
        "JOIN git_commit c ON c.repository_id = l.repository_id AND c.sha = l.sha "
        "JOIN git_repository r ON r.id = l.repository_id "
        "JOIN task t ON t.id = l.task_id JOIN project p ON p.id = t.project_id "
        "WHERE l.task_id = :t ORDER BY c.committed_at DESC, c.id DESC",
        {"t": task_id},
    )
    return [_commit_row(values, COMMIT_FIELDS) for values in found]


def _commit_row(values: Any, fields: tuple[str, ...]) -> Row:
    row = dict(zip(fields, values, strict=True))
    row["date"] = iso_timestamp(row["date"])
    row["on_default"] = bool(row["on_default"])
    return row


def recent_commits(reader: Reader, project_id: int, *, limit: int = 20) -> list[Row]:
    """The newest commits of the project's linked repositories, with the tasks they cite."""
    found = reader.tuples(
        "SELECT c.sha, c.subject, c.author, c.committed_at, c.branch, c.on_default, "
        "  c.repository_id, r.path "
        "FROM git_commit c JOIN git_repository r ON r.id = c.repository_id "
        "WHERE r.project_id = :p AND r.unlinked_at IS NULL "
        "ORDER BY c.committed_at DESC, c.id DESC LIMIT :limit",
        {"p": project_id, "limit": limit},
    )
    rows = []
    cited: dict[tuple[int, str], list[str]] = {}
    for sha, subject, author, when, branch, on_default, repository_id, path in found:
        tasks: list[str] = []
        cited[(repository_id, sha)] = tasks
        rows.append(
            _commit_row((sha, subject, author, when, branch, on_default, tasks, path),
                        RECENT_COMMIT_FIELDS)
        )  # fmt: skip
    if cited:
        marks = ", ".join(f":s{i}" for i in range(len(cited)))
        params: dict[str, Any] = {f"s{i}": sha for i, (_, sha) in enumerate(cited)}
        params["p"] = project_id
        for repository_id, sha, key in reader.tuples(
            "SELECT l.repository_id, l.sha, p.key || '-' || t.number FROM git_commit_task l "
            "JOIN task t ON t.id = l.task_id JOIN project p ON p.id = t.project_id "
            f"WHERE p.id = :p AND l.sha IN ({marks}) ORDER BY t.number",
            params,
        ):
            if (repository_id, sha) in cited:
                cited[(repository_id, sha)].append(key)
    return rows


def last_commit(
    reader: Reader, *, project_id: int, repository_path: str | None = None
) -> dict[str, Any] | None:
    """The newest commit read from the project's repositories (or one of them by path):
    ``{sha, subject, author, date, branch, repository}``, or None before any sync."""
    sql = (
        "SELECT c.sha, c.subject, c.author, c.committed_at, c.branch, r.path "
        "FROM git_commit c JOIN git_repository r ON r.id = c.repository_id "
        "WHERE r.project_id = :p"
    )
    params: dict[str, Any] = {"p": project_id}
    if repository_path is not None:
        sql += " AND r.path = :path"
        params["path"] = repository_path
    found = reader.tuples(sql + " ORDER BY c.committed_at DESC, c.id DESC LIMIT 1", params)
    if not found:
        return None
    sha, subject, author, when, branch, path = found[0]
    return {
        "sha": sha,
        "subject": subject,
        "author": author,
        "date": iso_timestamp(when),
        "branch": branch,
        "repository": path,
    }


def member_activity(reader: Reader, project_id: int) -> list[Row]:
    """Per member (matched by name or email at sync time): how many of their commits cite
    tasks, and their newest commit."""
    newest = (
        "(SELECT c2.{field} FROM git_commit c2 JOIN git_repository r2 ON r2.id = c2.repository_id "
        " WHERE c2.member_id = m.id AND r2.project_id = :p "
        " ORDER BY c2.committed_at DESC, c2.id DESC LIMIT 1)"
    )
    found = reader.tuples(
        f"SELECT m.name, COUNT(DISTINCT l.sha), MAX(c.committed_at), "
        f"{newest.format(field='sha')}, {newest.format(field='subject')} "
        "FROM git_commit c JOIN git_repository r ON r.id = c.repository_id "
        "JOIN member m ON m.id = c.member_id "
        "LEFT JOIN git_commit_task l ON l.repository_id = c.repository_id AND l.sha = c.sha "
        "WHERE r.project_id = :p GROUP BY m.id, m.name ORDER BY MAX(c.committed_at) DESC",
        {"p": project_id},
    )
    return [
        {
            "member": name,
            "task_commits": task_commits,
            "last_commit": iso_timestamp(last),
            "sha": sha,
            "subject": subject,
        }
        for name, task_commits, last, sha, subject in found
    ]


# -- dashboard and attention --------------------------------------------------------------


def in_use(reader: Reader, project_id: int) -> bool:
    """The present check: the project has a linked repository."""
    return bool(
        reader.tuples(
            "SELECT 1 FROM git_repository WHERE project_id = :p AND unlinked_at IS NULL LIMIT 1",
            {"p": project_id},
        )
    )


def panel_rows(reader: Reader, project_id: int, today: date) -> list[Row]:
    """The "Git" panel: each repository's last sync, then the newest commits."""
    rows = []
    for repository in _linked(reader, project_id):
        name = repository["path"].rstrip("/").rsplit("/", 1)[-1]
        synced = iso_timestamp(repository["synced"])
        rows.append(
            {
                "when": synced[:10] if synced else None,
                "text": f"{name}: synced" if synced else f"{name}: never synced",
                "ref": repository["default_branch"],
                "level": "info" if synced else "soon",
            }
        )
    for commit in recent_commits(reader, project_id, limit=5):
        tasks = " ".join(commit["tasks"])
        rows.append(
            {
                "when": commit["date"][:10],
                "text": f"{commit['sha'][:7]} {commit['subject']} ({commit['author']})",
                "ref": tasks or commit["branch"],
                "level": "info",
            }
        )
    return rows


def never_synced(reader: Reader, project_id: int, today: date) -> list[Row]:
    """Linked repositories that were never synced."""
    from pmtool.services.read.attention import item

    return [
        item(repository["project"], "git_never_synced", "soon", repository["path"],
             f"{repository['path']} is linked but was never synced: pmtool git sync")
        for repository in _linked(reader, project_id)
        if repository["synced"] is None
    ]  # fmt: skip


def sync_stale(reader: Reader, project_id: int, today: date) -> list[Row]:
    """Linked repositories not synced for STALE_SYNC_DAYS days or more."""
    from pmtool.services.read.attention import item

    items = []
    for repository in _linked(reader, project_id):
        if repository["synced"] is None:
            continue
        last = date.fromisoformat(str(repository["synced"])[:10])
        days = (today - last).days
        if days >= STALE_SYNC_DAYS:
            text = f"{repository['path']} was last synced {days} days ago: pmtool git sync"
            items.append(item(repository["project"], "git_sync_stale", "late",
                              repository["path"], text, last))  # fmt: skip
    return items


def unknown_references(reader: Reader, project_id: int, today: date) -> list[Row]:
    """Task keys the last sync of each repository found in commits but not in the project."""
    from pmtool.services.read.attention import item

    items = []
    for repository in _linked(reader, project_id):
        found = reader.tuples(
            "SELECT unknown_refs, at FROM git_sync WHERE repository_id = :r "
            "ORDER BY at DESC, id DESC LIMIT 1",
            {"r": repository["id"]},
        )
        if not found:
            continue
        unknown = json.loads(found[0][0] or "[]")
        if unknown:
            shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5
                                              else "")  # fmt: skip
            text = f"commits in {repository['path']} cite unknown tasks: {shown}"
            items.append(item(repository["project"], "git_unknown_refs", "over",
                              repository["path"], text, str(found[0][1])[:10]))  # fmt: skip
    return items
