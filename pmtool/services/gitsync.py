"""Git sync rules: linking repositories, reading their commits into task links, and
applying the transitions commit messages ask for.

A sync reads only what is new since the last one (the tip of each branch is stored),
records every commit and the tasks it cites in bulk, and moves tasks through the same
task service as `pmtool task move`, so WIP limits and every other gate apply: a refused
move is reported and recorded, never forced. A transition is applied once: a rebased or
cherry-picked copy of a commit (same patch-id, or same author, date and message) is
recognised, and a task is never moved backwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from pmtool.core import clock
from pmtool.core.errors import InvalidInput, PmError, Refused
from pmtool.core.keys import task_key
from pmtool.gitsync import messages
from pmtool.gitsync.repo import (
    CommitRecord,
    GitFailed,
    Repository,
    open_repository,
    parse_commit,
)
from pmtool.services import resolve, tasks
from pmtool.storage.gateway import Gateway
from pmtool.storage.reader import Reader, Row

DONE_KEYWORD_STATUS = "done"
# Commits stored per statement while git streams the rest.
_BATCH = 5000


class Transition(NamedTuple):
    key: str
    old_status: str
    new_status: str
    sha: str
    why: str  # fixes | status | merged


class RefusedTransition(NamedTuple):
    key: str
    status: str
    sha: str
    reason: str


class SyncResult(NamedTuple):
    path: str
    project: str
    commits: int
    links: int
    applied: list[Transition]
    refused: list[RefusedTransition]
    unknown: list[str]  # cited task keys that are not tasks of the project
    unknown_statuses: list[str]  # "#word" commands naming no status of the workflow
    error: str | None = None  # the repository could not be read (nothing of it stored)


# -- linking ----------------------------------------------------------------------------


def link_repository(
    gw: Gateway,
    project: Row,
    path: str,
    *,
    default_branch: str | None = None,
    done_on_merge: bool | None = None,
    hash_refs: bool | None = None,
) -> tuple[Row, bool]:
    """Link a local repository to the project, or change an existing link's settings.

    Returns (the row, whether it is new). Several repositories per project are fine.
    """
    repository = open_repository(path)
    branch = default_branch or repository.guess_default_branch()
    if branch not in repository.branches():
        raise InvalidInput(f"{repository.root} has no branch {branch!r}")
    existing = gw.reader.rows(
        "SELECT * FROM git_repository WHERE project_id = :p AND path = :path",
        {"p": project["id"], "path": str(repository.root)},
    )
    if existing:
        row = existing[0]
        changes: dict[str, Any] = {"unlinked_at": None}
        if default_branch is not None:
            changes["default_branch"] = branch
        if done_on_merge is not None:
            changes["done_on_merge"] = done_on_merge
        if hash_refs is not None:
            changes["hash_refs"] = hash_refs
        gw.update("git_repository", row["id"], changes, version=row["version"])
        row.update(changes)
        return row, False
    values = {
        "project_id": project["id"],
        "path": str(repository.root),
        "default_branch": branch,
        "done_on_merge": bool(done_on_merge),
        "hash_refs": bool(hash_refs),
        "created_at": clock.utcnow(),
    }
    values["id"] = gw.insert("git_repository", values)
    return values, True


def unlink_repository(gw: Gateway, project: Row, path: str | None) -> Row:
    """Stop syncing a repository; its commits and links stay in the history."""
    row = resolve.git_repository(gw.reader, project["id"], path)
    gw.update("git_repository", row["id"], {"unlinked_at": clock.utcnow()}, version=row["version"])
    return row


def repositories(reader: Reader, project_ids: Iterable[int]) -> list[Row]:
    ids = list(project_ids)
    if not ids:
        return []
    marks = ", ".join(f":p{i}" for i in range(len(ids)))
    return reader.rows(
        "SELECT r.*, p.key AS project_key FROM git_repository r "
        f"JOIN project p ON p.id = r.project_id WHERE r.project_id IN ({marks}) "
        "AND r.unlinked_at IS NULL AND p.archived_at IS NULL ORDER BY p.key, r.id",
        {f"p{i}": project_id for i, project_id in enumerate(ids)},
    )


# -- syncing ----------------------------------------------------------------------------


class _Sync:
    """The state of one repository's sync inside the command's transaction."""

    def __init__(self, gw: Gateway, row: Row, repository: Repository) -> None:
        self.gw = gw
        self.row = row
        self.repository = repository
        self.project_key: str = row["project_key"]
        self.project_id: int = row["project_id"]
        self.now = clock.utcnow()
        self.workflow = {c["name"]: c for c in resolve.columns(gw.reader, self.project_id)}
        self.done_status = next(
            (c["name"] for c in reversed(list(self.workflow.values())) if c["is_done"]),
            DONE_KEYWORD_STATUS,
        )
        self.task_ids: dict[int, int] = {}  # number -> id
        self.numbers: dict[int, int] = {}  # id -> number
        self.statuses: dict[int, str] = {}  # as the sync began (tasks only move forward)
        for task_id, number, status in gw.reader.tuples(
            "SELECT id, number, status FROM task WHERE project_id = :p AND deleted_at IS NULL",
            {"p": self.project_id},
        ):
            self.task_ids[number] = task_id
            self.numbers[task_id] = number
            self.statuses[task_id] = status
        self.members: dict[str, int] = {}
        for member_id, name, email in gw.reader.tuples("SELECT id, name, email FROM member"):
            self.members[name.casefold()] = member_id
            if email:
                self.members[email.casefold()] = member_id
        self.patterns = messages.patterns(self.project_key, hash_refs=bool(row["hash_refs"]))
        self.applied: list[Transition] = []
        self.refused: list[RefusedTransition] = []
        self.unknown: dict[str, None] = {}
        self.unknown_statuses: dict[str, None] = {}
        self.links = 0
        # (task id, status) -> the dedupe keys already applied (sha, patch-id, fingerprint)
        self.done_keys: dict[tuple[int, str], set[str]] = {}
        # What earlier syncs applied: (task id, status) -> their commits' shas.
        self.earlier: dict[tuple[int, str], set[str]] = {}
        self.earlier_without_patch_id: set[str] = set()
        for task_id, status, sha, patch_id, fingerprint in gw.reader.tuples(
            "SELECT task_id, status, sha, patch_id, fingerprint FROM git_transition "
            "WHERE outcome = 'applied' AND task_id IN (SELECT id FROM task WHERE project_id = :p)",
            {"p": self.project_id},
        ):
            keys = self.done_keys.setdefault((task_id, status), set())
            keys.update(k for k in (sha, patch_id, fingerprint) if k)
            self.earlier.setdefault((task_id, status), set()).add(sha)
            if patch_id is None and not fingerprint.startswith("merged "):
                self.earlier_without_patch_id.add(sha)
        self.tasks: dict[int, Row] = {}
        self.authors: dict[str, int] = {}  # author name -> member id (0: none)
        self.stored: set[str] = set()  # commits stored by this sync
        self.has_commits = bool(
            gw.reader.tuples(
                "SELECT 1 FROM git_commit WHERE repository_id = :r LIMIT 1", {"r": row["id"]}
            )
        )
        self.wanted: list[tuple[CommitRecord, messages.Reference]] = []
        self.records: list[dict[str, Any]] = []

    # -- reading --------------------------------------------------------------------

    def read(self, states: dict[str, Row], branches: dict[str, str]) -> int:
        """Read the new commits of every branch; returns how many were stored."""
        default = self.row["default_branch"]
        default_tip = branches[default]
        default_state = states.get(default)
        # git picks the commits that cite a task (in C, while this process stores the
        # ones it already sent); the rest stay in git.
        grep = [f"{self.project_key}-[0-9]"] + (["#[0-9]"] if self.row["hash_refs"] else [])
        new = self.store(
            self.repository.log(
                [default_tip], [default_state["tip_sha"]] if default_state else [], grep=grep
            ),
            default,
            on_default=True,
        )
        names_by_tip: dict[str, str] = {}
        for name, sha in sorted(branches.items()):
            if name != default and (name not in states or states[name]["tip_sha"] != sha):
                names_by_tip.setdefault(sha, name)
        new += self.store(
            self.repository.log(
                names_by_tip,
                [default_tip, *(state["tip_sha"] for state in states.values())],
                grep=grep,
            ),
            names_by_tip,
            on_default=False,
        )
        # The newest commit of each branch that moved, citing a task or not: the last
        # commit and activity read from it.
        moved = default_state is None or default_state["tip_sha"] != default_tip
        if moved and default_tip not in self.stored:
            new += self.store(
                self.repository.log([default_tip], walk=False), default, on_default=True
            )
        other_tips = [sha for sha in names_by_tip if sha not in self.stored]
        new += self.store(
            self.repository.log(other_tips, walk=False), names_by_tip, on_default=False
        )
        self.transitions()
        return new

    def store(
        self, records: Iterable[bytes], branch: str | dict[str, str], *, on_default: bool
    ) -> int:
        """Store commits and their links in batches, as git streams them, and collect the
        transitions they ask for. Returns how many were not stored before."""
        batch: list[CommitRecord] = []
        new = 0
        for record in records:
            batch.append(parse_commit(record))
            if len(batch) >= _BATCH:
                new += self._store_batch(batch, branch, on_default=on_default)
                batch = []
        return new + self._store_batch(batch, branch, on_default=on_default)

    def _store_batch(
        self, commits: list[CommitRecord], branch: str | dict[str, str], *, on_default: bool
    ) -> int:
        """Store a batch; returns how many of them were not stored before."""
        if not commits:
            return 0
        self.stored.update(commit.sha for commit in commits)
        repository_id = self.row["id"]
        # Read before on another branch, now on the default one (a merge): stored again
        # as on the default branch, where "fixes" applies; not new, not warned about again.
        known = self._stored_elsewhere([c.sha for c in commits]) if on_default else set()
        patterns = self.patterns
        task_ids = self.task_ids
        commit_rows: list[tuple[Any, ...]] = []
        link_rows: list[tuple[Any, ...]] = []
        for commit in commits:
            name = branch if isinstance(branch, str) else branch.get(commit.source, "")
            subject = commit.message.split("\n", 1)[0].strip()
            commit_rows.append(
                (repository_id, commit.sha, commit.author, self._member(commit), commit.date,
                 subject, name, on_default)
            )  # fmt: skip
            seen_before = commit.sha in known
            for reference in messages.find_references(commit.message, patterns):
                task_id = task_ids.get(reference.number)
                if task_id is None:
                    if not seen_before:
                        self.unknown.setdefault(task_key(self.project_key, reference.number))
                    continue
                link_rows.append((repository_id, commit.sha, task_id, reference.keyword))
                if reference.keyword == "status" or (reference.keyword == "fixes" and on_default):
                    self.wanted.append((commit, reference))
        columns = (
            "repository_id", "sha", "author", "member_id", "committed_at", "subject", "branch",
            "on_default",
        )  # fmt: skip
        self.gw.insert_facts(
            "git_commit",
            columns,
            commit_rows,
            conflict=("repository_id", "sha"),
            # A commit first read on a feature branch has now reached the default branch.
            update=("branch", "on_default") if on_default else (),
        )
        self.links += self.gw.insert_facts(
            "git_commit_task",
            ("repository_id", "sha", "task_id", "keyword"),
            link_rows,
            conflict=("repository_id", "sha", "task_id"),
        )
        return len(commits) - len(known)

    def _member(self, commit: CommitRecord) -> int | None:
        found = self.authors.get(commit.author)
        if found is None:
            found = self.members.get(commit.author.casefold()) or self.members.get(
                commit.email.casefold()
            )
            self.authors[commit.author] = found or 0
        return found or None

    def _stored_elsewhere(self, shas: list[str]) -> set[str]:
        """Which of these commits were stored before as not on the default branch."""
        if not self.has_commits:
            return set()
        marks = ", ".join(f":s{i}" for i in range(len(shas)))
        params: dict[str, Any] = {f"s{i}": sha for i, sha in enumerate(shas)}
        params["r"] = self.row["id"]
        return {
            sha
            for (sha,) in self.gw.reader.tuples(
                f"SELECT sha FROM git_commit WHERE repository_id = :r AND sha IN ({marks}) "
                "AND NOT on_default",
                params,
            )
        }

    # -- transitions ----------------------------------------------------------------

    def transitions(self) -> None:
        """Apply the collected requests, oldest commit first (git lists newest first)."""
        wanted = self.wanted[::-1]
        if not wanted:
            return
        # Patch-ids are computed only where an earlier sync applied the same move: then a
        # commit may be a copy (rebased, cherry-picked, message amended) of that one.
        maybe_copies: set[str] = set()
        their_originals: set[str] = set()
        for commit, reference in wanted:
            move = (self.task_ids[reference.number], self._status(reference))
            if move in self.earlier and len(commit.parents) <= 1 and self._forward(*move):
                maybe_copies.add(commit.sha)
                their_originals |= self.earlier[move] & self.earlier_without_patch_id
        patch_ids: dict[str, str] = {}
        if maybe_copies:
            try:
                patch_ids = self.repository.patch_ids(sorted(maybe_copies | their_originals))
            except GitFailed:
                patch_ids = {}  # an earlier commit is gone: sha and fingerprint still tell
            for move, shas in self.earlier.items():
                self.done_keys[move].update(patch_ids[sha] for sha in shas if sha in patch_ids)
        for commit, reference in wanted:
            status = self._status(reference)
            if status not in self.workflow:
                self.unknown_statuses.setdefault(f"#{reference.status}")
                continue
            self.apply(
                self.task_ids[reference.number],
                status,
                sha=commit.sha,
                patch_id=patch_ids.get(commit.sha),
                fingerprint=_fingerprint(commit),
                why=reference.keyword,
            )

    def _forward(self, task_id: int, status: str) -> bool:
        """Whether the move could happen at all (the task is not there or further yet)."""
        current = self.workflow.get(self.statuses.get(task_id, ""))
        target = self.workflow.get(status)
        return target is not None and (current is None or current["position"] < target["position"])

    def _status(self, reference: messages.Reference) -> str:
        if reference.keyword == "fixes":
            return self.done_status
        return resolve.normalise_status(reference.status or "")

    def apply(
        self,
        task_id: int,
        status: str,
        *,
        sha: str,
        patch_id: str | None,
        fingerprint: str,
        why: str,
    ) -> None:
        seen = self.done_keys.setdefault((task_id, status), set())
        if {sha, patch_id, fingerprint} & seen:
            return  # this change (or a copy of it) moved the task already
        task = self._task(task_id)
        current = self.workflow.get(task["status"])
        target = self.workflow[status]
        if current is not None and current["position"] >= target["position"]:
            return  # never backwards, and nothing to do where it is already
        key = task["key"]
        old_status = task["status"]
        record = {
            "repository_id": self.row["id"],
            "task_id": task_id,
            "sha": sha,
            "patch_id": patch_id,
            "fingerprint": fingerprint,
            "status": status,
            "at": self.now,
        }
        try:
            tasks.move_task(self.gw, task, status)
        except PmError as refusal:
            reason = str(refusal)
            self.refused.append(RefusedTransition(key, status, sha, reason))
            self.records.append({**record, "outcome": "refused", "reason": reason})
            return
        seen.update(k for k in (sha, patch_id, fingerprint) if k)
        self.applied.append(Transition(key, old_status, status, sha, why))
        self.records.append({**record, "outcome": "applied", "reason": None})

    def write_records(self) -> None:
        """The transitions' rows (patch-ids where they were computed)."""
        for record in self.records:
            self.gw.insert("git_transition", record)

    def _task(self, task_id: int) -> Row:
        if task_id not in self.tasks:
            key = task_key(self.project_key, self.numbers[task_id])
            self.tasks[task_id] = resolve.task(self.gw.reader, key)
        return self.tasks[task_id]

    # -- branches -------------------------------------------------------------------

    def merged_branches(self, states: dict[str, Row], branches: dict[str, str]) -> dict[str, Row]:
        """Branches named after a task that were merged into the default branch since the
        last sync; with ``done_on_merge`` their tasks move to done. Returns the new
        branch-state values to write (base and merge markers)."""
        default = self.row["default_branch"]
        named = {
            name: number
            for name in branches
            if name != default and (number := branch_task_number(name, self.project_key))
        }
        marks: dict[str, Row] = {}
        if not named:
            return marks
        merged = self.repository.merged_branches(branches[default])
        for name, number in named.items():
            tip = branches[name]
            state = states.get(name)
            if name not in merged:
                continue
            if state is None:
                # First seen already merged: no work of its own yet (just created, or
                # merged before the link). It counts only once it moves on.
                marks[name] = {"base_sha": tip}
                continue
            if state["merged_at"] is not None or state["base_sha"] == tip:
                continue
            marks[name] = {"merged_at": self.now}
            if self.row["done_on_merge"] and number in self.task_ids:
                self.apply(
                    self.task_ids[number],
                    self.done_status,
                    sha=tip,
                    patch_id=None,
                    fingerprint=f"merged {name} {tip}",
                    why="merged",
                )
        return marks


def _fingerprint(commit: CommitRecord) -> str:
    from hashlib import sha1

    text = messages.fingerprint_text(commit.author, commit.email, commit.date, commit.message)
    return sha1(text.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()


def branch_task_number(branch: str, project_key: str) -> int | None:
    """The task a branch is named after: ``pm-12-short-title`` or ``feature/PM-12`` -> 12."""
    last = branch.rsplit("/", 1)[-1]
    prefix = f"{project_key.lower()}-"
    if not last.lower().startswith(prefix):
        return None
    digits = ""
    for character in last[len(prefix) :]:
        if not character.isascii() or not character.isdigit():
            break
        digits += character
    rest = last[len(prefix) + len(digits) :]
    if not digits or (rest and rest[0] not in "-_."):
        return None
    return int(digits)


def sync_repository(gw: Gateway, row: Row) -> SyncResult:
    """Read a linked repository's new commits into links and transitions (see module)."""
    repository = open_repository(row["path"])
    if row["path"] != str(repository.root):
        raise Refused(f"{row['path']} is now inside another repository ({repository.root})")
    branches = repository.branches()
    default = row["default_branch"]
    if default not in branches:
        raise Refused(
            f"{row['path']} has no branch {default!r} any more: "
            f"`pmtool git link {row['path']} --branch NAME` sets the default branch"
        )
    states = {
        state["name"]: state
        for state in gw.reader.rows(
            "SELECT * FROM git_branch_state WHERE repository_id = :r", {"r": row["id"]}
        )
    }
    sync = _Sync(gw, row, repository)
    commits = sync.read(states, branches)
    marks = sync.merged_branches(states, branches)
    sync.write_records()
    for name, tip in branches.items():
        state = states.get(name)
        extra = marks.get(name, {})
        if state is None:
            gw.insert(
                "git_branch_state",
                {
                    "repository_id": row["id"],
                    "name": name,
                    "tip_sha": tip,
                    "synced_at": sync.now,
                    "base_sha": extra.get("base_sha"),
                    "merged_at": extra.get("merged_at"),
                },
            )
        elif state["tip_sha"] != tip or extra:
            gw.update(
                "git_branch_state",
                state["id"],
                {"tip_sha": tip, "synced_at": sync.now, **extra},
                version=state["version"],
            )
    result = SyncResult(
        row["path"],
        row["project_key"],
        commits,
        sync.links,
        sync.applied,
        sync.refused,
        list(sync.unknown),
        list(sync.unknown_statuses),
    )
    gw.insert(
        "git_sync",
        {
            "repository_id": row["id"],
            "at": sync.now,
            "commits": commits,
            "links": sync.links,
            "applied": len(sync.applied),
            "refused": len(sync.refused),
            "unknown_refs": json.dumps(result.unknown),
        },
    )
    return result


def sync_repositories(gw: Gateway, rows: list[Row]) -> list[SyncResult]:
    """Sync each repository; one that cannot be read is reported and the others go on."""
    results = []
    for row in rows:
        try:
            results.append(sync_repository(gw, row))
        except PmError as problem:
            results.append(SyncResult(row["path"], row["project_key"], 0, 0, [], [], [], [],
                                      str(problem)))  # fmt: skip
    return results


# -- branches ---------------------------------------------------------------------------


def slug(text: str, *, limit: int = 40) -> str:
    """Lower-case ASCII words joined by hyphens: safe in a branch name everywhere."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words: list[str] = []
    current = ""
    for character in ascii_text.lower():
        if character.isalnum():
            current += character
        elif current:
            words.append(current)
            current = ""
    if current:
        words.append(current)
    result = ""
    for word in words:
        candidate = f"{result}-{word}" if result else word
        if len(candidate) > limit:
            break
        result = candidate
    return result or (words[0][:limit] if words else "")


class BranchResult(NamedTuple):
    branch: str
    path: str
    switched: bool
    move: tasks.MoveResult | None


def start_task_branch(
    gw: Gateway, task: Row, row: Row, *, switch: bool = True, name: str | None = None
) -> BranchResult:
    """Create ``pm-12-short-title`` from the default branch and move the task to
    in_progress (never backwards; a refused move refuses the whole command)."""
    repository = open_repository(row["path"])
    in_progress = repository.operation_in_progress()
    if in_progress and switch:
        raise Refused(
            f"{repository.root} is in the middle of {in_progress}: finish or abort it first "
            "(or use --no-switch)"
        )
    branches = repository.branches()
    default = row["default_branch"]
    if default not in branches:
        raise Refused(f"{row['path']} has no branch {default!r}")
    title_part = slug(task["title"])
    branch = name or (f"{task['key'].lower()}-{title_part}" if title_part else task["key"].lower())
    if branch in branches:
        raise Refused(f"{repository.root} has a branch {branch} already")
    move: tasks.MoveResult | None = None
    workflow = {c["name"]: c for c in resolve.columns(gw.reader, task["project_id"])}
    target = workflow.get("in_progress")
    current = workflow.get(task["status"])
    if target is not None and (current is None or current["position"] < target["position"]):
        move = tasks.move_task(gw, task, "in_progress")
    # Git last: if the move is refused nothing was created; if git fails the move rolls back.
    repository.create_branch(branch, branches[default], switch=switch)
    return BranchResult(branch, str(repository.root), switch, move)


# -- publishing -------------------------------------------------------------------------


class PublishResult(NamedTuple):
    file: Path
    changed: bool
    commit: str | None  # the new commit, with --commit and a change


def _md(text: Any) -> str:
    """A cell of a Markdown table: one line, no table breaks, no HTML."""
    cleaned = " ".join(str(text).split())
    return cleaned.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def status_markdown(board: Row, today: str) -> str:
    """The board as Markdown for review in a pull request: keys, titles, points and
    member display names; never an email or phone number."""
    lines = [f"# {_md(board['project'])}: {_md(board['project_name'])}", ""]
    sprint = board["sprint"]
    if sprint:
        lines.append(f"**{_md(sprint['name'])}** ({sprint['start']} to {sprint['end']})")
        if sprint["goal"]:
            lines.append(f"Goal: {_md(sprint['goal'])}")
    else:
        lines.append("No sprint running: the open work of the project.")
    cards = [card for column in board["columns"] for card in column["cards"]]
    points = sum(card["points"] or 0 for card in cards)
    done = sum(card["points"] or 0 for card in cards if card["is_done"])
    lines += ["", f"{len(cards)} tasks, {done} of {points} points done. Updated {today}.", ""]
    for column in board["columns"]:
        limit = f" (WIP limit {column['wip_limit']})" if column["wip_limit"] else ""
        lines += [f"## {_md(column['status'])}: {len(column['cards'])}{limit}", ""]
        if not column["cards"]:
            lines += ["Nothing here.", ""]
            continue
        lines += ["| Task | Title | Points | Assignee |", "|---|---|---:|---|"]
        for card in column["cards"]:
            lines.append(
                f"| {card['key']} | {_md(card['title'])} | {card['points'] or ''} "
                f"| {_md(card['assignee'] or '')} |"
            )
        lines.append("")
    lines.append("Written by `pmtool git publish`; edits here are overwritten.")
    return "\n".join(lines) + "\n"


def publish_target(repository: Repository, relative: str) -> Path:
    """A file inside the repository's work tree (not in .git, not through a link out)."""
    candidate = Path(relative)
    if candidate.is_absolute() or not relative.strip():
        raise InvalidInput(f"{relative!r}: give a path inside the repository, e.g. docs/STATUS.md")
    root = repository.root.resolve()
    target = (root / candidate).resolve()
    if root not in target.parents:
        raise InvalidInput(f"{relative!r} leads outside the repository {root}")
    if target.relative_to(root).parts[0] == ".git":
        raise InvalidInput(f"{relative!r} is inside .git")
    if target.exists() and not target.is_file():
        raise InvalidInput(f"{relative!r} exists and is not a file")
    return target


def publish_status(
    reader: Reader, project_id: int, row: Row, relative: str, *, commit: bool
) -> PublishResult:
    """Write the status file into the repository; with ``commit``, commit that file only."""
    from pmtool.services.read.board import board

    repository = open_repository(row["path"])
    target = publish_target(repository, relative)
    if commit:
        if repository.current_branch() is None:
            raise Refused(f"{repository.root} has a detached HEAD: check out a branch to commit")
        in_progress = repository.operation_in_progress()
        if in_progress:
            raise Refused(f"{repository.root} is in the middle of {in_progress}: finish it first")
    text = status_markdown(board(reader, project_id), clock.today().isoformat())
    changed = not target.exists() or target.read_text(encoding="utf-8") != text
    if changed:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.pmtool-new")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)
    made = None
    inside = target.relative_to(repository.root.resolve()).as_posix()
    if commit and repository.has_changes(inside):
        made = repository.commit_file(inside, f"Status of {row['project_key']} ({clock.today()})")
    return PublishResult(target, changed, made)
