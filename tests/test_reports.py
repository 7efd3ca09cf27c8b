"""`pmtool report`: Jinja2 templates, user template folders, charts, and a look at the
HTML as a browser draws it (headless Chromium)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import struct
import subprocess
import zlib
from datetime import date
from pathlib import Path

import pytest
from conftest import Invoke
from history import closed_sprints
from pmcheck import ok, refused

from pmtool.exports import charts
from pmtool.services.read import reports

NASTY_TITLE = "Check <script>alert(1)</script> | pipes"


@pytest.fixture
def sprinting(workspace: Invoke, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Two closed sprints, an active one with three tasks (one overdue), a backlog."""
    today = closed_sprints(workspace, monkeypatch, [8, 12])
    end = date.fromordinal(today.toordinal() + 13).isoformat()
    ok(workspace("sprint", "add", "Sprint 3", "--start", today.isoformat(), "--end", end,
                 "--goal", "Validate the alert"))  # fmt: skip
    ok(workspace("task", "add", NASTY_TITLE, "--points", "3", "--sprint", "Sprint 3",
                 "--assignee", "Lena", "--due", today.isoformat()))  # fmt: skip
    ok(workspace("task", "add", "Calibrate", "--points", "5", "--sprint", "Sprint 3"))
    ok(workspace("task", "add", "Backlog idea", "--points", "2"))
    ok(workspace("sprint", "start", "Sprint 3"))
    monkeypatch.setenv("PMTOOL_NOW", f"{date.fromordinal(today.toordinal() + 2)}T12:00:00+00:00")
    return workspace


def test_the_sprint_report_in_markdown(sprinting: Invoke):
    text = ok(sprinting("report", "sprint"))
    assert text.startswith("# Sprint 3: sprint report\n")
    for heading in ("## Work by status", "## Tasks", "## Burndown", "## Velocity", "## Forecast"):
        assert heading in text
    assert "Check &lt;script&gt;alert(1)&lt;/script&gt; \\| pipes" in text
    assert "| Past 1 | 8 | 8 | 0 |" in text and "| Past 2 | 12 | 12 | 0 |" in text
    assert "Average of the last three closed sprints: 10.0 points." in text
    assert "| 50% |" in text and "| 95% |" in text
    assert "## Needs attention" in text and "overdue" in text


def test_the_sprint_report_in_html_escapes_and_draws(sprinting: Invoke, tmp_path: Path):
    target = tmp_path / "sprint.html"
    ok(sprinting("report", "sprint", "Sprint 3", "-o", str(target)))
    html = target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert html.startswith("<!DOCTYPE html>")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count("<svg") == 2  # burndown and velocity
    assert "@media print" in html
    refused(sprinting("report", "sprint", "-o", str(target)), 1, "exists", "--force")


def test_the_status_report_has_what_status_lists(sprinting: Invoke):
    items = json.loads(ok(sprinting("status", "--format", "json")))
    assert items, "the fixture has an overdue task"
    text = ok(sprinting("report", "status"))
    for entry in items:
        assert entry["text"].replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|") in text
    assert "1 late" in text
    html = ok(sprinting("report", "status", "--all", "--format", "html"))
    assert "Status: all projects" in html and "<svg" in html  # the due-date timeline


def test_users_can_bring_their_own_templates(sprinting: Invoke, tmp_path: Path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "sprint.md.j2").write_text("Custom: {{ sprint.name }} {{ committed }}\n")
    (folder / "status.html.j2").write_text(
        '{% extends "layout.html.j2" %}{% block content %}<p>Ours: {{ counts.late }}</p>'
        "{% endblock %}"
    )
    assert ok(sprinting("report", "sprint", "--templates", str(folder))) == "Custom: Sprint 3 8\n"
    html = ok(sprinting("report", "status", "--templates", str(folder), "--format", "html"))
    assert "<p>Ours: 1</p>" in html and "<!DOCTYPE html>" in html
    # The shipped template is still there for what the folder does not replace.
    assert "## Tasks" in ok(sprinting("report", "sprint", "--templates", str(tmp_path)))


def test_template_mistakes_are_named(
    sprinting: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    (tmp_path / "sprint.md.j2").write_text("line one\n{% if %}\n")
    refused(sprinting("report", "sprint", "--templates", str(tmp_path)), 2,
            "sprint.md.j2, line 2")  # fmt: skip
    (tmp_path / "sprint.md.j2").write_text("{{ no_such_thing }}\n")
    refused(sprinting("report", "sprint", "--templates", str(tmp_path)), 2,
            "'no_such_thing' is undefined")  # fmt: skip
    (tmp_path / "sprint.md.j2").write_text("{{ sprint.__class__.__mro__ }}\n")
    refused(sprinting("report", "sprint", "--templates", str(tmp_path)), 2, "template")
    refused(sprinting("report", "sprint", "--templates", str(tmp_path / "nope")), 2,
            "no template folder")  # fmt: skip
    monkeypatch.setenv("PMTOOL_TEMPLATES", str(tmp_path / "nope"))
    refused(sprinting("report", "status"), 2, "no template folder")


def test_bad_report_requests(sprinting: Invoke):
    refused(sprinting("report", "sprint", "Nope"), 1, "Nope")
    result = sprinting("report", "nothing")
    assert result.exit_code == 2 and "No such command 'nothing'" in result.output


def test_a_report_is_one_registration_and_two_templates(workspace: Invoke, tmp_path: Path):
    def build(reader, request):  # type: ignore[no-untyped-def]
        return {"rows": [("Proposal", "2026-09-01", "2026-10-01", True, False),
                         ("Ethics vote", None, "2026-11-20", False, True)]}  # fmt: skip

    reports.register_report("probe", build, title="Probe report", subject="THING")
    (tmp_path / "probe.html.j2").write_text(
        '{% extends "layout.html.j2" %}{% block content %}'
        '{{ timeline_svg(rows, "Plan", report.today) }}{% endblock %}'
    )
    try:
        html = ok(workspace("report", "probe", "x", "--templates", str(tmp_path),
                            "--format", "html"))  # fmt: skip
        assert "Probe report" in html and "Ethics vote" in html and ">late<" in html
    finally:
        reports._REPORTS.pop("probe", None)


def test_charts_escape_labels_and_mark_late_work_without_colour_alone():
    svg = charts.timeline_svg(
        [("<b>Defence</b>", None, date(2027, 3, 1), False, True),
         {"label": "Draft", "start": "2026-12-01", "due": "2027-01-15", "done": True}],
        "Thesis & plan", date(2027, 1, 10),
    )  # fmt: skip
    assert "&lt;b&gt;Defence&lt;/b&gt;" in svg and "<b>" not in svg
    assert "Thesis &amp; plan" in svg
    assert ">late<" in svg and ">done<" in svg and "stroke-dasharray" in svg
    assert "Nothing scheduled." in charts.timeline_svg([], "Empty")
    velocity = charts.velocity_svg(
        [{"sprint": "S1", "committed": 10, "completed": 8}], "Velocity", 8.0
    )
    assert ">10<" in velocity and ">8<" in velocity and "average 8" in velocity


# --- the domains' reports on the demo: approvals and theses ---------------------------------

DEMO_NOW = "2026-11-27T10:00:00+00:00"


@pytest.fixture
def demo(run: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """The demo workspace (`pmtool demo`) as of 2026-11-27."""
    monkeypatch.setenv("PMTOOL_NOW", DEMO_NOW)
    path = tmp_path / "demo.db"
    ok(run("demo", "--path", str(path), "--no-tui"))
    monkeypatch.setenv("PMTOOL_DB", str(path))
    return run


def _md(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def test_the_approvals_report_has_every_approval_with_its_countdown_and_what_is_due(
    demo: Invoke, tmp_path: Path
):
    approvals = json.loads(ok(demo("approval", "list", "--format", "json")))
    assert len(approvals) == 4
    text = ok(demo("report", "approvals"))
    assert text.startswith("# Approvals of SEPSIS: Sepsis early warning on the ICU\n")
    assert "By state: 1 needs attention, 1 approved with conditions, 2 in force." in text
    for approval in approvals:
        assert f"## {approval['id']}. {_md(approval['title'])}\n" in text
    # The table: the most urgent first, each with its countdown.
    table = [line for line in text.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert [line.split(" | ")[0] for line in table] == ["| 3", "| 4", "| 1", "| 2"]
    assert "| approved, expires in 40 days | 2027-01-06 | 0 of 0 |" in table[0]
    assert "approved with conditions, expires in 718 days" in table[1]
    # A record's conditions and what is due for it.
    assert "- [x] 1. Inform the ICU nursing staff before the silent run (met 2026-11-22:" in text
    assert "- [ ] 2. Submit the final data-flow diagram of the bedside integration " \
        "(due 2026-12-07)" in text  # fmt: skip
    record_3 = text.split("## 3. ")[1].split("\n## ")[0]
    assert "Due:\n\n- **soon:** data-use agreement #3 expires in 40 days (60-day reminder)" in (
        record_3
    )
    attention = text.split("## Needs attention\n")[1]
    assert "data-use agreement #3 expires in 40 days" in attention
    # `pmtool approval report` is the same document from the same template.
    assert ok(demo("approval", "report")).split("\n", 1)[1] == text.split("\n", 1)[1]
    html = ok(demo("approval", "report", "--format", "html"))
    assert html.startswith("<!DOCTYPE html>") and "Periods of validity" in html
    assert html.count("<svg") == 1 and "reminders to act on" in html


def test_the_approvals_report_shows_amendments_and_unreported_incidents(demo: Invoke):
    ok(demo("approval", "amendment", "add", "4", "Add the 2024 cohort"))
    ok(demo("approval", "amendment", "submit", "4", "1", "--on", "2026-11-20"))
    ok(demo("approval", "incident", "add", "4", "Export <with> | pipe", "--on", "2026-11-25"))
    text = ok(demo("report", "approvals"))
    record_4 = text.split("## 4. ")[1].split("\n## ")[0]
    assert "Amendments:\n\n- 1. Add the 2024 cohort: " in record_4
    assert "deviation: Export &lt;with&gt; \\| pipe (NOT reported)" in record_4
    assert "- **late:** deviation under ethics vote #4 not reported yet" in record_4
    html = ok(demo("report", "approvals", "--format", "html"))
    assert "Export &lt;with&gt; | pipe (NOT reported)" in html and "<with>" not in html


def test_the_thesis_report_has_the_plan_late_milestones_meeting_gaps_and_extensions(
    demo: Invoke,
):
    milestones = json.loads(ok(demo("thesis", "milestone", "list", "2", "--format", "json")))
    text = ok(demo("report", "thesis", "Tim"))
    assert text.startswith("# Tim Becker: Federated learning for ICU delirium screening\n")
    for heading in ("## Risk: high", "## Plan", "## Meetings", "## Extensions and date changes"):
        assert f"\n{heading}\n" in text
    for milestone in milestones:
        assert f"| {milestone['number']} | {_md(milestone['title'])} | {milestone['due']} |" in text
    # Late milestones say how late; the one due this week is marked due.
    assert "| 10 | Data preparation done, cohort frozen | 2026-09-28 |  | **late** (60d) |" in text
    assert "| 11 | Midterm review (updated exposé) | 2026-11-16 |  | **late** (11d) |" in text
    assert "| 2026-11-30 |  | **due** |" in text
    assert "```text\n" in text and "  late\n" in text  # the timeline, as text
    # The risk with its reasons; the gap in supervision, now and between meetings.
    assert "- 2 late on the critical path (#10 60d late)\n- no meeting for 7 weeks\n" in text
    assert "**Gap:** no meeting for 53 days since 2026-10-05 (cadence 21 days)." in text
    assert "| 2026-10-05 | 35 **gap** |" in text and "| 2026-08-31 | 21 |" in text
    # The extension with its reason, and the deadline it moved.
    assert "- 2026-10-19: +4 weeks: illness, medical certificate (by Dr. Miriam Koch)" in text
    assert "| deadline | 2027-01-25 | 2027-02-22 |" in text
    assert "Milestone due dates moved 10 times" in text
    # A thesis without late work or gaps says so.
    calm = ok(demo("report", "thesis", "1"))
    assert "**late**" not in calm and "**Gap:**" not in calm and "No extensions." in calm
    assert "No risk rule applies." in calm
    refused(demo("report", "thesis", "Nobody"), 1, "no thesis of 'Nobody'")


def test_the_thesis_report_without_a_subject_covers_the_overview(demo: Invoke):
    overview = json.loads(ok(demo("thesis", "overview", "--format", "json")))
    text = ok(demo("report", "thesis"))
    assert text.startswith("# Theses: progress overview\n")
    table = [line for line in text.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert [int(line.split(" | ")[0][2:]) for line in table] == [row["id"] for row in overview]
    assert (
        "| **high** | 2 late on the critical path (#10 60d late); no meeting for 7 weeks |" in text
    )
    assert "missing: ethics\\|exemption, dua" in text
    for row in overview:
        section = text.split(f"\n## {row['id']}. {row['student']}: ")[1]
        assert section.split("```text\n")[1].split("```")[0].count("\n") > 10  # its timeline
    assert "9 of 19 milestones done, **2 late** · risk high" in text
    html = ok(demo("report", "thesis", "--format", "html"))
    assert html.count("<svg") == len(overview) and "Plan of Sophie Wagner" in html
    assert "Theses · as of 2026-11-27" in html
    one = ok(demo("report", "thesis", "2", "--format", "html"))
    assert one.count("<svg") == 1 and ">late<" in one and "35 gap" in one


# --- a look at the HTML as a browser draws it ---------------------------------------------


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the unfiltered RGB(A) rows of an 8-bit PNG (standard library)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, header = 8, b"", b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6)
    channels = 3 if colour == 2 else 4
    stride = width * channels
    raw = zlib.decompress(idat)
    rows: list[bytes] = []
    previous = bytearray(stride)
    for index in range(height):
        start = index * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                estimate = left + up - up_left
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - up_left)
                nearest = left if pa <= pb and pa <= pc else (up if pb <= pc else up_left)
                line[i] = (line[i] + nearest) & 255
        rows.append(bytes(line[::channels]))  # the red channel is enough to see ink
        previous = line
    return width, height, rows


@pytest.mark.parametrize(
    ("name", "fixture", "subject"),
    [
        ("sprint", "sprinting", None),
        ("status", "sprinting", None),
        ("approvals", "demo", None),
        ("thesis", "demo", "2"),
        ("thesis", "demo", None),
    ],
)
def test_each_html_report_renders_in_a_browser_and_is_not_blank(
    request: pytest.FixtureRequest, tmp_path: Path, name: str, fixture: str, subject: str | None
):
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("CI must render the HTML reports: install chromium (see .ci/run)")
        pytest.skip("chromium is not installed (apt install chromium); CI runs this")
    invoke: Invoke = request.getfixturevalue(fixture)
    page = tmp_path / f"{name}.html"
    ok(invoke("report", name, *([subject] if subject else []), "-o", str(page)))
    picture = tmp_path / f"{name}.png"
    completed = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--window-size=640,860", f"--screenshot={picture}", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode == 0 and picture.exists(), completed.stderr[-2000:]
    width, height, rows = _png_pixels(picture.read_bytes())
    assert (width, height) == (640, 860)
    inked = sum(value < 128 for row in rows for value in row)
    assert inked > width * height * 0.005, "the page is (nearly) blank"
    assert inked < width * height * 0.5, "the page is (nearly) all dark"
    # Ink in the upper and the lower half: the heading, and the content below it.
    half = height // 2
    assert any(value < 128 for row in rows[:half] for value in row)
    assert any(value < 128 for row in rows[half:] for value in row)
