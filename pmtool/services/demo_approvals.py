"""The demo's approvals: what a clinical AI team on ICU data really keeps on record.

An ethics vote for the retrospective cohort (in force), a second vote for the 2023
cohort and the silent-mode evaluation (approved with conditions, one met, one open),
a DPIA with the data protection officer, and a data-use agreement with the data
integration centre that expires soon. Two tasks require the second vote, so the board
shows them locked. Each record is written as the commands a team would have run, on
their own days, so the log and undo show real history.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from pmtool.services import approvals, resolve
from pmtool.storage.gateway import Gateway

Step = Callable[[Gateway], None]
# (moment, actor, command summary, step) for the demo's history.
Event = tuple[datetime, str, str, Step]

PROJECT = "SEPSIS"
APPLICANT = "Dr. Miriam Koch"
DATA_SCIENTIST = "Lena Vogel"
# Tasks (by title) that require the second ethics vote.
GATED_TITLES = (
    "External validation on the 2023 cohort",
    "Silent-mode deployment plan on the ward",
)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute)).astimezone().astimezone(UTC)


def approval_events(today: date, first_start: date) -> list[Event]:
    """The approvals' history: ``first_start`` is the first sprint's first day."""
    events: list[Event] = []

    def record(
        day: date, hour: int, actor: str, summary: str, change: Callable[[Gateway], object]
    ) -> None:
        def step(gw: Gateway) -> None:
            change(gw)

        events.append((_at(day, hour), actor, summary, step))

    def project(gw: Gateway) -> dict[str, object]:
        return resolve.project(gw.reader, PROJECT)

    def approval(gw: Gateway, number: int) -> dict[str, object]:
        return resolve.approval(gw.reader, number)

    # The records made before the project was in pmtool are entered on its first day
    # (after `project add` at 09:00), with their real dates.
    setup_day = first_start - timedelta(days=3)

    # 1. The retrospective cohort: submitted ten weeks before the first sprint.
    vote_sent = first_start - timedelta(days=75)
    vote_decided = vote_sent + timedelta(days=33)

    def add_vote(gw: Gateway) -> None:
        approvals.add_approval(
            gw,
            project(gw),
            "ethics",
            body="Ethics Committee of the Medical Faculty",
            title="Retrospective ICU cohort 2019-2022 (sepsis prediction)",
            applicant=APPLICANT,
            legal_basis="Art. 9(2)(j) GDPR with Art. 89 safeguards; § 25 LKHG",
            data_form="pseudonymised",
            documents=["application-v2.pdf", "study-protocol-v1.3.pdf"],
        )

    record(setup_day, 11, APPLICANT, "approval add ethics", add_vote)
    record(
        setup_day,
        11,
        APPLICANT,
        "approval submit 1 --ref EK-2026-117",
        lambda gw: approvals.submit(gw, approval(gw, 1), reference="EK-2026-117", on=vote_sent),
    )
    record(
        setup_day,
        11,
        APPLICANT,
        "approval decide 1 approved",
        lambda gw: approvals.decide(
            gw,
            approval(gw, 1),
            "approved",
            on=vote_decided,
            valid_until=vote_decided + timedelta(days=3 * 365),
            next_report_due=vote_decided + timedelta(days=365),
        ),
    )

    # 2. The DPIA, with the data protection officer consulted.
    dpia_day = first_start - timedelta(days=30)

    def add_dpia(gw: Gateway) -> None:
        approvals.add_approval(
            gw,
            project(gw),
            "dpia",
            body="Data protection officer, university hospital",
            title="DPIA: sepsis early warning on pseudonymised ICU data",
            applicant=DATA_SCIENTIST,
            legal_basis="Art. 35 GDPR",
            data_form="pseudonymised",
            dpo_consulted_on=dpia_day - timedelta(days=12),
            documents=["dpia-v1.docx"],
        )

    record(setup_day, 12, DATA_SCIENTIST, "approval add dpia", add_dpia)
    record(
        setup_day,
        12,
        DATA_SCIENTIST,
        "approval submit 2 --ref DSB-2026-044",
        lambda gw: approvals.submit(
            gw, approval(gw, 2), reference="DSB-2026-044", on=dpia_day - timedelta(days=7)
        ),
    )
    record(
        setup_day,
        12,
        DATA_SCIENTIST,
        "approval decide 2 approved",
        lambda gw: approvals.decide(gw, approval(gw, 2), "approved", on=dpia_day),
    )

    # 3. The data-use agreement with the data integration centre: it runs out soon.
    dua_day = first_start - timedelta(days=20)

    def add_dua(gw: Gateway) -> None:
        approvals.add_approval(
            gw,
            project(gw),
            "dua",
            body="Data Integration Centre (Use & Access Committee)",
            title="ICU vitals and labs 2019-2022, pseudonymised extract",
            applicant=APPLICANT,
            data_form="pseudonymised",
            documents=["dua-signed.pdf"],
        )

    record(setup_day, 13, APPLICANT, "approval add dua", add_dua)
    record(
        setup_day,
        13,
        APPLICANT,
        "approval submit 3 --ref DIZ-UAC-26-031",
        lambda gw: approvals.submit(
            gw, approval(gw, 3), reference="DIZ-UAC-26-031", on=dua_day - timedelta(days=9)
        ),
    )
    record(
        setup_day,
        13,
        APPLICANT,
        "approval decide 3 approved",
        lambda gw: approvals.decide(
            gw, approval(gw, 3), "approved", on=dua_day, valid_until=today + timedelta(days=40)
        ),
    )

    # 4. The 2023 cohort and the silent-mode evaluation: approved with two conditions.
    amend_sent = today - timedelta(days=40)
    amend_decided = today - timedelta(days=12)

    def add_extension(gw: Gateway) -> None:
        approvals.add_approval(
            gw,
            project(gw),
            "ethics",
            body="Ethics Committee of the Medical Faculty",
            title="2023 cohort and silent-mode evaluation on the ICU",
            applicant=APPLICANT,
            legal_basis="Art. 9(2)(j) GDPR with Art. 89 safeguards",
            data_form="pseudonymised",
        )

    record(amend_sent - timedelta(days=2), 13, APPLICANT, "approval add ethics", add_extension)
    record(
        amend_sent,
        10,
        APPLICANT,
        "approval submit 4 --ref EK-2026-389",
        lambda gw: approvals.submit(gw, approval(gw, 4), reference="EK-2026-389", on=amend_sent),
    )
    record(
        amend_decided,
        11,
        APPLICANT,
        "approval decide 4 conditional",
        lambda gw: approvals.decide(
            gw,
            approval(gw, 4),
            "conditional",
            on=amend_decided,
            valid_until=amend_decided + timedelta(days=2 * 365),
            conditions=["Inform the ICU nursing staff before the silent run"],
        ),
    )
    record(
        amend_decided,
        12,
        APPLICANT,
        "approval condition add 4 'Submit the final data-flow diagram ...' --due +10d",
        lambda gw: approvals.add_condition(
            gw,
            approval(gw, 4),
            "Submit the final data-flow diagram of the bedside integration",
            due=today + timedelta(days=10),
        ),
    )
    record(
        today - timedelta(days=5),
        15,
        "Aylin Demir",
        "approval condition met 4 1",
        lambda gw: approvals.meet_condition(
            gw,
            approval(gw, 4),
            1,
            evidence="Briefing at the ICU team meeting; minutes in the project folder",
            on=today - timedelta(days=5),
        ),
    )

    def require_extension(gw: Gateway) -> None:
        extension = approval(gw, 4)
        for row in gw.reader.rows(
            "SELECT key FROM v_task WHERE project = :p AND title IN (:a, :b)",
            {"p": PROJECT, "a": GATED_TITLES[0], "b": GATED_TITLES[1]},
        ):
            approvals.require(gw, resolve.task(gw.reader, row["key"]), extension)

    # Right after Sprint 4 was planned (the day before it started).
    record(
        today - timedelta(days=6),
        16,
        DATA_SCIENTIST,
        "task edit --requires 4 (the 2023 cohort work)",
        require_extension,
    )
    return events
