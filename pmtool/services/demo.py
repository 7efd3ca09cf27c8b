"""The demo workspace: a clinical AI project with members, sprints and real history.

History is written through the same services as user commands, with the clock set to
past moments, so burndown, velocity and the log show what a real team would see.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

from pmtool import clock
from pmtool.services import members, projects, sprints, tasks
from pmtool.services.session import writing
from pmtool.services.templates import load_checklist
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


@contextmanager
def _at(moment: datetime) -> Iterator[None]:
    with clock.frozen(moment):
        yield


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute)).astimezone().astimezone(UTC)


def build_demo(
    location: DatabaseLocation, *, today: date | None = None, seed: int = 7
) -> list[str]:
    """Create the demo in an empty location; returns a few summary lines."""
    rng = random.Random(seed)
    today = today or clock.today()
    initialise(location)
    sprint_length = 14
    # Sprints 1-3 are closed, sprint 4 is running with today on its day 6.
    first_start = today - timedelta(days=3 * sprint_length + 5)

    with (
        _at(_moment(first_start - timedelta(days=3), 9)),
        writing(location, actor="Tom Richter", summary="demo: set up project") as session,
    ):
        for name, role in TEAM:
            members.add_member(session, name, role=role)
        project = projects.add_project(
            session,
            "SEPSIS",
            "Sepsis early warning on the ICU",
            description="Predict sepsis onset 6 h ahead from routine ICU vitals and labs, "
            "with the university hospital's intensive care unit.",
            definition_of_done=load_checklist("clinical-ai"),
        )
        projects.set_wip_limit(session, project, "in_progress", 4)
        projects.set_wip_limit(session, project, "review", 3)

    all_sprints = [
        *SPRINT_WORK,
        (
            "Sprint 4",
            "Explainability and clinical review",
            [
                ("Clinical review of false alarms with Dr. Koch", "story", 5, ["clinical"]),
                ("Explainability report for the ICU team", "story", 5, ["explainability"]),
                ("External validation on the 2023 cohort", "story", 8, ["evaluation"]),
                ("Threshold selection at 80% sensitivity", "task", 3, ["evaluation"]),
                (
                    "Update TRIPOD+AI checklist items 10-15",
                    "task",
                    2,
                    ["documentation", "research"],
                ),
                ("Performance regression test in CI", "task", 3, ["infra"]),
            ],
        ),
    ]
    for index, (name, goal, work) in enumerate(all_sprints):
        start = first_start + timedelta(days=index * sprint_length)
        end = start + timedelta(days=sprint_length - 1)
        with (
            _at(_moment(start - timedelta(days=1), 15)),
            writing(location, actor="Tom Richter", summary=f"demo: plan {name}") as session,
        ):
            project = projects.get_project(session, "SEPSIS")
            sprints.add_sprint(session, project, name, start=start, end=end, goal=goal, capacity=30)
            keys = []
            for title, task_type, points, labels in work:
                created = tasks.add_task(
                    session,
                    project,
                    title,
                    task_type=task_type,
                    points=points,
                    labels=labels,
                    sprint=name,
                    assignee=rng.choice(TEAM[:4])[0],
                    due=end if rng.random() < 0.4 else None,
                    force=True,
                )
                keys.append(f"SEPSIS-{created.number}")
        with (
            _at(_moment(start, 9, 30)),
            writing(location, actor="Tom Richter", summary=f"demo: sprint start {name}") as session,
        ):
            project = projects.get_project(session, "SEPSIS")
            sprints.start_sprint(session, tasks.find_sprint(session, project, name))
        active = end >= today
        days = (min(today, end) - start).days + 1
        for key in keys:
            # Each task moves through the board on random days; some never finish.
            finish_day = rng.randint(2, sprint_length + 3)
            started_day = rng.randint(0, max(finish_day - 2, 0))
            path = [
                (started_day, "in_progress"),
                (max(finish_day - 1, started_day), "review"),
                (finish_day, "done"),
            ]
            for offset, status in path:
                if offset >= days:
                    break
                day = start + timedelta(days=offset)
                with (
                    _at(_moment(day, rng.randint(9, 17), rng.randint(0, 59))),
                    writing(
                        location, actor=rng.choice(TEAM)[0], summary=f"task move {key} {status}"
                    ) as session,
                ):
                    tasks.move_task(session, tasks.get_task(session, key), status, force=True)
            if rng.random() < 0.2 and days > 4:
                with (
                    _at(_moment(start + timedelta(days=3), 11)),
                    writing(
                        location, actor="Lena Vogel", summary=f"task edit {key} --points"
                    ) as session,
                ):
                    moving = tasks.get_task(session, key)
                    tasks.edit_task(session, moving, points=(moving.points or 0) + 2)
        if index == 1:
            # Scope added mid-sprint, and a task reopened after review found a problem.
            with (
                _at(_moment(start + timedelta(days=5), 10)),
                writing(location, actor="Aylin Demir", summary="task add (mid-sprint)") as session,
            ):
                project = projects.get_project(session, "SEPSIS")
                tasks.add_task(
                    session,
                    project,
                    "Handle duplicate admissions in cohort",
                    task_type="bug",
                    points=3,
                    labels=["data"],
                    sprint=name,
                    assignee="Aylin Demir",
                )
        if not active:
            next_name = all_sprints[index + 1][0] if index + 1 < len(all_sprints) else None
            with (
                _at(_moment(end, 16)),
                writing(
                    location, actor="Tom Richter", summary=f"demo: sprint close {name}"
                ) as session,
            ):
                project = projects.get_project(session, "SEPSIS")
                sprints.close_sprint(
                    session,
                    tasks.find_sprint(session, project, name, for_new_work=False),
                    carry_to=None if next_name is None else "backlog",
                )

    with (
        _at(_moment(today, 8)),
        writing(location, actor="Tom Richter", summary="demo: backlog") as session,
    ):
        project = projects.get_project(session, "SEPSIS")
        for title, task_type, points, labels in BACKLOG:
            tasks.add_task(
                session,
                project,
                title,
                task_type=task_type,
                points=points,
                labels=labels,
                due=today + timedelta(days=rng.randint(-5, 40)) if rng.random() < 0.3 else None,
            )
        projects.use_project(session, "SEPSIS")
    return [
        "project SEPSIS (Sepsis early warning on the ICU), 5 members",
        "3 closed sprints with history, Sprint 4 active, a backlog of 8 items",
    ]
