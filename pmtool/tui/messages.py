"""Small messages that workers post; handlers on the event loop own every state change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from pmtool.services.read.changes import ChangeMarker
from pmtool.storage.reader import Row
from pmtool.tui.context import TuiContext
from pmtool.tui.writes import Outcome, WriteRequest


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
class DatabaseChanged(Message, bubble=False):
    """Someone (another terminal, a script) changed the data."""

    marker: ChangeMarker


@dataclass
class WriteDone(Message, bubble=False):
    request: WriteRequest
    outcome: Outcome
    marker: ChangeMarker


@dataclass
class Loaded(Message, bubble=False):
    """A screen's data, read by a worker; ``what`` tells the screen which part it is."""

    what: str
    data: Any
