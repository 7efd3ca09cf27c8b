"""Compliance: the regulatory profile, MDR Rule 11, checklist templates and instances,
their items, the documents written from them, and what status and the dashboard show."""

from __future__ import annotations

import json
import shutil
import stat
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from conftest import Invoke
from pmcheck import count, dump, ok, query, records, refused

from pmtool.core.errors import InvalidInput
from pmtool.services import compliance_rules as rules
from pmtool.services.compliance_templates import parse_template, shipped_dir, shipped_templates

pytestmark = pytest.mark.both_backends

# The published item counts of the reporting guidelines (DOMAIN.md section 4).
PUBLISHED_ITEMS = {"tripod-ai": 27, "claim": 42, "stard-2015": 30, "decide-ai": 17}
PROVIDER_ARTICLES = ("9", "10", "11", "12", "13", "14", "15", "17", "43", "49", "72", "73")
TRIPOD_ANSWERS = ("--answer", "q1=yes,q2=yes,q3=no,q4=no,q7=no")  # -> class IIa

MINIMAL_TEMPLATE = """\
# An institution's own checklist.
[checklist]
name = "uni-sop"
title = "University hospital AI SOP"
kind = "institution"
source = "https://intranet.example-hospital.de/sop/ai"

[[item]]
number = "1"
section = "Governance"
label = "Project registered with the AI board"

[[item]]
number = "2"
label = "Data protection officer signed off"
"""


def json_of(result) -> object:
    return json.loads(ok(result))


def items(run: Invoke, *args: str) -> list[dict]:
    return json_of(run("compliance", "item", "list", "--format", "json", *args))  # type: ignore[return-value]


@pytest.fixture
def tripod(workspace: Invoke) -> Invoke:
    """Project PM with a TRIPOD+AI checklist (checklist 1, items 1-27), owned by Lena."""
    assert ok(workspace("compliance", "checklist", "add", "tripod-ai", "--owner", "Lena")) == (
        "Added TRIPOD+AI (2024) to PM: 27 items (checklist 1)\n"
    )
    return workspace


# --- the shipped templates -------------------------------------------------------------------


def test_every_shipped_checklist_passes_the_schema():
    names = {template.name for template in shipped_templates()}
    assert names == {
        "ai-act-provider", "ai-act-deployer", "gdpr-research",
        "tripod-ai", "claim", "stard-2015", "decide-ai",
    }  # fmt: skip
    for path in shipped_dir().glob("*.toml"):
        template = parse_template(path.read_text(encoding="utf-8"), path.name)
        assert template.name == path.stem
        assert template.source.startswith("https://")
        assert all(len(entry.label) <= 100 for entry in template.items), path.name


def test_reporting_guidelines_have_their_published_item_counts():
    by_name = {template.name: template for template in shipped_templates()}
    for name, published in PUBLISHED_ITEMS.items():
        template = by_name[name]
        assert len(template.items) == published, name
        assert [entry.number for entry in template.items] == [
            str(n) for n in range(1, published + 1)
        ]
        assert template.kind == "reporting-guideline"


def test_ai_act_checklists_cover_the_articles_and_keep_their_dates_in_data():
    by_name = {template.name: template for template in shipped_templates()}
    provider = by_name["ai-act-provider"]
    articles = {entry.number.split("(")[0].removeprefix("Art. ") for entry in provider.items}
    assert articles == set(PROVIDER_ARTICLES)
    data_governance = [e.number for e in provider.items if e.section == "Data governance"]
    assert data_governance == [f"Art. 10(2)({letter})" for letter in "abcdefg"]
    deployer = by_name["ai-act-deployer"]
    assert all(entry.number.startswith("Art. 26") for entry in deployer.items)
    assert provider.applies_from == deployer.applies_from == date(2027, 8, 2)
    assert "applies_from = 2027-08-02" in (shipped_dir() / "ai-act-provider.toml").read_text()


# --- user templates ----------------------------------------------------------------------


def test_template_add_stores_a_copy_that_later_edits_do_not_change(
    workspace: Invoke, tmp_path: Path, db_path: Path
):
    file = tmp_path / "uni-sop.toml"
    file.write_text(MINIMAL_TEMPLATE, encoding="utf-8")
    assert ok(workspace("compliance", "template", "add", str(file))) == (
        "Added template uni-sop: University hospital AI SOP, 2 items\n"
    )
    ok(workspace("compliance", "checklist", "add", "uni-sop"))
    file.write_text(MINIMAL_TEMPLATE.replace("AI board", "nobody"), encoding="utf-8")
    listed = json_of(workspace("compliance", "template", "list", "--format", "json"))
    mine = [row for row in listed if row["name"] == "uni-sop"]  # type: ignore[union-attr]
    assert mine == [
        {
            "name": "uni-sop",
            "title": "University hospital AI SOP",
            "kind": "institution",
            "items": 2,
            "origin": "user",
            "source": "https://intranet.example-hospital.de/sop/ai",
            "applies_from": None,
        }
    ]
    shown = ok(workspace("compliance", "template", "show", "uni-sop"))
    assert "Project registered with the AI board" in shown
    assert [row["label"] for row in items(workspace)] == [
        "Project registered with the AI board",
        "Data protection officer signed off",
    ]
    assert query(db_path, "SELECT source_file FROM compliance_template") == [("uni-sop.toml",)]


def test_a_template_the_project_instantiated_keeps_its_items(tripod: Invoke, db_path: Path):
    """Changing the shipped template (a new pmtool) does not touch existing checklists."""
    labels = query(db_path, "SELECT label FROM compliance_item ORDER BY id")
    assert len(labels) == 27
    assert query(db_path, "SELECT template, source FROM compliance_checklist") == [
        ("tripod-ai", "https://www.tripod-statement.org/")
    ]


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        (
            lambda text: text.replace('label = "Data protection officer signed off"\n', ""),
            ["bad.toml, line 13, field 'label'", "required in item 2"],
        ),
        (
            lambda text: text.replace('number = "2"', 'number = "1"'),
            ["bad.toml, line 14, field 'number'", "duplicate item number '1' (first at line 9)"],
        ),
        (
            lambda text: text.replace('kind = "institution"', 'kind = "sop"'),
            ["bad.toml, line 5, field 'kind'", "'sop' is not one of"],
        ),
        (
            lambda text: text.replace('section = "Governance"', 'owner = "Lena"'),
            ["bad.toml, line 10, field 'owner'", "unknown field"],
        ),
        (
            lambda text: text.replace('source = "https', 'source = "ftp'),
            ["bad.toml, line 6, field 'source'", "http(s) URL"],
        ),
        (
            lambda text: text.replace('name = "uni-sop"', 'name = "Uni SOP"'),
            ["bad.toml, line 3, field 'name'", "not a template name"],
        ),
        (
            lambda text: text.replace('title = "University hospital AI SOP"\n', ""),
            ["bad.toml, line 2, field 'title'", "required in [checklist]"],
        ),
        (
            lambda text: text + 'applies_from = "soon"\n',
            ["bad.toml, line 16, field 'applies_from'", "unknown field in [[item]]"],
        ),
        (
            lambda text: text.replace("[checklist]\n", '[checklist]\napplies_from = "soon"\n'),
            ["bad.toml, line 3, field 'applies_from'", "must be a date"],
        ),
        (
            lambda text: text.replace('label = "Data', "label = Data"),
            ["bad.toml: not valid TOML", "line 15"],
        ),
    ],
)
def test_a_malformed_template_names_file_line_and_field(
    workspace: Invoke, tmp_path: Path, db_path: Path, change, fragments
):
    file = tmp_path / "bad.toml"
    file.write_text(change(MINIMAL_TEMPLATE), encoding="utf-8")
    before = dump(db_path)
    refused(workspace("compliance", "template", "add", str(file)), 2, *fragments)
    assert dump(db_path) == before


def test_template_add_refuses_a_shipped_or_taken_name_and_a_missing_file(
    workspace: Invoke, tmp_path: Path, db_path: Path
):
    shipped = tmp_path / "mine.toml"
    shipped.write_text(MINIMAL_TEMPLATE.replace('"uni-sop"', '"tripod-ai"'), encoding="utf-8")
    refused(workspace("compliance", "template", "add", str(shipped)), 1, "shipped with pmtool")
    file = tmp_path / "uni-sop.toml"
    file.write_text(MINIMAL_TEMPLATE, encoding="utf-8")
    ok(workspace("compliance", "template", "add", str(file)))
    before = dump(db_path)
    refused(workspace("compliance", "template", "add", str(file)), 1, "uni-sop was added already")
    refused(workspace("compliance", "template", "add", str(tmp_path / "nope.toml")), 1, "no file")
    assert dump(db_path) == before


# --- MDR Rule 11 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"q1": False}, "none"),
        ({"q1": True, "q2": True, "q3": True, "q7": False}, "III"),
        ({"q1": True, "q2": True, "q3": False, "q4": True, "q7": False}, "IIb"),
        ({"q1": True, "q2": True, "q3": False, "q4": False, "q7": False}, "IIa"),
        ({"q1": True, "q2": False, "q5": True, "q6": True, "q7": False}, "IIb"),
        ({"q1": True, "q2": False, "q5": True, "q6": False, "q7": False}, "IIa"),
        ({"q1": True, "q2": False, "q5": False, "q7": True}, "I"),
    ],
)
def test_rule11_every_branch(answers: dict[str, bool], expected: str):
    result = rules.classify_rule11(answers)
    assert result.mdr_class == expected
    assert [question_id for question_id, _ in result.path] == list(answers)
    assert result.rationale[-1].startswith(f"=> class {expected}: ")
    assert result.unused == []
    assert rules.next_question(answers) is None
    if "q7" in answers:
        assert result.in_house is answers["q7"]


def test_rule11_names_the_missing_question_and_refuses_unknown_ones():
    with pytest.raises(InvalidInput, match=r"missing answer to q4: Could such a decision cause"):
        rules.classify_rule11({"q1": True, "q2": True, "q3": False})
    with pytest.raises(InvalidInput, match="missing answer to q7"):
        rules.classify_rule11({"q1": True, "q2": False, "q5": False})
    with pytest.raises(InvalidInput, match="there is no question 'q9'"):
        rules.parse_answers(["q1=yes", "q9=no"])
    with pytest.raises(InvalidInput, match="must be yes or no"):
        rules.parse_answers(["q1=maybe"])
    with pytest.raises(InvalidInput, match="give QUESTION=ANSWER"):
        rules.parse_answers(["q1"])
    assert rules.parse_answers(["q1=yes,q2=N", "Q3=ja"]) == {"q1": True, "q2": False, "q3": True}
    assert rules.next_question({"q1": True, "q2": False}).id == "q5"  # type: ignore[union-attr]
    off_path = rules.classify_rule11({"q1": False, "q4": True})
    assert (off_path.mdr_class, off_path.unused) == ("none", ["q4"])


def test_ai_act_tier_follows_the_mdr_class_with_hints():
    derived = rules.derive_ai_act("provider", None, None, "IIa")
    assert (derived.tier, derived.derived) == ("high-risk", True)
    assert "Art. 6(1) + Annex I" in str(derived.reason)
    assert derived.hints == ("as provider: add the ai-act-provider checklist",)
    assert rules.derive_ai_act("provider", None, None, "I").tier is None
    research = rules.derive_ai_act("research-only", "minimal", "thesis only", "I")
    assert research.tier == "minimal" and "Art. 2(6)" in research.hints[0]
    clash = rules.derive_ai_act("both", "minimal", "why not", "IIb", in_house=True)
    assert "but the tier is set to minimal" in clash.hints[0]
    assert "Art. 5(5)" in clash.hints[1]
    assert rules.iec62304_hint("III", "A") is not None
    assert rules.iec62304_hint("IIa", "B") is None


def test_classify_from_a_script_needs_every_answer_on_the_path(workspace: Invoke, db_path: Path):
    before = dump(db_path)
    refused(
        workspace("compliance", "classify", "--answer", "q1=yes", "--answer", "q2=yes"),
        2,
        "missing answer to q3",
        "--answer q3=yes",
    )
    refused(workspace("compliance", "classify", "--answer", "q8=yes"), 2, "no question 'q8'")
    assert dump(db_path) == before


def test_classify_stores_each_run_and_diffs_the_last_two(workspace: Invoke, db_path: Path):
    first = ok(workspace("compliance", "classify", "--answer", "q1=yes,q2=yes,q3=no,q4=yes,q7=no"))
    assert first.splitlines()[0] == "PM: MDR class IIb"
    assert first.splitlines()[-1].startswith("  => class IIb: Rule 11:")
    second = json_of(workspace("compliance", "classify", *TRIPOD_ANSWERS, "--format", "json"))
    assert second == {
        "project": "PM",
        "mdr_class": "IIa",
        "rationale": second["rationale"],  # type: ignore[index]
        "answers": {"q1": "yes", "q2": "yes", "q3": "no", "q4": "no", "q7": "no"},
        "unused_answers": [],
        "previous_mdr_class": "IIb",
    }
    assert query(db_path, "SELECT result, answers FROM compliance_classification") == [
        ("IIb", '{"q1": "yes", "q2": "yes", "q3": "no", "q4": "yes", "q7": "no"}'),
        ("IIa", '{"q1": "yes", "q2": "yes", "q3": "no", "q4": "no", "q7": "no"}'),
    ]
    diff = ok(workspace("compliance", "classify", "--diff")).splitlines()
    assert diff[0] == "Rule 11 run 1 -> 2: class IIb -> IIa"
    assert diff[3].split()[:3] == ["q4", "yes", "no"]
    rows = json_of(workspace("compliance", "classify", "--diff", "--format", "json"))
    assert [row["question"] for row in rows if row["changed"]] == ["q4"]  # type: ignore[union-attr]
    profile = json_of(workspace("compliance", "profile", "--format", "json"))
    assert (profile["mdr_class"], profile["previous_mdr_class"]) == ("IIa", "IIb")  # type: ignore[index]
    ok(workspace("undo"))
    assert query(db_path, "SELECT result FROM compliance_classification") == [("IIb",)]


def test_classify_asks_on_a_terminal(workspace: Invoke, monkeypatch: pytest.MonkeyPatch):
    from pmtool.cli import compliance as command

    monkeypatch.setattr(command, "_interactive", lambda: True)
    result = workspace(
        "compliance", "classify", "--answer", "q1=yes", input="maybe\nn\ny\nyes\nno\n"
    )
    output = ok(result)
    assert "Error: answer to q2 must be yes or no, not 'maybe'" in output  # asked again
    assert "q2: Does it give information" in output and "q1:" not in output.split("\n")[0]
    assert "PM: MDR class IIb" in output  # q2 no, q5 yes, q6 yes (vital parameters)


def test_classify_lists_its_questions(workspace: Invoke):
    listed = json_of(workspace("compliance", "classify", "--questions", "--format", "json"))
    assert [row["id"] for row in listed] == ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]  # type: ignore[union-attr]
    assert [(row["yes"], row["no"]) for row in listed] == [  # type: ignore[union-attr]
        ("q2", "class none"),
        ("q3", "q5"),
        ("class III", "q4"),
        ("class IIb", "class IIa"),
        ("q6", "class I"),
        ("class IIb", "class IIa"),
        ("a hint", "a hint"),
    ]
    table = ok(workspace("compliance", "classify", "--questions")).splitlines()
    assert table[2] == "    yes: q2; no: class none"


# --- the profile ---------------------------------------------------------------------------


def test_profile_holds_role_tier_and_safety_class_with_reasons(workspace: Invoke, db_path: Path):
    assert ok(workspace("compliance", "profile", "--format", "json")) != ""
    ok(workspace("compliance", "classify", *TRIPOD_ANSWERS))
    assert (
        ok(
            workspace(
                "compliance",
                "profile",
                "--ai-act-role",
                "provider",
                "--iec62304",
                "b",
                "--iec62304-reason",
                "Non-serious injury possible",
                "--intended-purpose",
                "Early warning of sepsis on the ICU",
            )
        )
        == "PM: profile updated (intended purpose, ai act role, iec62304 class, iec62304 reason)\n"
    )
    record = json_of(workspace("compliance", "profile", "--format", "json"))
    assert list(record) == [  # type: ignore[arg-type]
        "project", "intended_purpose", "ai_act_role", "ai_act_tier", "ai_act_tier_derived",
        "ai_act_reason", "mdr_class", "mdr_rationale", "mdr_answers", "mdr_classified_at",
        "previous_mdr_class", "previous_mdr_classified_at", "iec62304_class",
        "iec62304_reason", "hints",
    ]  # fmt: skip
    assert record["ai_act_tier"] == "high-risk" and record["ai_act_tier_derived"] is True  # type: ignore[index]
    assert record["iec62304_class"] == "B"  # type: ignore[index]
    assert record["hints"] == ["as provider: add the ai-act-provider checklist"]  # type: ignore[index]
    table = ok(workspace("compliance", "profile"))
    assert "AI Act tier       high-risk (derived)" in table
    assert "MDR class         IIa (MDR Rule 11, " in table
    ok(workspace("compliance", "checklist", "add", "ai-act-provider"))
    assert json_of(workspace("compliance", "profile", "--format", "json"))["hints"] == []  # type: ignore[index]
    ok(workspace("compliance", "profile", "--ai-act-role", "research-only"))
    hints = json_of(workspace("compliance", "profile", "--format", "json"))["hints"]  # type: ignore[index]
    assert any("Art. 2(6)" in hint for hint in hints)
    ok(workspace("undo"))
    assert query(db_path, "SELECT ai_act_role FROM compliance_profile") == [("provider",)]


def test_profile_refusals(workspace: Invoke, db_path: Path):
    before = dump(db_path)
    refused(workspace("compliance", "profile", "--iec62304", "C"), 2, "needs its reason")
    refused(workspace("compliance", "profile", "--ai-act-tier", "high-risk"), 2, "needs its reason")
    refused(
        workspace("compliance", "profile", "--ai-act-tier", "risky", "--ai-act-reason", "x"),
        2,
        "'risky' is not a AI Act tier",
        "high-risk",
    )
    assert workspace("compliance", "profile", "--ai-act-role", "owner").exit_code == 2
    assert dump(db_path) == before
    ok(workspace("compliance", "profile", "--iec62304", "C", "--iec62304-reason", "Death possible"))
    refused(workspace("compliance", "profile", "--iec62304-reason", ""), 2, "needs its reason")
    ok(workspace("compliance", "profile", "--ai-act-tier", "minimal", "--ai-act-reason", "x"))
    ok(workspace("compliance", "profile", "--ai-act-tier", "auto"))
    assert query(db_path, "SELECT ai_act_tier, ai_act_reason FROM compliance_profile") == [
        (None, None)
    ]


# --- checklists ---------------------------------------------------------------------------


def test_checklist_add_and_list_with_progress(tripod: Invoke, db_path: Path):
    rows = json_of(tripod("compliance", "checklist", "list", "--format", "json"))
    assert rows == [
        {
            "id": 1,
            "template": "tripod-ai",
            "title": "TRIPOD+AI (2024)",
            "kind": "reporting-guideline",
            "items": 27,
            "done": 0,
            "not_applicable": 0,
            "in_progress": 0,
            "open": 27,
            "progress": 0.0,
            "overdue": 0,
            "thesis_id": None,
            "applies_from": None,
            "source": "https://www.tripod-statement.org/",
            "project": "PM",
            "created": rows[0]["created"],  # type: ignore[index]
        }
    ]
    first = items(tripod)[0]
    assert first == {
        "id": 1,
        "checklist": "tripod-ai",
        "number": "1",
        "label": first["label"],
        "status": "open",
        "owner": "Lena Vogel",
        "due": None,
        "evidence": None,
        "evidence_kind": None,
        "na_reason": None,
        "tasks": [],
        "in_dod": False,
        "section": "Title",
        "project": "PM",
        "thesis_id": None,
        "done_at": None,
        "updated": first["updated"],
    }
    ok(tripod("undo"))
    assert count(db_path, "compliance_item") == 0
    assert count(db_path, "compliance_checklist") == 0


def test_checklist_add_refusals(tripod: Invoke, db_path: Path):
    before = dump(db_path)
    refused(
        tripod("compliance", "checklist", "add", "consort"), 1, "no checklist template 'consort'"
    )
    refused(
        tripod("compliance", "checklist", "add", "tripod-ai"), 1, "PM has a tripod-ai checklist"
    )
    refused(tripod("compliance", "checklist", "add", "claim", "--thesis", "3"), 1, "no thesis 3")
    refused(tripod("compliance", "checklist", "add", "claim", "--owner", "Nobody"), 1, "no member")
    assert dump(db_path) == before


def test_checklists_per_thesis_once_theses_exist(tripod: Invoke, db_path: Path):
    for student in ("Jana Roth", "Omar Haddad", "Aylin Demir"):  # Aylin's is thesis 3
        ok(tripod("thesis", "add", student, "--title", "Sepsis alerts", "--start", "2026-12-01"))
    refused(tripod("compliance", "checklist", "add", "claim", "--thesis", "4"), 1, "no thesis 4")
    ok(tripod("compliance", "checklist", "add", "tripod-ai", "--thesis", "3"))
    refused(
        tripod("compliance", "checklist", "add", "tripod-ai", "--thesis", "3"), 1, "thesis 3 has"
    )
    refused(
        tripod("compliance", "item", "done", "tripod-ai:1", "--evidence", "x.md"),
        2,
        "2 tripod-ai checklists",
        "e.g. 2:1",
    )
    ok(tripod("compliance", "item", "done", "2:1", "--evidence", "x.md"))
    assert query(db_path, "SELECT checklist_id FROM compliance_item WHERE status = 'done'") == [
        (2,)
    ]
    listed = items(tripod, "--checklist", "tripod-ai", "--thesis", "3")
    assert len(listed) == 27 and {row["thesis_id"] for row in listed} == {3}
    assert [row["status"] for row in listed][:2] == ["done", "open"]


# --- items ------------------------------------------------------------------------------


def test_item_done_with_each_kind_of_evidence(tripod: Invoke, db_path: Path):
    ok(tripod("task", "add", "Sample size calculation"))
    for ref, evidence in (
        ("1", "thesis/chapter-1.md"),
        ("tripod-ai:2", "https://example.org/abstract"),
        ("TRIPOD-AI:3", "pm-1"),
        ("4", "3F9C2AB"),
    ):
        ok(tripod("compliance", "item", "done", ref, "--evidence", evidence))
    assert query(
        db_path, "SELECT id, status, evidence, evidence_kind FROM compliance_item WHERE id < 5"
    ) == [
        (1, "done", "thesis/chapter-1.md", "file"),
        (2, "done", "https://example.org/abstract", "url"),
        (3, "done", "PM-1", "task"),
        (4, "done", "3f9c2ab", "commit"),
    ]
    assert ok(tripod("compliance", "item", "done", "5", "--evidence", "docs/data.md")) == (
        "Item 5 (tripod-ai 5) done: file docs/data.md\n"
    )
    ok(tripod("undo"))
    assert query(db_path, "SELECT status, evidence FROM compliance_item WHERE id = 5") == [
        ("open", None)
    ]


def test_item_refusals_name_what_is_allowed(tripod: Invoke, db_path: Path):
    ok(tripod("compliance", "item", "done", "1", "--evidence", "a.md"))
    ok(tripod("compliance", "item", "na", "2", "--reason", "No abstract in a thesis chapter"))
    before = dump(db_path)
    refused(
        tripod("compliance", "item", "done", "1", "--evidence", "b.md"), 1, "item 1 is done already"
    )
    refused(
        tripod("compliance", "item", "done", "2", "--evidence", "b.md"),
        1,
        "item 2 is not_applicable; from there it can go to open",
    )
    refused(tripod("compliance", "item", "na", "3"), 2, "not applicable needs a reason")
    refused(tripod("compliance", "item", "na", "3", "--reason", "  "), 2, "needs a reason")
    refused(
        tripod("compliance", "item", "done", "99", "--evidence", "x"), 1, "no checklist item 99"
    )
    refused(
        tripod("compliance", "item", "done", "tripod-ai:99", "--evidence", "x"), 1, "no item '99'"
    )
    refused(
        tripod("compliance", "item", "done", "claim:1", "--evidence", "x"),
        1,
        "no checklist 'claim'",
    )
    refused(tripod("compliance", "item", "done", "3", "--evidence", "PM-9"), 1, "no task PM-9")
    refused(tripod("compliance", "item", "edit", "3", "--owner", "Nobody"), 1, "no member")
    assert tripod("compliance", "item", "done", "3").exit_code == 2  # --evidence is required
    assert tripod("compliance", "item", "edit", "3", "--status", "done").exit_code == 2
    assert dump(db_path) == before
    ok(tripod("compliance", "item", "edit", "2", "--status", "open"))
    assert query(db_path, "SELECT status, na_reason FROM compliance_item WHERE id = 2") == [
        ("open", None)
    ]


def test_item_edit_owner_due_status(tripod: Invoke, db_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-27T10:00:00+00:00")
    ok(tripod("compliance", "item", "edit", "tripod-ai:10", "--owner", "Jonas", "--due", "+2w"))
    ok(tripod("compliance", "item", "edit", "10", "--status", "in-progress"))
    assert [r["id"] for r in items(tripod, "--owner", "jonas")] == [10]
    row = items(tripod, "--status", "in_progress")
    assert [(r["id"], r["owner"], r["due"]) for r in row] == [(10, "Jonas Weber", "2026-12-11")]
    ok(tripod("compliance", "item", "edit", "10", "--owner", "none", "--due", "none"))
    assert query(db_path, "SELECT owner_id, due_date FROM compliance_item WHERE id = 10") == [
        (None, None)
    ]


def test_item_task_makes_a_linked_task_once(tripod: Invoke, db_path: Path):
    ok(tripod("compliance", "item", "edit", "14", "--due", "2026-12-20"))
    assert ok(tripod("compliance", "item", "task", "tripod-ai:14")) == (
        "PM-1  (for item 14, tripod-ai 14)\n"
    )
    task = json_of(tripod("task", "show", "PM-1", "--format", "json"))
    assert task["title"].startswith("TRIPOD+AI (2024) 14: Fairness")  # type: ignore[index]
    assert (task["labels"], task["assignee"], task["due"]) == (  # type: ignore[index]
        ["compliance"],
        "Lena Vogel",
        "2026-12-20",
    )
    assert items(tripod, "--status", "in_progress")[0]["tasks"] == ["PM-1"]
    refused(tripod("compliance", "item", "task", "14"), 1, "unfinished task already: PM-1")
    ok(tripod("compliance", "item", "na", "15", "--reason", "No threshold"))
    refused(tripod("compliance", "item", "task", "15"), 1, "not applicable; reopen it first")
    ok(tripod("task", "add", "Fairness plots"))
    ok(tripod("compliance", "item", "link", "14", "PM-2"))
    refused(tripod("compliance", "item", "link", "14", "PM-2"), 1, "linked to item 14 already")
    assert items(tripod, "--status", "in_progress")[0]["tasks"] == ["PM-1", "PM-2"]
    ok(tripod("undo"))
    ok(tripod("undo"))
    ok(tripod("undo"))
    ok(tripod("undo"))
    assert count(db_path, "compliance_item_task") == 0
    assert query(db_path, "SELECT status FROM compliance_item WHERE id = 14") == [("open",)]
    assert query(db_path, "SELECT COUNT(*) FROM task WHERE deleted_at IS NULL") == [(0,)]


def test_items_join_the_definition_of_done(tripod: Invoke, db_path: Path):
    ok(tripod("dod", "add", "Code reviewed"))
    ok(tripod("compliance", "item", "dod", "tripod-ai:23"))
    ok(tripod("compliance", "item", "dod", "1"))
    ok(tripod("compliance", "item", "done", "1", "--evidence", "thesis/title.md"))
    refused(tripod("compliance", "item", "dod", "1"), 1, "in the definition of done already")
    shown = ok(tripod("dod", "show")).splitlines()
    assert shown == [
        "1. Code reviewed",
        "[x] TRIPOD+AI (2024) 1: " + shown[1].split(": ", 1)[1],
        "[ ] TRIPOD+AI (2024) 23: Performance with confidence intervals, also in key "
        "subgroups (compliance item 23, open)",
    ]
    assert json_of(tripod("dod", "show", "--format", "json"))[2]["number"] is None  # type: ignore[index]
    ok(tripod("task", "add", "Evaluate"))
    moved = ok(tripod("task", "move", "PM-1", "done"))
    assert "  [ ] Code reviewed" in moved
    assert "(compliance item 23, open)" in moved
    assert "compliance item 1," not in moved  # done: no longer asked for
    ok(tripod("compliance", "item", "dod", "23", "--remove"))
    assert "item 23" not in ok(tripod("dod", "show"))


# --- attention, status, dashboard ----------------------------------------------------------


def test_overdue_items_and_a_missing_classification_need_attention(
    tripod: Invoke, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-27T10:00:00+00:00")
    ok(tripod("compliance", "item", "edit", "10", "--due", "2026-11-20"))
    ok(tripod("compliance", "item", "edit", "11", "--due", "2026-11-30"))
    ok(tripod("compliance", "item", "edit", "12", "--due", "2026-12-30"))
    found = tripod("status", "--check", "--format", "json")
    assert found.exit_code == 3
    kinds = [(row["kind"], row["level"], row["ref"]) for row in json.loads(found.stdout)]
    assert kinds == [
        ("checklist_item_overdue", "late", "10"),
        ("checklist_item_due", "soon", "11"),
        ("classification_missing", "over", "PM"),
    ]
    text = json.loads(found.stdout)[0]["text"]
    assert text == (
        "TRIPOD+AI (2024) 10 How the sample size was arrived at and why it is enough is "
        "7 days overdue (Lena Vogel)"
    )
    ok(tripod("compliance", "classify", *TRIPOD_ANSWERS))
    ok(tripod("compliance", "item", "done", "10", "--evidence", "docs/sample-size.md"))
    ok(tripod("compliance", "item", "na", "11", "--reason", "Complete cases only"))
    assert tripod("status", "--check").exit_code == 0
    assert ok(tripod("status")).splitlines() == [
        "Nothing needs attention.",
        "Progress: PM TRIPOD+AI (2024) 2/27 (7%)",
    ]


@pytest.mark.sqlite_only  # reads the SQLite file itself
def test_the_dashboard_panel_shows_progress_per_checklist(tripod: Invoke, db_path: Path):
    from pmtool.services.read.dashboard import load_panels
    from pmtool.storage.location import resolve_location
    from pmtool.storage.reader import reading

    ok(tripod("compliance", "item", "done", "1", "--evidence", "a.md"))
    ok(tripod("compliance", "item", "edit", "5", "--due", "2026-12-01"))
    with reading(resolve_location(str(db_path))) as reader:
        panels = load_panels(reader, 1, date(2026, 11, 27))
    panel = next(p for p in panels if p["id"] == "compliance")
    assert panel["title"] == "Compliance checklists"
    assert panel["rows"] == [
        {
            "when": "2026-12-01",
            "text": "░░░░░░░░░░ TRIPOD+AI (2024) 1/27 (4%)",
            "ref": "tripod-ai",
            "level": "info",
        }
    ]


@pytest.mark.sqlite_only  # reads the SQLite file itself
def test_no_panel_and_no_attention_without_checklists(workspace: Invoke, db_path: Path):
    from pmtool.services.read.dashboard import load_panels
    from pmtool.storage.location import resolve_location
    from pmtool.storage.reader import reading

    with reading(resolve_location(str(db_path))) as reader:
        assert [p["id"] for p in load_panels(reader, 1, date(2026, 11, 27))] == []
    assert ok(workspace("status")) == "Nothing needs attention.\n"


# --- documents on the demo project ------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from pmtool.services.demo import build_demo
    from pmtool.storage.location import resolve_location

    path = tmp_path_factory.mktemp("compliance-demo") / "demo.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "UTC")
        time.tzset()
        build_demo(resolve_location(str(path)), today=date(2026, 11, 27))
    time.tzset()
    yield path


@pytest.fixture
def demo(
    run: Invoke, demo_template: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Invoke:
    shutil.copyfile(demo_template, db_path)
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-27T10:00:00+00:00")
    return run


@pytest.mark.sqlite_only  # reads the SQLite file itself
def test_the_demo_carries_a_profile_and_a_tripod_checklist_in_progress(demo: Invoke):
    profile = json_of(demo("compliance", "profile", "--format", "json"))
    assert (profile["ai_act_role"], profile["mdr_class"], profile["ai_act_tier"]) == (  # type: ignore[index]
        "provider",
        "IIa",
        "high-risk",
    )
    assert profile["previous_mdr_class"] == "IIb" and profile["iec62304_class"] == "B"  # type: ignore[index]
    lists = {
        row["template"]: row
        for row in json_of(demo("compliance", "checklist", "list", "--format", "json"))
    }  # type: ignore[union-attr]
    assert 0 < lists["tripod-ai"]["done"] < 27 and lists["tripod-ai"]["in_progress"] >= 1
    assert lists["tripod-ai"]["overdue"] == 0  # the demo's day needs no attention
    assert "ai-act-provider" in lists


@pytest.mark.sqlite_only  # the demo is copied as a SQLite file
def test_documents_as_printable_html_with_the_gaps_marked(demo: Invoke, tmp_path: Path):
    ok(demo("compliance", "profile", "--intended-purpose", "<script>alert(1)</script> alerts"))
    target = tmp_path / "annex-iv.html"
    written = ok(demo("compliance", "document", "annex-iv", "-o", str(target)))
    markdown = ok(demo("compliance", "document", "annex-iv"))
    assert written == f"Wrote {target} (annex-iv, {markdown.count('GAP:')} gaps)\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<h2>1. General description of the AI system</h2>" in html
    assert html.count('<span class="gap">GAP:</span>') == markdown.count("GAP:") > 0
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    card = ok(demo("compliance", "document", "model-card", "--format", "html"))
    assert (card.startswith("<!DOCTYPE html>") and "<table>" in card) or "<ul>" in card


@pytest.mark.sqlite_only  # reads the SQLite file itself
def test_annex_iv_from_the_demo_reads_back(demo: Invoke, tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    target = folder / "annex-iv.md"
    written = ok(demo("compliance", "document", "annex-iv", "-o", str(target)))
    assert written.startswith(f"Wrote {target} (annex-iv, ")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    text = target.read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## 1. General description of the AI system",
        "## 2. Classification and its rationale",
        "## 3. Development process and data governance (Art. 10)",
        "## 4. Monitoring, functioning and control",
        "## 5. Risk management system (Art. 9)",
        "## 6. Validation and testing",
        "## 7. Quality management, conformity and registration",
        "## 8. Post-market monitoring (Art. 72, 73)",
        "## Open items of the provider checklist",
    ]
    assert text.startswith("# Technical documentation (EU AI Act Annex IV): Sepsis early warning")
    assert (
        "> Generated by pmtool at 2026-11-27T10:00:00Z from the records of project SEPSIS" in text
    )
    assert "MDR Rule 11 run 2" in text and "checklist 2 ai-act-provider" in text
    assert "- Intended purpose: Warns ICU clinicians" in text
    assert "**IIa**" in text and "previous run: class IIb" in text
    assert (
        "- [x] Art. 10(2)(a) Design choices about the data recorded (file docs/data-governance.md)"
        in text
    )
    assert "- [ ] Art. 10(2)(f) Data examined for biases" in text
    assert "| SEPSIS-" in text and "Temporal validation split" in text  # validation tasks
    assert text.count("GAP:") == int(written.split(", ")[1].split()[0])
    refused(demo("compliance", "document", "annex-iv", "-o", str(target)), 1, "exists; add --force")
    target.write_text("old", encoding="utf-8")
    ok(demo("compliance", "document", "annex-iv", "-o", str(target), "--force"))
    assert target.read_text(encoding="utf-8") == text
    assert [p.name for p in folder.iterdir()] == ["annex-iv.md"]  # no temporary left over


@pytest.mark.sqlite_only  # reads the SQLite file itself
def test_model_card_and_reporting_appendix_from_the_demo(demo: Invoke):
    card = ok(demo("compliance", "document", "model-card"))
    assert card.startswith("# Model card: Sepsis early warning on the ICU\n")
    for heading in ("Model details", "Intended use", "Metrics", "Training data",
                    "Evaluation data", "Quantitative analyses", "Ethical considerations",
                    "Caveats and recommendations"):  # fmt: skip
        assert f"\n## {heading}\n" in card
    assert "- [x] 5 Where the data came from" in card and "GAP:" in card
    appendix = ok(demo("compliance", "document", "reporting-appendix"))
    rows = [line for line in appendix.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[0] == "| Item | Section | Topic | Where addressed | Status |"
    assert len(rows) == 1 + 27
    assert rows[4].startswith("| 4 | Introduction | Study aims") and rows[4].endswith(
        "| file docs/protocol.md | done |"
    )
    assert (
        "| not applicable: No model updating: the model is developed once | not applicable |"
        in appendix
    )
    assert "| GAP: in progress, tasks SEPSIS-" in appendix
    assert "checklist 1 (tripod-ai) of project SEPSIS" in appendix


def test_documents_refuse_what_they_cannot_write(workspace: Invoke):
    refused(
        workspace("compliance", "document", "reporting-appendix"),
        1,
        "no reporting-guideline checklist here",
    )
    refused(
        workspace("compliance", "document", "annex-iv", "--checklist", "tripod-ai"),
        2,
        "choose the checklist of reporting-appendix",
    )
    assert workspace("compliance", "document", "dpia").exit_code == 2
    annex = ok(workspace("compliance", "document", "annex-iv"))
    assert "- GAP: no ai-act-provider checklist in this project" in annex
    assert "- GAP: no MDR classification" in annex


@pytest.mark.sqlite_only  # reads the SQLite file itself
def test_json_fields_doc_lists_what_the_compliance_commands_print(demo: Invoke):
    from test_docs import _documented_fields

    documented = _documented_fields()
    sections = {
        "Compliance profile": ("compliance", "profile"),
        "Compliance classification": ("compliance", "classify", *TRIPOD_ANSWERS),
        "Compliance template": ("compliance", "template", "list"),
        "Compliance checklist": ("compliance", "checklist", "list"),
        "Compliance item": ("compliance", "item", "list"),
    }
    for heading, command in sections.items():
        printed = json_of(demo(*command, "--format", "json"))
        record = printed[0] if isinstance(printed, list) else printed
        assert list(record) == documented[heading], heading  # type: ignore[arg-type]
    shown = json_of(demo("compliance", "item", "show", "1", "--format", "json"))
    assert list(shown) == [*documented["Compliance item"], "checklist_title"]  # type: ignore[arg-type]


COMPLIANCE_TABLES = (
    "compliance_profile", "compliance_classification", "compliance_template",
    "compliance_checklist", "compliance_item", "compliance_item_task", "task",
)  # fmt: skip


def domain_rows(db_path: Path) -> dict[str, list[dict[str, object]]]:
    """Every row of the tables compliance writes, without the columns that move on with
    any write (an undo is a new write: ``version`` and ``updated_at`` advance)."""
    return {
        table: [
            {n: v for n, v in row.items() if n not in ("version", "updated_at")}
            for row in records(db_path, f"SELECT * FROM {table} ORDER BY 1")
        ]
        for table in COMPLIANCE_TABLES
    }


@pytest.mark.parametrize(
    "command",
    [
        ("compliance", "profile", "--ai-act-role", "deployer"),
        ("compliance", "profile", "--iec62304", "C", "--iec62304-reason", "Death possible"),
        ("compliance", "classify", "--answer", "q1=no"),
        ("compliance", "checklist", "add", "claim"),
        ("compliance", "item", "done", "3", "--evidence", "https://example.org/x"),
        ("compliance", "item", "na", "3", "--reason", "Not a prediction model"),
        ("compliance", "item", "edit", "3", "--owner", "Jonas", "--due", "2027-01-01"),
        ("compliance", "item", "edit", "3", "--status", "in_progress"),
        ("compliance", "item", "task", "3"),
        ("compliance", "item", "link", "3", "PM-1"),
        ("compliance", "item", "dod", "3"),
    ],
)
def test_undo_takes_back_each_compliance_command(tripod: Invoke, db_path: Path, command):
    ok(tripod("compliance", "profile", "--ai-act-role", "provider"))
    ok(tripod("task", "add", "Existing task"))
    before = domain_rows(db_path)
    ok(tripod(*command))
    assert domain_rows(db_path) != before
    ok(tripod("undo"))
    assert domain_rows(db_path) == before


def test_undo_of_template_add(workspace: Invoke, tmp_path: Path, db_path: Path):
    file = tmp_path / "uni-sop.toml"
    file.write_text(MINIMAL_TEMPLATE, encoding="utf-8")
    ok(workspace("compliance", "template", "add", str(file)))
    ok(workspace("undo"))
    assert count(db_path, "compliance_template") == 0
    refused(workspace("compliance", "checklist", "add", "uni-sop"), 1, "no checklist template")


def test_a_changed_shipped_template_changes_new_checklists_only(
    tripod: Invoke, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A new pmtool (or an edited template folder) never rewrites an existing checklist."""
    import pmtool.services.compliance_templates as templates

    folder = tmp_path / "checklists"
    shutil.copytree(shipped_dir(), folder)
    tripod_file = folder / "tripod-ai.toml"
    tripod_file.write_text(
        tripod_file.read_text(encoding="utf-8").replace("Title says", "Changed: title says"),
        encoding="utf-8",
    )
    monkeypatch.setattr(templates, "shipped_dir", lambda: folder)
    refused(tripod("compliance", "checklist", "add", "tripod-ai", "--thesis", "1"), 1, "no thesis")
    ok(tripod("thesis", "add", "Aylin Demir", "--title", "Sepsis alerts", "--start", "2026-12-01"))
    ok(tripod("compliance", "checklist", "add", "tripod-ai", "--thesis", "1"))
    assert query(db_path, "SELECT checklist_id, label FROM compliance_item WHERE number = '1'") == [
        (1, "Title says a prediction model is developed or evaluated, its population and outcome"),
        (
            2,
            "Changed: t" + "itle says a prediction model is developed or evaluated, its "
            "population and outcome",
        ),
    ]


def test_checklist_rm_keeps_recorded_work_unless_forced(tripod: Invoke, db_path: Path):
    ok(tripod("compliance", "item", "task", "3"))
    before = dump(db_path)
    refused(
        tripod("compliance", "checklist", "rm", "tripod-ai"),
        1,
        "has 1 item(s) with work recorded; --force",
    )
    refused(tripod("compliance", "checklist", "rm", "claim"), 1, "no checklist 'claim'")
    assert dump(db_path) == before
    assert ok(tripod("compliance", "checklist", "rm", "tripod-ai", "--force")) == (
        "Removed TRIPOD+AI (2024) (27 items; pmtool undo restores)\n"
    )
    assert [count(db_path, t) for t in ("compliance_item", "compliance_item_task")] == [0, 0]
    assert query(db_path, "SELECT COUNT(*) FROM task WHERE deleted_at IS NULL") == [(1,)]
    ok(tripod("undo"))
    assert items(tripod, "--status", "in_progress")[0]["tasks"] == ["PM-1"]
    assert count(db_path, "compliance_item") == 27


@pytest.mark.sqlite_only  # reads the SQLite file itself
def test_the_panel_gives_a_far_due_date_with_its_year(workspace: Invoke, db_path: Path):
    from pmtool.services.read.compliance import panel_rows
    from pmtool.storage.location import resolve_location
    from pmtool.storage.reader import reading

    ok(workspace("compliance", "checklist", "add", "ai-act-provider"))
    with reading(resolve_location(str(db_path))) as reader:
        far = panel_rows(reader, 1, date(2026, 11, 27))
        near = panel_rows(reader, 1, date(2027, 7, 1))
    assert far[0]["when"] is None
    assert far[0]["text"].endswith("0/23 (0%), due 2027-08-02")
    assert near[0]["when"] == "2027-08-02"
