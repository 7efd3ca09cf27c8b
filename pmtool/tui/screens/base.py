"""What the main screens share: loading in workers, written changes, error reports.

Screens never import the app: they read the little they need through :class:`Shell`
and ask for everything else with the messages of :mod:`pmtool.tui.messages`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar, Protocol, cast

from textual import on
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from pmtool.tui.context import TuiContext
from pmtool.tui.messages import ScreenPainted, WorkerFailed, Written

# (title, help, callback) for the command palette.
PaletteCommand = tuple[str, str, Callable[[], object]]


class Shell(Protocol):
    """What a screen reads from the app that runs it."""

    @property
    def context(self) -> TuiContext | None:
        """The project and the actor; None until they are known."""

    @property
    def generation(self) -> int:
        """Moves on whenever the data or the project changes."""

    @property
    def busy_writing(self) -> bool:
        """A change is being written or waits to be."""


class ReportsWorkerErrors:
    """Worker failures (a refused change, a locked database) go to the app as a message."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            cast(MessagePump, self).post_message(WorkerFailed(event.worker))


class DataScreen(ReportsWorkerErrors, Screen[None]):
    """A main screen: it loads its data in a worker whenever the data has changed."""

    MODE: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        self._generation = -1
        self.loaded = False
        self._reading = False
        self.paint_count = 0  # data shown and painted this many times (tests wait on it)
        self._when_loaded: list[Callable[[], object]] = []

    @property
    def shell(self) -> Shell:
        return cast(Shell, self.app)

    def on_screen_resume(self) -> None:
        self.reload_if_stale()

    def reload_if_stale(self) -> None:
        """Load if the project or the data changed since the last load."""
        context = self.shell.context
        if context is not None and self._generation != self.shell.generation:
            self._generation = self.shell.generation
            self._reading = True
            self.load(context)

    def load(self, context: TuiContext) -> None:
        """Start the worker that reads this screen's data."""
        raise NotImplementedError

    def reload(self) -> None:
        """Read this screen's data again (after the user changed what it shows)."""
        context = self.shell.context
        if context is not None:
            self._reading = True
            self.load(context)

    def when_loaded(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the screen shows current data (now, if it does)."""
        if self.loaded and not self._reading:
            callback()
        else:
            self._when_loaded.append(callback)

    @on(Written)
    def _written(self, message: Written) -> None:
        if message.request.effect is not None:
            self.written(message.request.effect)

    def written(self, effect: object) -> None:
        """A change of this screen's is stored: show it now, before the re-read."""

    def painted(self) -> None:
        """Call when new data is on the widgets: counted once the screen has repainted."""
        self.call_after_refresh(self._after_paint)

    def _after_paint(self) -> None:
        self.loaded = True
        self._reading = False
        self.paint_count += 1
        self.post_message(ScreenPainted())
        waiting, self._when_loaded = self._when_loaded, []
        for callback in waiting:
            callback()

    def commands(self) -> Iterable[PaletteCommand]:
        """Palette entries for actions that have no key of their own."""
        return ()
