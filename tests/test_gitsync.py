"""Git sync against real repositories built in tmp_path: links, keywords, idempotence
across re-runs, rebases and cherry-picks, gates, undo, and hostile repositories."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import Invoke
from gitrepos import Repo
from pmcheck import count, dump, error_line, ok, query, refused

pytestmark = pytest.mark.both_backends


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    made = Repo(tmp_path / "sepsis-model")
    made.commit("Initial layout")
    return made


@pytest.fixture
def linked(workspace: Invoke, repo: Repo) -> Invoke:
    for title in ("Freeze cohort", "Baseline model", "Calibration plot", "Model card"):
        ok(workspace("task", "add", title))
    ok(workspace("git", "link", str(repo.path)))
    return workspace


def status(db_path: Path, number: int) -> str:
    return str(query(db_path, "SELECT status FROM task WHERE number = ?", number)[0][0])


def test_link_lists_the_repository_and_guesses_the_default_branch(linked: Invoke, repo: Repo):
    rows = json.loads(ok(linked("git", "list", "--format", "json")))
    assert [(r["path"], r["default_branch"], r["last_sync"], r["commits"]) for r in rows] == [
        (str(repo.path.resolve()), "main", None, 0)
    ]
    # Linking again changes settings, never makes a second link.
    assert "Updated the link" in ok(linked("git", "link", str(repo.path), "--done-on-merge"))
    rows = json.loads(ok(linked("git", "list", "--format", "json")))
    assert len(rows) == 1 and rows[0]["done_on_merge"] is True


def test_sync_links_commits_and_applies_keywords(linked: Invoke, repo: Repo, db_path: Path):
    repo.commit("Cohort query\n\nrefs PM-1")
    fix = repo.commit("Fixes PM-1: freeze the cohort")
    repo.commit("PM-2 #in-progress start the baseline")
    repo.switch("feature", create=True)
    repo.commit("closes PM-3 and PM-4 on a feature branch")
    repo.commit("Mentions PM-77, which does not exist")
    output = ok(linked("git", "sync"))
    assert "5 new commits" in output  # those citing tasks ("Initial layout" stays in git)
    assert "PM-1: backlog -> done (fixes" in output
    assert "PM-2: backlog -> in_progress (status" in output
    assert "warning: commits cite unknown tasks: PM-77" in output
    # "fixes" applies on the default branch only (as GitHub does): not yet for PM-3/PM-4.
    assert [status(db_path, n) for n in (1, 2, 3, 4)] == ["done", "in_progress", "backlog",
                                                          "backlog"]  # fmt: skip
    commits = json.loads(ok(linked("git", "commits", "PM-1", "--format", "json")))
    assert [c["sha"] for c in commits] == [fix, commits[1]["sha"]]
    assert {"sha", "subject", "author", "date"} <= set(commits[0])
    assert commits[0]["subject"] == "Fixes PM-1: freeze the cohort"
    assert commits[0]["author"] == "Lena Vogel" and commits[0]["date"].endswith("Z")
    assert [c["keyword"] for c in commits] == ["fixes", "refs"]
    # Merging the feature branch brings its "closes" to the default branch.
    repo.switch("main")
    repo.git("merge", "-q", "--no-ff", "feature", "-m", "Merge feature")
    output = ok(linked("git", "sync"))
    assert "1 new commit," in output
    assert "PM-3: backlog -> done" in output and "PM-4: backlog -> done" in output
    assert "PM-77" not in output  # reported once, when first read
    assert json.loads(ok(linked("git", "commits", "PM-3", "--format", "json")))[0]["on_default"]


def test_a_rerun_reads_nothing_and_changes_nothing(linked: Invoke, repo: Repo, db_path: Path):
    repo.commit("fixes PM-1")
    ok(linked("git", "sync"))
    tasks_before = query(db_path, "SELECT id, status, version FROM task ORDER BY id")
    commits_before = count(db_path, "git_commit")
    output = ok(linked("git", "sync"))
    assert output.startswith(f"{repo.path.resolve()}: 0 new commits, 0 task links, 0 transitions")
    assert query(db_path, "SELECT id, status, version FROM task ORDER BY id") == tasks_before
    assert count(db_path, "git_commit") == commits_before
    assert count(db_path, "git_transition") == 1


def test_rebased_and_cherry_picked_copies_never_apply_twice(
    linked: Invoke, repo: Repo, db_path: Path
):
    repo.switch("feature", create=True)
    review = repo.commit("PM-2 #review ready for review")
    ok(linked("git", "sync"))
    assert status(db_path, 2) == "review"
    # The team moves it back by hand; copies of the same commit must not undo that.
    ok(linked("task", "move", "PM-2", "in_progress"))
    repo.switch("main")
    repo.commit("Unrelated work on main")
    repo.switch("feature")
    repo.git("rebase", "-q", "main")
    assert repo.head() != review
    repo.switch("main")
    repo.switch("other", create=True)
    repo.git("cherry-pick", "-x", review)
    output = ok(linked("git", "sync"))
    assert "PM-2" not in output
    assert status(db_path, 2) == "in_progress"
    assert count(db_path, "git_transition") == 1


def test_a_task_never_moves_backwards(linked: Invoke, repo: Repo, db_path: Path):
    ok(linked("task", "move", "PM-1", "review"))
    repo.commit("PM-1 #in_progress one more fix")
    output = ok(linked("git", "sync"))
    assert "0 transitions" in output
    assert status(db_path, 1) == "review"


def test_a_wip_limit_refuses_the_move_and_the_sync_goes_on(
    linked: Invoke, repo: Repo, db_path: Path
):
    ok(linked("workflow", "wip", "review", "1"))
    ok(linked("task", "move", "PM-4", "review"))
    repo.commit("PM-1 #review")
    repo.commit("fixes PM-2")
    output = ok(linked("git", "sync"))
    assert "1 transition, 1 refused" in output
    assert "refused: PM-1 -> review" in output and "WIP limit" in output
    assert "PM-2: backlog -> done" in output
    assert status(db_path, 1) == "backlog"
    assert query(db_path, "SELECT outcome FROM git_transition ORDER BY id") == [
        ("refused",),
        ("applied",),
    ]


def test_unknown_status_words_are_reported(linked: Invoke, repo: Repo):
    repo.commit("PM-1 #shipit")
    assert "unknown statuses: #shipit" in ok(linked("git", "sync"))


def test_undo_takes_a_sync_back_whole(linked: Invoke, repo: Repo, db_path: Path):
    repo.commit("fixes PM-1")
    ok(linked("git", "sync"))
    assert status(db_path, 1) == "done"
    ok(linked("undo"))
    assert status(db_path, 1) == "backlog"
    assert count(db_path, "git_sync") == 0 and count(db_path, "git_branch_state") == 0
    # The next sync reads the commits again and applies them once.
    assert "PM-1: backlog -> done" in ok(linked("git", "sync"))
    assert query(db_path, "SELECT subject FROM git_commit") == [("fixes PM-1",)]


def test_a_merged_task_branch_marks_the_task_done_when_enabled(
    linked: Invoke, repo: Repo, db_path: Path
):
    ok(linked("git", "link", str(repo.path), "--done-on-merge"))
    output = ok(linked("git", "branch", "PM-3"))
    assert "pm-3-calibration-plot" in output
    assert status(db_path, 3) == "in_progress"
    ok(linked("git", "sync"))  # the fresh branch is merged trivially: not counted
    assert status(db_path, 3) == "in_progress"
    repo.commit("Calibration plot for PM-3")
    ok(linked("git", "sync"))
    repo.switch("main")
    repo.git("merge", "-q", "--no-ff", "pm-3-calibration-plot", "-m", "Merge calibration")
    assert "PM-3: in_progress -> done (merged" in ok(linked("git", "sync"))


def test_a_merged_branch_leaves_the_task_alone_by_default(
    linked: Invoke, repo: Repo, db_path: Path
):
    ok(linked("git", "branch", "PM-3", "--no-switch"))
    repo.switch("pm-3-calibration-plot")
    repo.commit("Work")
    ok(linked("git", "sync"))
    repo.switch("main")
    repo.git("merge", "-q", "--no-ff", "pm-3-calibration-plot", "-m", "Merge")
    ok(linked("git", "sync"))
    assert status(db_path, 3) == "in_progress"


def test_authors_become_member_activity(linked: Invoke, repo: Repo):
    repo.commit("PM-1 cohort", author="Jonas Weber <jonas@example.org>")
    ok(linked("git", "sync"))
    rows = json.loads(ok(linked("git", "activity", "--format", "json")))
    # Commits citing tasks, and branch tips, are read: Lena's "Initial layout" is neither.
    assert [(r["member"], r["task_commits"], r["subject"]) for r in rows] == [
        ("Jonas Weber", 1, "PM-1 cohort"),
    ]
    # Emails are personal data: never stored.
    assert "example.org" not in (dump(Path(os.environ["PMTOOL_DB"])) or "")


def test_hostile_branch_names_are_only_data(
    linked: Invoke, repo: Repo, tmp_path: Path, db_path: Path
):
    for name in ("-rf", "--output=pwned", "fix/ümlaut PM-1".replace(" ", "-"), "--upload-pack"):
        repo.git("update-ref", f"refs/heads/{name}", "HEAD")
    # A ref git itself would refuse to create (a space): written straight into .git.
    (repo.path / ".git" / "refs" / "heads" / "--upload-pack=touch x").write_text(repo.head() + "\n")
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        ok(linked("git", "sync"))
    finally:
        os.chdir(here)
    names = {row[0] for row in query(db_path, "SELECT name FROM git_branch_state")}
    assert {"-rf", "--output=pwned", "fix/ümlaut-PM-1", "--upload-pack"} <= names
    assert not (tmp_path / "x").exists() and not (tmp_path / "pwned").exists()
    assert not (repo.path / "x").exists() and not (repo.path / "pwned").exists()


@pytest.mark.parametrize(
    "path",
    ["ext::sh -c touch% /tmp/pwned", "ssh://example.org/repo.git", "git@example.org:team/repo"],
)
def test_link_refuses_urls_and_transports(workspace: Invoke, db_path: Path, path: str):
    before = dump(db_path)
    refused(workspace("git", "link", path), 2, "is not a local path")
    assert dump(db_path) == before


def test_link_refuses_what_is_not_a_usable_repository(
    workspace: Invoke, db_path: Path, tmp_path: Path, repo: Repo
):
    before = dump(db_path)
    refused(workspace("git", "link", str(tmp_path / "nowhere")), 1, "no folder")
    (tmp_path / "plain").mkdir()
    refused(workspace("git", "link", str(tmp_path / "plain")), 1, "is not a git repository")
    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "bare")], check=True)
    refused(workspace("git", "link", str(tmp_path / "bare")), 1, "bare repository")
    repo.commit("second")
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(tmp_path / "shallow")],
        check=True,
        capture_output=True,
    )
    refused(workspace("git", "link", str(tmp_path / "shallow")), 1, "shallow clone")
    for hostile in ("--upload-pack=touch x", "-rf"):
        refused(workspace("git", "link", str(repo.path), "--branch", hostile), 2, "no branch")
    assert dump(db_path) == before


def test_a_detached_head_or_a_rebase_in_progress_does_not_stop_a_sync(
    linked: Invoke, repo: Repo, db_path: Path
):
    repo.commit("fixes PM-1")
    repo.git("switch", "-q", "--detach", "HEAD~1")
    assert "PM-1: backlog -> done" in ok(linked("git", "sync"))
    (repo.path / ".git" / "rebase-merge").mkdir()
    ok(linked("git", "sync"))
    refused(linked("git", "branch", "PM-2"), 1, "in the middle of a rebase")
    assert status(db_path, 2) == "backlog"


def test_a_corrupt_repository_is_refused_and_nothing_is_written(
    linked: Invoke, repo: Repo, db_path: Path
):
    sha = repo.commit("fixes PM-1")
    objects = repo.path / ".git" / "objects" / sha[:2] / sha[2:]
    objects.chmod(0o644)
    objects.write_bytes(b"garbage")
    before = dump(db_path)
    line = error_line(linked("git", "sync"), 1, "git failed in")
    assert "Traceback" not in line
    assert dump(db_path) == before


def test_a_missing_repository_is_reported_and_the_others_sync(
    linked: Invoke, repo: Repo, tmp_path: Path, db_path: Path
):
    other = Repo(tmp_path / "other")
    other.commit("fixes PM-2")
    ok(linked("git", "link", str(other.path)))
    repo.git("init", "-q")  # still a repository; now remove it entirely
    import shutil

    shutil.rmtree(repo.path)
    result = linked("git", "sync")
    line = error_line(result, 1, "not synced", "no folder")
    assert str(repo.path) in line
    assert "PM-2: backlog -> done" in result.stdout
    assert status(db_path, 2) == "done"


def test_unlink_keeps_the_history_and_stops_syncing(linked: Invoke, repo: Repo, db_path: Path):
    repo.commit("refs PM-1")
    ok(linked("git", "sync"))
    ok(linked("git", "unlink", str(repo.path)))
    assert ok(linked("git", "list")).startswith("No linked repository")
    assert len(json.loads(ok(linked("git", "commits", "PM-1", "--format", "json")))) == 1
    refused(linked("git", "sync"), 1, "no linked repository")
    refused(linked("git", "unlink", str(repo.path)), 1, "is not linked")
    ok(linked("undo"))
    assert len(json.loads(ok(linked("git", "list", "--format", "json")))) == 1


def test_empty_lists_are_empty_json(workspace: Invoke):
    ok(workspace("task", "add", "x"))
    assert json.loads(ok(workspace("git", "list", "--format", "json"))) == []
    assert json.loads(ok(workspace("git", "commits", "PM-1", "--format", "json"))) == []
    assert json.loads(ok(workspace("git", "activity", "--format", "json"))) == []
    header = ok(workspace("git", "commits", "PM-1", "--format", "csv")).splitlines()[0]
    assert header.startswith("sha,subject,author,date")


def test_git_commands_load_no_orm_no_ui_and_no_gitpython(linked: Invoke, repo: Repo, db_path: Path):
    from test_gateway import _loaded_modules

    repo.commit("fixes PM-1")
    for args in (
        ["git", "sync"],
        ["git", "link", str(repo.path), "--done-on-merge"],
        ["git", "branch", "PM-2"],
        ["git", "commits", "PM-1"],
        ["git", "hooks", "install", "--check", "warn"],
        ["git", "publish"],
        ["git", "unlink", str(repo.path)],
        ["status"],
    ):
        assert _loaded_modules(db_path, args) == [], args


def message(repo: Repo) -> str:
    return repo.git("log", "-1", "--format=%B")


def test_prepare_commit_msg_prefills_the_key_from_the_branch(linked: Invoke, repo: Repo):
    out = ok(linked("git", "hooks", "install"))
    assert "prepare-commit-msg: installed" in out
    repo.switch("pm-12-calibration", create=True)
    repo.commit("Add calibration plot")
    assert message(repo) == "PM-12 Add calibration plot"
    repo.commit("fixes PM-12 with isotonic regression")  # cites it already: unchanged
    assert message(repo) == "fixes PM-12 with isotonic regression"
    repo.switch("feature/PM-7_cohort", create=True)
    repo.commit("Cohort filter")
    assert message(repo) == "PM-7 Cohort filter"
    repo.switch("main")
    repo.commit("No task branch")
    assert message(repo) == "No task branch"


def test_commit_msg_check_warns_or_refuses(linked: Invoke, repo: Repo):
    ok(linked("git", "hooks", "install", "--check", "refuse"))
    with pytest.raises(AssertionError, match="commit refused"):
        repo.commit("Tidy up")
    repo.commit("Tidy up, refs PM-1")
    ok(linked("git", "hooks", "install", "--check", "warn"))
    repo.commit("Tidy more")
    assert message(repo) == "Tidy more"
    ok(linked("git", "hooks", "install", "--check", "off"))
    assert not (repo.path / ".git" / "hooks" / "commit-msg").exists()


def test_hooks_never_overwrite_or_remove_a_hook_pmtool_did_not_write(linked: Invoke, repo: Repo):
    hooks = repo.path / ".git" / "hooks"
    theirs = hooks / "prepare-commit-msg"
    theirs.write_text("#!/bin/sh\necho team hook\n")
    theirs.chmod(0o755)
    refused(linked("git", "hooks", "install"), 1, "has its own prepare-commit-msg hook")
    assert theirs.read_text() == "#!/bin/sh\necho team hook\n"
    assert "kept as prepare-commit-msg.pre-pmtool" in ok(
        linked("git", "hooks", "install", "--force")
    )
    assert (hooks / "prepare-commit-msg.pre-pmtool").read_text() == "#!/bin/sh\necho team hook\n"
    assert "yours put back" in ok(linked("git", "hooks", "uninstall"))
    assert theirs.read_text() == "#!/bin/sh\necho team hook\n"
    assert ok(linked("git", "hooks", "uninstall")) == "no pmtool hook installed\n"


def test_pmtool_runs_no_hook_of_the_repository(linked: Invoke, repo: Repo, tmp_path: Path):
    ran = tmp_path / "hook-ran"
    for name in ("post-checkout", "reference-transaction", "pre-commit", "post-commit"):
        hook = repo.path / ".git" / "hooks" / name
        hook.write_text(f"#!/bin/sh\ntouch {ran}\n")
        hook.chmod(0o755)
    ok(linked("git", "sync"))
    ok(linked("git", "branch", "PM-1"))
    assert not ran.exists()


def test_publish_writes_the_board_without_personal_data(linked: Invoke, repo: Repo):
    ok(linked("member", "edit", "Lena", "--email", "lena.private@example.org"))
    ok(linked("task", "edit", "PM-1", "--assignee", "Lena", "--points", "3",
              "--title", "Freeze cohort | v2 <b>"))  # fmt: skip
    ok(linked("task", "move", "PM-1", "in_progress"))
    out = ok(linked("git", "publish"))
    status_file = repo.path / "docs" / "STATUS.md"
    assert out == f"Wrote {status_file.resolve()}\n"
    text = status_file.read_text()
    assert "| PM-1 | Freeze cohort \\| v2 &lt;b> | 3 | Lena Vogel |" in text
    assert "## in_progress: 1" in text
    assert "@" not in text and "example.org" not in text
    assert repo.git("status", "--porcelain") == "?? docs/"  # not committed without --commit
    assert ok(linked("git", "publish")) == f"Unchanged: {status_file.resolve()}\n"


def test_publish_commit_commits_that_file_only(linked: Invoke, repo: Repo):
    (repo.path / "staged.txt").write_text("work in progress\n")
    repo.git("add", "staged.txt")
    out = ok(linked("git", "publish", "--path", "STATUS.md", "--commit"))
    assert "Committed" in out
    subject, _, *files = repo.git("show", "--name-only", "--format=%s", "HEAD").splitlines()
    assert subject.startswith("Status of PM (") and files == ["STATUS.md"]
    assert repo.git("status", "--porcelain") == "A  staged.txt"


@pytest.mark.parametrize("where", ["../outside.md", "/tmp/abs.md", ".git/hooks/pre-commit"])
def test_publish_stays_inside_the_work_tree(linked: Invoke, repo: Repo, where: str):
    refused(linked("git", "publish", "--path", where), 2)
    assert not (repo.path.parent / "outside.md").exists()
    assert not (repo.path / ".git" / "hooks" / "pre-commit").exists()


def test_status_reports_repositories_never_or_long_not_synced(
    linked: Invoke, repo: Repo, monkeypatch: pytest.MonkeyPatch
):
    result = linked("status", "--check", "--format", "json")
    assert result.exit_code == 3
    kinds = [entry["kind"] for entry in json.loads(result.stdout)]
    assert kinds == ["git_never_synced"]
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-27T10:00:00+00:00")
    ok(linked("git", "sync"))
    assert linked("status", "--check").exit_code == 0
    monkeypatch.setenv("PMTOOL_NOW", "2026-12-04T10:00:00+00:00")
    result = linked("status", "--check", "--format", "json")
    assert result.exit_code == 3
    [stale] = json.loads(result.stdout)
    assert (stale["kind"], stale["level"], stale["due"]) == ("git_sync_stale", "late", "2026-11-27")
    assert "last synced 7 days ago" in stale["text"]


def test_status_reports_unknown_task_references_of_the_last_sync(linked: Invoke, repo: Repo):
    repo.commit("fixes PM-404")
    ok(linked("git", "sync"))
    result = linked("status", "--check", "--format", "json")
    assert result.exit_code == 3
    [unknown] = json.loads(result.stdout)
    assert unknown["kind"] == "git_unknown_refs" and "PM-404" in unknown["text"]


@pytest.mark.sqlite_only  # reads the SQLite file itself
def test_the_dashboard_panel_shows_the_last_sync_and_recent_commits(
    linked: Invoke, repo: Repo, db_path: Path
):
    from datetime import date

    from pmtool.services.read.dashboard import load_panels
    from pmtool.storage.location import resolve_location
    from pmtool.storage.reader import reading

    repo.commit("fixes PM-2 baseline")
    with reading(resolve_location(str(db_path))) as reader:
        panels = {p["id"]: p for p in load_panels(reader, 1, date(2026, 11, 27))}
        assert [row["text"] for row in panels["git"]["rows"]] == ["sepsis-model: never synced"]
    ok(linked("git", "sync"))
    with reading(resolve_location(str(db_path))) as reader:
        from pmtool.services.read.gitsync import last_commit

        rows = {p["id"]: p for p in load_panels(reader, 1, date(2026, 11, 27))}["git"]["rows"]
        newest = last_commit(reader, project_id=1)
    assert rows[0]["text"] == "sepsis-model: synced"
    assert rows[1]["ref"] == "PM-2" and rows[1]["text"].endswith("fixes PM-2 baseline (Lena Vogel)")
    assert newest is not None and newest["subject"] == "fixes PM-2 baseline"
    assert newest["sha"] == repo.head()


def test_json_fields_are_documented(linked: Invoke, repo: Repo):
    from test_docs import _documented_fields

    repo.commit("fixes PM-1")
    ok(linked("git", "sync"))
    documented = _documented_fields()
    for heading, command in (
        ("Git repository", ("git", "list")),
        ("Git commit", ("git", "commits", "PM-1")),
        ("Git activity", ("git", "activity")),
    ):
        printed = json.loads(ok(linked(*command, "--format", "json")))
        assert list(printed[0]) == documented[heading], heading


def test_the_demo_in_its_own_folder_gets_a_linked_synced_repository(
    run: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import tempfile

    folder = tmp_path / "pmtool-demo-x"
    folder.mkdir()
    monkeypatch.delenv("PMTOOL_DB")
    monkeypatch.setattr(tempfile, "mkdtemp", lambda prefix="": str(folder))
    out = ok(run("demo", "--no-tui"))
    assert f"a git repository {folder / 'sepsis-model'} with" in out
    monkeypatch.setenv("PMTOOL_DB", str(folder / "demo.db"))
    [repository] = json.loads(ok(run("git", "list", "--format", "json")))
    assert repository["last_sync"] is not None and repository["links"] > 10
    done = json.loads(ok(run("task", "list", "--status", "done", "--format", "json")))
    commits = json.loads(ok(run("git", "commits", done[0]["key"], "--format", "json")))
    assert [c["keyword"] for c in commits] == ["fixes", "refs"]
    # Synced just now: git has nothing to report (the other domains' reminders may).
    items = json.loads(ok(run("status", "--format", "json")))
    assert not [item for item in items if item["kind"].startswith("git_")]
    # Nothing written outside the folder the demo made.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pmtool-demo-x"]


def test_a_demo_at_a_chosen_path_has_no_repository(run: Invoke, tmp_path: Path):
    ok(run("demo", "--no-tui", "--path", str(tmp_path / "chosen.db")))
    assert not (tmp_path / "sepsis-model").exists()


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Cohort query (PM-1)", [(1, "refs", None)]),
        (
            "Closes: PM-3, PM-4 and PM-5",
            [(3, "fixes", None), (4, "fixes", None), (5, "fixes", None)],
        ),
        ("Tidy\n\nThe body says:\nresolves PM-2", [(2, "fixes", None)]),
        ("PM-7 #In-Progress started", [(7, "status", "in_progress")]),
        ("refs PM-1\nPM-1 #review", [(1, "status", "review")]),
        ("Merge branch 'pm-12-calibration'", []),
        ("XPM-3, PM-33x, PM_4, PM-", []),
        ("prefix-PM-9 is not a key; (PM-9) is", [(9, "refs", None)]),
        ("fixed a bug in #12", []),
    ],
)
def test_commit_message_keywords(message: str, expected: list[tuple[int, str, str | None]]):
    from pmtool.gitsync.messages import find_references, patterns

    found = find_references(message, patterns("PM"))
    assert [(r.number, r.keyword, r.status) for r in found] == expected


def test_hash_refs_read_numbers_as_tasks():
    from pmtool.gitsync.messages import find_references, patterns

    found = find_references(
        "fixes #12 and PM-3; see #4, not a#5 or &#6", patterns("PM", hash_refs=True)
    )
    assert [(r.number, r.keyword) for r in found] == [(12, "fixes"), (3, "fixes"), (4, "refs")]


def test_undo_takes_back_a_link(workspace: Invoke, repo: Repo):
    ok(workspace("git", "link", str(repo.path)))
    ok(workspace("undo"))
    assert json.loads(ok(workspace("git", "list", "--format", "json"))) == []


def test_sync_all_reads_every_projects_repositories(
    linked: Invoke, repo: Repo, tmp_path: Path, db_path: Path
):
    ok(linked("project", "add", "OT", "Other"))
    ok(linked("-p", "OT", "task", "add", "Other work"))
    other = Repo(tmp_path / "other")
    other.commit("fixes OT-1")
    ok(linked("-p", "OT", "git", "link", str(other.path)))
    repo.commit("fixes PM-1")
    out = ok(linked("git", "sync", "--all"))
    assert "PM-1: backlog -> done" in out and "OT-1: backlog -> done" in out
    # Without --all, only the chosen project's repositories.
    other.commit("OT-1 again")
    only_pm = ok(linked("-p", "PM", "git", "sync"))
    assert only_pm.count("new commit") == 1 and only_pm.startswith(str(repo.path.resolve()))


def test_an_amended_message_is_recognised_by_its_patch_id(
    linked: Invoke, repo: Repo, db_path: Path
):
    repo.switch("feature", create=True)
    repo.commit("PM-2 #review ready", file="model.py")
    ok(linked("git", "sync"))
    ok(linked("task", "move", "PM-2", "in_progress"))
    # Same change, new words: a new sha and fingerprint, the same patch-id.
    repo.git("commit", "-q", "--amend", "-m", "PM-2 #review ready, with better words")
    assert "PM-2" not in ok(linked("git", "sync"))
    assert status(db_path, 2) == "in_progress"
    stored = query(db_path, "SELECT patch_id FROM git_transition ORDER BY id")
    assert len(stored) == 1


def test_the_thesis_overview_shows_the_last_synced_commit(linked: Invoke, repo: Repo):
    add = ("thesis", "add", "Aylin Demir", "--title", "Sepsis alerts", "--start", "2026-12-01")
    ok(linked(*add, "--repo", str(repo.path)))
    row = json.loads(ok(linked("thesis", "overview", "--format", "json")))[0]
    assert row["last_commit"] is None  # linked, not synced yet
    repo.commit("PM-1 #review cohort frozen")
    ok(linked("git", "sync"))
    row = json.loads(ok(linked("thesis", "overview", "--format", "json")))[0]
    newest = json.loads(ok(linked("git", "commits", "PM-1", "--format", "json")))[0]
    assert row["last_commit"] == newest["date"]
