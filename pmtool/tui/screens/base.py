"""What the main screens share: the nav bar, loading in workers, and error reports."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, ClassVar, cast

from textual.screen import Screen
from textual.worker import Worker, WorkerState

from pmtool.tui.context import TuiContext

if TYPE_CHECKING:
    from pmtool.tui.app import PmApp

# (title, help, callback) for the command palette.
PaletteCommand = tuple[str, str, Callable[[], object]]


class ReportsWorkerErrors:
    """Worker failures (a refused change, a locked database) become notifications."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            app = cast("PmApp", cast(Screen[object], self).app)
            app.worker_failed(event.worker)


class DataScreen(ReportsWorkerErrors, Screen[None]):
    """A main screen: it loads its data in a worker whenever the data has changed."""

    MODE: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        self._generation = -1
        self.loaded = False
        self.paint_count = 0  # data shown and painted this many times (tests wait on it)

    @property
    def pm(self) -> PmApp:
        return cast("PmApp", self.app)

    def on_screen_resume(self) -> None:
        self.reload_if_stale()

    def reload_if_stale(self) -> None:
        """Load if the project or the data changed since the last load."""
        context = self.pm.context
        if context is not None and self._generation != self.pm.generation:
            self._generation = self.pm.generation
            self.load(context)

    def load(self, context: TuiContext) -> None:
        """Start the worker that reads this screen's data."""
        raise NotImplementedError

    def written(self, effect: object) -> None:
        """A change of this screen's is stored: show it now, before the re-read."""

    def painted(self) -> None:
        """Call when new data is on the widgets: counted once the screen has repainted."""
        self.call_after_refresh(self._after_paint)

    def _after_paint(self) -> None:
        self.loaded = True
        self.paint_count += 1
        self.pm.first_paint_done()

    def commands(self) -> Iterable[PaletteCommand]:
        """Palette entries for actions that have no key of their own."""
        return ()
