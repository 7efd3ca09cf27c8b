"""The pmtool TUI's shell: screens as modes, the project, live updates, the write queue.

Reading goes through the stdlib read side (``pmtool.storage.reader`` and
``pmtool.services.read``), so the first screen paints without SQLModel; the write side
is imported in a worker after the first paint. Every database call runs in a worker;
workers post messages (:mod:`pmtool.tui.messages`) and handlers own the state. The task
flows the screens ask for (open, edit, new, delete, choose) are in :mod:`pmtool.tui.flows`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, ClassVar

from textual import on, work
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, get_current_worker

from pmtool.core.errors import Conflict, PmError
from pmtool.services.read.changes import ChangeMarker
from pmtool.storage.location import DatabaseLocation
from pmtool.tui import writes
from pmtool.tui.context import TuiContext
from pmtool.tui.flows import TaskFlows
from pmtool.tui.messages import (
    ContextReady,
    DatabaseChanged,
    ProjectChoiceNeeded,
    ScreenPainted,
    SubmitWrite,
    WorkerFailed,
    WriteDone,
    WriteRefused,
    Written,
)
from pmtool.tui.places import MODES, PLACES, Place
from pmtool.tui.screens.base import DataScreen

START_SCREENS = MODES


def _screen_factory(place: Place) -> Callable[[], Screen[Any]]:
    def make() -> Screen[Any]:
        screen: Screen[Any] = place.load()()
        return screen

    return make


def describe_error(error: BaseException | None) -> tuple[str, str]:
    """(title, message) for a notification about a failed worker."""
    if isinstance(error, Conflict):
        return "Conflict", str(error)
    if isinstance(error, PmError):
        # The CLI's --force is the palette's "Move card past its WIP limit" here.
        return "Refused", str(error).replace(
            "use --force", "force it with ctrl+p → Move card past its WIP limit"
        )
    if error is None:
        return "Error", "something went wrong"
    return "Unexpected error", f"{type(error).__name__}: {error}"


class PmApp(TaskFlows):
    CSS_PATH = "pmtool.tcss"
    TITLE = "pmtool"
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(
                place.key, f"go('{place.mode}')", place.label, show=False, id=f"go.{place.mode}"
            )
            for place in PLACES
        ),
        Binding("P", "switch_project", "Switch project", show=False, id="app.project"),
        Binding("ctrl+z", "undo", "Undo last change", show=False, id="app.undo"),
        Binding("ctrl+r", "reload", "Reload data", show=False, id="app.reload"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("q", "quit", "Quit", show=False, id="app.quit"),
    ]
    # The board is added per app: it opens on the sprint given to `pmtool board`.
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        place.mode: _screen_factory(place) for place in PLACES if place.mode != "board"
    }

    def __init__(
        self,
        location: DatabaseLocation,
        *,
        context: tuple[TuiContext, ChangeMarker] | None = None,
        project: str | None = None,
        actor: str | None = None,
        start: str = "dashboard",
        sprint: str | None = None,
        poll_interval: float | None = 1.0,
        warm_up_delay: float | None = 0.3,
    ) -> None:
        super().__init__()
        self.location = location
        self.wanted_project = project
        self.explicit_actor = actor
        self.start = start if start in START_SCREENS else "dashboard"
        self.board_sprint = sprint
        self.poll_interval = poll_interval
        self.warm_up_delay = warm_up_delay
        self.context: TuiContext | None = context[0] if context else None
        self.generation = 0  # moves on whenever the data or the project changes
        self.marker: ChangeMarker = context[1] if context else (0, 0)
        self.first_paint = False
        self.writes_done = 0
        self._writes: deque[writes.WriteRequest] = deque()
        self._writing: writes.WriteRequest | None = None  # the change being written
        self._polling = False
        self.add_mode("board", self._board)

    def _board(self) -> Screen[Any]:
        from pmtool.tui.screens.board import BoardScreen

        return BoardScreen(self.board_sprint)

    # Start-up ---------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.context is not None:
            self._start_polling()
        else:
            self._resolve(self.wanted_project)
        self.switch_mode(self.start)

    @work(thread=True, exclusive=True, group="context", exit_on_error=False)
    def _resolve(self, wanted: str | None) -> None:
        from pmtool.core.actor import resolve_actor
        from pmtool.core.errors import InvalidInput
        from pmtool.services.read.board import project_header
        from pmtool.services.read.changes import change_marker
        from pmtool.services.read.projects import list_projects
        from pmtool.services.resolve import project_ref as resolve
        from pmtool.storage.reader import reading

        with reading(self.location) as reader:
            try:
                project_id, key = resolve(reader, wanted)
            except InvalidInput as error:
                self.post_message(ProjectChoiceNeeded(list_projects(reader), str(error)))
                return
            name = project_header(reader, project_id)["name"]
            marker = change_marker(reader)
        context = TuiContext(
            self.location, project_id, key, name, resolve_actor(self.explicit_actor)
        )
        if not get_current_worker().is_cancelled:
            self.post_message(ContextReady(context, marker))

    @on(ContextReady)
    def _context_ready(self, message: ContextReady) -> None:
        self.context = message.context
        self.marker = message.marker
        self.data_changed()
        self._start_polling()

    def _start_polling(self) -> None:
        if self.poll_interval and not self._polling:
            self._polling = True
            self.set_interval(self.poll_interval, self._poll)

    def switch_to_project(self, key: str) -> None:
        self._resolve(key)

    @on(ScreenPainted)
    def _first_paint_done(self) -> None:
        if self.first_paint:
            return
        self.first_paint = True
        if self.warm_up_delay is not None:
            self.set_timer(self.warm_up_delay, self._warm_up)

    def _warm_up(self) -> None:
        self._import_write_side()

    @work(thread=True, exclusive=True, group="warm-up", exit_on_error=False)
    def _import_write_side(self) -> None:
        writes.warm_up()

    # Live data ----------------------------------------------------------------------

    def _poll(self) -> None:
        if self.context is not None and self._writing is None:
            self._read_marker(self.marker)

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _read_marker(self, known: ChangeMarker) -> None:
        from pmtool.services.read.changes import change_marker
        from pmtool.storage.reader import reading

        with reading(self.location) as reader:
            marker = change_marker(reader)
        if marker != known and not get_current_worker().is_cancelled:
            self.post_message(DatabaseChanged(marker))

    @on(DatabaseChanged)
    def _database_changed(self, message: DatabaseChanged) -> None:
        if message.marker != self.marker and self._writing is None:
            self.marker = message.marker
            self.data_changed()

    def data_changed(self) -> None:
        """Reload what is on screen now; other screens reload when they are shown."""
        self.generation += 1
        for screen in self.screen_stack:
            if isinstance(screen, DataScreen):
                screen.reload_if_stale()

    # Writing ------------------------------------------------------------------------

    @on(SubmitWrite)
    def _submit(self, message: SubmitWrite) -> None:
        self.submit(message.request)

    def submit(self, request: writes.WriteRequest) -> None:
        """Queue a change; changes are written one after another, in order."""
        if self.context is None:
            self.notify("Still loading; try again in a moment.", severity="warning")
            return
        self._writes.append(request)
        self._next_write()

    def _next_write(self) -> None:
        if self._writing is not None or not self._writes or self.context is None:
            return
        self._writing = self._writes.popleft()
        self._write(self._writing, self.context)

    @work(thread=True, group="write", exit_on_error=False)
    def _write(self, request: writes.WriteRequest, context: TuiContext) -> None:
        from pmtool.services.read.changes import change_marker
        from pmtool.storage.gateway import writing
        from pmtool.storage.reader import reading

        with writing(context.location, actor=context.actor, summary=request.summary) as gw:
            outcome = request.apply(gw)
        with reading(context.location) as reader:
            marker = change_marker(reader)
        self.post_message(WriteDone(request, outcome, marker))

    @on(WriteDone)
    def _write_done(self, message: WriteDone) -> None:
        self.marker = message.marker
        self.writes_done += 1
        if not message.outcome.quiet:
            self.notify(message.outcome.message, timeout=4)
        self.screen.post_message(Written(message.request, message.outcome))
        self._write_finished()

    @on(WriteRefused)
    def _write_refused(self, message: WriteRefused) -> None:
        self.notify(message.reason, title=message.title, severity="error", timeout=8)

    def _write_finished(self) -> None:
        self._writing = None
        if self._writes:
            self._next_write()
        else:
            # Re-read after the screen has painted what it already knows.
            self.call_after_refresh(self.data_changed)

    @property
    def busy_writing(self) -> bool:
        return self._writing is not None or bool(self._writes)

    @on(WorkerFailed)
    def _worker_failed(self, message: WorkerFailed) -> None:
        self.worker_failed(message.worker)

    def worker_failed(self, worker: Worker[Any]) -> None:
        title, text = describe_error(worker.error)
        if worker.group == "write" and self._writing is not None:
            # The screen on show may be waiting for this change (the task editor).
            self.screen.post_message(WriteRefused(self._writing, title, text))
            self._write_finished()
            return
        self.notify(text, title=title, severity="error", timeout=8)

    # Actions ------------------------------------------------------------------------

    def action_go(self, mode: str) -> None:
        if mode in START_SCREENS and mode != self.current_mode:
            self.switch_mode(mode)

    def action_undo(self) -> None:
        self.submit(writes.undo())

    def action_reload(self) -> None:
        self.data_changed()

    def action_help(self) -> None:
        from pmtool.tui.filtering import FILTER_HELP
        from pmtool.tui.keys import every_key
        from pmtool.tui.screens.dialogs import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        screens = " · ".join(f"{place.key} {place.label.lower()}" for place in PLACES)
        notes = (
            f"Screens: {screens} (or click the tabs).\n"
            f"Backlog filter: {FILTER_HELP}.\n"
            "Changes made elsewhere (another terminal, a script) appear within a second."
        )
        self.push_screen(HelpScreen(every_key(self, self.current_mode), notes))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from pmtool.tui.keys import palette_commands

        return palette_commands(
            self,
            screen,
            super().get_system_commands(screen),
            self._shell_commands(),
            self.action_go,
        )

    def _shell_commands(self) -> Iterable[SystemCommand]:
        for place in PLACES:
            go = partial(self.action_go, place.mode)
            yield SystemCommand(f"Go to {place.palette}", f"Show the {place.palette.lower()}", go)
        yield SystemCommand("Switch project", "Choose another project", self.action_switch_project)
        yield SystemCommand("Undo last change", "Revert the newest command", self.action_undo)
        yield SystemCommand("Reload data", "Read everything again", self.action_reload)
        yield SystemCommand("Keys", "Every key of every screen (?)", self.action_help)
