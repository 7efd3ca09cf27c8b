"""The demo workspace: a clinical AI project with members, sprints and real history.

History is written through the same services as user commands, with the clock set to
past moments, so burndown, velocity and the log show what a real team would see.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from pmtool.core import clock
from pmtool.core.errors import Refused
from pmtool.services import members, projects, resolve, sprints, tasks
from pmtool.services.demo_approvals import approval_events
from pmtool.services.demo_compliance import add_compliance_history
from pmtool.services.demo_partners import build_partners_demo
from pmtool.services.templates import load_checklist
from pmtool.storage.gateway import Gateway, writing
from pmtool.storage.location import DatabaseLocation
from pmtool.storage.migrate import initialise

TEAM = (
    ("Lena Vogel", "data scientist"),
    ("Jonas Weber", "ML engineer"),
    ("Aylin Demir", "clinical informatics"),
    ("Dr. Miriam Koch", "clinical lead (ICU)"),
    ("Tom Richter", "scrum master"),
)

# (title, type, points, labels) per sprint; the first sprints are closed, one is active.
SPRINT_WORK = (
    (
        "Sprint 1",
        "Data access and cohort",
        [
            ("Kick-off with ICU team: clinical question and outcome", "task", 2, ["stakeholders"]),
            ("Draft data-use request for the data integration centre", "task", 3, ["governance"]),
            ("Map MIMIC-style vitals to local ICU data dictionary", "story", 5, ["data"]),
            ("Pseudonymisation script for patient identifiers", "story", 5, ["data", "privacy"]),
            ("Set up reproducible environment and CI", "task", 3, ["infra"]),
            ("Literature scan: sepsis prediction models (TRIPOD+AI)", "spike", 3, ["research"]),
        ],
    ),
    (
        "Sprint 2",
        "Labels and baseline",
        [
            (
                "Define Sepsis-3 label from SOFA and suspected infection",
                "story",
                8,
                ["data", "clinical"],
            ),
            ("Freeze cohort v1 with inclusion/exclusion flowchart", "story", 5, ["data"]),
            ("Baseline: logistic regression on first 6 h of vitals", "story", 5, ["model"]),
            ("Missingness analysis per vital sign", "task", 3, ["data"]),
            ("DPIA input for the data protection officer", "task", 3, ["governance", "privacy"]),
            ("Fix unit mismatch in lactate values", "bug", 2, ["data"]),
        ],
    ),
    (
        "Sprint 3",
        "Gradient boosting and calibration",
        [
            ("Gradient boosting model with temporal features", "story", 8, ["model"]),
            ("Calibration plot and Brier score", "task", 3, ["evaluation"]),
            ("Temporal validation split (train 2019-21, test 2022)", "story", 5, ["evaluation"]),
            ("Alert burden simulation with ICU nurses", "story", 5, ["clinical", "stakeholders"]),
            ("Subgroup performance by age and sex", "task", 3, ["evaluation", "fairness"]),
            ("Model card draft", "task", 2, ["documentation"]),
            ("Leakage check: features recorded after onset", "bug", 3, ["model"]),
        ],
    ),
)

BACKLOG = (
    ("Human oversight concept for the alert (AI Act Art. 14)", "story", 5, ["regulatory"]),
    ("MDR Rule 11 classification memo", "spike", 3, ["regulatory"]),
    ("Silent-mode deployment plan on the ward", "story", 8, ["clinical"]),
    ("SHAP explanations for the top 20 features", "story", 5, ["explainability"]),
    ("Prospective evaluation protocol (DECIDE-AI)", "story", 8, ["research"]),
    ("Interface to the patient data management system", "spike", 5, ["infra"]),
    ("Retrain pipeline with drift monitoring", "story", 8, ["model", "infra"]),
    ("Survey clinicians on alert thresholds", "task", 3, ["stakeholders"]),
)


ACTIVE_SPRINT = (
    "Sprint 4",
    "Explainability and clinical review",
    [
        ("Clinical review of false alarms with Dr. Koch", "story", 5, ["clinical"]),
        ("Explainability report for the ICU team", "story", 5, ["explainability"]),
        ("External validation on the 2023 cohort", "story", 8, ["evaluation"]),
        ("Threshold selection at 80% sensitivity", "task", 3, ["evaluation"]),
        ("Update TRIPOD+AI checklist items 10-15", "task", 2, ["documentation", "research"]),
        ("Performance regression test in CI", "task", 3, ["infra"]),
    ],
)
SPRINT_DAYS = 14
SCRUM_MASTER = "Tom Richter"

Step = Callable[[Gateway], None]
# A command's summary, or a function making it from the task keys known by then.
Summary = str | Callable[[dict[str, str]], str]


@dataclass(order=True)
class _Event:
    """One user command of the demo's history, run at ``moment`` by ``actor``."""

    moment: datetime
    sequence: int
    actor: str = field(compare=False)
    summary: Summary = field(compare=False)
    step: Step = field(compare=False)


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute)).astimezone().astimezone(UTC)


class _History:
    """Collects the demo's commands, then runs them in time order."""

    def __init__(self) -> None:
        self.events: list[_Event] = []
        self.keys: dict[str, str] = {}  # task title -> key, filled as tasks are created

    def add(self, moment: datetime, actor: str, summary: Summary, step: Step) -> None:
        self.events.append(_Event(moment, len(self.events), actor, summary, step))

    def _summary(self, event: _Event) -> str:
        return event.summary(self.keys) if callable(event.summary) else event.summary

    def run(self, location: DatabaseLocation, now: datetime) -> int:
        applied = 0
        for event in sorted(self.events):
            if event.moment > now:
                continue  # later today: has not happened yet
            try:
                with (
                    clock.frozen(event.moment),
                    writing(location, actor=event.actor, summary=self._summary(event)) as gw,
                ):
                    event.step(gw)
            except Refused:
                continue  # e.g. a WIP limit said no: the team waited, as teams do
            applied += 1
        return applied


def _plan_sprint(
    history: _History,
    rng: random.Random,
    name: str,
    goal: str,
    work: list[tuple[str, str, int, list[str]]],
    start: date,
    end: date,
) -> None:
    def plan(gw: Gateway) -> None:
        project = resolve.project(gw.reader, "SEPSIS")
        sprints.add_sprint(gw, project, name, start=start, end=end, goal=goal, capacity=30)
        for title, task_type, points, labels in work:
            created = tasks.add_task(
                gw,
                project,
                title,
                task_type=task_type,
                points=points,
                labels=labels,
                sprint=name,
                assignee=assignees[title],
                due=due_dates[title],
                force=True,
            )
            history.keys[title] = f"SEPSIS-{created['number']}"

    assignees = {title: rng.choice(TEAM[:4])[0] for title, *_ in work}
    due_dates = {title: end if rng.random() < 0.4 else None for title, *_ in work}
    history.add(_moment(start - timedelta(days=1), 15), SCRUM_MASTER, f"sprint add {name!r}", plan)


def _move(history: _History, moment: datetime, actor: str, title: str, status: str) -> None:
    def step(gw: Gateway) -> None:
        tasks.move_task(gw, resolve.task(gw.reader, history.keys[title]), status)

    history.add(moment, actor, lambda keys: f"task move {keys[title]} {status}", step)


def build_demo(
    location: DatabaseLocation, *, today: date | None = None, seed: int = 7
) -> list[str]:
    """Create the demo in an empty location; returns a few summary lines.

    Three closed sprints and an active one (today is its sixth day), each task moving
    through the board on its own days, re-estimates, scope added mid-sprint, a task
    reopened after review, and carry-over at each close.
    """
    rng = random.Random(seed)
    today = today or clock.today()
    now = min(clock.utcnow(), _moment(today, 23, 59))
    initialise(location)
    first_start = today - timedelta(days=3 * SPRINT_DAYS + 5)
    history = _History()

    def set_up(gw: Gateway) -> None:
        for name, role in TEAM:
            members.add_member(gw, name, role=role)
        project = projects.add_project(
            gw,
            "SEPSIS",
            "Sepsis early warning on the ICU",
            description="Predict sepsis onset 6 h ahead from routine ICU vitals and labs, "
            "with the university hospital's intensive care unit.",
            definition_of_done=load_checklist("clinical-ai"),
        )
        projects.set_wip_limit(gw, project, "in_progress", 4)
        projects.set_wip_limit(gw, project, "review", 3)
        projects.use_project(gw, "SEPSIS")

    history.add(
        _moment(first_start - timedelta(days=3), 9), SCRUM_MASTER, "project add SEPSIS", set_up
    )

    def fill_backlog(gw: Gateway) -> None:
        project = resolve.project(gw.reader, "SEPSIS")
        for title, task_type, points, labels in BACKLOG:
            tasks.add_task(
                gw,
                project,
                title,
                task_type=task_type,
                points=points,
                labels=labels,
                due=backlog_due[title],
            )

    backlog_due = {
        title: today + timedelta(days=rng.randint(-5, 40)) if rng.random() < 0.3 else None
        for title, *_ in BACKLOG
    }
    history.add(
        _moment(first_start - timedelta(days=2), 10),
        "Dr. Miriam Koch",
        "task add (backlog)",
        fill_backlog,
    )

    all_sprints = [*SPRINT_WORK, ACTIVE_SPRINT]
    for index, (name, goal, work) in enumerate(all_sprints):
        start = first_start + timedelta(days=index * SPRINT_DAYS)
        end = start + timedelta(days=SPRINT_DAYS - 1)
        _plan_sprint(history, rng, name, goal, work, start, end)

        def start_step(gw: Gateway, name: str = name) -> None:
            project = resolve.project(gw.reader, "SEPSIS")
            sprints.start_sprint(gw, resolve.sprint(gw.reader, project["id"], name))

        history.add(_moment(start, 9, 30), SCRUM_MASTER, f"sprint start {name!r}", start_step)
        for title, *_ in work:
            # Each task moves through the board on days of its own; some never finish.
            finish = rng.randint(2, SPRINT_DAYS + 1)
            begin = rng.randint(0, max(finish - 2, 0))
            for offset, status in (
                (begin, "in_progress"),
                (max(finish - 1, begin), "review"),
                (finish, "done"),
            ):
                if offset >= SPRINT_DAYS:
                    break
                day = start + timedelta(days=offset)
                moment = _moment(day, rng.randint(9, 17), rng.randint(0, 59))
                _move(history, moment, rng.choice(TEAM)[0], title, status)
            if rng.random() < 0.25:

                def re_estimate(gw: Gateway, title: str = title) -> None:
                    task = resolve.task(gw.reader, history.keys[title])
                    tasks.edit_task(gw, task, points=(task["points"] or 0) + 2)

                def re_estimate_summary(keys: dict[str, str], title: str = title) -> str:
                    return f"task edit {keys[title]} --points (re-estimated +2)"

                history.add(
                    _moment(start + timedelta(days=3), 11),
                    "Lena Vogel",
                    re_estimate_summary,
                    re_estimate,
                )
        if index == 1:

            def add_mid_sprint(gw: Gateway, name: str = name) -> None:
                project = resolve.project(gw.reader, "SEPSIS")
                created = tasks.add_task(
                    gw,
                    project,
                    "Handle duplicate admissions in cohort",
                    task_type="bug",
                    points=3,
                    labels=["data"],
                    sprint=name,
                    assignee="Aylin Demir",
                )
                history.keys["Handle duplicate admissions in cohort"] = (
                    f"SEPSIS-{created['number']}"
                )

            history.add(
                _moment(start + timedelta(days=5), 10),
                "Aylin Demir",
                "task add 'Handle duplicate admissions in cohort'",
                add_mid_sprint,
            )
            reopened = "Freeze cohort v1 with inclusion/exclusion flowchart"
            _move(history, _moment(start + timedelta(days=4), 10), "Lena Vogel", reopened, "done")
            _move(
                history,
                _moment(start + timedelta(days=6), 14),
                "Dr. Miriam Koch",
                reopened,
                "review",
            )
            _move(history, _moment(start + timedelta(days=9), 16), "Lena Vogel", reopened, "done")
        if end < today:
            next_name = all_sprints[index + 1][0]

            def close_step(gw: Gateway, name: str = name, next_name: str = next_name) -> None:
                project = resolve.project(gw.reader, "SEPSIS")
                sprint = resolve.sprint(gw.reader, project["id"], name)
                sprints.close_sprint(gw, sprint, carry_to=next_name)

            history.add(_moment(end, 16), SCRUM_MASTER, f"sprint close {name!r}", close_step)

    for moment, actor, summary, step in approval_events(today, first_start):  # approvals
        history.add(moment, actor, summary, step)
    from pmtool.services.demo_thesis import add_demo_theses

    thesis_lines = add_demo_theses(history.add, today)
    add_compliance_history(history.add, history.keys, first_start, today)
    history.run(location, now)
    build_partners_demo(location, today, now)
    return [
        "project SEPSIS (Sepsis early warning on the ICU), 5 members",
        "3 closed sprints with history, Sprint 4 active, a backlog of 8 items",
        "4 approvals: ethics votes (one with a condition open), a DPIA, a data-use agreement",
        *thesis_lines,
        "compliance: provider, MDR IIa (AI Act high-risk), IEC 62304 B; TRIPOD+AI in progress",
    ]
