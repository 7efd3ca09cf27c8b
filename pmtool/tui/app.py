"""The pmtool TUI: dashboard, sprint board, backlog and sprints over the same services.

Reading goes through the stdlib read side (``pmtool.storage.reader`` and
``pmtool.services.read``), so the first screen paints without SQLModel; the write side
is imported in a worker after the first paint. Every database call runs in a worker;
workers post messages and the handlers here and in the screens own the state.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, get_current_worker

from pmtool.core.errors import Conflict, PmError
from pmtool.services.read.changes import ChangeMarker
from pmtool.storage.location import DatabaseLocation
from pmtool.tui import writes
from pmtool.tui.context import TuiContext
from pmtool.tui.messages import (
    ContextReady,
    DatabaseChanged,
    Loaded,
    ProjectChoiceNeeded,
    WriteDone,
)
from pmtool.tui.screens.base import DataScreen, ReportsWorkerErrors

START_SCREENS = ("dashboard", "board", "backlog", "sprints")


def _dashboard() -> Screen[Any]:
    from pmtool.tui.screens.dashboard import DashboardScreen

    return DashboardScreen()


def _backlog() -> Screen[Any]:
    from pmtool.tui.screens.backlog import BacklogScreen

    return BacklogScreen()


def _sprints() -> Screen[Any]:
    from pmtool.tui.screens.sprints import SprintsScreen

    return SprintsScreen()


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


class PmApp(ReportsWorkerErrors, App[None]):
    CSS_PATH = "pmtool.tcss"
    TITLE = "pmtool"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "go('dashboard')", "Dashboard", show=False, id="go.dashboard"),
        Binding("2", "go('board')", "Board", show=False, id="go.board"),
        Binding("3", "go('backlog')", "Backlog", show=False, id="go.backlog"),
        Binding("4", "go('sprints')", "Sprints", show=False, id="go.sprints"),
        Binding("P", "switch_project", "Switch project", show=False, id="app.project"),
        Binding("ctrl+z", "undo", "Undo last change", show=False, id="app.undo"),
        Binding("ctrl+r", "reload", "Reload data", show=False, id="app.reload"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("q", "quit", "Quit", show=False, id="app.quit"),
    ]
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "dashboard": _dashboard,
        "backlog": _backlog,
        "sprints": _sprints,
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
        self._writing = False
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

    @on(ProjectChoiceNeeded)
    def _choose_project(self, message: ProjectChoiceNeeded) -> None:
        self.notify(message.reason, title="Which project?")
        self._push_project_choice(message.projects)

    def first_paint_done(self) -> None:
        """Called by a screen once its data is on screen."""
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
        if self.context is not None and not self._writing:
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
        if message.marker != self.marker and not self._writing:
            self.marker = message.marker
            self.data_changed()

    def data_changed(self) -> None:
        """Reload what is on screen now; other screens reload when they are shown."""
        self.generation += 1
        for screen in self.screen_stack:
            if isinstance(screen, DataScreen):
                screen.reload_if_stale()

    # Writing ------------------------------------------------------------------------

    def submit(self, request: writes.WriteRequest) -> None:
        """Queue a change; changes are written one after another, in order."""
        if self.context is None:
            self.notify("Still loading; try again in a moment.", severity="warning")
            return
        self._writes.append(request)
        self._next_write()

    def _next_write(self) -> None:
        if self._writing or not self._writes or self.context is None:
            return
        self._writing = True
        self._write(self._writes.popleft(), self.context)

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
        if isinstance(self.screen, DataScreen) and message.request.effect is not None:
            self.screen.written(message.request.effect)
        self._write_finished()

    def _write_finished(self) -> None:
        self._writing = False
        if self._writes:
            self._next_write()
        else:
            # Re-read after the screen has painted what it already knows.
            self.call_after_refresh(self.data_changed)

    @property
    def busy_writing(self) -> bool:
        return self._writing or bool(self._writes)

    def worker_failed(self, worker: Worker[Any]) -> None:
        title, text = describe_error(worker.error)
        self.notify(text, title=title, severity="error", timeout=8)
        if worker.group == "write":
            self._write_finished()

    # Task flows shared by the screens ------------------------------------------------

    def open_task(self, key: str) -> None:
        from pmtool.tui.screens.dialogs import TaskDetail

        def closed(choice: str | None) -> None:
            if choice == "edit":
                self.edit_task(key)
            elif choice == "delete":
                self.delete_task(key, detail.task_title)

        detail = TaskDetail(self.location, key)
        self.push_screen(detail, closed)

    def edit_task(self, key: str) -> None:
        if self.context is not None:
            self._prepare_editor(self.context, key, None)

    def new_task(self, *, status: str | None = None, sprint: str | None = None) -> None:
        if self.context is not None:
            defaults = {"status": status, "sprint": sprint}
            self._prepare_editor(self.context, None, defaults)

    @work(thread=True, exclusive=True, group="editor-load", exit_on_error=False)
    def _prepare_editor(
        self, context: TuiContext, key: str | None, defaults: dict[str, Any] | None
    ) -> None:
        from pmtool.core import clock
        from pmtool.services.read.board import choices, task_card
        from pmtool.storage.reader import reading

        with reading(context.location) as reader:
            original = task_card(reader, key) if key is not None else None
            form_choices = choices(reader, context.project_id)
        self.post_message(Loaded("editor", (original, form_choices, defaults, clock.today())))

    @on(Loaded)
    def _open_editor(self, message: Loaded) -> None:
        if message.what != "editor" or self.context is None:
            return
        from pmtool.tui.screens.editor import TaskEditor

        original, form_choices, defaults, today = message.data
        project_key = self.context.project_key
        if defaults and defaults.get("status") is None:
            defaults["status"] = form_choices["statuses"][0]

        def saved(form: writes.TaskForm | None) -> None:
            if form is None:
                return
            if original is None:
                self.submit(writes.create(form, project_key))
                return
            changes = writes.changes_between(original, form)
            if changes.empty:
                self.notify(f"Nothing changed in {original['key']}.")
                return
            self.submit(writes.edit(original["key"], changes, original["updated_at"]))

        self.push_screen(TaskEditor(original, form_choices, today=today, defaults=defaults), saved)

    def delete_task(self, key: str, title: str = "") -> None:
        from pmtool.tui.screens.dialogs import ConfirmDialog

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.submit(writes.remove(key))

        self.push_screen(
            ConfirmDialog(
                f"Remove {key}?",
                f"{title}\nIt stays in the history; ctrl+z or `pmtool undo` restores it.",
                "Remove",
            ),
            confirmed,
        )

    def choose_sprint(
        self,
        callback: Callable[[str | None], None],
        *,
        title: str = "Show the board of",
        include_all: bool = False,
        include_backlog: bool = False,
    ) -> None:
        """Ask for a sprint: ``-`` means the backlog, ``*`` all open work."""
        if self.context is not None:
            self._load_sprint_choice(self.context, title, include_all, include_backlog, callback)

    @work(thread=True, exclusive=True, group="sprint-choice", exit_on_error=False)
    def _load_sprint_choice(
        self,
        context: TuiContext,
        title: str,
        include_all: bool,
        include_backlog: bool,
        callback: Callable[[str | None], None],
    ) -> None:
        from pmtool.services.read.planning import sprint_names
        from pmtool.storage.reader import reading

        with reading(context.location) as reader:
            sprints = sprint_names(reader, context.project_id)
        options = [("*", "All open work (kanban)")] if include_all else []
        if include_backlog:
            options.append(("-", "The backlog (no sprint)"))
        options += [
            (s["name"], f"{s['name']} ({s['status']}, {s['start']} → {s['end']})")
            for s in sprints
            if include_all or s["status"] != "closed"
        ]
        self.post_message(Loaded("sprint-choice", (title, options, callback)))

    @on(Loaded)
    def _show_sprint_choice(self, message: Loaded) -> None:
        if message.what != "sprint-choice":
            return
        from pmtool.tui.screens.dialogs import ChoiceDialog

        title, options, callback = message.data
        self.push_screen(ChoiceDialog(title, options), callback)

    # Projects -----------------------------------------------------------------------

    def action_switch_project(self) -> None:
        self._load_projects()

    @work(thread=True, exclusive=True, group="projects", exit_on_error=False)
    def _load_projects(self) -> None:
        from pmtool.services.read.projects import list_projects
        from pmtool.storage.reader import reading

        with reading(self.location) as reader:
            projects = list_projects(reader)
        self.post_message(Loaded("projects", projects))

    @on(Loaded)
    def _projects_loaded(self, message: Loaded) -> None:
        if message.what == "projects":
            self._push_project_choice(message.data)

    def _push_project_choice(self, projects: list[dict[str, Any]]) -> None:
        from pmtool.tui.screens.dialogs import ChoiceDialog

        options = [
            (
                p["key"],
                f"{p['key']:<8} {p['name']} · {p['open_tasks']} open"
                + (f" · {p['active_sprint']}" if p["active_sprint"] else ""),
            )
            for p in projects
        ]

        def chosen(key: str | None) -> None:
            if key is not None and (self.context is None or key != self.context.project_key):
                self._resolve(key)

        self.push_screen(ChoiceDialog("Switch to project", options), chosen)

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
        from pmtool.tui.screens.dialogs import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        shown: list[tuple[str, str, str]] = []
        seen: set[tuple[str, str]] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.description or (binding.action, binding.description) in seen:
                continue
            seen.add((binding.action, binding.description))
            node = active.node
            where = (
                "everywhere"
                if isinstance(node, App)
                else getattr(node, "MODE", "") or (type(node).__name__)
            )
            shown.append((self.get_key_display(binding), binding.description, where))
        shown.append(("ctrl+p", "Command palette: every action by name", "app"))
        notes = (
            "Screens: 1 dashboard · 2 board · 3 backlog · 4 sprints (or click the tabs).\n"
            f"Backlog filter: {FILTER_HELP}.\n"
            "Changes made elsewhere (another terminal, a script) appear within a second."
        )
        self.push_screen(HelpScreen(shown, notes))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for mode, label in (
            ("dashboard", "Dashboard"),
            ("board", "Sprint board"),
            ("backlog", "Backlog"),
            ("sprints", "Sprints: plan, burndown, velocity"),
        ):
            go = partial(self.action_go, mode)
            yield SystemCommand(f"Go to {label}", f"Show the {label.lower()}", go)
        yield SystemCommand("Switch project", "Choose another project", self.action_switch_project)
        yield SystemCommand("Undo last change", "Revert the newest command", self.action_undo)
        yield SystemCommand("Reload data", "Read everything again", self.action_reload)
        yield SystemCommand("Help: keys", "List every key of this screen", self.action_help)
        seen = {"go", "switch_project", "undo", "reload", "help", "quit", "command_palette"}
        for active in screen.active_bindings.values():
            binding = active.binding
            name = binding.action.split("(")[0]
            if not binding.description or binding.action in seen or name in seen:
                continue
            seen.add(binding.action)
            yield SystemCommand(
                binding.description,
                f"key: {self.get_key_display(binding)}",
                partial(self.run_action, binding.action, active.node),
            )
        if isinstance(screen, DataScreen):
            for title, help_text, callback in screen.commands():
                yield SystemCommand(title, help_text, callback)
