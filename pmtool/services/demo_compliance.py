"""The demo's compliance records: a provider's profile (MDR IIa, so AI Act high-risk;
IEC 62304 class B), two Rule 11 runs that differ, a TRIPOD+AI checklist in progress and
the AI Act provider checklist begun, written through the services on their own days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pmtool.services import compliance, resolve
from pmtool.storage.gateway import Gateway

Step = Callable[[Gateway], None]
Add = Callable[[datetime, str, Any, Step], None]

LEAD = "Dr. Miriam Koch"
DATA_SCIENTIST = "Lena Vogel"
ENGINEER = "Jonas Weber"

PURPOSE = (
    "Warns ICU clinicians of adult patients at risk of sepsis in the next 6 hours, from "
    "routine vitals and labs, to prompt an earlier bedside review. It does not diagnose "
    "or recommend treatment; the clinician decides."
)
# Rule 11, first run (kick-off): a missed sepsis could mean serious deterioration -> IIb.
FIRST_RUN = {"q1": True, "q2": True, "q3": False, "q4": True, "q7": False}
# Second run, after the clinical review: the alert prompts a review, not a treatment
# decision; serious deterioration is not a foreseeable result of one alert -> IIa.
SECOND_RUN = {"q1": True, "q2": True, "q3": False, "q4": False, "q7": False}

# (day offset from the first sprint's start, actor, item, evidence; None: the task key)
TRIPOD_DONE = (
    (3, DATA_SCIENTIST, "4", "docs/protocol.md"),
    (4, DATA_SCIENTIST, "3", "docs/protocol.md"),
    (8, DATA_SCIENTIST, "5", "Map MIMIC-style vitals to local ICU data dictionary"),
    (17, DATA_SCIENTIST, "6", "Freeze cohort v1 with inclusion/exclusion flowchart"),
    (18, DATA_SCIENTIST, "7", "Pseudonymisation script for patient identifiers"),
    (19, LEAD, "8", "Define Sepsis-3 label from SOFA and suspected infection"),
    (20, DATA_SCIENTIST, "11", "Missingness analysis per vital sign"),
    (22, DATA_SCIENTIST, "9", "https://wiki.example-hospital.de/sepsis/predictors"),
    (31, ENGINEER, "16", "Temporal validation split (train 2019-21, test 2022)"),
    (33, LEAD, "17", "docs/ethics/vote-2026-114.pdf"),
)
PROVIDER_DONE = (
    (15, DATA_SCIENTIST, "Art. 10(2)(a)", "docs/data-governance.md"),
    (17, DATA_SCIENTIST, "Art. 10(2)(b)", "docs/data-governance.md"),
    (18, DATA_SCIENTIST, "Art. 10(2)(c)", "Pseudonymisation script for patient identifiers"),
    (34, ENGINEER, "Art. 12", "4be1c9e"),
)


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute)).astimezone().astimezone(UTC)


def add_compliance_history(add: Add, keys: dict[str, str], first_start: date, today: date) -> None:
    """Queue the compliance commands of the demo (``keys``: task title -> key, filled as
    the demo's tasks are created)."""

    def day(offset: int) -> date:
        return first_start + timedelta(days=offset)

    def project(gw: Gateway) -> dict[str, Any]:
        return resolve.project(gw.reader, "SEPSIS")

    def item(gw: Gateway, ref: str) -> dict[str, Any]:
        return compliance.item(gw.reader, ref, project(gw)["id"])

    def profile(gw: Gateway) -> None:
        compliance.set_profile(gw, project(gw), intended_purpose=PURPOSE, ai_act_role="provider")

    add(_moment(day(-2), 11), LEAD, "compliance profile --ai-act-role provider", profile)

    def tripod(gw: Gateway) -> None:
        compliance.add_checklist(gw, project(gw), "tripod-ai", owner=DATA_SCIENTIST)

    add(_moment(day(1), 10), DATA_SCIENTIST, "compliance checklist add tripod-ai", tripod)

    def run(answers: dict[str, bool]) -> Step:
        def classify(gw: Gateway) -> None:
            compliance.classify(gw, project(gw), answers)

        return classify

    add(_moment(day(2), 14), LEAD, "compliance classify (first run)", run(FIRST_RUN))
    add(_moment(day(26), 15), LEAD, "compliance classify (after clinical review)", run(SECOND_RUN))

    def safety_class(gw: Gateway) -> None:
        compliance.set_profile(
            gw,
            project(gw),
            iec62304_class="B",
            iec62304_reason="A missed or false alert can delay or prompt a bedside review: "
            "non-serious injury possible; the clinician's judgement is the risk control",
        )

    add(_moment(day(27), 10), ENGINEER, "compliance profile --iec62304 B", safety_class)

    def provider(gw: Gateway) -> None:
        compliance.add_checklist(gw, project(gw), "ai-act-provider", owner=ENGINEER)

    add(_moment(day(12), 9), ENGINEER, "compliance checklist add ai-act-provider", provider)

    for offset, actor, ref, evidence in [
        *(
            (offset, actor, f"tripod-ai:{number}", evidence)
            for offset, actor, number, evidence in TRIPOD_DONE
        ),
        *(
            (offset, actor, f"ai-act-provider:{number}", evidence)
            for offset, actor, number, evidence in PROVIDER_DONE
        ),
    ]:

        def done(gw: Gateway, ref: str = ref, evidence: str = evidence) -> None:
            shown = keys.get(evidence, evidence)  # a task title stands for its key
            compliance.mark_done(gw, item(gw, ref), shown)

        add(_moment(day(offset), 16), actor, f"compliance item done {ref}", done)

    def not_applicable(gw: Gateway) -> None:
        compliance.mark_not_applicable(
            gw, item(gw, "tripod-ai:24"), "No model updating: the model is developed once"
        )

    add(_moment(day(30), 11), DATA_SCIENTIST, "compliance item na tripod-ai:24", not_applicable)

    def link_subgroups(gw: Gateway) -> None:
        entry = item(gw, "tripod-ai:14")
        compliance.link_task(gw, entry, keys["Subgroup performance by age and sex"])
        compliance.set_status(gw, item(gw, "tripod-ai:14"), "in_progress")

    add(_moment(day(29), 9), DATA_SCIENTIST, "compliance item link tripod-ai:14", link_subgroups)

    def sample_size(gw: Gateway) -> None:
        compliance.edit_item(gw, item(gw, "tripod-ai:10"), due=today + timedelta(days=20))

    add(
        _moment(day(36), 10), DATA_SCIENTIST, "compliance item edit tripod-ai:10 --due", sample_size
    )

    def threshold(gw: Gateway) -> None:
        compliance.edit_item(gw, item(gw, "tripod-ai:15"), due=today + timedelta(days=12))
        entry = item(gw, "tripod-ai:15")
        compliance.link_task(gw, entry, keys["Threshold selection at 80% sensitivity"])
        compliance.set_status(gw, item(gw, "tripod-ai:15"), "in_progress")

    add(_moment(day(43), 10), DATA_SCIENTIST, "compliance item link tripod-ai:15", threshold)

    def risk_management(gw: Gateway) -> None:
        compliance.set_status(gw, item(gw, "ai-act-provider:Art. 9(1)"), "in_progress")

    add(
        _moment(day(35), 11),
        ENGINEER,
        "compliance item edit ai-act-provider:Art. 9(1)",
        risk_management,
    )

    def in_dod(gw: Gateway) -> None:
        compliance.set_in_dod(gw, item(gw, "tripod-ai:23"), True)

    add(_moment(day(37), 9), LEAD, "compliance item dod tripod-ai:23", in_dod)
