"""The demo's theses: one on track, one late with an extension, and a company thesis
under a Sperrvermerk in preparation, with supervision meetings, written through the same
services as user commands on past days. They live in a project of their own, THESES
(the supervisor's board for action items), beside the team's SEPSIS project."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from pmtool.core import clock
from pmtool.services import projects, resolve
from pmtool.services import thesis as theses
from pmtool.storage.gateway import Gateway
from pmtool.storage.reader import Row

Step = Callable[[Gateway], object]
# The demo's scheduler: (moment, actor, summary, step); steps run in time order.
Schedule = Callable[..., None]

SUPERVISOR = "Dr. Miriam Koch"


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour)).astimezone().astimezone(UTC)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _done_through(gw: Gateway, thesis: Row, last: int, reason: str) -> None:
    """Milestones 1..last done on their due dates (a gate the demo has no record of is
    passed with a reason, as a supervisor would)."""
    for position in range(1, last + 1):
        milestone = resolve.thesis_milestone(gw.reader, thesis, str(position))
        day = min(date.fromisoformat(str(milestone["due_date"])[:10]), clock.today())
        blockers = theses.milestone_blockers(gw.reader, thesis, milestone, clock.today())
        theses.complete_milestone(
            gw, thesis, milestone, on=day, force=bool(blockers), reason=reason
        )


def add_demo_theses(schedule: Schedule, today: date) -> list[str]:
    """Schedule the demo theses' history; returns a summary line."""

    # The supervisor started keeping the theses in pmtool after the team had set up
    # SEPSIS: earlier events are recorded on that day, with their own dates.
    onboarding = today - timedelta(days=45)

    def _step(day: date, summary: str, step: Step) -> None:
        schedule(_at(max(day, onboarding), 11), SUPERVISOR, summary, step)

    on_track_start = _monday(today) - timedelta(weeks=10)
    late_start = _monday(today) - timedelta(weeks=17)
    company_start = _monday(today) + timedelta(weeks=3)

    def programme(gw: Gateway) -> None:
        projects.add_project(
            gw,
            "THESES",
            "Master's theses in clinical AI",
            description="Dr. Koch's thesis students: supervision action items and approvals.",
        )
        theses.set_programme(gw, "MSc Health AI (HTW)", weeks=17, template="short-17w")

    _step(late_start - timedelta(weeks=14), "thesis programme set", programme)

    def add_on_track(gw: Gateway) -> None:
        project = resolve.project(gw.reader, "THESES")
        theses.add_thesis(
            gw,
            "Lena Vogel",
            "Early sepsis prediction from routine ICU vitals",
            on_track_start,
            project_id=project["id"],
            research_question="Can routine vitals predict Sepsis-3 onset 6 h ahead on our ICU?",
            programme="MSc Health AI",
            cohort="WS2026",
            first_examiner=SUPERVISOR,
            second_examiner="Prof. Jonas Weber",
            repository_path="~/src/sepsis-thesis",
        )

    def add_late(gw: Gateway) -> None:
        project = resolve.project(gw.reader, "THESES")
        theses.add_thesis(
            gw,
            "Tim Becker",
            "Federated learning for ICU delirium screening",
            late_start,
            project_id=project["id"],
            programme="MSc Health AI",
            cohort="SS2026",
            first_examiner=SUPERVISOR,
            second_examiner="Prof. Anna Schmidt",
        )

    def add_company(gw: Gateway) -> None:
        theses.add_thesis(
            gw,
            "Sophie Wagner",
            "ECG triage model for a cardiology start-up",
            company_start,
            programme="MSc Health AI (HTW)",
            cohort="WS2026",
            first_examiner=SUPERVISOR,
            second_examiner="Prof. Jonas Weber",
            external_supervisor="Dr. Felix Neumann",
            company="CardioAI GmbH",
            confidential_until=company_start + timedelta(weeks=5 * 52),
        )

    _step(on_track_start - timedelta(weeks=13), "thesis add 'Lena Vogel'", add_on_track)
    _step(late_start - timedelta(weeks=13), "thesis add 'Tim Becker'", add_late)
    _step(company_start - timedelta(weeks=11), "thesis add 'Sophie Wagner'", add_company)

    def find(gw: Gateway, student: str) -> Row:
        return resolve.thesis(gw.reader, student)

    # Lena: everything due so far done, meetings every three weeks, the last one recent.
    def lena_progress(gw: Gateway) -> None:
        thesis = find(gw, "Lena Vogel")
        _done_through(gw, thesis, 10, "ethics vote and data-use agreement on file")
        theses.move_thesis(gw, thesis, "registered")
        theses.move_thesis(gw, resolve.thesis(gw.reader, "Lena Vogel"), "in_progress")

    _step(today - timedelta(days=1), "thesis milestone done (Lena)", lena_progress)
    meeting_days = [on_track_start + timedelta(weeks=week) for week in (1, 4, 7, 9)]
    for number, day in enumerate(meeting_days, start=1):
        last = number == len(meeting_days)

        def meeting(gw: Gateway, last: bool = last, number: int = number, day: date = day) -> None:
            theses.add_meeting(
                gw,
                find(gw, "Lena Vogel"),
                day,
                attendees=["Lena Vogel", SUPERVISOR],
                notes=f"Supervision meeting {number}: progress on the cohort and the model.",
                decisions=["Keep the 6 h prediction window"] if number == 2 else [],
                actions=[("Write up the cohort flowchart for the midterm", "Lena Vogel")]
                if last
                else [],
            )

        _step(min(day, today), f"thesis meeting add 'Lena Vogel' ({number})", meeting)

    # Tim: stuck after data access; an extension for illness; no meeting for seven weeks.
    def tim_progress(gw: Gateway) -> None:
        thesis = find(gw, "Tim Becker")
        _done_through(gw, thesis, 9, "exemption certificate (anonymised data) on file")
        theses.move_thesis(gw, thesis, "registered")
        theses.move_thesis(gw, find(gw, "Tim Becker"), "in_progress")

    _step(late_start + timedelta(weeks=3), "thesis milestone done (Tim)", tim_progress)
    for weeks_in in (2, 5, 10):
        held = late_start + timedelta(weeks=weeks_in)

        def tim_meeting(gw: Gateway, held: date = held) -> None:
            theses.add_meeting(
                gw,
                find(gw, "Tim Becker"),
                held,
                attendees=["Tim Becker", SUPERVISOR],
                notes="Data preparation is slower than planned.",
            )

        _step(held, "thesis meeting add 'Tim Becker'", tim_meeting)

    def tim_extension(gw: Gateway) -> None:
        theses.extend(gw, find(gw, "Tim Becker"), 4, "illness, medical certificate")

    _step(
        late_start + timedelta(weeks=12),
        "thesis extend 'Tim Becker' --weeks 4 --reason 'illness, medical certificate'",
        tim_extension,
    )

    # Sophie: preparing a company thesis; everything up to the registration done.
    def sophie_progress(gw: Gateway) -> None:
        _done_through(gw, find(gw, "Sophie Wagner"), 6, "NDA and Sperrvermerk signed")

    _step(today - timedelta(days=2), "thesis milestone done (Sophie)", sophie_progress)
    return [
        "project THESES: 3 theses (on track, late with an extension, a company thesis with "
        "Sperrvermerk)"
    ]
