"""Clinical partners: partners, stakeholders, the grid, the contact log, agreements,
personal data (forget, sealed audit values, the raw bytes of the file) and imports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Invoke
from pmcheck import dump, error_line, ok, query, refused

from pmtool.cli import cli
from pmtool.storage.engine import dispose_engines

FROZEN = "2026-11-27T10:00:00+00:00"
EMAIL = "anna.schulz@uk-example.de"
PHONE = "+49 30 4505 1234"


def _add_people(run: Invoke) -> None:
    ok(run("init"))
    ok(run("project", "add", "PM", "Sepsis early warning"))
    ok(run("member", "add", "Lena Vogel", "--role", "data scientist"))
    ok(run("member", "add", "Jonas Weber"))
    ok(run("partner", "add", "University Hospital", "--type", "clinic"))
    ok(run("partner", "add", "MedAI GmbH", "--type", "company"))
    ok(
        run(
            "stakeholder", "add", "Dr. Anna Schulz", "--partner", "University",
            "--role", "head of department", "--email", EMAIL, "--phone", PHONE,
            "--power", "5", "--interest", "4",
        )
    )  # fmt: skip
    ok(
        run(
            "stakeholder", "add", "Jan Berger", "--partner", "University",
            "--role", "data protection officer", "--power", "4", "--interest", "2",
        )
    )  # fmt: skip
    ok(run("stakeholder", "add", "Petra Lang", "--role", "patient representative",
           "--power", "2", "--interest", "5"))  # fmt: skip
    ok(run("stakeholder", "add", "Tim Vendor", "--partner", "MedAI", "--power", "1",
           "--interest", "1"))  # fmt: skip


@pytest.fixture(scope="session")
def people_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The people fixture's database, built once (like the workspace fixture plus
    partners and stakeholders) and copied for each test."""
    path = tmp_path_factory.mktemp("people") / "pmtool.db"
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (("PMTOOL_DB", str(path)), ("PMTOOL_USER", "tester"),
                            ("PMTOOL_NOW", FROZEN), ("TZ", "UTC")):  # fmt: skip
            patch.setenv(name, value)
        patch.delenv("PMTOOL_PROJECT", raising=False)
        _add_people(lambda *args: runner.invoke(cli, list(args), catch_exceptions=False))
        dispose_engines()
    return path


@pytest.fixture
def people(
    run: Invoke, db_path: Path, people_template: Path, monkeypatch: pytest.MonkeyPatch
) -> Invoke:
    """Project PM with two members, two partners, four stakeholders in PM (one per
    quadrant), frozen on 2026-11-27."""
    shutil.copyfile(people_template, db_path)
    monkeypatch.setenv("PMTOOL_NOW", FROZEN)
    return run


def stakeholders(run: Invoke, *args: str) -> list[dict]:
    return json.loads(ok(run("stakeholder", "list", "--format", "json", *args)))


# -- partners and stakeholders ------------------------------------------------------------


def test_partner_add_list_show(people: Invoke):
    rows = json.loads(ok(people("partner", "list", "--format", "json")))
    assert [(r["name"], r["type"], r["stakeholders"]) for r in rows] == [
        ("MedAI GmbH", "company", 1),
        ("University Hospital", "clinic", 2),
    ]
    shown = json.loads(ok(people("partner", "show", "Univ", "--format", "json")))
    assert [p["name"] for p in shown["people"]] == ["Dr. Anna Schulz", "Jan Berger"]
    assert ok(people("partner", "list", "--format", "json")).startswith("[")


def test_stakeholder_add_links_to_the_project_and_hides_contact_details(
    people: Invoke, monkeypatch: pytest.MonkeyPatch
):
    rows = stakeholders(people)
    anna = next(r for r in rows if r["name"] == "Dr. Anna Schulz")
    assert anna["partner"] == "University Hospital"
    assert anna["quadrant"] == "manage closely"
    assert anna["projects"] == ["PM"]
    assert "email" not in anna and "phone" not in anna
    assert EMAIL not in ok(people("stakeholder", "list"))
    assert EMAIL not in ok(people("stakeholder", "list", "--format", "csv"))
    assert EMAIL not in ok(people("stakeholder", "show", "Anna", "--format", "json"))
    personal = stakeholders(people, "--include-personal")
    assert next(r for r in personal if r["id"] == anna["id"])["email"] == EMAIL
    monkeypatch.setenv("COLUMNS", "200")
    assert EMAIL in ok(people("stakeholder", "list", "--include-personal"))


def test_stakeholders_are_found_by_id_name_or_word_prefix(people: Invoke):
    assert "Dr. Anna Schulz" in ok(people("stakeholder", "show", "Schulz"))
    assert "Jan Berger" in ok(people("stakeholder", "show", "#2"))
    assert "Jan Berger" in ok(people("stakeholder", "show", "2"))
    ok(people("stakeholder", "add", "Jana Roth", "--power", "1", "--interest", "1"))
    refused(people("stakeholder", "show", "Ja"), 1, "could be several", "Jan Berger", "Jana Roth")
    refused(people("stakeholder", "show", "Nobody"), 1, "no stakeholder 'Nobody'")
    refused(people("stakeholder", "show", "#99"), 1, "no stakeholder #99")


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (("--power", "0", "--interest", "3"), 2, "0 is not in the range 1<=x<=5"),
        (("--power", "6", "--interest", "3"), 2, "6 is not in the range 1<=x<=5"),
        (("--power", "3", "--interest", "3", "--email", "no-at-sign"), 2, "not an email"),
        (("--power", "3", "--interest", "3", "--phone", "call me"), 2, "not a phone number"),
        (("--power", "3", "--interest", "3", "--phone", "+49 12"), 2, "not a phone number"),
        (("--power", "3", "--interest", "3", "--partner", "Nowhere"), 1, "no partner 'Nowhere'"),
        (("--power", "3", "--interest", "3", "--email", EMAIL), 1, "has this email address"),
    ],
)
def test_bad_stakeholders_are_refused_and_nothing_is_written(
    people: Invoke, db_path: Path, args: tuple[str, ...], code: int, fragment: str
):
    before = dump(db_path)
    error_line(people("stakeholder", "add", "New Person", *args), code, fragment)
    assert dump(db_path) == before


def test_partner_rules(people: Invoke, db_path: Path):
    before = dump(db_path)
    refused(people("partner", "add", "university hospital", "--type", "clinic"), 1, "exists")
    error_line(people("partner", "add", "X", "--type", "pub"), 2, "'pub' is not one of")
    refused(people("partner", "rm", "University"), 1, "has 2 stakeholder(s)")
    assert dump(db_path) == before
    ok(people("partner", "add", "Mistake", "--type", "authority"))
    ok(people("partner", "rm", "Mistake"))
    ok(people("undo"))
    assert query(db_path, "SELECT name FROM partner WHERE type = 'authority'") == [("Mistake",)]


def test_edit_move_link_and_undo(people: Invoke, db_path: Path):
    ok(people("stakeholder", "edit", "Berger", "--attitude", "sceptic", "--desired", "supportive"))
    assert ok(people("stakeholder", "move", "Berger", "--interest", "5")) == (
        "Moved #2 Jan Berger: keep satisfied -> manage closely\n"
    )
    ok(people("project", "add", "OT", "Other"))
    ok(people("stakeholder", "link", "Berger", "-p", "OT", "--role", "DPO for both"))
    berger = next(r for r in stakeholders(people) if r["id"] == 2)
    assert berger["projects"] == ["OT (DPO for both)", "PM"]
    assert berger["attitude"] == "sceptic" and berger["interest"] == 5
    ok(people("undo"))  # the link
    ok(people("undo"))  # project add
    ok(people("undo"))  # the move
    assert query(db_path, "SELECT power, interest FROM stakeholder WHERE id = 2") == [(4, 2)]
    ok(people("stakeholder", "unlink", "Berger"))
    assert next(r for r in stakeholders(people) if r["id"] == 2)["projects"] == []
    refused(people("stakeholder", "unlink", "Berger"), 1, "is not linked to PM")


def test_stakeholder_rm_takes_the_contact_log_and_undo_restores_it(people: Invoke, db_path: Path):
    ok(people("stakeholder", "log", "Lang", "--kind", "call", "--summary", "Consent form"))
    assert "and 1 contact(s)" in ok(people("stakeholder", "rm", "Lang"))
    assert query(db_path, "SELECT COUNT(*) FROM contact") == [(0,)]
    ok(people("undo"))
    assert query(db_path, "SELECT name FROM stakeholder WHERE id = 3") == [("Petra Lang",)]
    assert query(db_path, "SELECT summary FROM contact") == [("Consent form",)]


# -- the grid -----------------------------------------------------------------------------


def test_the_grid_puts_everyone_in_their_quadrant(people: Invoke):
    quadrants = json.loads(ok(people("stakeholder", "grid", "--format", "json")))
    assert {q["quadrant"]: [p["name"] for p in q["stakeholders"]] for q in quadrants} == {
        "manage closely": ["Dr. Anna Schulz"],
        "keep satisfied": ["Jan Berger"],
        "keep informed": ["Petra Lang"],
        "monitor": ["Tim Vendor"],
    }
    assert [q["quadrant"] for q in quadrants] == [
        "manage closely", "keep satisfied", "keep informed", "monitor",
    ]  # fmt: skip


def test_the_grid_drawing_fits_80_columns(people: Invoke, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COLUMNS", "80")
    drawing = ok(people("stakeholder", "grid")).splitlines()
    assert all(len(line) <= 80 for line in drawing), drawing
    top = next(line for line in drawing if "KEEP SATISFIED" in line)
    assert top.index("KEEP SATISFIED") < top.index("MANAGE CLOSELY")
    bottom = next(line for line in drawing if "MONITOR" in line)
    assert bottom.index("MONITOR") < bottom.index("KEEP INFORMED")
    text = "\n".join(drawing)
    assert "Dr. Anna Schulz (5/4)" in text and "Tim Vendor (1/1)" in text
    # 3 is the middle and counts as low.
    ok(people("stakeholder", "move", "Vendor", "--power", "3", "--interest", "3"))
    grid = json.loads(ok(people("stakeholder", "grid", "--format", "json")))
    assert [p["name"] for p in grid[3]["stakeholders"]] == ["Tim Vendor"]


# -- the contact log and follow-ups ----------------------------------------------------------


def test_overdue_follow_ups_need_attention_and_become_tasks(people: Invoke, db_path: Path):
    assert ok(people("status", "--check")) == ""
    ok(
        people(
            "stakeholder", "log", "Schulz", "--kind", "meeting", "--on", "2026-11-16",
            "--summary", "Cohort criteria", "--decisions", "Adults only",
            "--follow-up", "2026-11-23",
        )
    )  # fmt: skip
    ok(people("stakeholder", "log", "Berger", "--kind", "email", "--summary", "DPIA draft",
              "--follow-up", "+7d"))  # fmt: skip
    status = people("status", "--check", "--format", "json")
    assert status.exit_code == 3
    items = [i for i in json.loads(status.output) if i["kind"] == "follow_up_overdue"]
    assert [(i["level"], i["ref"], i["due"]) for i in items] == [
        ("late", "contact #1", "2026-11-23")
    ]
    assert "Dr. Anna Schulz" in items[0]["text"] and EMAIL not in status.output
    contacts = json.loads(ok(people("stakeholder", "contacts", "--open", "--format", "json")))
    assert [(c["id"], c["follow_up_status"]) for c in contacts] == [(2, "open"), (1, "overdue")]
    assert ok(people("stakeholder", "follow-up", "task", "1")) == "PM-1\n"
    task = json.loads(ok(people("task", "show", "PM-1", "--format", "json")))
    assert task["due"] == "2026-11-23" and task["labels"] == ["stakeholders"]
    assert task["title"] == "Follow up contact #1: Cohort criteria"
    assert "Schulz" not in json.dumps(task)
    refused(people("stakeholder", "follow-up", "task", "1"), 1, "is a task already")
    refused(people("stakeholder", "follow-up", "done", "1"), 1, "is a task already")
    kinds = [i["kind"] for i in json.loads(people("status", "--format", "json").output)]
    assert "follow_up_overdue" not in kinds and "overdue_task" in kinds
    ok(people("undo"))
    assert query(db_path, "SELECT follow_up_task_id FROM contact WHERE id = 1") == [(None,)]
    ok(people("stakeholder", "follow-up", "done", "1"))
    refused(people("stakeholder", "follow-up", "done", "1"), 1, "is done already")
    refused(people("stakeholder", "follow-up", "done", "9"), 1, "no contact #9")


def test_contact_log_rules(people: Invoke, db_path: Path):
    before = dump(db_path)
    error_line(people("stakeholder", "log", "Lang", "--kind", "fax", "--summary", "x"), 2, "'fax'")
    refused(
        people("stakeholder", "log", "Lang", "--kind", "call", "--summary", "x", "--on",
               "2026-11-20", "--follow-up", "2026-11-19"),
        2, "is before the contact",
    )  # fmt: skip
    refused(people("stakeholder", "log", "Lang", "--kind", "call", "--summary", " "), 2, "empty")
    assert dump(db_path) == before


# -- agreements -------------------------------------------------------------------------------


def test_agreement_lifecycle_and_expiry(people: Invoke, db_path: Path):
    assert ok(people("agreement", "add", "dpa", "--partner", "Univ")) == (
        "Added agreement #1 (dpa with University Hospital, draft)\n"
    )
    refused(
        people("agreement", "sign", "1"), 1, "is draft; it can go to in_negotiation, terminated"
    )
    ok(people("agreement", "negotiate", "1"))
    ok(people("agreement", "sign", "1", "--on", "2026-11-20", "--valid-until", "2027-01-15"))
    rows = json.loads(ok(people("agreement", "list", "--format", "json")))
    assert rows[0]["status"] == "signed" and rows[0]["days_left"] == 49
    assert rows[0]["signed_on"] == "2026-11-20"
    items = json.loads(people("status", "--format", "json").output)
    assert [(i["kind"], i["level"], i["due"]) for i in items] == [
        ("agreement_expiring", "soon", "2027-01-15")
    ]
    # The warning window is a setting.
    ok(people("agreement", "warn", "30"))
    assert people("status", "--check").exit_code == 0
    # Past valid-until it is expired, and only a renewal moves it on.
    ok(people("agreement", "add", "nda", "--partner", "MedAI", "--valid-until", "2026-12-01"))
    ok(people("agreement", "negotiate", "2"))
    ok(people("agreement", "sign", "2", "--on", "2025-12-01"))
    ok(people("agreement", "edit", "2", "--valid-until", "2026-11-26"))
    listed = json.loads(ok(people("agreement", "list", "--expiring", "60d", "--format", "json")))
    assert [(r["id"], r["status"]) for r in listed] == [(2, "expired"), (1, "signed")]
    refused(people("agreement", "terminate", "2"), 1, "expired on 2026-11-26", "renew it")
    items = json.loads(people("status", "--format", "json").output)
    assert ("agreement_expired", "late") in [(i["kind"], i["level"]) for i in items]
    ok(people("agreement", "terminate", "1"))
    refused(people("agreement", "negotiate", "1"), 1, "is terminated; it can go to nowhere")
    refused(people("agreement", "edit", "1", "--title", "x"), 1, "is terminated")
    refused(people("agreement", "rm", "1"), 1, "only a draft can be removed")
    refused(people("agreement", "show", "7"), 1, "no agreement #7")
    ok(people("undo"))
    assert query(db_path, "SELECT status FROM agreement WHERE id = 1") == [("signed",)]


# -- personal data ------------------------------------------------------------------------------


def _raw_bytes(db_path: Path) -> bytes:
    files = [db_path, db_path.with_name(db_path.name + "-wal")]
    return b"".join(path.read_bytes() for path in files if path.exists())


def test_the_trail_and_history_never_hold_personal_values(people: Invoke, db_path: Path):
    ok(people("stakeholder", "edit", "Schulz", "--phone", "+49 30 999 000"))
    ok(people("member", "edit", "Lena", "--email", "lena@example.org"))
    trail = query(db_path, "SELECT old, new FROM audit") + query(
        db_path, "SELECT summary, actor FROM command"
    )
    text = json.dumps(trail)
    for secret in (EMAIL, "+49 30 999 000", "Dr. Anna Schulz", "lena@example.org"):
        assert secret not in text
    history = ok(people("log", "-n", "200", "--format", "json"))
    assert "+49 30 999 000" not in history and "(personal)" in history
    opened = ok(people("log", "-n", "200", "--format", "json", "--include-personal"))
    assert "+49 30 999 000" in opened and "lena@example.org" in opened


def test_forget_erases_the_person_from_the_file_and_the_chain_still_verifies(
    people: Invoke, db_path: Path, tmp_path: Path
):
    ok(people("stakeholder", "log", "Schulz", "--kind", "call", "--summary", "Data access"))
    ok(people("stakeholder", "edit", "Schulz", "--email", "a.schulz@uk-example.de"))
    ok(people("db", "backup", str(tmp_path / "before.db")))
    assert b"a.schulz@uk-example.de" in (tmp_path / "before.db").read_bytes()
    assert ok(people("stakeholder", "forget", "Schulz")) == (
        "Erased the personal data of stakeholder #1; now 'forgotten #1'\n"
    )
    ok(people("db", "backup", str(tmp_path / "after.db")))
    for raw in (_raw_bytes(db_path), (tmp_path / "after.db").read_bytes()):
        for secret in (EMAIL, "a.schulz@uk-example.de", PHONE, "Anna Schulz", "head of department"):
            assert secret.encode() not in raw, secret
    report = json.loads(ok(people("db", "check", "--format", "json")))
    assert report["ok"] is True and report["chain_checked"] == report["audit_rows"]
    assert query(db_path, "SELECT name, email, phone, role FROM stakeholder WHERE id = 1") == [
        ("forgotten #1", None, None, None)
    ]
    assert query(db_path, "SELECT COUNT(*) FROM personal_key WHERE subject = 'stakeholder:1'") == [
        (0,)
    ]
    # The contact log keeps its shape; the person is gone from lists and the resolver.
    assert [c["stakeholder"] for c in json.loads(
        ok(people("stakeholder", "contacts", "--format", "json")))] == ["forgotten #1"]  # fmt: skip
    assert "forgotten" not in ok(people("stakeholder", "list"))
    refused(people("stakeholder", "show", "Schulz"), 1, "no stakeholder 'Schulz'")
    # Erased data cannot come back: undo refuses, writing nothing.
    before = dump(db_path)
    refused(people("undo"), 1, "personal data of stakeholder #1 was erased")
    assert dump(db_path) == before
    history = ok(people("log", "-n", "300", "--include-personal", "--format", "json"))
    assert "Anna" not in history and "(personal)" in history


def test_member_forget_erases_the_email_and_keeps_the_name(workspace: Invoke, db_path: Path):
    ok(workspace("member", "add", "Mia Schmidt", "--email", "mia@example.org"))
    ok(workspace("member", "edit", "Mia", "--email", "mia.s@example.org"))
    ok(workspace("member", "edit", "Mia", "--email", "none"))
    ok(workspace("undo"))  # clearing is an ordinary edit: undo brings the address back
    assert query(db_path, "SELECT email FROM member WHERE name = 'Mia Schmidt'") == [
        ("mia.s@example.org",)
    ]
    assert ok(workspace("member", "forget", "Mia")) == (
        "Erased the email address of member Mia Schmidt\n"
    )
    raw = _raw_bytes(db_path)
    assert b"mia@example.org" not in raw and b"mia.s@example.org" not in raw
    assert query(db_path, "SELECT name, email FROM member WHERE name LIKE 'Mia%'") == [
        ("Mia Schmidt", None)
    ]
    assert json.loads(ok(workspace("db", "check", "--format", "json")))["ok"] is True
    refused(workspace("undo"), 1, "personal data of member #3 was erased")


def test_undo_replays_sealed_values_while_the_key_exists(people: Invoke, db_path: Path):
    ok(people("stakeholder", "edit", "Schulz", "--email", "new@uk-example.de"))
    ok(people("undo"))
    assert query(db_path, "SELECT email FROM stakeholder WHERE id = 1") == [(EMAIL,)]
    ok(people("redo"))
    assert query(db_path, "SELECT email FROM stakeholder WHERE id = 1") == [("new@uk-example.de",)]
    ok(people("stakeholder", "rm", "Schulz"))
    ok(people("undo"))
    assert query(db_path, "SELECT name, phone FROM stakeholder WHERE id = 1") == [
        ("Dr. Anna Schulz", PHONE)
    ]


# -- import ------------------------------------------------------------------------------------

CSV_TEXT = (
    "name;email;phone;role;power;interest\n"
    "Eva Klein;eva.klein@uk-example.de;+49 30 1111 222;hospital IT;4;2\n"
    "Omar Said;omar@uk-example.de;;data integration centre;3;4\n"
    f"Anna Again;{EMAIL};;;2;2\n"
    "Eva Twin;EVA.KLEIN@uk-example.de;;;1;1\n"
)

VCARDS = """BEGIN:VCARD
VERSION:3.0
FN:Dr. Karl Heinz
N:Heinz;Karl;;Dr.;
ORG:University Hospital
TITLE:Chief medical information officer
EMAIL;TYPE=work:karl.heinz@uk-example.de
TEL;TYPE=work:+49 30 4505 9999
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Sophie Weiß
ORG:Unknown Clinic
EMAIL:sophie@example.org
END:VCARD
"""


def test_csv_import_dry_run_then_apply(people: Invoke, db_path: Path, tmp_path: Path):
    source = tmp_path / "people.csv"
    source.write_text(CSV_TEXT, encoding="utf-8")
    before = dump(db_path)
    plan = json.loads(ok(people("stakeholder", "import", str(source), "--format", "json")))
    assert [(r["source"], r["action"], r["name"]) for r in plan] == [
        ("line 2", "add", "Eva Klein"),
        ("line 3", "add", "Omar Said"),
        ("line 4", "duplicate", "Anna Again"),
        ("line 5", "duplicate", "Eva Twin"),
    ]
    assert plan[2]["note"] == "email known: stakeholder #1"
    assert plan[3]["note"] == "email also in line 2"
    assert dump(db_path) == before  # a dry run writes nothing
    out = ok(people("stakeholder", "import", str(source), "--partner", "Univ", "--apply"))
    assert out.endswith("Imported 2 stakeholder(s), 2 duplicate(s) skipped\n")
    rows = {r["name"]: r for r in stakeholders(people, "--include-personal")}
    assert rows["Eva Klein"]["partner"] == "University Hospital"
    assert rows["Eva Klein"]["phone"] == "+49 30 1111 222" and rows["Omar Said"]["interest"] == 4
    assert "Anna Again" not in rows and "Eva Twin" not in rows
    ok(people("undo"))  # one command, one undo
    assert "Eva Klein" not in {r["name"] for r in stakeholders(people)}


def test_vcard_import(people: Invoke, tmp_path: Path):
    source = tmp_path / "clinic.vcf"
    source.write_text(VCARDS, encoding="utf-8")
    out = ok(people("stakeholder", "import", str(source), "--power", "4", "--apply"))
    assert "Imported 2 stakeholder(s)" in out and "'Unknown Clinic' is unknown" in out
    rows = {r["name"]: r for r in stakeholders(people, "--include-personal")}
    karl = rows["Dr. Karl Heinz"]
    assert (karl["partner"], karl["role"], karl["power"], karl["interest"]) == (
        "University Hospital", "Chief medical information officer", 4, 3,
    )  # fmt: skip
    assert karl["email"] == "karl.heinz@uk-example.de" and karl["phone"] == "+49 30 4505 9999"
    assert rows["Sophie Weiß"]["partner"] is None


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        (
            "bad.vcf",
            VCARDS.encode().replace(b"Wei\xc3\x9f", b"Wei\xdf"),
            "card 2 (line 12) is not valid UTF-8",
        ),
        (
            "bad.csv",
            b"name;email\nEva;eva@x.de\nOmar\n",
            "line 3: the column 'email' is missing",
        ),
        ("bad.csv", b"email;power\nx@y.de;3\n", "line 1: the column 'name' is missing"),
        ("bad.csv", b"name;colour\nEva;red\n", "unknown column 'colour'"),
        ("bad.csv", b"name;email\nEva;eva@x.de\nOmar;not-mail\n", "line 3: email 'not-mail'"),
        ("bad.csv", b"name;power\nEva;6\n", "line 2: power must be a whole number from 1 to 5"),
        ("bad.csv", b"name;email\nEva;eva@x.de\n\xff\xfe;x\n", "line 3 is not valid UTF-8"),
        ("bad.vcf", b"BEGIN:VCARD\nVERSION:3.0\nEMAIL:a@b.de\nEND:VCARD\n", "card 1: no name"),
        ("bad.txt.json", b"{}", "import reads .csv and .vcf files"),
    ],
)
def test_a_bad_import_names_the_row_and_field_and_writes_nothing(
    people: Invoke, db_path: Path, tmp_path: Path, name: str, content: bytes, fragment: str
):
    source = tmp_path / name
    source.write_bytes(content)
    before = dump(db_path)
    line = refused(people("stakeholder", "import", str(source), "--apply"), 2)
    assert fragment in line, line
    assert dump(db_path) == before


def test_forget_empties_the_wal_while_another_program_has_the_file_open(
    people: Invoke, db_path: Path
):
    import sqlite3

    # Like a TUI left running: the WAL is not removed when the CLI's connection closes.
    other = sqlite3.connect(db_path)
    try:
        other.execute("SELECT COUNT(*) FROM stakeholder").fetchall()
        ok(people("stakeholder", "edit", "Schulz", "--email", "wal.only@uk-example.de"))
        assert b"wal.only@uk-example.de" in _raw_bytes(db_path)
        ok(people("stakeholder", "forget", "Schulz"))
        assert b"wal.only@uk-example.de" not in _raw_bytes(db_path)
        assert EMAIL.encode() not in _raw_bytes(db_path)
    finally:
        other.close()


# -- docs ----------------------------------------------------------------------------------

# heading in docs/json-fields.md -> (command, section whose fields come first)
PARTNER_JSON_SECTIONS = {
    "Partner": (("partner", "list"), None),
    "Partner detail": (("partner", "show", "University"), "Partner"),
    "Stakeholder": (("stakeholder", "list", "--include-personal"), None),
    "Stakeholder detail": (("stakeholder", "show", "Schulz"), "Stakeholder"),
    "Stakeholder grid": (("stakeholder", "grid"), None),
    "Contact": (("stakeholder", "contacts"), None),
    "Agreement": (("agreement", "list"), None),
}


def test_json_fields_doc_lists_the_partner_fields(people: Invoke, tmp_path: Path):
    from test_docs import _documented_fields

    ok(people("stakeholder", "log", "Schulz", "--kind", "call", "--summary", "Hello"))
    ok(people("agreement", "add", "nda", "--partner", "MedAI"))
    documented = _documented_fields()
    problems = []
    for heading, (command, base) in PARTNER_JSON_SECTIONS.items():
        printed = json.loads(ok(people(*command, "--format", "json")))
        record = printed[0] if isinstance(printed, list) else printed
        expected = (documented[base] if base else []) + documented[heading]
        if heading == "Stakeholder detail":  # shown without the personal fields
            expected = [f for f in expected if f not in ("email", "phone", "notes")]
        if list(record) != expected:
            problems.append(f"{heading}: prints {list(record)}, documented {expected}")
    source = tmp_path / "one.csv"
    source.write_text("name\nEva\n", encoding="utf-8")
    plan = json.loads(ok(people("stakeholder", "import", str(source), "--format", "json")))
    if list(plan[0]) != documented["Stakeholder import"]:
        problems.append(f"Stakeholder import: prints {list(plan[0])}")
    assert not problems, "\n".join(problems)


# -- undo of every write -------------------------------------------------------------------

DOMAIN_TABLES = ("partner", "stakeholder", "stakeholder_project", "contact", "agreement", "task")


def domain_state(db_path: Path) -> dict[str, list[tuple]]:
    """What the partner tables hold, without row versions (undo moves those on)."""
    state = {}
    for table in DOMAIN_TABLES:
        columns = [row[1] for row in query(db_path, f"PRAGMA table_info({table})")]
        kept = ", ".join(f'"{c}"' for c in columns if c != "version")
        state[table] = query(db_path, f"SELECT {kept} FROM {table} ORDER BY 1")
    return state


@pytest.mark.parametrize(
    "args",
    [
        ("partner", "add", "Ethics Office", "--type", "authority"),
        ("partner", "edit", "MedAI", "--name", "MedAI AG", "--notes", "vendor"),
        ("stakeholder", "add", "New Person", "--power", "3", "--interest", "4",
         "--email", "new@example.org"),
        ("stakeholder", "edit", "Schulz", "--email", "none", "--role", "chief physician"),
        ("stakeholder", "edit", "Lang", "--partner", "MedAI", "--notes", "Prefers phone"),
        ("stakeholder", "move", "Vendor", "--power", "5", "--interest", "5"),
        ("stakeholder", "unlink", "Berger"),
        ("stakeholder", "rm", "Berger"),
        ("stakeholder", "log", "Berger", "--kind", "email", "--summary", "DPIA sent",
         "--follow-up", "+3d"),
        ("stakeholder", "follow-up", "task", "1"),
        ("stakeholder", "follow-up", "done", "1"),
        ("agreement", "add", "joint-controller", "--partner", "Univ", "--valid-until", "+1y"),
        ("agreement", "negotiate", "1"),
        ("agreement", "edit", "1", "--title", "Data processing", "--document", "dms://7"),
        ("agreement", "rm", "1"),
        ("agreement", "warn", "90"),
    ],
)  # fmt: skip
def test_every_partner_command_is_undone_by_undo(
    people: Invoke, db_path: Path, args: tuple[str, ...]
):
    ok(people("stakeholder", "log", "Schulz", "--kind", "call", "--summary", "Access",
              "--follow-up", "+2d"))  # fmt: skip
    ok(people("agreement", "add", "dpa", "--partner", "Univ"))
    before = domain_state(db_path)
    settings = query(db_path, "SELECT key, value FROM setting")
    ok(people(*args))
    assert (
        domain_state(db_path) != before
        or query(db_path, "SELECT key, value FROM setting") != settings
    )
    assert ok(people("undo")).startswith("Undid #")
    assert domain_state(db_path) == before
    assert query(db_path, "SELECT key, value FROM setting") == settings


def test_more_refusals_write_nothing(people: Invoke, db_path: Path):
    ok(people("agreement", "add", "dpa", "--partner", "Univ"))
    ok(people("agreement", "negotiate", "1"))
    before = dump(db_path)
    refused(people("agreement", "sign", "1", "--on", "2026-11-20", "--valid-until",
                   "2026-11-01"), 2, "is before the signature")  # fmt: skip
    refused(people("agreement", "negotiate", "1"), 1, "is in_negotiation; it can go to draft, "
            "signed, terminated, not in_negotiation")  # fmt: skip
    refused(people("agreement", "add", "dpa", "--partner", "Nobody"), 1, "no partner 'Nobody'")
    error_line(people("agreement", "add", "contract", "--partner", "Univ"), 2, "'contract'")
    error_line(people("agreement", "list", "--expiring", "soon"), 2, "--expiring")
    refused(people("agreement", "show", "abc"), 2, "is named by its id")
    refused(people("stakeholder", "edit", "Schulz", "--email", "Lena@"), 2, "not an email")
    refused(people("stakeholder", "edit", "Berger", "--email", EMAIL), 1, "has this email")
    error_line(people("stakeholder", "move", "Schulz"), 2, "give --power or --interest")
    error_line(people("stakeholder", "move", "Schulz", "--power", "9"), 2, "1<=x<=5")
    error_line(people("stakeholder", "edit", "Schulz"), 2, "nothing to change")
    refused(people("stakeholder", "forget", "Nobody"), 1, "no stakeholder 'Nobody'")
    refused(people("member", "forget", "Nobody"), 1, "no member 'Nobody'")
    assert dump(db_path) == before
    ok(people("agreement", "edit", "1", "--valid-until", "2027-01-01"))
    ok(people("agreement", "sign", "1", "--on", "2026-11-20"))
    refused(
        people("agreement", "edit", "1", "--valid-until", "2026-11-01"), 2, "before it was signed"
    )
    refused(people("agreement", "sign", "1"), 1, "is signed; it can go to terminated")


def test_member_forget_names_audit_rows_from_before_sealing(
    run: Invoke, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from pmtool.storage import schema
    from pmtool.storage import sqlite as sqlite_files
    from pmtool.storage.location import resolve_location
    from pmtool.storage.migrate import upgrade
    from pmtool.storage.tables import TABLES

    with monkeypatch.context() as previous_release:  # schema 0002 kept emails in the clear
        previous_release.setattr(schema, "KNOWN_REVISIONS", ("0001", "0002"))
        previous_release.setattr(schema, "HEAD_REVISION", "0002")
        previous_release.setitem(TABLES, "member", TABLES["member"]._replace(personal=frozenset()))
        sqlite_files.create_private_file(db_path)
        upgrade(resolve_location(str(db_path)), "0002")
        ok(run("member", "add", "Mia Schmidt", "--email", "mia@example.org"))
    ok(run("db", "upgrade"))
    ok(run("member", "edit", "Mia", "--email", "mia.s@example.org"))
    result = run("member", "forget", "Mia")
    assert result.stdout == "Erased the email address of member Mia Schmidt\n"
    # The creation's audit row (the edit came after 0004: sealed).
    note = "Note: 1 row(s) of the trail (changes, command lines) written before schema 0004"
    assert result.stderr.startswith(note)
    assert json.loads(ok(run("db", "check", "--format", "json")))["ok"] is True


@pytest.mark.both_backends
def test_partners_personal_data_and_forget_on_every_backend(
    workspace: Invoke, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("PMTOOL_NOW", FROZEN)
    ok(workspace("partner", "add", "University Hospital", "--type", "clinic"))
    ok(workspace("stakeholder", "add", "Dr. Anna Schulz", "--partner", "Univ", "--email", EMAIL,
                 "--phone", PHONE, "--power", "5", "--interest", "4"))  # fmt: skip
    ok(workspace("stakeholder", "edit", "Schulz", "--email", "a.schulz@uk-example.de"))
    ok(workspace("undo"))
    ok(workspace("stakeholder", "log", "Schulz", "--kind", "meeting", "--summary", "Cohort",
                 "--on", "2026-11-16", "--follow-up", "2026-11-20"))  # fmt: skip
    ok(workspace("agreement", "add", "dpa", "--partner", "Univ", "--valid-until", "2027-01-10"))
    ok(workspace("agreement", "negotiate", "1"))
    ok(workspace("agreement", "sign", "1", "--on", "2026-11-20"))
    items = json.loads(workspace("status", "--format", "json").output)
    assert [(i["kind"], i["level"]) for i in items] == [
        ("follow_up_overdue", "late"), ("agreement_expiring", "soon"),
    ]  # fmt: skip
    listed = json.loads(ok(workspace("stakeholder", "list", "--format", "json",
                                     "--include-personal")))  # fmt: skip
    assert listed[0]["email"] == EMAIL and listed[0]["quadrant"] == "manage closely"
    history = ok(workspace("log", "-n", "100", "--format", "json"))
    assert EMAIL not in history and "(personal)" in history
    assert EMAIL in ok(workspace("log", "-n", "100", "--format", "json", "--include-personal"))
    ok(workspace("stakeholder", "forget", "Schulz"))
    assert json.loads(ok(workspace("db", "check", "--format", "json")))["ok"] is True
    refused(workspace("undo"), 1, "personal data of stakeholder #1 was erased")
    forgotten = json.loads(ok(workspace("stakeholder", "list", "--forgotten", "--format", "json",
                                        "--include-personal")))  # fmt: skip
    assert (forgotten[0]["name"], forgotten[0]["email"]) == ("forgotten #1", None)
    assert EMAIL not in ok(workspace("log", "-n", "200", "--format", "json", "--include-personal"))
