"""The TUI's screens in one list: number key, tab label, palette entry and class.

A domain adds its screen with one line here; the tabs, the number keys, the help, the
palette and `pmtool tui --screen` all follow. Plain data (no Textual import), so the
CLI can offer the screen names without loading the TUI.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    mode: str  # the Textual mode and the `--screen` name
    key: str  # the number key that shows it
    label: str  # the tab, and the heading of its keys in the help
    palette: str  # "Go to ..." in the command palette
    screen: str  # "module:Class", imported when first shown

    def load(self) -> type:
        from importlib import import_module

        module, _, name = self.screen.partition(":")
        screen_class: type = getattr(import_module(module), name)
        return screen_class


PLACES: tuple[Place, ...] = (
    Place("dashboard", "1", "Dashboard", "Dashboard",
          "pmtool.tui.screens.dashboard:DashboardScreen"),
    Place("board", "2", "Board", "Sprint board", "pmtool.tui.screens.board:BoardScreen"),
    Place("backlog", "3", "Backlog", "Backlog", "pmtool.tui.screens.backlog:BacklogScreen"),
    Place("sprints", "4", "Sprints", "Sprints: plan, burndown, velocity",
          "pmtool.tui.screens.sprints:SprintsScreen"),
    Place("approvals", "5", "Approvals", "Approvals: ethics votes, DPIAs, data agreements",
          "pmtool.tui.screens.approvals:ApprovalsScreen"),
    Place("theses", "6", "Theses", "Theses: supervisor overview, timelines",
          "pmtool.tui.screens.thesis:ThesesScreen"),
    Place("partners", "7", "Partners", "Partners: stakeholders, grid, agreements",
          "pmtool.tui.screens.partners:PartnersScreen"),
    Place("git", "8", "Git", "Git: repositories and commits",
          "pmtool.tui.screens.gitsync:GitScreen"),
    Place("compliance", "9", "Compliance", "Compliance: profile and checklists",
          "pmtool.tui.screens.compliance:ComplianceScreen"),
)  # fmt: skip

BY_MODE = {place.mode: place for place in PLACES}
MODES = tuple(BY_MODE)
