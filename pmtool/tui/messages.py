"""The TUI's messages: one class per kind of data or request, handled with ``@on(...)``.

Three kinds, by direction:

- **loaded**: a worker read something; it posts the data to the node that started it
  (a screen, a dialog or the app) and the handler there puts it on the widgets;
- **requests**: a screen asks the app for a task flow or a change (they bubble from the
  screen up to the app, so the screens never import the app);
- **write outcomes**: the app tells the screen on show that a change was written or
  refused.

Workers never touch widgets: they only post these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from textual.message import Message
from textual.worker import Worker

from pmtool.services.read.changes import ChangeMarker
from pmtool.storage.reader import Row
from pmtool.tui.context import TuiContext
from pmtool.tui.writes import Outcome, WriteRequest

# The app's state ------------------------------------------------------------------


@dataclass
class ContextReady(Message, bubble=False):
    """The project and the actor are known: screens can load."""

    context: TuiContext
    marker: ChangeMarker


@dataclass
class ProjectChoiceNeeded(Message, bubble=False):
    """Several projects and no default: the user picks one."""

    projects: list[Row]
    reason: str


@dataclass
class ProjectsLoaded(Message, bubble=False):
    """Every project, for the project switcher."""

    projects: list[Row]


@dataclass
class DatabaseChanged(Message, bubble=False):
    """Someone (another terminal, a script) changed the data."""

    marker: ChangeMarker


@dataclass
class ScreenPainted(Message):
    """A main screen has its data on show (the first one starts warming up the writes)."""


@dataclass
class WorkerFailed(Message):
    """A worker of a screen, a dialog or the app raised: the app shows why."""

    worker: Worker[Any]


# Screens' data, read by their workers ---------------------------------------------


@dataclass
class DashboardLoaded(Message, bubble=False):
    data: dict[str, Any]


@dataclass
class BoardLoaded(Message, bubble=False):
    data: dict[str, Any]


@dataclass
class BacklogLoaded(Message, bubble=False):
    """The first page of the backlog, or all of it (``len(rows) == total``)."""

    rows: list[dict[str, Any]]
    total: int
    today: str
    context: TuiContext


@dataclass
class SprintsLoaded(Message, bubble=False):
    context: TuiContext
    sprints: list[Row]
    plan: dict[str, Any] | None
    burndown: tuple[int, list[Row]] | None  # (committed points, one row per day)
    velocity: list[Row]
    average: float | None


@dataclass
class TaskDetailLoaded(Message, bubble=False):
    task: Row
    changes: list[Row]


@dataclass
class EditorReady(Message, bubble=False):
    """What the task editor needs: the task (None for a new one) and the choices."""

    original: Row | None
    choices: dict[str, Any]
    defaults: dict[str, Any]
    today: date


@dataclass
class SprintChoiceReady(Message, bubble=False):
    title: str
    options: list[tuple[str, str]]
    on_choice: Callable[[str | None], None]


# Requests from the screens to the app ---------------------------------------------


@dataclass
class SubmitWrite(Message):
    """Queue a change; the app writes changes one after another, in order."""

    request: WriteRequest


@dataclass
class OpenTask(Message):
    key: str


@dataclass
class EditTask(Message):
    key: str


@dataclass
class NewTask(Message):
    """Open the editor for a new task; blank fields take the project's defaults."""

    sprint: str | None = None


@dataclass
class DeleteTask(Message):
    key: str
    title: str = ""


@dataclass
class ChooseSprint(Message):
    """Ask for a sprint: ``-`` means the backlog, ``*`` all open work, None cancelled."""

    on_choice: Callable[[str | None], None]
    title: str = "Show the board of"
    include_all: bool = False
    include_backlog: bool = False


# Write outcomes ---------------------------------------------------------------------


@dataclass
class WriteDone(Message, bubble=False):
    """A write worker stored a change (posted to the app)."""

    request: WriteRequest
    outcome: Outcome
    marker: ChangeMarker


@dataclass
class Written(Message, bubble=False):
    """A change is stored (posted to the screen on show, which may show it at once)."""

    request: WriteRequest
    outcome: Outcome


@dataclass
class WriteRefused(Message):
    """A change was refused and nothing was written.

    Posted to the screen on show, which may be waiting for this change (the task
    editor shows the reason in the form); it then bubbles up to the app, which shows
    it as a notification.
    """

    request: WriteRequest
    title: str
    reason: str


# Approvals ------------------------------------------------------------------------


@dataclass
class ApprovalsLoaded(Message, bubble=False):
    context: TuiContext
    rows: list[Row]  # the approvals in their groups, most urgent first
    details: dict[int, Row]  # each approval in full, by id
