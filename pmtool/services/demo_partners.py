"""The demo's clinical partners: the hospital, its data integration centre, a company,
the people who matter in them, a contact log and agreements (docs/partners.md).

Written through the same services as user commands, each step at a past moment, so
the log, the follow-ups and the agreements' expiry look as they would in a real project.
Email addresses are on example domains.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from pmtool.core import clock
from pmtool.services import partners, resolve
from pmtool.storage.gateway import Gateway, writing
from pmtool.storage.location import DatabaseLocation

ACTOR = "Dr. Miriam Koch"
PROJECT = "SEPSIS"

ORGANISATIONS = (
    ("University Hospital ICU", "clinic", "The intensive care unit the model is built with."),
    ("Data Integration Centre", "research", "Pseudonymises and releases the ICU data."),
    ("VitalSense Analytics GmbH", "company", "Monitoring vendor; possible product partner."),
)

# name, partner, role, email, phone, power, interest, attitude, engagement now/desired
PEOPLE = (
    ("Prof. Dr. Katrin Albers", "University Hospital ICU", "head of department",
     "katrin.albers@uk-example.de", "+49 30 4505 1000", 5, 5, "champion", "supportive",
     "leading"),
    ("Sabine Krüger", "University Hospital ICU", "data protection officer",
     "dpo@uk-example.de", "+49 30 4505 2000", 4, 3, "neutral", "neutral", "supportive"),
    ("Markus Brandt", "University Hospital ICU", "hospital IT (clinical information systems)",
     "markus.brandt@uk-example.de", None, 4, 2, "sceptic", "resistant", "supportive"),
    ("Dr. Yusuf Aydin", "Data Integration Centre", "head of the data integration centre",
     "y.aydin@dic-example.de", "+49 30 4505 3000", 4, 4, "supporter", "supportive",
     "supportive"),
    ("Helga Jansen", None, "patient representative", "helga.jansen@example.org", None, 2, 5,
     "supporter", "neutral", "supportive"),
    ("Lars Meier", "VitalSense Analytics GmbH", "product manager",
     "lars.meier@vitalsense-example.com", None, 2, 3, "neutral", "unaware", "neutral"),
)  # fmt: skip


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour)).astimezone().astimezone(UTC)


def build_partners_demo(location: DatabaseLocation, today: date, now: datetime) -> None:
    """Add the partners part of the demo (after the agile history is written)."""
    steps: list[tuple[datetime, str, Callable[[Gateway], None]]] = []

    def set_up(gw: Gateway) -> None:
        project = resolve.project(gw.reader, PROJECT)
        for name, kind, notes in ORGANISATIONS:
            partners.add_partner(gw, name, kind, notes=notes)
        for name, org, role, email, phone, power, interest, attitude, now_, wanted in PEOPLE:
            partners.add_stakeholder(
                gw,
                name,
                power=power,
                interest=interest,
                partner=resolve.partner(gw.reader, org) if org else None,
                role=role,
                email=email,
                phone=phone,
                attitude=attitude,
                engagement_current=now_,
                engagement_desired=wanted,
                project=project,
            )

    steps.append((_at(today - timedelta(days=60), 9), "stakeholder add (demo people)", set_up))

    def contact(
        who: str,
        kind: str,
        days_ago: int,
        summary: str,
        decisions: str | None,
        follow_up: int | None,
    ) -> None:
        day = today - timedelta(days=days_ago)

        def step(gw: Gateway) -> None:
            project = resolve.project(gw.reader, PROJECT)
            partners.log_contact(
                gw,
                resolve.stakeholder(gw.reader, who),
                kind=kind,
                summary=summary,
                on=day,
                decisions=decisions,
                follow_up=day + timedelta(days=follow_up) if follow_up is not None else None,
                project_id=project["id"],
            )

        steps.append((_at(day, 16), f"stakeholder log ({kind})", step))

    contact("Albers", "meeting", 45, "Kick-off: clinical question and the 6 h horizon",
            "Outcome is Sepsis-3 onset; adults only", None)  # fmt: skip
    contact("Aydin", "email", 30, "Data-use request for 2019-2024 ICU stays",
            "Release after the DPA is signed", 14)  # fmt: skip
    contact("Krüger", "meeting", 20, "DPIA scope and pseudonymisation",
            "DPIA draft by the team; DPO reviews", 9)  # fmt: skip
    contact("Jansen", "call", 6, "Patient perspective on alerts at the bedside", None, 21)
    contact("Brandt", "meeting", 3, "Where the model runs: on-premise inference server",
            "IT asks for a security concept", 7)  # fmt: skip

    def close_first_follow_up(gw: Gateway) -> None:
        first = gw.reader.rows(
            "SELECT * FROM contact WHERE follow_up IS NOT NULL ORDER BY on_date LIMIT 1"
        )
        if first:
            partners.follow_up_done(gw, first[0])

    steps.append(
        (_at(today - timedelta(days=15), 11), "stakeholder follow-up done", close_first_follow_up)
    )

    def agreements(gw: Gateway) -> None:
        project = resolve.project(gw.reader, PROJECT)
        dic = resolve.partner(gw.reader, "Data Integration Centre")
        dpa = partners.add_agreement(
            gw,
            "dpa",
            dic,
            title="Data processing for the ICU data export",
            project_id=project["id"],
            document="https://dms.uk-example.de/contracts/DPA-2026-014",
        )
        company = resolve.partner(gw.reader, "VitalSense")
        nda = partners.add_agreement(
            gw,
            "nda",
            company,
            title="Mutual NDA for the monitoring data interface",
            project_id=project["id"],
        )
        clinic = resolve.partner(gw.reader, "University Hospital")
        partners.add_agreement(
            gw,
            "cooperation",
            clinic,
            title="Research cooperation ICU early warning",
            project_id=project["id"],
        )
        for created in (dpa, nda):
            row = resolve.agreement(gw.reader, created["id"])
            partners.change_agreement_status(gw, row, "in_negotiation")
        cooperation = gw.reader.rows("SELECT * FROM agreement WHERE kind = 'cooperation'")[0]
        partners.change_agreement_status(gw, cooperation, "in_negotiation")

    steps.append((_at(today - timedelta(days=40), 10), "agreement add (demo)", agreements))

    def sign(kind: str, days_ago: int, valid_days: int) -> None:
        day = today - timedelta(days=days_ago)

        def step(gw: Gateway) -> None:
            row = gw.reader.rows("SELECT * FROM agreement WHERE kind = :k", {"k": kind})[0]
            partners.change_agreement_status(
                gw, row, "signed", on=day, valid_until=day + timedelta(days=valid_days)
            )

        steps.append((_at(day, 14), f"agreement sign ({kind})", step))

    sign("dpa", 12, 730)  # a signed DPA, valid two years
    sign("nda", 35, 60)  # an NDA that expires in 25 days

    for moment, summary, step in sorted(steps, key=lambda entry: entry[0]):
        if moment > now:
            continue
        with clock.frozen(moment), writing(location, actor=ACTOR, summary=summary) as gw:
            step(gw)
