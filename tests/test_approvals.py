"""Ethics approvals and data-protection records: the state machine, conditions, expiry,
reminders, amendments, incidents, the report, and the gates they put on tasks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Invoke
from pmcheck import count, dump, error_line, ok, query, refused

APPROVAL_FIELDS = ["id", "kind", "status", "valid_until"]


@pytest.fixture
def dated(workspace: Invoke, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """The workspace on a frozen day, 2026-11-29."""
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-29T09:00:00+00:00")
    return workspace


@pytest.fixture
def vote(dated: Invoke) -> Invoke:
    """Approval 1: an ethics vote, submitted on 2026-10-01 as EA1/123/26."""
    assert ok(dated("approval", "add", "ethics", "--body", "EC Charité", "--title", "ICU")) == "1\n"
    ok(dated("approval", "submit", "1", "--ref", "EA1/123/26", "--on", "2026-10-01"))
    return dated


def rows(run: Invoke, *args: str) -> list[dict]:
    return json.loads(ok(run("approval", "list", "--format", "json", *args)))


def status_of(run: Invoke, approval_id: int = 1) -> str:
    return next(row["status"] for row in rows(run) if row["id"] == approval_id)


def granted(run: Invoke, kind: str, valid_until: str, body: str = "Body") -> str:
    """Add, submit and approve an approval; returns its id."""
    approval_id = ok(run("approval", "add", kind, "--body", body)).strip()
    ok(run("approval", "submit", approval_id, "--ref", f"R-{approval_id}", "--on", "2026-10-01"))
    ok(
        run(
            "approval",
            "decide",
            approval_id,
            "approved",
            "--on",
            "2026-11-01",
            "--valid-until",
            valid_until,
        )
    )
    return approval_id


# --- records and the state machine -------------------------------------------------------------


def test_add_records_a_draft_with_every_field(dated: Invoke, db_path: Path):
    result = dated(
        "approval",
        "add",
        "dua",
        "--body",
        "Data integration centre",
        "--applicant",
        "Lena Vogel",
        "--legal-basis",
        "Art. 9(2)(j) GDPR",
        "--data-form",
        "pseudonymised",
        "--dpo-consulted",
        "2026-11-02",
        "--document",
        "dua-draft.pdf",
    )
    assert ok(result) == "1\n"
    [row] = rows(dated)
    assert {name: row[name] for name in APPROVAL_FIELDS} == {
        "id": 1,
        "kind": "dua",
        "status": "draft",
        "valid_until": None,
    }
    assert row["title"] == "Data-use agreement" and row["in_force"] is False
    shown = json.loads(ok(dated("approval", "show", "1", "--format", "json")))
    assert shown["legal_basis"] == "Art. 9(2)(j) GDPR"
    assert shown["data_form"] == "pseudonymised"
    assert shown["dpo_consulted_on"] == "2026-11-02"
    assert shown["documents"] == ["dua-draft.pdf"]
    assert shown["state"] == "still a draft"
    assert query(db_path, "SELECT kind, status, body FROM approval") == [
        ("dua", "draft", "Data integration centre")
    ]


def test_kind_aliases_name_the_same_kind(dated: Invoke):
    ok(dated("approval", "add", "UAC", "--body", "Use and Access Committee"))
    ok(dated("approval", "add", "ehds", "--body", "Health Data Access Body"))
    assert [row["kind"] for row in rows(dated)] == ["data-access", "ehds-permit"]


def test_an_unknown_kind_is_bad_input_and_writes_nothing(dated: Invoke, db_path: Path):
    before = dump(db_path)
    refused(
        dated("approval", "add", "consent", "--body", "X"),
        2,
        "unknown approval kind",
        "ethics, exemption, dpia, dpa, dua, data-access, ehds-permit",
    )
    assert dump(db_path) == before


def test_the_whole_way_to_approved_and_closed(vote: Invoke, db_path: Path):
    assert ok(vote("approval", "review", "1")) == "Approval 1: submitted -> under review\n"
    assert ok(vote("approval", "clarify", "1", "--question", "Which pseudonymisation?")) == (
        "Approval 1: under review -> clarification requested\n"
    )
    assert ok(vote("approval", "review", "1")) == (
        "Approval 1: clarification requested -> under review\n"
    )
    assert ok(
        vote("approval", "decide", "1", "approved", "--on", "2026-11-10", "--valid-until", "+1y")
    ) == ("Approval 1: under review -> approved\n")
    [row] = rows(vote)
    assert row["status"] == "approved" and row["in_force"] is True
    assert (row["reference"], row["submitted_on"], row["decided_on"]) == (
        "EA1/123/26",
        "2026-10-01",
        "2026-11-10",
    )
    assert (row["valid_from"], row["valid_until"]) == ("2026-11-10", "2027-11-29")
    assert ok(vote("approval", "close", "1", "--on", "2027-06-30")) == (
        "Approval 1: approved -> closed\nEnd-of-study notice due 2027-09-28\n"
    )
    assert query(db_path, "SELECT status, next_report_due FROM approval") == [
        ("closed", "2027-09-28")
    ]
    notes = query(db_path, "SELECT new FROM audit WHERE field = 'clarification'")
    assert notes == [('"Which pseudonymisation?"',)]


def test_deciding_a_never_submitted_approval_is_refused(dated: Invoke, db_path: Path):
    ok(dated("approval", "add", "ethics", "--body", "EC"))
    before = dump(db_path)
    refused(
        dated("approval", "decide", "1", "approved"),
        1,
        "approval 1 (ethics vote) was never submitted",
        "pmtool approval submit 1 --ref REF",
    )
    assert dump(db_path) == before


def test_submit_needs_a_reference(dated: Invoke, db_path: Path):
    ok(dated("approval", "add", "ethics", "--body", "EC"))
    before = dump(db_path)
    refused(dated("approval", "submit", "1"), 2, "--ref REF")
    assert dump(db_path) == before


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (
            ["approved", "--valid-until", "2026-11-28"],
            ["valid until (2026-11-28) is before the decision date (2026-11-29)"],
        ),
        (["approve"], ["unknown outcome 'approve'", "approved, conditional, resubmit, rejected"]),
        (["rejected", "--condition", "Fix it"], ["conditions come with the outcome 'conditional'"]),
        (["conditional"], ["needs its conditions", "--condition TEXT"]),
        (["resubmit", "--valid-until", "+1y"], ["has no validity"]),
        (["approved", "--on", "2026-09-01"], ["cannot come before the submission (2026-10-01)"]),
    ],
)
def test_bad_decisions_are_bad_input(vote: Invoke, db_path: Path, args, fragments):
    before = dump(db_path)
    refused(vote("approval", "decide", "1", *args), 2, *fragments)
    assert dump(db_path) == before


@pytest.mark.parametrize(
    ("setup", "command", "fragments"),
    [
        ([], ["withdraw"], []),  # allowed from submitted: checked below as the success case
        (
            [["decide", "1", "rejected"]],
            ["resubmit"],
            ["is rejected, a final state; it cannot become draft"],
        ),
        (
            [],
            ["suspend", "--reason", "x"],
            [
                "is submitted; it cannot become suspended",
                "from submitted it can go to: under_review, withdrawn",
            ],
        ),
        ([], ["close"], ["it cannot become closed (from submitted it can go to"]),
        ([], ["not-required", "--reason", "x"], ["it cannot become not required"]),
        (
            [["decide", "1", "approved"]],
            ["withdraw"],
            ["is approved; it cannot become withdrawn", "can go to: suspended, closed"],
        ),
        ([["review", "1"]], ["review"], ["is under review; it cannot become under review"]),
        ([["decide", "1", "approved"]], ["clarify"], ["it cannot become clarification requested"]),
    ],
)
def test_illegal_transitions_name_the_allowed_ones(
    vote: Invoke, db_path: Path, setup, command, fragments
):
    for step in setup:
        ok(vote("approval", *step))
    verb, *options = command
    if not fragments:
        assert ok(vote("approval", verb, "1", *options)) == "Approval 1: submitted -> withdrawn\n"
        return
    before = dump(db_path)
    refused(vote("approval", verb, "1", *options), 1, *fragments)
    assert dump(db_path) == before


def test_resubmission_goes_back_to_draft_and_is_submitted_again(vote: Invoke):
    ok(vote("approval", "decide", "1", "resubmit"))
    assert status_of(vote) == "resubmission_requested"
    assert ok(vote("approval", "resubmit", "1")) == (
        "Approval 1: resubmission requested -> draft\n"
    )
    ok(vote("approval", "submit", "1", "--ref", "EA1/123/26-R"))
    [row] = rows(vote)
    assert (row["status"], row["reference"], row["decided_on"]) == (
        "submitted",
        "EA1/123/26-R",
        None,
    )


def test_not_required_documents_the_reason_and_opens_the_gate(dated: Invoke, db_path: Path):
    ok(dated("approval", "add", "dpia", "--body", "DPO"))
    assert ok(dated("approval", "not-required", "1", "--reason", "Small anonymised set")) == (
        "Approval 1: draft -> not required\n"
    )
    assert query(db_path, "SELECT new FROM audit WHERE field = 'not_required_reason'") == [
        ('"Small anonymised set"',)
    ]
    ok(dated("task", "add", "Train on the set", "--label", "needs:dpia"))
    assert ok(dated("task", "move", "PM-1", "in_progress")) == "PM-1: backlog -> in_progress\n"


def test_suspension_closes_the_gate(vote: Invoke):
    ok(vote("approval", "decide", "1", "approved"))
    ok(vote("approval", "suspend", "1", "--reason", "Breach under investigation"))
    ok(vote("task", "add", "Analyse", "--label", "needs:ethics"))
    refused(vote("task", "move", "PM-1", "in_progress"), 1, "is suspended")


# --- conditions ------------------------------------------------------------------------------


def test_conditional_approval_becomes_approved_when_every_condition_is_met(
    vote: Invoke, db_path: Path
):
    ok(
        vote(
            "approval",
            "decide",
            "1",
            "conditional",
            "--valid-until",
            "+1y",
            "--condition",
            "Final consent form",
            "--condition",
            "Name the data custodian",
        )
    )
    assert status_of(vote) == "approved_with_conditions"
    assert ok(vote("approval", "condition", "add", "1", "Report cohort size", "--due", "+2w")) == (
        "3\n"
    )
    conditions = json.loads(ok(vote("approval", "condition", "list", "1", "--format", "json")))
    assert [(c["number"], c["status"], c["due"]) for c in conditions] == [
        (1, "open", None),
        (2, "open", None),
        (3, "open", "2026-12-13"),
    ]
    assert ok(vote("approval", "condition", "met", "1", "1", "--evidence", "Letter 11-20")) == (
        "Condition 1 of approval 1 met\n"
    )
    ok(vote("approval", "condition", "met", "1", "3", "--evidence", "Email"))
    assert status_of(vote) == "approved_with_conditions"
    assert rows(vote)[0]["in_force"] is False  # not in force until every condition is met
    assert ok(vote("approval", "condition", "met", "1", "2", "--evidence", "Signed form")) == (
        "Condition 2 of approval 1 met\n"
        "Approval 1: approved with conditions -> approved (all met)\n"
    )
    assert status_of(vote) == "approved"
    assert query(db_path, "SELECT evidence, met_on FROM approval_condition WHERE number = 2") == [
        ("Signed form", "2026-11-29")
    ]
    # The automatic step is one command with the condition: one undo reverts both.
    ok(vote("undo"))
    assert status_of(vote) == "approved_with_conditions"
    assert query(db_path, "SELECT status FROM approval_condition WHERE number = 2") == [("open",)]


def test_a_condition_on_a_rejected_approval_is_refused(vote: Invoke, db_path: Path):
    ok(vote("approval", "decide", "1", "rejected"))
    before = dump(db_path)
    refused(
        vote("approval", "condition", "add", "1", "Fix it"),
        1,
        "is rejected",
        "conditions belong to an approval granted with conditions",
    )
    assert dump(db_path) == before


def test_meeting_a_condition_twice_or_a_missing_one_is_refused(vote: Invoke, db_path: Path):
    ok(vote("approval", "decide", "1", "conditional", "--condition", "A", "--condition", "B"))
    ok(vote("approval", "condition", "met", "1", "1", "--evidence", "E"))
    before = dump(db_path)
    refused(
        vote("approval", "condition", "met", "1", "1", "--evidence", "E"),
        1,
        "condition 1 of approval 1 (ethics vote) is met already",
    )
    refused(
        vote("approval", "condition", "met", "1", "9", "--evidence", "E"), 1, "has no condition 9"
    )
    assert dump(db_path) == before


# --- expiry and reminders --------------------------------------------------------------------


def test_expired_is_derived_from_valid_until(dated: Invoke, monkeypatch: pytest.MonkeyPatch):
    granted(dated, "ethics", "2026-12-31")
    assert status_of(dated) == "approved"
    monkeypatch.setenv("PMTOOL_NOW", "2026-12-31T20:00:00+00:00")  # the last valid day
    assert status_of(dated) == "approved"
    monkeypatch.setenv("PMTOOL_NOW", "2027-01-01T08:00:00+00:00")
    [row] = rows(dated)
    assert (row["status"], row["stored_status"], row["in_force"]) == ("expired", "approved", False)
    assert [r["id"] for r in rows(dated, "--status", "expired")] == [1]
    assert rows(dated, "--status", "approved") == []
    shown = json.loads(ok(dated("approval", "show", "1", "--format", "json")))
    assert shown["state"] == "expired (valid until 2026-12-31)"
    check = dated("status", "--check", "--format", "json")
    assert check.exit_code == 3
    [item] = json.loads(check.output)
    assert (item["kind"], item["level"], item["ref"]) == ("approval_expired", "late", "approval 1")
    assert "expired 1 day ago" in item["text"] and "must stop" in item["text"]
    ok(dated("task", "add", "Analyse", "--label", "needs:ethics"))
    refused(
        dated("task", "move", "PM-1", "in_progress"),
        1,
        "needs:ethics: approval 1 (ethics vote 'Ethics vote') is expired (valid until 2026-12-31)",
    )
    assert ok(dated("approval", "renew", "1", "--valid-until", "2027-12-31")) == (
        "Approval 1: valid until 2027-12-31\n"
    )
    assert status_of(dated) == "approved"
    assert ok(dated("task", "move", "PM-1", "in_progress")) == "PM-1: backlog -> in_progress\n"


def test_renewal_must_extend_the_validity(dated: Invoke, db_path: Path):
    granted(dated, "ethics", "2027-01-31")
    before = dump(db_path)
    refused(
        dated("approval", "renew", "1", "--valid-until", "2027-01-15"),
        2,
        "must extend the validity beyond 2027-01-31",
    )
    assert dump(db_path) == before


def test_list_expiring_keeps_granted_approvals_ending_within_the_window(dated: Invoke):
    granted(dated, "ethics", "2027-06-30")  # 213 days away
    granted(dated, "dua", "2027-01-20")  # 52 days away
    granted(dated, "dpia", "2026-11-20")  # expired 9 days ago
    ok(dated("approval", "add", "dpa", "--body", "Cloud provider"))  # a draft: no expiry
    expiring = rows(dated, "--expiring", "60d")
    assert [(r["id"], r["status"], r["days_left"]) for r in expiring] == [
        (3, "expired", -9),
        (2, "approved", 52),
    ]
    assert [r["id"] for r in rows(dated, "--expiring", "1y")] == [3, 2, 1]
    assert ok(dated("approval", "list", "--expiring", "60d")).splitlines()[0].split()[:4] == [
        "ID",
        "KIND",
        "STATUS",
        "VALID",
    ]
    error_line(dated("approval", "list", "--expiring", "soon"), 2, "--expiring")


def test_reminders_at_60_and_15_days_and_configurable(
    dated: Invoke, monkeypatch: pytest.MonkeyPatch
):
    granted(dated, "dua", "2027-01-27")  # 59 days after 2026-11-29
    items = json.loads(dated("status", "--format", "json").output)
    assert [(i["kind"], i["level"]) for i in items] == [("approval_expiring", "soon")]
    assert "expires in 59 days (60-day reminder)" in items[0]["text"]
    monkeypatch.setenv("PMTOOL_NOW", "2027-01-13T09:00:00+00:00")  # 14 days left
    [item] = json.loads(dated("status", "--format", "json").output)
    assert "expires in 14 days (15-day reminder)" in item["text"]
    monkeypatch.setenv("PMTOOL_NOW", "2026-11-27T09:00:00+00:00")  # 61 days left
    assert json.loads(dated("status", "--format", "json").output) == []
    assert dated("status", "--check").exit_code == 0
    assert ok(dated("approval", "reminders")) == "60,15\n"
    assert ok(dated("approval", "reminders", "90,30")) == "Reminders 90, 30 days before expiry\n"
    [item] = json.loads(dated("status", "--format", "json").output)
    assert "(90-day reminder)" in item["text"]
    refused(dated("approval", "reminders", "soon"), 2, "reminder days are whole numbers")


def test_overdue_conditions_reports_and_unreported_incidents_need_attention(vote: Invoke):
    ok(
        vote(
            "approval",
            "decide",
            "1",
            "conditional",
            "--on",
            "2026-11-02",
            "--report-due",
            "2026-12-15",
            "--condition",
            "Consent form",
        )
    )
    ok(vote("approval", "condition", "add", "1", "Custodian named", "--due", "2026-11-20"))
    ok(
        vote(
            "approval",
            "incident",
            "add",
            "1",
            "Export held birth dates",
            "--on",
            "2026-11-25",
            "--kind",
            "breach",
        )
    )
    result = vote("status", "--check", "--format", "json")
    assert result.exit_code == 3
    kinds = {(i["kind"], i["level"]) for i in json.loads(result.output)}
    assert kinds == {
        ("approval_condition_overdue", "late"),
        ("approval_report_due", "soon"),
        ("approval_incident_unreported", "late"),
    }
    ok(vote("approval", "incident", "reported", "1", "1"))
    kinds = {i["kind"] for i in json.loads(vote("status", "--format", "json").output)}
    assert "approval_incident_unreported" not in kinds


# --- amendments and incidents ------------------------------------------------------------------


def test_amendments_are_numbered_with_their_own_decision(vote: Invoke, db_path: Path):
    before = dump(db_path)
    refused(
        vote("approval", "amendment", "add", "1", "More data"),
        1,
        "is submitted",
        "amendments change a granted approval",
    )
    assert dump(db_path) == before
    ok(vote("approval", "decide", "1", "approved"))
    assert ok(vote("approval", "amendment", "add", "1", "Add 2025 admissions")) == "1\n"
    assert ok(vote("approval", "amendment", "add", "1", "Second site")) == "2\n"
    refused(
        vote("approval", "amendment", "decide", "1", "1", "approved"),
        1,
        "amendment 1 of approval 1 (ethics vote) is draft; it cannot become approved",
    )
    assert ok(vote("approval", "amendment", "submit", "1", "1")) == (
        "Amendment 1 of approval 1: draft -> submitted\n"
    )
    ok(vote("approval", "amendment", "decide", "1", "1", "approved"))
    ok(vote("approval", "amendment", "withdraw", "1", "2"))
    listed = json.loads(ok(vote("approval", "amendment", "list", "1", "--format", "json")))
    assert [(a["number"], a["status"], a["decided_on"]) for a in listed] == [
        (1, "approved", "2026-11-29"),
        (2, "withdrawn", None),
    ]
    assert status_of(vote) == "approved"  # children never change the parent's state


def test_incidents_are_recorded_and_reported(vote: Invoke, db_path: Path):
    assert (
        ok(
            vote(
                "approval",
                "incident",
                "add",
                "1",
                "Wrong site data",
                "--on",
                "2026-11-20",
                "--reported",
                "2026-11-21",
            )
        )
        == "1\n"
    )
    refused(vote("approval", "incident", "add", "1", "Later", "--on", "+2d"), 2, "in the future")
    refused(vote("approval", "incident", "reported", "1", "1"), 1, "was reported already")
    listed = json.loads(ok(vote("approval", "incident", "list", "1", "--format", "json")))
    assert listed == [
        {
            "approval_id": 1,
            "id": 1,
            "kind": "deviation",
            "occurred_on": "2026-11-20",
            "summary": "Wrong site data",
            "reported_on": "2026-11-21",
        }
    ]


# --- edit, remove, show, report ----------------------------------------------------------------


def test_edit_changes_details_and_checks_dates(vote: Invoke, db_path: Path):
    ok(vote("approval", "decide", "1", "approved", "--valid-until", "2027-11-29"))
    assert ok(
        vote(
            "approval",
            "edit",
            "1",
            "--document",
            "vote.pdf",
            "--report-due",
            "2027-10-01",
            "--applicant",
            "Lena Vogel",
        )
    ) == ("Updated approval 1 (applicant, documents, next_report_due)\n")
    before = dump(db_path)
    refused(
        vote("approval", "edit", "1", "--valid-until", "2026-11-01"),
        2,
        "valid until (2026-11-01) would be before",
    )
    refused(vote("approval", "edit", "1", "--drop-document", "other.pdf"), 2, "no document")
    assert dump(db_path) == before
    ok(vote("approval", "edit", "1", "--applicant", "none"))
    assert query(db_path, "SELECT applicant, documents FROM approval") == [(None, '["vote.pdf"]')]


def test_rm_removes_only_a_draft_and_undo_restores_it(dated: Invoke, db_path: Path):
    ok(dated("approval", "add", "ethics", "--body", "EC"))
    assert ok(dated("approval", "rm", "1")) == "Removed approval 1 (pmtool undo restores)\n"
    assert count(db_path, "approval") == 0
    ok(dated("undo"))
    assert count(db_path, "approval") == 1
    ok(dated("approval", "submit", "1", "--ref", "R"))
    before = dump(db_path)
    refused(dated("approval", "rm", "1"), 1, "only a draft can be removed", "withdraw")
    refused(dated("approval", "show", "7"), 1, "no approval 7")
    refused(dated("approval", "show", "seven"), 2, "named by its number")
    assert dump(db_path) == before


def test_undo_reverts_each_approval_command(vote: Invoke, db_path: Path):
    ok(vote("approval", "decide", "1", "conditional", "--valid-until", "+1y", "--condition", "C"))
    ok(vote("undo"))
    assert query(db_path, "SELECT status, decided_on, valid_until FROM approval") == [
        ("submitted", None, None)
    ]
    assert count(db_path, "approval_condition") == 0
    ok(vote("undo"))
    assert query(db_path, "SELECT status, reference FROM approval") == [("draft", None)]


def test_show_and_report_bring_everything_together(vote: Invoke):
    ok(
        vote(
            "approval",
            "decide",
            "1",
            "conditional",
            "--on",
            "2026-11-10",
            "--valid-until",
            "2027-11-09",
            "--condition",
            "Final consent form",
            "--condition",
            "Name | the custodian",
        )
    )
    ok(vote("approval", "condition", "met", "1", "1", "--evidence", "Letter of 2026-11-20"))
    ok(vote("task", "add", "Extract cohort"))
    ok(vote("task", "edit", "PM-1", "--requires", "1"))
    table = ok(vote("approval", "show", "1"))
    assert "1. [x] Final consent form; 2. [ ] Name | the custodian" in table
    assert "required_by" in table and "PM-1" in table
    report = ok(vote("approval", "report"))
    assert report.startswith("# Approvals of PM: Sepsis early warning\n")
    assert (
        "| 1 | ethics vote | ICU | EC Charité | EA1/123/26 | approved with conditions, "
        "expires in 345 days | 2027-11-09 | 1 of 2 |"
    ) in report
    assert "- [x] 1. Final consent form (met 2026-11-29: Letter of 2026-11-20)" in report
    assert "- [ ] 2. Name \\| the custodian" in report
    assert "- **Required by:** PM-1" in report
    records = json.loads(ok(vote("approval", "report", "--format", "json")))
    assert records[0]["condition_list"][1]["status"] == "open"


def test_report_writes_a_file(dated: Invoke, tmp_path: Path):
    target = tmp_path / "approvals.md"
    assert ok(dated("approval", "report", "-o", str(target))) == f"Wrote {target}\n"
    assert "No approvals recorded." in target.read_text()


def test_empty_lists_are_empty_json(dated: Invoke):
    assert rows(dated) == []
    assert (
        ok(dated("approval", "list")) == "No approvals yet: pmtool approval add KIND --body NAME\n"
    )


# --- gates on tasks ----------------------------------------------------------------------------


def test_a_needs_label_blocks_starting_and_finishing_until_in_force(dated: Invoke, db_path: Path):
    ok(dated("approval", "add", "ethics", "--body", "EC", "--title", "Sepsis cohort"))
    ok(dated("task", "add", "Extract cohort", "--label", "needs:ethics"))
    ok(dated("task", "move", "PM-1", "todo"))  # planning work is never gated
    before = dump(db_path)
    for status in ("in_progress", "review", "done"):
        refused(
            dated("task", "move", "PM-1", status),
            1,
            f"PM-1 cannot move to {status}: needs:ethics: approval 1 (ethics vote "
            "'Sepsis cohort') is still a draft",
            "--force --reason TEXT",
        )
    assert dump(db_path) == before
    ok(dated("approval", "submit", "1", "--ref", "R"))
    refused(dated("task", "move", "PM-1", "in_progress"), 1, "submitted, not decided yet")
    ok(dated("approval", "decide", "1", "approved", "--valid-until", "+1y"))
    assert ok(dated("task", "move", "PM-1", "in_progress")) == "PM-1: todo -> in_progress\n"


def test_a_needs_label_without_any_record_names_the_missing_kind(dated: Invoke):
    ok(dated("task", "add", "Load the data", "--label", "needs:dua"))
    refused(
        dated("task", "move", "PM-1", "done"), 1, "needs:dua: no data-use agreement is recorded"
    )


def test_an_exemption_opens_the_ethics_gate(dated: Invoke):
    granted(dated, "exemption", "2027-12-31")
    ok(dated("task", "add", "Analyse open data", "--label", "needs:ethics"))
    assert ok(dated("task", "move", "PM-1", "in_progress")) == "PM-1: backlog -> in_progress\n"


def test_requires_links_one_approval_of_the_same_project(dated: Invoke, db_path: Path):
    granted(dated, "ethics", "2027-12-31")
    ok(dated("approval", "add", "dua", "--body", "DIZ"))
    ok(dated("task", "add", "Extract cohort"))
    assert ok(dated("task", "edit", "PM-1", "--requires", "2")) == "Updated PM-1\n"
    refused(
        dated("task", "move", "PM-1", "in_progress"),
        1,
        "requires approval 2 (data-use agreement 'Data-use agreement'), which is still a draft",
    )
    ok(dated("task", "edit", "PM-1", "--drop-requires", "2"))
    assert ok(dated("task", "move", "PM-1", "in_progress")) == "PM-1: backlog -> in_progress\n"
    ok(dated("undo"))
    ok(dated("undo"))  # the requirement is back
    assert query(db_path, "SELECT task_id, approval_id FROM task_approval") == [(1, 2)]


def test_a_gate_on_an_approval_of_another_project_is_bad_input(dated: Invoke, db_path: Path):
    ok(dated("project", "add", "OT", "Other study"))
    ok(dated("-p", "OT", "approval", "add", "ethics", "--body", "EC"))
    ok(dated("-p", "PM", "task", "add", "Extract"))
    before = dump(db_path)
    refused(
        dated("task", "edit", "PM-1", "--requires", "1"),
        2,
        "approval 1 (ethics vote) belongs to project OT, not PM",
    )
    refused(dated("task", "edit", "PM-1", "--requires", "9"), 1, "no approval 9")
    assert dump(db_path) == before


def test_force_over_a_gate_needs_a_reason_and_is_audited(dated: Invoke, db_path: Path):
    ok(dated("task", "add", "Pilot run", "--label", "needs:dpia"))
    before = dump(db_path)
    refused(
        dated("task", "move", "PM-1", "in_progress", "--force"),
        2,
        "--force over an approval gate needs --reason TEXT",
    )
    error_line(
        dated("task", "move", "PM-1", "in_progress", "--reason", "x"),
        2,
        "--reason goes with --force",
    )
    assert dump(db_path) == before
    moved = dated("task", "move", "PM-1", "in_progress", "--force", "--reason", "DPO agreed")
    assert ok(moved) == "PM-1: backlog -> in_progress\n"
    [(note,)] = query(db_path, "SELECT new FROM audit WHERE field = 'gate_override'")
    assert "needs:dpia: no DPIA is recorded" in note and "reason: DPO agreed" in note
    log = json.loads(ok(dated("log", "PM-1", "--format", "json")))
    assert any(entry.get("field") == "gate_override" for entry in log)
    ok(dated("undo"))
    assert query(db_path, "SELECT status FROM task") == [("backlog",)]


def test_wip_force_without_a_reason_still_works_without_a_gate(dated: Invoke):
    ok(dated("workflow", "wip", "in_progress", "1"))
    ok(dated("task", "add", "One", "--status", "in_progress"))
    ok(dated("task", "add", "Two"))
    refused(dated("task", "move", "PM-2", "in_progress"), 1, "WIP limit")
    assert ok(dated("task", "move", "PM-2", "in_progress", "--force")) == (
        "PM-2: backlog -> in_progress\n"
    )


def test_a_bulk_move_with_one_gated_task_writes_nothing(dated: Invoke, db_path: Path):
    ok(dated("task", "add", "Free"))
    ok(dated("task", "add", "Gated", "--label", "needs:ethics"))
    before = dump(db_path)
    refused(dated("task", "move", "PM-1", "PM-2", "in_progress"), 1, "PM-2 cannot move")
    assert dump(db_path) == before


def test_adding_gated_work_straight_into_progress_is_refused(dated: Invoke, db_path: Path):
    before = dump(db_path)
    refused(
        dated("task", "add", "Gated", "--label", "needs:ethics", "--status", "in_progress"),
        1,
        "PM-1 cannot move to in_progress: needs:ethics",
    )
    assert dump(db_path) == before
    ok(
        dated(
            "task",
            "add",
            "Gated",
            "--label",
            "needs:ethics",
            "--status",
            "in_progress",
            "--force",
            "--reason",
            "Vote letter in the post",
        )
    )
    assert count(db_path, "task") == 1


def test_json_fields_doc_lists_exactly_the_printed_fields(vote: Invoke):
    from test_docs import _documented_fields

    ok(vote("approval", "decide", "1", "conditional", "--condition", "C"))
    ok(vote("approval", "amendment", "add", "1", "More sites"))
    ok(vote("approval", "incident", "add", "1", "Late deletion", "--on", "2026-11-20"))
    documented = _documented_fields()
    listed = rows(vote)[0]
    assert list(listed) == documented["Approval"]
    assert list(listed)[:4] == APPROVAL_FIELDS  # the fixed fields of the contract
    shown = json.loads(ok(vote("approval", "show", "1", "--format", "json")))
    assert list(shown) == documented["Approval"] + documented["Approval detail"]
    for heading, command in (
        ("Approval condition", "condition"),
        ("Approval amendment", "amendment"),
        ("Approval incident", "incident"),
    ):
        [child] = json.loads(ok(vote("approval", command, "list", "1", "--format", "json")))
        assert list(child) == documented[heading], heading
    assert list(shown["condition_list"][0]) == documented["Approval condition"]


def test_the_gates_interface_other_areas_call(dated: Invoke, db_path: Path):
    """services.read.gates: what a thesis milestone or git sync asks before work starts."""
    from datetime import date

    from pmtool.services.read import gates
    from pmtool.storage.location import resolve_location
    from pmtool.storage.reader import reading

    granted(dated, "exemption", "2027-12-31")  # 1: opens needs:ethics too
    granted(dated, "dua", "2026-12-31")  # 2: expires at the end of the year
    ok(dated("approval", "add", "dpia", "--body", "DPO"))  # 3: a draft
    ok(dated("project", "add", "OT", "Other"))
    ok(dated("-p", "OT", "approval", "add", "dua", "--body", "Other DIZ"))  # 4: elsewhere
    with reading(resolve_location(str(db_path))) as reader:
        assert gates.in_force_kinds(reader, 1, date(2026, 11, 29)) == {"exemption", "ethics", "dua"}
        assert gates.in_force_kinds(reader, 1, date(2027, 1, 1)) == {"exemption", "ethics"}
        assert gates.in_force_kinds(reader, 2, date(2026, 11, 29)) == set()
        found = gates.blockers(
            reader,
            1,
            labels=["needs:ethics", "needs:DUA", "needs:dpia", "needs:review", "data"],
            required_approval_ids=[2, 3],
            today=date(2027, 1, 1),
        )
    assert [(b["approval_id"], b["kind"], b["status"], b["label"]) for b in found] == [
        (2, "dua", "expired", "needs:DUA"),
        (3, "dpia", "draft", "needs:dpia"),
        (2, "dua", "expired", None),
        (3, "dpia", "draft", None),
    ]
    assert list(found[0]) == list(gates.BLOCKER_FIELDS)
    assert found[0]["reason"] == (
        "needs:DUA: approval 2 (data-use agreement 'Data-use agreement') is expired "
        "(valid until 2026-12-31)"
    )


def _records(db_path: Path) -> dict[str, list[tuple]]:
    """The approval tables and settings, without the columns every write moves on."""
    found = {}
    for table in ("approval", "approval_condition", "approval_amendment", "approval_incident",
                  "task_approval", "setting"):  # fmt: skip
        columns = [row[1] for row in query(db_path, f"PRAGMA table_info({table})")]
        kept = [c for c in columns if c not in ("version", "updated_at")]
        found[table] = query(db_path, f"SELECT {', '.join(kept)} FROM {table} ORDER BY 1")
    return found


@pytest.mark.parametrize(
    ("setup", "command"),
    [
        ([], ["add", "dua", "--body", "DIZ"]),
        ([], ["review", "1"]),
        ([["review", "1"]], ["clarify", "1", "--question", "Why?"]),
        ([], ["withdraw", "1"]),
        ([["decide", "1", "resubmit"]], ["resubmit", "1"]),
        ([["decide", "1", "approved"]], ["suspend", "1", "--reason", "Audit"]),
        ([["decide", "1", "approved"]], ["close", "1"]),
        ([["decide", "1", "approved", "--valid-until", "+1m"]],
         ["renew", "1", "--valid-until", "+1y"]),
        ([], ["edit", "1", "--title", "New", "--document", "a.pdf", "--ref", "none"]),
        ([["decide", "1", "conditional", "--condition", "A"]], ["condition", "add", "1", "B"]),
        ([["decide", "1", "approved"]], ["amendment", "add", "1", "More"]),
        ([["decide", "1", "approved"], ["amendment", "add", "1", "More"]],
         ["amendment", "submit", "1", "1"]),
        ([["decide", "1", "approved"]], ["incident", "add", "1", "Leak", "--on", "today"]),
        ([["decide", "1", "approved"], ["incident", "add", "1", "Leak", "--on", "today"]],
         ["incident", "reported", "1", "1"]),
        ([], ["reminders", "30"]),
    ],
)  # fmt: skip
def test_undo_reverts_every_approval_command(vote: Invoke, db_path: Path, setup, command):
    for step in setup:
        ok(vote("approval", *step))
    before = _records(db_path)
    ok(vote("approval", *command))
    assert _records(db_path) != before
    ok(vote("undo"))
    assert _records(db_path) == before


def test_not_required_is_undone(dated: Invoke, db_path: Path):
    ok(dated("approval", "add", "dpia", "--body", "DPO"))
    before = _records(db_path)
    ok(dated("approval", "not-required", "1", "--reason", "Small anonymised set"))
    ok(dated("undo"))
    assert _records(db_path) == before


@pytest.mark.parametrize(
    ("steps", "before"),
    [([], "draft"), ([["submit", "1", "--ref", "R"]], "submitted"),
     ([["submit", "1", "--ref", "R"], ["review", "1"]], "under review")],
)  # fmt: skip
def test_withdraw_from_draft_submitted_or_under_review(dated: Invoke, steps, before):
    ok(dated("approval", "add", "ethics", "--body", "EC"))
    for step in steps:
        ok(dated("approval", *step))
    assert ok(dated("approval", "withdraw", "1")) == f"Approval 1: {before} -> withdrawn\n"


def test_no_withdrawal_while_a_clarification_is_pending(vote: Invoke, db_path: Path):
    ok(vote("approval", "review", "1"))
    ok(vote("approval", "clarify", "1"))
    before = dump(db_path)
    refused(vote("approval", "withdraw", "1"), 1,
            "from clarification_requested it can go to: under_review")  # fmt: skip
    refused(vote("approval", "decide", "1", "approved"), 1, "it cannot become approved")
    assert dump(db_path) == before


def test_without_in_progress_the_done_columns_are_gated(dated: Invoke, db_path: Path):
    ok(dated("workflow", "rm", "in_progress"))
    ok(dated("task", "add", "Analyse", "--label", "needs:ethics"))
    assert ok(dated("task", "move", "PM-1", "review")) == "PM-1: backlog -> review\n"
    refused(dated("task", "move", "PM-1", "done"), 1, "PM-1 cannot move to done: needs:ethics")
