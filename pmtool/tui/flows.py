"""The task flows the screens ask for: open, edit, create or remove a task, pick a sprint
or a project.

Screens post a request (:class:`~pmtool.tui.messages.OpenTask`, ``EditTask``,
``NewTask``, ``DeleteTask``, ``ChooseSprint``); it bubbles up to the app, and a flow
here reads what it needs in a worker, then opens the dialog. Changes go to the shell's
write queue as a :class:`~pmtool.tui.messages.SubmitWrite`, like every other change.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import App

from pmtool.storage.location import DatabaseLocation
from pmtool.storage.reader import Row
from pmtool.tui import writes
from pmtool.tui.context import TuiContext
from pmtool.tui.messages import (
    ChooseSprint,
    DeleteTask,
    EditorReady,
    EditTask,
    NewTask,
    OpenTask,
    ProjectChoiceNeeded,
    ProjectsLoaded,
    SprintChoiceReady,
    SubmitWrite,
)
from pmtool.tui.screens.base import ReportsWorkerErrors


class TaskFlows(ReportsWorkerErrors, App[None]):
    """The flows; the shell (:class:`pmtool.tui.app.PmApp`) runs them on its data."""

    # Kept by the shell.
    location: DatabaseLocation
    context: TuiContext | None

    def switch_to_project(self, key: str) -> None:
        """Make ``key`` the project on show (the shell resolves it)."""
        raise NotImplementedError

    # Open, edit, create, remove -------------------------------------------------------

    @on(OpenTask)
    def _open_task(self, message: OpenTask) -> None:
        self.open_task(message.key)

    def open_task(self, key: str) -> None:
        from pmtool.tui.screens.dialogs import TaskDetail

        def closed(choice: str | None) -> None:
            if choice == "edit":
                self.edit_task(key)
            elif choice == "delete":
                self.delete_task(key, detail.task_title)

        detail = TaskDetail(self.location, key)
        self.push_screen(detail, closed)

    @on(EditTask)
    def _edit_task(self, message: EditTask) -> None:
        self.edit_task(message.key)

    def edit_task(self, key: str) -> None:
        if self.context is not None:
            self._prepare_editor(self.context, key, {})

    @on(NewTask)
    def _new_task(self, message: NewTask) -> None:
        if self.context is not None:
            # The status stays blank: a new task starts in the first column.
            self._prepare_editor(self.context, None, {"sprint": message.sprint})

    @work(thread=True, exclusive=True, group="editor-load", exit_on_error=False)
    def _prepare_editor(
        self, context: TuiContext, key: str | None, defaults: dict[str, Any]
    ) -> None:
        from pmtool.core import clock
        from pmtool.services.read.board import choices, task_card
        from pmtool.storage.reader import reading

        with reading(context.location) as reader:
            original = task_card(reader, key) if key is not None else None
            form_choices = choices(reader, context.project_id)
        self.post_message(EditorReady(original, form_choices, defaults, clock.today()))

    @on(EditorReady)
    def _open_editor(self, message: EditorReady) -> None:
        from pmtool.tui.screens.editor import TaskEditor

        if self.context is None:
            return
        defaults = dict(message.defaults)
        if message.original is None and defaults.get("status") is None:
            defaults["status"] = message.choices["statuses"][0]
        editor = TaskEditor(
            message.original,
            message.choices,
            today=message.today,
            defaults=defaults,
            project_key=self.context.project_key,
        )
        self.push_screen(editor)

    @on(DeleteTask)
    def _delete_task(self, message: DeleteTask) -> None:
        self.delete_task(message.key, message.title)

    def delete_task(self, key: str, title: str = "") -> None:
        from pmtool.tui.screens.dialogs import ConfirmDialog

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.post_message(SubmitWrite(writes.remove(key)))

        self.push_screen(
            ConfirmDialog(
                f"Remove {key}?",
                f"{title}\nIt stays in the history; ctrl+z or `pmtool undo` restores it.",
                "Remove",
            ),
            confirmed,
        )

    # Choosing a sprint ----------------------------------------------------------------

    @on(ChooseSprint)
    def _choose_sprint(self, message: ChooseSprint) -> None:
        if self.context is not None:
            self._load_sprint_choice(self.context, message)

    @work(thread=True, exclusive=True, group="sprint-choice", exit_on_error=False)
    def _load_sprint_choice(self, context: TuiContext, wanted: ChooseSprint) -> None:
        from pmtool.services.read.planning import sprint_names
        from pmtool.storage.reader import reading

        with reading(context.location) as reader:
            sprints = sprint_names(reader, context.project_id)
        options = [("*", "All open work (kanban)")] if wanted.include_all else []
        if wanted.include_backlog:
            options.append(("-", "The backlog (no sprint)"))
        options += [
            (s["name"], f"{s['name']} ({s['status']}, {s['start']} → {s['end']})")
            for s in sprints
            if wanted.include_all or s["status"] != "closed"
        ]
        self.post_message(SprintChoiceReady(wanted.title, options, wanted.on_choice))

    @on(SprintChoiceReady)
    def _show_sprint_choice(self, message: SprintChoiceReady) -> None:
        from pmtool.tui.screens.dialogs import ChoiceDialog

        self.push_screen(ChoiceDialog(message.title, message.options), message.on_choice)

    # Choosing a project ---------------------------------------------------------------

    def action_switch_project(self) -> None:
        self._load_projects()

    @work(thread=True, exclusive=True, group="projects", exit_on_error=False)
    def _load_projects(self) -> None:
        from pmtool.services.read.projects import list_projects
        from pmtool.storage.reader import reading

        with reading(self.location) as reader:
            projects = list_projects(reader)
        self.post_message(ProjectsLoaded(projects))

    @on(ProjectsLoaded)
    def _projects_loaded(self, message: ProjectsLoaded) -> None:
        self._choose_project(message.projects)

    @on(ProjectChoiceNeeded)
    def _project_choice_needed(self, message: ProjectChoiceNeeded) -> None:
        self.notify(message.reason, title="Which project?")
        self._choose_project(message.projects)

    def _choose_project(self, projects: list[Row]) -> None:
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
                self.switch_to_project(key)

        self.push_screen(ChoiceDialog("Switch to project", options), chosen)
