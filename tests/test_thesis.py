"""The thesis track: plans from templates, re-planning, milestones and their gates,
meetings, the supervisor's overview and its risk rules, all on frozen dates.

The clock is frozen at Friday 15 Jan 2027; the example thesis starts on Monday 2 Nov 2026
(week 0) with the default 26-week plan, so its deadline is Monday 3 May 2027.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import Invoke
from pmcheck import count, dump, error_line, ok, query, refused

from pmtool.services import thesis_plan
from pmtool.services.read import thesis as read

NOW = "2027-01-15T10:00:00+00:00"
TODAY = date(2027, 1, 15)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "thesis"


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMTOOL_NOW", NOW)


@pytest.fixture
def planned(workspace: Invoke) -> Invoke:
    """Thesis 1 (Mara Schulz, default plan, from 2 Nov 2026) linked to project PM."""
    ok(
        workspace(
            "thesis", "add", "Mara Schulz", "--title", "Sepsis onset prediction",
            "--start", "2026-11-02", "--first-examiner", "Prof. Miriam Koch",
        )
    )  # fmt: skip
    return workspace


def milestones(run: Invoke, thesis: str = "1") -> list[dict]:
    return json.loads(ok(run("thesis", "milestone", "list", thesis, "--format", "json")))


def due_dates(run: Invoke, thesis: str = "1") -> dict[str, str]:
    return {row["id"]: row["due"] for row in milestones(run, thesis)}


def overview(run: Invoke, *options: str) -> list[dict]:
    return json.loads(ok(run("thesis", "overview", *options, "--format", "json")))


# --- templates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.toml")), ids=lambda p: p.name)
def test_every_shipped_template_is_a_sound_plan(path: Path):
    import tomllib

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    plan = thesis_plan.load_template(path.stem)
    codes = [m["id"] for m in data["milestone"]]
    assert len(codes) == len(set(codes)), "ids are unique"
    weeks = {m["id"]: m["week"] for m in data["milestone"]}
    for entry in data["milestone"]:
        for before in entry.get("after", []):
            assert weeks[before] <= entry["week"], (entry["id"], before)  # no step backwards
    assert thesis_plan.find_cycle({m.code: m.after for m in plan.milestones}) == []
    assert weeks["submission"] == data["weeks"], "the submission is due at the deadline"
    assert min(weeks.values()) >= -52 and max(weeks.values()) <= data["weeks"] + 52
    # The data-access milestone needs the ethics vote (or exemption) and the data-use agreement.
    assert next(m for m in data["milestone"] if m["id"] == "data-access")["needs"] == [
        "ethics|exemption",
        "dua",
    ]


def test_the_default_plan_is_the_domain_table():
    plan = thesis_plan.load_template("default")
    assert plan.weeks == 26
    assert [m.week for m in plan.milestones] == [
        -12, -8, -8, -6, -6, -4, -1, 0, 2, 5, 12, 14, 17, 21, 25, 26, 32, 34, 34,
    ]  # fmt: skip
    assert thesis_plan.template_names() == ["default", "short-17w"]
    assert thesis_plan.load_template("short-17w").weeks == 17


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ('[[milestone]]\nid="a"\ntitle="A"\nweek=1\nafter=["b"]\n'
         '[[milestone]]\nid="b"\ntitle="B"\nweek=1\nafter=["a"]\n', "circle: a -> b -> a"),
        ('[[milestone]]\nid="a"\ntitle="A"\nweek=1\n[[milestone]]\nid="a"\ntitle="B"\nweek=2\n',
         "the id 'a' is used twice"),
        ('[[milestone]]\nid="a"\ntitle="A"\nweek=1\nafter=["x"]\n', "after unknown 'x'"),
        ('[[milestone]]\nid="a"\ntitle="A"\nweek=-60\n', "outside weeks -52.."),
        ('[[milestone]]\nid="a"\ntitle="A"\nweek=3\nneeds=["nonsense"]\n', "unknown approval kind"),
        ('[[milestone]]\nid="a"\ntitle="A"\nweek=5\n[[milestone]]\nid="b"\ntitle="B"\nweek=2\n'
         'after=["a"]\n', "which is due later"),
        ('weeks=20\n[[milestone]]\nid="submission"\ntitle="S"\nweek=26\n', "must be at week 20"),
        ('[[milestone]]\nid="a"\ntitle="A"\n', "whole number of weeks"),
        ("title = [", "not valid TOML"),
    ],
)  # fmt: skip
def test_broken_templates_are_refused(
    planned: Invoke, db_path: Path, tmp_path: Path, broken: str, message: str
):
    path = tmp_path / "mine.toml"
    path.write_text(broken, encoding="utf-8")
    before = dump(db_path)
    refused(
        planned("thesis", "add", "X", "--title", "T", "--start", "2027-02-01", "--template",
                str(path)),
        2,
        message,
    )  # fmt: skip
    assert dump(db_path) == before


def test_an_unknown_template_is_refused_naming_the_templates(planned: Invoke, db_path: Path):
    before = dump(db_path)
    refused(
        planned("thesis", "add", "X", "--title", "T", "--start", "2027-02-01", "--template", "x"),
        1,
        "no thesis template 'x'; templates: default, short-17w",
    )
    assert dump(db_path) == before


def test_a_changed_template_never_changes_a_planned_thesis(workspace: Invoke, tmp_path: Path):
    mine = tmp_path / "mine.toml"
    mine.write_text(
        'name = "mine"\nweeks = 10\n[[milestone]]\nid = "expose"\ntitle = "Exposé"\nweek = -2\n'
        '[[milestone]]\nid = "submission"\ntitle = "Submission"\nweek = 10\nafter = ["expose"]\n',
        encoding="utf-8",
    )
    ok(workspace("thesis", "add", "A", "--title", "T", "--start", "2027-02-01", "--template",
                 str(mine)))  # fmt: skip
    mine.write_text(mine.read_text().replace("Exposé", "Changed").replace("-2", "-4"))
    assert [(m["title"], m["due"]) for m in milestones(workspace)] == [
        ("Exposé", "2027-01-18"),
        ("Submission", "2027-04-12"),
    ]


# --- adding and showing -------------------------------------------------------------------------


@pytest.mark.both_backends
def test_add_plans_the_default_milestones_and_the_deadline(planned: Invoke, db_path: Path):
    rows = json.loads(ok(planned("thesis", "list", "--format", "json")))
    assert list(rows[0])[:5] == ["id", "student", "title", "start", "deadline"]
    assert rows[0] | {} == {
        **rows[0],
        "id": 1,
        "student": "Mara Schulz",
        "start": "2026-11-02",
        "deadline": "2027-05-03",
        "status": "planning",
        "weeks": 26,
        "project": "PM",
        "template": "default",
        "milestones": 19,
    }
    dates = due_dates(planned)
    assert dates["topic"] == "2026-08-10"  # W-12
    assert dates["registration"] == "2026-10-05"  # W-4
    assert dates["start"] == "2026-11-02"
    assert dates["data-access"] == "2026-11-16"  # W+2
    assert dates["submission"] == "2027-05-03"  # the deadline
    assert dates["defence"] == "2027-06-14"  # W+32
    assert count(db_path, "thesis_milestone_dependency") == 22


def test_the_processing_time_comes_from_the_option_the_programme_or_the_template(
    workspace: Invoke,
):
    ok(workspace("thesis", "programme", "set", "HTW", "--weeks", "17", "--template", "short-17w"))
    ok(workspace("thesis", "add", "A", "--title", "T", "--start", "2027-03-01",
                 "--programme", "HTW"))  # fmt: skip
    ok(workspace("thesis", "add", "B", "--title", "T", "--start", "2027-03-01", "--weeks", "22"))
    rows = {
        r["student"]: r for r in json.loads(ok(workspace("thesis", "list", "--format", "json")))
    }
    assert (rows["A"]["weeks"], rows["A"]["template"], rows["A"]["deadline"]) == (
        17, "short-17w", "2027-06-28",
    )  # fmt: skip
    # 22 weeks from the 26-week plan: the work in between is scaled, the submission stays
    # at the deadline and the defence keeps its distance from it.
    assert (rows["B"]["weeks"], rows["B"]["deadline"]) == (22, "2027-08-02")
    dates = due_dates(workspace, "2")
    assert dates["submission"] == "2027-08-02"
    assert dates["defence"] == "2027-09-13"
    assert dates["topic"] == "2026-12-07"
    listed = json.loads(ok(workspace("thesis", "programme", "list", "--format", "json")))
    assert listed == [{"name": "HTW", "weeks": 17, "template": "short-17w"}]


def test_add_refuses_bad_input(planned: Invoke, db_path: Path):
    before = dump(db_path)
    refused(
        planned("thesis", "add", "X", "--title", "T", "--start", "2027-03-01",
                "--defence", "2027-02-01"),
        2,
        "the defence (2027-02-01) cannot be before the start (2027-03-01)",
    )  # fmt: skip
    refused(
        planned("thesis", "add", "X", "--title", "T", "--start", "2027-03-01", "--weeks", "0"),
        2,
        "give 1 to 104 weeks",
    )
    refused(planned("thesis", "add", " ", "--title", "T", "--start", "2027-03-01"), 2, "empty")
    assert dump(db_path) == before


def test_a_thesis_is_found_by_id_or_student_name(planned: Invoke):
    ok(planned("thesis", "add", "Mark Braun", "--title", "T", "--start", "2027-03-01"))
    assert json.loads(ok(planned("thesis", "show", "schulz", "--format", "json")))["id"] == 1
    assert json.loads(ok(planned("thesis", "show", "#2", "--format", "json")))["id"] == 2
    refused(planned("thesis", "show", "Ma"), 1, "'Ma' could be several theses: 1 (Mara Schulz)")
    refused(planned("thesis", "show", "9"), 1, "no thesis 9")
    refused(planned("thesis", "show", "Nobody"), 1, "no thesis of 'Nobody'")


def test_show_draws_the_timeline_in_the_terminal_width(
    planned: Invoke, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("COLUMNS", "80")
    ok(planned("thesis", "milestone", "done", "1", "1-8", "--on", "2026-11-02"))
    shown = ok(planned("thesis", "show", "1"))
    chart = shown.split("\n\n")[1].splitlines()
    assert all(len(line) <= 80 for line in chart), chart
    assert chart[-1].endswith("│ today 2027-01-15")
    today_column = chart[-1].index("│")
    bars = [line for line in chart if line[:2].strip().isdigit()]
    assert len(bars) == 19
    assert all(line[today_column] == "│" or line[today_column] in "●◆!" for line in bars)
    assert "●" in bars[0] and bars[0].endswith("")  # done
    assert bars[8].endswith("late") and "!" in bars[8]  # data access: 2026-11-16, open
    assert "◆" in bars[15]  # the submission, ahead
    assert "risk" in shown and "high" in shown


# --- the state machine ----------------------------------------------------------------------


def test_status_moves_along_the_machine_and_refuses_the_rest(planned: Invoke, db_path: Path):
    before = dump(db_path)
    refused(
        planned("thesis", "move", "1", "submitted"),
        1,
        "thesis 1 is planning; it can move only to registered, withdrawn",
    )
    assert dump(db_path) == before
    assert ok(planned("thesis", "move", "1", "registered")) == (
        "Thesis 1: planning -> registered\n"
    )
    assert query(db_path, "SELECT registered_on FROM thesis") == [("2027-01-15",)]
    ok(planned("thesis", "move", "1", "in_progress"))
    ok(planned("thesis", "move", "1", "withdrawn"))
    refused(planned("thesis", "move", "1", "planning"), 1, "it can move nowhere: it is final")


def test_submitted_and_defended_mark_their_milestones_done(planned: Invoke, db_path: Path):
    for status in ("registered", "in_progress", "submitted"):
        ok(planned("thesis", "move", "1", status))
    done = {m["id"]: m["done"] for m in milestones(planned)}
    assert (done["submission"], done["defence"]) == ("2027-01-15", None)
    ok(planned("thesis", "move", "1", "defended"))
    done = {m["id"]: m["done"] for m in milestones(planned)}
    assert done["defence"] == "2027-01-15"
    assert query(db_path, "SELECT defence_on FROM thesis") == [("2027-01-15",)]
    ok(planned("undo"))
    assert {m["id"]: m["done"] for m in milestones(planned)}["defence"] is None
    error_line(planned("thesis", "move", "1", "nonsense"), 2, "'nonsense' is not one of")


# --- re-planning --------------------------------------------------------------------------------


@pytest.mark.both_backends
def test_replan_moves_open_milestones_and_keeps_the_old_dates(planned: Invoke):
    ok(planned("thesis", "milestone", "done", "1", "topic", "--on", "2026-08-10"))
    before = due_dates(planned)
    result = ok(planned("thesis", "replan", "1", "--start", "2026-11-16"))
    assert result == (
        "Thesis 1: start 2026-11-16, deadline 2027-05-03 -> 2027-05-17; 18 open milestones moved\n"
    )
    after = due_dates(planned)
    assert after["topic"] == before["topic"] == "2026-08-10"  # done: stays
    assert after["data-access"] == "2026-11-30"
    assert after["submission"] == "2027-05-17"
    history = json.loads(ok(planned("thesis", "history", "1", "--format", "json")))
    deadline = [h for h in history if h["what"] == "thesis" and h["field"] == "deadline"]
    assert [(h["old"], h["new"]) for h in deadline] == [
        (None, "2027-05-03"),  # as planned
        ("2027-05-03", "2027-05-17"),
    ]
    moved = [h for h in history if h["field"] == "due_date" and "Data access" in h["what"]]
    assert [(h["old"], h["new"]) for h in moved] == [("2026-11-16", "2026-11-30")]
    assert moved[0]["command"] == "thesis replan 1 --start 2026-11-16"


def test_a_new_processing_time_moves_the_deadline_and_what_comes_after(planned: Invoke):
    ok(planned("thesis", "replan", "1", "--weeks", "30"))
    dates = due_dates(planned)
    assert dates["submission"] == "2027-05-31"
    assert dates["defence"] == "2027-07-12"
    assert dates["draft"] == "2027-03-29"  # before the old deadline: unchanged


@pytest.mark.both_backends
def test_extend_needs_a_reason_and_moves_the_deadline(planned: Invoke, db_path: Path):
    before = dump(db_path)
    error_line(planned("thesis", "extend", "1", "--weeks", "4"), 2, "Missing option '--reason'")
    refused(planned("thesis", "extend", "1", "--weeks", "4", "--reason", " "), 2, "reason")
    refused(planned("thesis", "extend", "1", "--weeks", "0", "--reason", "x"), 2, "1 to 52")
    assert dump(db_path) == before
    assert ok(planned("thesis", "extend", "1", "--weeks", "4", "--reason", "illness")) == (
        "Thesis 1: deadline 2027-05-03 -> 2027-05-31 (+4 weeks); 19 open milestones moved\n"
    )
    record = json.loads(ok(planned("thesis", "show", "1", "--format", "json")))
    assert (record["deadline"], record["extension_weeks"]) == ("2027-05-31", 4)
    history = json.loads(ok(planned("thesis", "history", "1", "--format", "json")))
    thesis_changes = [(h["field"], h["old"], h["new"]) for h in history if h["what"] == "thesis"]
    assert ("deadline", "2027-05-03", "2027-05-31") in thesis_changes
    assert ("extension", None, "+4 weeks: illness") in thesis_changes
    ok(planned("undo"))
    assert due_dates(planned)["submission"] == "2027-05-03"
    assert query(db_path, "SELECT deadline, extension_weeks FROM thesis") == [("2027-05-03", 0)]


def test_a_fixed_defence_date_bounds_re_planning(planned: Invoke, db_path: Path):
    ok(planned("thesis", "edit", "1", "--defence", "2027-06-01"))
    assert due_dates(planned)["defence"] == "2027-06-01"
    before = dump(db_path)
    refused(
        planned("thesis", "replan", "1", "--start", "2027-07-01"),
        2,
        "a start on 2027-07-01 is after the defence on 2027-06-01",
    )
    refused(
        planned("thesis", "extend", "1", "--weeks", "6", "--reason", "illness"),
        2,
        "the new deadline 2027-06-14 would be after the defence on 2027-06-01",
    )
    assert dump(db_path) == before
    ok(planned("thesis", "extend", "1", "--weeks", "2", "--reason", "illness"))
    assert due_dates(planned)["defence"] == "2027-06-01"  # fixed: stays


def test_submitted_theses_are_not_re_planned(planned: Invoke):
    for status in ("registered", "in_progress", "submitted"):
        ok(planned("thesis", "move", "1", status))
    refused(planned("thesis", "replan", "1", "--weeks", "30"), 1, "only before submission")


# --- milestones ---------------------------------------------------------------------------------


def test_a_milestone_waits_for_the_ones_before_it(planned: Invoke, db_path: Path):
    before = dump(db_path)
    refused(
        planned("thesis", "milestone", "done", "1", "expose"),
        1,
        "milestone 2 (Exposé / research design v1) cannot be done yet: milestone 1 "
        "(Topic and examiners agreed (first, second, external)) is not done",
    )
    error_line(planned("thesis", "milestone", "done", "1", "2", "--force"), 2, "needs --reason")
    refused(planned("thesis", "milestone", "done", "1", "1", "--on", "2027-02-01"), 2, "future")
    assert dump(db_path) == before
    ok(planned("thesis", "milestone", "done", "1", "1"))
    assert ok(planned("thesis", "milestone", "done", "1", "expose")).startswith(
        "Milestone 2 done on 2027-01-15"
    )
    refused(planned("thesis", "milestone", "done", "1", "2"), 1, "was done on 2027-01-15")
    ok(planned("thesis", "milestone", "reopen", "1", "2"))
    assert milestones(planned)[1]["done"] is None


def test_data_access_needs_approvals_in_force(planned: Invoke, db_path: Path):
    ok(planned("thesis", "milestone", "done", "1", "1-8", "--on", "2026-11-02"))
    before = dump(db_path)
    line = refused(planned("thesis", "milestone", "done", "1", "data-access"), 1)
    assert "milestone 9 (Data access granted) cannot be done yet" in line
    assert "ethics|exemption:" in line and "dua:" in line
    assert dump(db_path) == before
    out = ok(planned("thesis", "milestone", "done", "1", "data-access", "--force", "--reason",
                     "exemption certificate on paper, filed in the office"))  # fmt: skip
    assert "forced" in out
    history = json.loads(ok(planned("thesis", "history", "1", "--format", "json")))
    forced = [h for h in history if h["field"] == "forced"]
    assert forced[0]["new"].startswith("exemption certificate on paper, filed in the office (over:")


def test_a_thesis_without_a_project_meets_no_approval(run: Invoke):
    ok(run("init"))
    assert "Not linked to a project" in ok(
        run("thesis", "add", "A", "--title", "T", "--start", "2026-11-02")
    )
    ok(run("thesis", "milestone", "done", "1", "1-8", "--on", "2026-11-02"))
    refused(run("thesis", "milestone", "done", "1", "9"), 1, "the thesis has no linked project")


@pytest.mark.both_backends
def test_dependencies_refuse_circles_and_self(planned: Invoke, db_path: Path):
    before = dump(db_path)
    refused(planned("thesis", "milestone", "depend", "1", "2", "--on", "2"), 2, "on itself")
    refused(
        planned("thesis", "milestone", "depend", "1", "topic", "--on", "submission"),
        1,
        "milestone 1 cannot depend on 16: that makes a circle (1 -> 16 -> 15 -> 14 -> 11 -> 10 -> "
        "9 -> 4 -> 3 -> 1, each after the next)",
    )
    refused(planned("thesis", "milestone", "depend", "1", "2", "--on", "1"), 1, "already")
    assert dump(db_path) == before
    ok(planned("thesis", "milestone", "depend", "1", "defence", "--on", "draft"))
    assert milestones(planned)[16]["after"] == [14, 16]
    ok(planned("thesis", "milestone", "depend", "1", "defence", "--on", "draft", "--remove"))
    assert milestones(planned)[16]["after"] == [16]


def test_add_edit_and_move_milestones(planned: Invoke):
    out = ok(planned("thesis", "milestone", "add", "1", "Second data delivery", "--due",
                     "2027-02-15", "--after", "data-access", "--needs", "needs:dua"))  # fmt: skip
    assert out == "Milestone 20 (second-data-delivery) of thesis 1, due 2027-02-15\n"
    added = milestones(planned)[19]
    assert (added["after"], added["needs"], added["critical"]) == ([9], ["dua"], False)
    refused(planned("thesis", "milestone", "add", "1", "X", "--due", "+1w", "--needs", "nonsense"),
            2, "unknown approval kind 'nonsense'")  # fmt: skip
    ok(planned("thesis", "milestone", "move", "1", "midterm", "2027-02-08"))
    ok(
        planned(
            "thesis", "milestone", "edit", "1", "20", "--title", "Delivery 2", "--needs", "none"
        )
    )
    rows = milestones(planned)
    assert rows[10]["due"] == "2027-02-08"
    assert (rows[19]["title"], rows[19]["needs"]) == ("Delivery 2", [])
    refused(planned("thesis", "milestone", "edit", "1", "99", "--title", "x"), 1, "no milestone")


def test_the_critical_path_is_what_the_submission_waits_for(planned: Invoke):
    critical = {row["id"] for row in milestones(planned) if row["critical"]}
    assert "submission" in critical and "data-access" in critical
    assert not critical & {"defence", "examiner-reports", "end-of-study"}


# --- meetings -----------------------------------------------------------------------------------


@pytest.mark.both_backends
def test_a_meeting_turns_action_items_into_tasks(planned: Invoke):
    out = ok(
        planned(
            "thesis", "meeting", "add", "1", "--on", "2027-01-14", "--attendee", "Mara Schulz",
            "--attendee", "Prof. Miriam Koch", "--notes", "Cohort looks fine",
            "--decision", "Use a 6 h window", "--action", "Send updated exposé",
            "--action-assignee", "Lena Vogel", "--action", "Book the defence room",
        )
    )  # fmt: skip
    assert out == (
        "Meeting 1 of thesis 1 on 2027-01-14; next 2027-02-04\n"
        "  action: Send updated exposé (Lena Vogel) -> task PM-1\n"
        "  action: Book the defence room -> task PM-2\n"
    )
    tasks = json.loads(ok(planned("task", "list", "--format", "json")))
    assert [(t["title"], t["assignee"], t["labels"], t["due"]) for t in tasks] == [
        ("Send updated exposé", "Lena Vogel", ["thesis"], "2027-02-04"),
        ("Book the defence room", None, ["thesis"], "2027-02-04"),
    ]
    meetings = json.loads(ok(planned("thesis", "meeting", "list", "1", "--format", "json")))
    assert meetings == [
        {
            "id": 1,
            "date": "2027-01-14",
            "attendees": ["Mara Schulz", "Prof. Miriam Koch"],
            "notes": "Cohort looks fine",
            "decisions": ["Use a 6 h window"],
            "actions": [
                {"text": "Send updated exposé", "assignee": "Lena Vogel", "task": "PM-1"},
                {"text": "Book the defence room", "assignee": None, "task": "PM-2"},
            ],
            "next": "2027-02-04",
        }
    ]
    ok(planned("undo"))
    assert json.loads(ok(planned("task", "list", "--format", "json"))) == []
    assert json.loads(ok(planned("thesis", "meeting", "list", "1", "--format", "json"))) == []


def test_meeting_input_is_checked(planned: Invoke, db_path: Path):
    before = dump(db_path)
    refused(planned("thesis", "meeting", "add", "1", "--on", "2027-01-20"), 2, "not happened yet")
    refused(planned("thesis", "meeting", "add", "1", "--next", "2027-01-10"), 2, "must come after")
    result = planned("thesis", "meeting", "add", "1", "--action-assignee", "Lena")
    assert result.exit_code == 2 and "more --action-assignee than --action" in result.output
    assert dump(db_path) == before


def test_a_missed_meeting_needs_attention(planned: Invoke, monkeypatch: pytest.MonkeyPatch):
    for status in ("registered", "in_progress"):
        ok(planned("thesis", "move", "1", status))
    ok(planned("thesis", "meeting", "add", "1", "--on", "2026-12-10"))  # next: 2026-12-31
    result = planned("status", "--check", "--format", "json")
    assert result.exit_code == 3
    kinds = {(item["kind"], item["ref"]) for item in json.loads(result.output)}
    assert ("thesis_meeting_missed", "thesis 1") in kinds
    assert ("thesis_milestone_overdue", "thesis 1") in kinds
    ok(planned("thesis", "settings", "meeting-cadence", "14"))
    assert ok(planned("thesis", "settings", "--format", "json")).count('"days":14') == 1


# --- the overview and its risk rules ------------------------------------------------------------


def _on_track(run: Invoke) -> None:
    """Thesis 1 with everything due so far done, met last week."""
    ok(run("thesis", "milestone", "done", "1", "1-8", "--on", "2026-11-02"))
    ok(run("thesis", "milestone", "done", "1", "9", "--on", "2026-11-16", "--force",
           "--reason", "exemption certificate"))  # fmt: skip
    ok(run("thesis", "milestone", "done", "1", "10", "--on", "2026-12-07"))
    for status in ("registered", "in_progress"):
        ok(run("thesis", "move", "1", status))
    ok(run("thesis", "meeting", "add", "1", "--on", "2027-01-08"))


@pytest.mark.both_backends
def test_overview_of_a_thesis_on_track(planned: Invoke):
    _on_track(planned)
    assert overview(planned) == [
        {
            "id": 1,
            "student": "Mara Schulz",
            "title": "Sepsis onset prediction",
            "status": "in_progress",
            "phase": "week 11/26",
            "next_milestone": "Midterm review (updated exposé)",
            "next_due": "2027-01-25",
            "days_to_deadline": 108,
            "deadline": "2027-05-03",
            "overdue": 0,
            "approvals": "",
            "last_meeting": "2027-01-08",
            "last_commit": None,
            "risk": "low",
            "reasons": [],
            "first_examiner": "Prof. Miriam Koch",
            "project": "PM",
        }
    ]


@pytest.mark.parametrize(
    ("now", "risk", "reasons"),
    [
        # The midterm (2027-01-25, on the critical path) is a day late.
        ("2027-01-26T10:00:00+00:00", "high", ["1 late on the critical path (#11 1d late)"]),
        # A meeting is missed: 18 days after the cadence of 21 (+7 days grace).
        ("2027-01-22T10:00:00+00:00", "low", []),
        ("2027-02-06T10:00:00+00:00", "high", ["1 late on the critical path (#11 12d late)",
                                              "meeting missed (29d since the last)"]),
    ],
)  # fmt: skip
def test_risk_rules_on_frozen_dates(
    planned: Invoke, monkeypatch: pytest.MonkeyPatch, now: str, risk: str, reasons: list[str]
):
    _on_track(planned)
    monkeypatch.setenv("PMTOOL_NOW", now)
    row = overview(planned)[0]
    assert (row["risk"], row["reasons"]) == (risk, reasons)


def test_no_meeting_for_six_weeks_is_a_high_risk(planned: Invoke, monkeypatch: pytest.MonkeyPatch):
    _on_track(planned)
    ok(planned("thesis", "milestone", "done", "1", "11-12"))  # midterm and model, early
    monkeypatch.setenv("PMTOOL_NOW", "2027-01-29T10:00:00+00:00")
    assert overview(planned)[0]["reasons"] == []
    monkeypatch.setenv("PMTOOL_NOW", "2027-02-19T10:00:00+00:00")  # 6 weeks after 2027-01-08
    row = overview(planned)[0]
    assert (row["risk"], row["reasons"]) == ("high", ["no meeting for 6 weeks"])
    result = planned("status", "--format", "json")
    assert any(item["kind"] == "thesis_at_risk" for item in json.loads(result.output))


def test_deadline_near_with_open_work_and_passed(planned: Invoke, monkeypatch: pytest.MonkeyPatch):
    _on_track(planned)
    ok(planned("thesis", "milestone", "done", "1", "11-13"))
    ok(planned("thesis", "meeting", "add", "1", "--on", "2027-01-15", "--next", "2027-12-31"))
    ok(planned("thesis", "settings", "meeting-stale", "366"))
    monkeypatch.setenv("PMTOOL_NOW", "2027-04-20T10:00:00+00:00")
    row = overview(planned)[0]
    assert row["risk"] == "high"
    assert "deadline in 13d with 2 open before it" in row["reasons"]
    monkeypatch.setenv("PMTOOL_NOW", "2027-05-05T10:00:00+00:00")
    row = overview(planned)[0]
    assert "deadline passed 2d ago" in row["reasons"]
    assert row["phase"] == "past deadline"


def test_risk_rules_as_a_function():
    thesis = {"status": "in_progress", "deadline": "2027-05-03", "start_date": "2026-11-02"}
    settings = {"meeting-cadence": 21, "meeting-stale": 42, "deadline-warning": 28}
    late_off_path = {"id": 7, "position": 17, "code": "x", "due_date": "2027-01-01",
                     "done_on": None, "needs": "[]"}  # fmt: skip
    assert read.assess_risk(
        thesis, [late_off_path], set(), date(2027, 1, 10), [], TODAY, settings
    ) == ("medium", ["1 late off the critical path"])
    assert read.assess_risk(thesis, [], set(), date(2027, 1, 10), ["dua"], TODAY, settings) == (
        "medium",
        ["approval pending: dua"],
    )
    needing = {**late_off_path, "due_date": "2027-02-01", "needs": '["dua"]'}
    assert read.assess_risk(
        thesis, [needing], set(), date(2027, 1, 10), ["dua"], TODAY, settings
    ) == ("high", ["approval not in force: dua"])
    graded = {**thesis, "status": "graded"}
    assert read.assess_risk(graded, [late_off_path], set(), None, [], TODAY, settings) == (
        "low",
        [],
    )


def test_overview_filters_by_supervisor_and_hides_closed_theses(planned: Invoke):
    ok(planned("thesis", "add", "Jan Ott", "--title", "ECG", "--start", "2027-03-01",
               "--second-examiner", "Dr. Weber"))  # fmt: skip
    assert [row["id"] for row in overview(planned, "--supervisor", "koch")] == [1]
    assert [row["id"] for row in overview(planned, "--supervisor", "WEBER")] == [2]
    ok(planned("thesis", "move", "2", "withdrawn"))
    assert [row["id"] for row in overview(planned)] == [1]
    assert {row["id"] for row in overview(planned, "--all")} == {1, 2}
    assert ok(planned("thesis", "overview", "--supervisor", "Nobody")) == (
        "No theses to follow supervised by Nobody.\n"
    )


def test_overview_of_thirty_theses_fits_80_columns(workspace: Invoke, monkeypatch):
    for number in range(30):
        ok(workspace("thesis", "add", f"Student Number{number:02d} Longname-Doe",
                     "--title", "A rather long working title about sepsis", "--start",
                     f"2026-{(number % 12) + 1:02d}-01"))  # fmt: skip
    monkeypatch.setenv("COLUMNS", "80")
    lines = ok(workspace("thesis", "overview")).splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    header = lines[0].split()
    assert header == ["ID", "STUDENT", "PHASE", "NEXT", "DAYS", "LATE", "APPROVALS", "MET", "RISK"]
    assert len([line for line in lines[2:32] if line.strip()]) == 30


def test_empty_lists_and_formats(workspace: Invoke):
    assert ok(workspace("thesis", "list", "--format", "json")) == "[]\n"
    assert ok(workspace("thesis", "overview", "--format", "json")) == "[]\n"
    assert ok(workspace("thesis", "list", "--format", "csv")).startswith(
        "id,student,title,start,deadline,"
    )
    assert "No theses yet" in ok(workspace("thesis", "list"))


# --- removing and undo --------------------------------------------------------------------------


@pytest.mark.both_backends
def test_rm_and_undo_restore_the_whole_thesis(planned: Invoke, db_path: Path):
    ok(planned("thesis", "meeting", "add", "1", "--action", "Draft the intro"))
    before = dump(db_path)
    assert "Removed thesis 1 (Mara Schulz)" in ok(planned("thesis", "rm", "1"))
    assert count(db_path, "thesis_milestone") == 0 and count(db_path, "thesis_action") == 0
    ok(planned("undo"))
    restored = query(db_path, "SELECT COUNT(*) FROM thesis_milestone_dependency")[0][0]
    assert restored == 22
    assert len(milestones(planned)) == 19
    assert (
        json.loads(ok(planned("thesis", "meeting", "list", "1", "--format", "json")))[0]["actions"][
            0
        ]["task"]
        == "PM-1"
    )
    del before


def test_undo_of_add_removes_the_plan(planned: Invoke, db_path: Path):
    ok(planned("undo"))
    assert count(db_path, "thesis") == 0
    assert count(db_path, "thesis_milestone") == 0
    assert count(db_path, "thesis_milestone_dependency") == 0


def test_edit_changes_details_and_clears_with_none(planned: Invoke, db_path: Path):
    ok(planned("thesis", "edit", "1", "--company", "CardioAI GmbH", "--confidential-until",
               "2031-12-31", "--linked-project", "none"))  # fmt: skip
    record = json.loads(ok(planned("thesis", "show", "1", "--format", "json")))
    assert (record["company"], record["confidential_until"], record["project"]) == (
        "CardioAI GmbH", "2031-12-31", None,
    )  # fmt: skip
    ok(planned("thesis", "edit", "1", "--company", "none", "--linked-project", "PM"))
    record = json.loads(ok(planned("thesis", "show", "1", "--format", "json")))
    assert (record["company"], record["project"]) == (None, "PM")
    result = planned("thesis", "edit", "1")
    assert result.exit_code == 2 and "nothing to change" in result.output
    refused(planned("thesis", "edit", "1", "--title", " "), 2, "cannot be empty")


# --- gates through the approvals of the linked project ------------------------------------------


def _approve(run: Invoke, kind: str, valid_until: str | None = None) -> None:
    number = ok(run("approval", "add", kind, "--body", "Board", "--title", kind)).strip()
    ok(run("approval", "submit", number, "--ref", f"REF-{number}", "--on", "2026-10-01"))
    until = ["--valid-until", valid_until] if valid_until else []
    ok(run("approval", "decide", number, "approved", "--on", "2026-10-20", *until))


@pytest.mark.both_backends
def test_data_access_opens_once_ethics_and_dua_are_in_force(planned: Invoke, db_path: Path):
    ok(planned("thesis", "milestone", "done", "1", "1-8", "--on", "2026-11-02"))
    _approve(planned, "exemption")  # a documented "no vote needed" opens the ethics gate
    line = refused(planned("thesis", "milestone", "done", "1", "9"), 1)
    assert "needs dua: no data-use agreement is recorded" in line
    assert "ethics" not in line
    assert overview(planned)[0]["approvals"] == "missing: dua"
    _approve(planned, "dua")
    assert overview(planned)[0]["approvals"] == "ok"
    assert ok(planned("thesis", "milestone", "done", "1", "9")).startswith("Milestone 9 done")
    assert overview(planned)[0]["approvals"] == ""  # nothing open needs an approval any more


@pytest.mark.both_backends
def test_an_expired_approval_closes_the_gate_and_is_a_high_risk(planned: Invoke, db_path: Path):
    ok(planned("thesis", "milestone", "done", "1", "1-8", "--on", "2026-11-02"))
    _approve(planned, "ethics", valid_until="2027-01-10")
    _approve(planned, "dua")
    before = dump(db_path)
    refused(
        planned("thesis", "milestone", "done", "1", "data-access"),
        1,
        "needs ethics|exemption: approval 1 (ethics vote 'ethics') is expired "
        "(valid until 2027-01-10)",
    )
    assert dump(db_path) == before
    row = overview(planned)[0]
    assert (row["approvals"], row["risk"]) == ("expired: ethics|exemption", "high")
    assert "approval expired: ethics|exemption" in row["reasons"]


# --- the calendar -------------------------------------------------------------------------------


def _events(path: Path) -> dict[str, dict]:
    from icalendar import Calendar

    calendar = Calendar.from_ical(path.read_bytes())
    return {
        str(event["UID"]): {
            "summary": str(event["SUMMARY"]),
            "day": event.decoded("DTSTART"),
            "sequence": int(event["SEQUENCE"]),
        }
        for event in calendar.walk("VEVENT")
    }


def test_calendar_export_parses_back_with_stable_uids(planned: Invoke, tmp_path: Path):
    ok(planned("thesis", "edit", "1", "--defence", "2027-06-10"))
    ok(planned("thesis", "meeting", "add", "1", "--on", "2027-01-14", "--attendee", "Mara"))
    path = tmp_path / "mara.ics"
    assert ok(planned("thesis", "calendar", "1", "-o", str(path))) == (
        f"Wrote 22 events of 1 theses to {path}\n"  # 19 milestones, deadline, 2 meetings
    )
    first = _events(path)
    assert first["thesis-1-deadline@pmtool"]["day"] == date(2027, 5, 3)
    assert first["thesis-1-defence@pmtool"]["day"] == date(2027, 6, 10)
    assert first["thesis-1-meeting-1@pmtool"]["summary"] == "Mara Schulz: supervision meeting"
    assert first["thesis-1-next-meeting@pmtool"]["day"] == date(2027, 2, 4)
    data_access = first["thesis-1-milestone-9@pmtool"]
    assert (data_access["summary"], data_access["day"]) == (
        "Mara Schulz: Data access granted", date(2026, 11, 16),
    )  # fmt: skip
    # An extension moves the dates: the same UIDs, a higher SEQUENCE, so clients update.
    ok(planned("thesis", "extend", "1", "--weeks", "2", "--reason", "illness"))
    ok(planned("thesis", "calendar", "1", "-o", str(path)))
    second = _events(path)
    assert set(second) == set(first)
    assert second["thesis-1-deadline@pmtool"]["day"] == date(2027, 5, 17)
    assert second["thesis-1-milestone-9@pmtool"]["day"] == date(2026, 11, 30)
    assert second["thesis-1-milestone-9@pmtool"]["sequence"] > data_access["sequence"]


def test_calendar_of_every_open_thesis_to_stdout(planned: Invoke):
    ok(planned("thesis", "add", "Jan Ott", "--title", "ECG", "--start", "2027-03-01"))
    result = planned("thesis", "calendar")
    text = ok(result)
    assert result.stdout_bytes.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")  # RFC 5545
    assert "UID:thesis-2-deadline@pmtool" in text and "UID:thesis-1-deadline@pmtool" in text
    ok(planned("thesis", "move", "2", "withdrawn"))
    assert "thesis-2-" not in ok(planned("thesis", "calendar"))


# --- the documented JSON fields -----------------------------------------------------------------


def test_json_fields_doc_lists_exactly_the_thesis_fields(planned: Invoke):
    from test_docs import _documented_fields

    ok(planned("thesis", "meeting", "add", "1", "--action", "Send the exposé"))
    ok(planned("thesis", "extend", "1", "--weeks", "1", "--reason", "illness"))
    documented = _documented_fields()
    sections = {
        "Thesis": (("thesis", "list"), None),
        "Thesis detail": (("thesis", "show", "1"), "Thesis"),
        "Thesis milestone": (("thesis", "milestone", "list", "1"), None),
        "Thesis meeting": (("thesis", "meeting", "list", "1"), None),
        "Thesis overview": (("thesis", "overview"), None),
        "Thesis history": (("thesis", "history", "1"), None),
    }
    for heading, (command, base) in sections.items():
        printed = json.loads(ok(planned(*command, "--format", "json")))
        record = printed[0] if isinstance(printed, list) else printed
        expected = (documented[base] if base else []) + documented[heading]
        assert list(record) == expected, heading
    assert list(read.THESIS_FIELDS) == documented["Thesis"]
    assert list(read.OVERVIEW_FIELDS) == documented["Thesis overview"]


# --- undo of the planning commands, the deadline reminder and the dashboard panel ---------------


def test_undo_reverses_replan_done_depend_and_move(planned: Invoke, db_path: Path):
    before = dump(db_path)
    ok(planned("thesis", "move", "1", "registered"))
    ok(planned("thesis", "milestone", "done", "1", "1-2", "--on", "2026-11-02"))
    ok(planned("thesis", "milestone", "depend", "1", "defence", "--on", "draft"))
    ok(planned("thesis", "replan", "1", "--start", "2026-11-16"))
    ok(planned("thesis", "edit", "1", "--defence", "2027-06-30"))
    for _ in range(5):
        ok(planned("undo"))
    dates = due_dates(planned)
    assert (dates["submission"], dates["defence"]) == ("2027-05-03", "2027-06-14")
    assert [m["done"] for m in milestones(planned)][:2] == [None, None]
    assert milestones(planned)[16]["after"] == [16]
    assert query(db_path, "SELECT status, start_date, registered_on, defence_on FROM thesis") == [
        ("planning", "2026-11-02", None, None)
    ]
    del before


def test_a_near_deadline_is_a_reminder_and_the_panel_shows_the_thesis(
    planned: Invoke, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from pmtool.services.read import dashboard
    from pmtool.storage.location import resolve_location
    from pmtool.storage.reader import reading

    monkeypatch.setenv("PMTOOL_NOW", "2027-04-20T10:00:00+00:00")
    items = json.loads(ok(planned("status", "--format", "json")))
    deadline = [item for item in items if item["kind"] == "thesis_deadline"]
    assert deadline == [
        {
            "project": "PM",
            "kind": "thesis_deadline",
            "level": "soon",
            "ref": "thesis 1",
            "text": "Mara Schulz: submission deadline in 13d",
            "due": "2027-05-03",
        }
    ]
    with reading(resolve_location(str(db_path))) as reader:
        panels = dashboard.load_panels(reader, 1, date(2027, 4, 20))
    theses = next(panel for panel in panels if panel["id"] == "theses")
    assert theses["rows"][0]["ref"] == "thesis 1"
    assert theses["rows"][0]["level"] == "late"  # high risk
    assert theses["rows"][0]["text"].startswith("Mara Schulz (week 25/26, high risk) next: ")
