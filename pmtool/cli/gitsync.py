"""`pmtool git`: link repositories, sync commits into tasks, task branches, hooks, publish."""

from __future__ import annotations

import click

from pmtool.cli.context import AppContext, CommandFailed, pass_app
from pmtool.cli.output import Column, emit_rows, format_option

# A first sync of a big repository can apply hundreds of transitions: the summary lists
# the first ones of each kind; the log has them all.
SHOWN_PER_KIND = 20
REPOSITORY_COLUMNS = [
    Column("path", "REPOSITORY", flexible=True),
    Column("default_branch", "BRANCH", keep_width=True),
    Column("last_sync", "LAST SYNC", keep_width=True),
    Column("commits", "COMMITS", align_right=True),
    Column("links", "LINKS", align_right=True, drop_order=1),
    Column("done_on_merge", "DONE ON MERGE", drop_order=2),
]
COMMIT_COLUMNS = [
    Column("date", "DATE", keep_width=True),
    Column("sha", "SHA", keep_width=True),
    Column("keyword", "HOW", drop_order=2),
    Column("branch", "BRANCH", drop_order=1),
    Column("author", "AUTHOR", drop_order=3),
    Column("subject", "SUBJECT", flexible=True),
]
ACTIVITY_COLUMNS = [
    Column("member", "MEMBER", keep_width=True),
    Column("task_commits", "TASK COMMITS", align_right=True),
    Column("last_commit", "LAST COMMIT", keep_width=True),
    Column("subject", "SUBJECT", flexible=True),
]


@click.group()
def git() -> None:
    """Git: link repositories, sync commits into tasks, task branches, hooks, publish.

    Commit messages move tasks: `fixes PM-12` (done, on the default branch),
    `PM-12 #review` (any status), `refs PM-12` (a link only). See docs/gitsync.md.
    """


@git.command("link")
@click.argument("path")
@click.option("--branch", "default_branch", help="The default branch (guessed: main, master).")
@click.option(
    "--done-on-merge/--no-done-on-merge",
    default=None,
    help="A task's branch (pm-12-...) merged into the default branch marks the task done.",
)
@click.option("--hash-refs/--no-hash-refs", default=None, help="Read GitHub-style #12 as task 12.")
@pass_app
def git_link(
    app: AppContext,
    path: str,
    default_branch: str | None,
    done_on_merge: bool | None,
    hash_refs: bool | None,
) -> None:
    """Link a local repository to the project (again: change its settings).

    \b
    Example:
      pmtool git link ~/code/sepsis-model --branch main --done-on-merge
    """
    from pmtool.services import gitsync

    with app.writing() as gw:
        project = app.project_row(gw.reader)
        row, created = gitsync.link_repository(
            gw,
            project,
            path,
            default_branch=default_branch,
            done_on_merge=done_on_merge,
            hash_refs=hash_refs,
        )
    verb = "Linked" if created else "Updated the link to"
    merge = ", done on merge" if row["done_on_merge"] else ""
    click.echo(f"{verb} {row['path']} (default branch {row['default_branch']}{merge})")
    if created:
        click.echo("Next: pmtool git sync")


@git.command("unlink")
@click.argument("path")
@pass_app
def git_unlink(app: AppContext, path: str) -> None:
    """Stop syncing a repository; the commits read so far stay in the history.

    \b
    Example:
      pmtool git unlink ~/code/old-prototype
    """
    from pmtool.services import gitsync

    with app.writing() as gw:
        row = gitsync.unlink_repository(gw, app.project_row(gw.reader), path)
    click.echo(f"Unlinked {row['path']}")


@git.command("list")
@format_option
@pass_app
def git_list(app: AppContext, fmt: str) -> None:
    """The project's linked repositories, with their last sync.

    \b
    Example:
      pmtool git list --format json
    """
    from pmtool.services.read.gitsync import REPOSITORY_FIELDS, list_repositories

    with app.reading() as reader:
        project_id, _ = app.project_ref(reader)
        rows = list_repositories(reader, project_id)
    emit_rows(
        rows,
        fmt,
        REPOSITORY_COLUMNS,
        empty_message="No linked repository: pmtool git link PATH",
        fields=REPOSITORY_FIELDS,
    )


@git.command("sync")
@click.option("--all", "every_project", is_flag=True, help="Every project's repositories.")
@click.option("--repo", "path", help="Only this linked repository.")
@pass_app
def git_sync(app: AppContext, every_project: bool, path: str | None) -> None:
    """Read new commits of every branch into task links and transitions.

    Incremental (each branch is read from where the last sync stopped) and idempotent:
    a re-run, a rebase or a cherry-pick never applies a transition twice, and a task
    never moves backwards. A move a gate refuses (a WIP limit) is reported, not forced.
    Exit code 1 when a repository could not be read (the others are synced).

    \b
    Example:
      pmtool git sync
      pmtool git sync --all
    """
    from pmtool.services import gitsync, resolve

    with app.writing() as gw:
        if every_project:
            if path is not None:
                raise click.UsageError("give --all or --repo, not both")
            project_ids = [row[0] for row in gw.reader.tuples("SELECT id FROM project")]
            rows = gitsync.repositories(gw.reader, project_ids)
        else:
            project_id, _ = app.project_ref(gw.reader)
            if path is not None:
                chosen = resolve.git_repository(gw.reader, project_id, path)
                rows = [r for r in gitsync.repositories(gw.reader, [project_id])
                        if r["id"] == chosen["id"]]  # fmt: skip
            else:
                rows = gitsync.repositories(gw.reader, [project_id])
        if not rows:
            raise CommandFailed("no linked repository to sync: pmtool git link PATH")
        results = gitsync.sync_repositories(gw, rows)
    failed = [result for result in results if result.error]
    for result in results:
        if result.error:
            continue
        click.echo(
            f"{result.path}: {_count(result.commits, 'new commit')}, "
            f"{_count(result.links, 'task link')}, {_count(len(result.applied), 'transition')}"
            + (f", {len(result.refused)} refused" if result.refused else "")
        )
        for moved in result.applied[:SHOWN_PER_KIND]:
            click.echo(
                f"  {moved.key}: {moved.old_status} -> {moved.new_status} "
                f"({moved.why}, {moved.sha[:7]})"
            )
        if len(result.applied) > SHOWN_PER_KIND:
            more = len(result.applied) - SHOWN_PER_KIND
            click.echo(f"  ... and {_count(more, 'more transition')} (pmtool log shows them)")
        for refused in result.refused[:SHOWN_PER_KIND]:
            click.echo(
                f"  refused: {refused.key} -> {refused.status} ({refused.sha[:7]}): "
                f"{refused.reason}"
            )
        if len(result.refused) > SHOWN_PER_KIND:
            more = len(result.refused) - SHOWN_PER_KIND
            click.echo(f"  ... and {more} more refused")
        if result.unknown:
            click.echo(f"  warning: commits cite unknown tasks: {', '.join(result.unknown)}")
        if result.unknown_statuses:
            click.echo(
                f"  warning: commits ask for unknown statuses: {', '.join(result.unknown_statuses)}"
            )
    if failed:
        problems = "; ".join(f"{result.path}: {result.error}" for result in failed)
        if len(failed) == len(results):
            raise CommandFailed(problems)
        raise CommandFailed(f"not synced: {problems}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


@git.command("commits")
@click.argument("key")
@format_option
@pass_app
def git_commits(app: AppContext, key: str, fmt: str) -> None:
    """The commits that cite a task, newest first.

    \b
    Example:
      pmtool git commits PM-12 --format json
    """
    from pmtool.services import resolve
    from pmtool.services.read.gitsync import COMMIT_FIELDS, task_commits

    with app.reading() as reader:
        task_id = resolve.task_id_any(reader, key)
        rows = task_commits(reader, task_id)
    for row in rows:
        if fmt in ("table", "md"):  # for people: short ids, the minute in UTC
            row["sha"] = row["sha"][:10]
            row["date"] = row["date"][:16].replace("T", " ")
    emit_rows(
        rows,
        fmt,
        COMMIT_COLUMNS,
        empty_message=f"No commit cites {key.upper()} yet.",
        fields=COMMIT_FIELDS,
    )


@git.command("activity")
@format_option
@pass_app
def git_activity(app: AppContext, fmt: str) -> None:
    """Each member's commits citing tasks, and their last commit, in the project's
    repositories.

    Authors are matched to members by name or email when commits are synced.

    \b
    Example:
      pmtool git activity
    """
    from pmtool.services.read.gitsync import ACTIVITY_FIELDS, member_activity

    with app.reading() as reader:
        project_id, _ = app.project_ref(reader)
        rows = member_activity(reader, project_id)
    emit_rows(
        rows,
        fmt,
        ACTIVITY_COLUMNS,
        empty_message="No commit by a member yet (pmtool git sync reads them).",
        fields=ACTIVITY_FIELDS,
    )


@git.command("branch")
@click.argument("key")
@click.option("--repo", "path", help="The linked repository (needed when there are several).")
@click.option("--no-switch", is_flag=True, help="Create the branch without checking it out.")
@pass_app
def git_branch(app: AppContext, key: str, path: str | None, no_switch: bool) -> None:
    """Start work on a task: a branch pm-12-short-title from the default branch, and the
    task to in_progress (a task further on stays where it is).

    \b
    Example:
      pmtool git branch PM-12
    """
    from pmtool.services import gitsync, resolve

    with app.writing() as gw:
        task = resolve.task(gw.reader, key)
        row = resolve.git_repository(gw.reader, task["project_id"], path)
        result = gitsync.start_task_branch(gw, task, row, switch=not no_switch)
    where = "switched to" if result.switched else "created"
    click.echo(f"Branch {result.branch} {where} in {result.path}")
    if result.move is not None:
        click.echo(f"{result.move.key}: {result.move.old_status} -> {result.move.new_status}")


@git.group("hooks")
def git_hooks() -> None:
    """Commit hooks: the task key from the branch name, and an optional message check."""


@git_hooks.command("install")
@click.option("--repo", "path", help="The linked repository (needed when there are several).")
@click.option(
    "--check",
    type=click.Choice(["off", "warn", "refuse"]),
    help="Also a commit-msg hook: warn about or refuse messages citing no task (off removes it).",
)
@click.option("--force", is_flag=True, help="Replace hooks pmtool did not write (kept aside).")
@pass_app
def git_hooks_install(app: AppContext, path: str | None, check: str | None, force: bool) -> None:
    """Install prepare-commit-msg (prefills PM-12 on branch pm-12-...) and, with --check,
    commit-msg. Plain shell scripts: fast, no pmtool needed when committing.

    \b
    Example:
      pmtool git hooks install --check warn
    """
    from pmtool.gitsync import hooks
    from pmtool.gitsync.repo import open_repository
    from pmtool.services import resolve

    with app.reading() as reader:
        project_id, key = app.project_ref(reader)
        row = resolve.git_repository(reader, project_id, path)
    repository = open_repository(row["path"])
    done = hooks.install(
        repository,
        key,
        check=check,  # type: ignore[arg-type]  # click.Choice gives one of hooks.CHECKS
        force=force,
        hash_refs=bool(row["hash_refs"]),
    )
    for line in done:
        click.echo(f"{line}")
    click.echo(f"Hooks are in {hooks.hooks_folder(repository)}")


@git_hooks.command("uninstall")
@click.option("--repo", "path", help="The linked repository (needed when there are several).")
@pass_app
def git_hooks_uninstall(app: AppContext, path: str | None) -> None:
    """Remove pmtool's hooks (only those) and put back any they replaced.

    \b
    Example:
      pmtool git hooks uninstall
    """
    from pmtool.gitsync import hooks
    from pmtool.gitsync.repo import open_repository
    from pmtool.services import resolve

    with app.reading() as reader:
        project_id, _ = app.project_ref(reader)
        row = resolve.git_repository(reader, project_id, path)
    done = hooks.uninstall(open_repository(row["path"]))
    for line in done or ["no pmtool hook installed"]:
        click.echo(line)


@git.command("publish")
@click.option("--repo", "path", help="The linked repository (needed when there are several).")
@click.option(
    "--path", "file", default="docs/STATUS.md", show_default=True, help="Where in the repository."
)
@click.option("--commit", is_flag=True, help="Commit that file (and nothing else).")
@pass_app
def git_publish(app: AppContext, path: str | None, file: str, commit: bool) -> None:
    """Write the board as a Markdown status file into the repository, to review in pull
    requests. No personal data: member names only, never emails or phone numbers.

    \b
    Example:
      pmtool git publish --path docs/STATUS.md --commit
    """
    from pmtool.services import gitsync, resolve

    with app.reading() as reader:
        project_id, key = app.project_ref(reader)
        row = resolve.git_repository(reader, project_id, path)
        row["project_key"] = key
        result = gitsync.publish_status(reader, project_id, row, file, commit=commit)
    click.echo(f"{'Wrote' if result.changed else 'Unchanged:'} {result.file}")
    if result.commit:
        click.echo(f"Committed {result.commit[:10]}")
