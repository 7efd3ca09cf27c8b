"""The compliance screen: profile summary, checklists with progress, items, and the keys
that mark an item done, not applicable, in progress, or turn it into a task."""

from __future__ import annotations

import json
from typing import Any

from textual.widgets import Input, Static
from tui_helpers import Invoke, MakeApp, after_write, notifications, settled, wait_for

from pmtool.tui.screens.compliance import ComplianceScreen, TextDialog
from pmtool.tui.widgets.table import TaskTable

SIZE = (120, 36)


def item(run: Invoke, item_id: int) -> dict[str, Any]:
    result = run("compliance", "item", "show", str(item_id), "--format", "json")
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = json.loads(result.output)
    return found


def select(screen: ComplianceScreen, number: str) -> TaskTable:
    table = screen.query_one("#compliance-items", TaskTable)
    table.cursor = next(i for i, row in enumerate(table.rows) if row["number"] == number)
    table.focus()
    return table


async def test_the_screen_shows_profile_checklists_and_items(make_app: MakeApp) -> None:
    app = make_app("dashboard")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("9")
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, ComplianceScreen)
        summary = str(screen.query_one("#compliance-profile", Static).content)
        assert summary.startswith(
            "AI Act: provider, high-risk (via MDR IIa) · MDR class IIa (was IIb) · "
            "IEC 62304 class B"
        )
        checklists = screen.query_one("#checklists", TaskTable).rows
        assert [(row["template"], row["count"]) for row in checklists] == [
            ("tripod-ai", "11/27"),
            ("ai-act-provider", "4/23"),
        ]
        assert checklists[0]["bar"] == "███░░░░░"
        items = screen.query_one("#compliance-items", TaskTable).rows
        assert [row["number"] for row in items] == [str(n) for n in range(1, 28)]
        assert items[23]["where"] == "n/a: No model updating: the model is developed once"
        # Choosing the other checklist shows its items.
        screen.query_one("#checklists", TaskTable).cursor = 1
        await pilot.pause()
        items = screen.query_one("#compliance-items", TaskTable).rows
        assert items[0]["number"] == "Art. 9(1)" and len(items) == 23


async def test_done_with_evidence_and_not_applicable_with_a_reason(
    make_app: MakeApp, run: Invoke
) -> None:
    app = make_app("compliance")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, ComplianceScreen)
        select(screen, "1")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, TextDialog))
        await pilot.press("enter")  # empty: refused in the dialog, which stays
        assert isinstance(app.screen, TextDialog)
        app.screen.query_one(Input).value = "thesis/title.md"
        before = app.writes_done
        await pilot.press("enter")
        await after_write(pilot, before)
        assert (item(run, 1)["status"], item(run, 1)["evidence"]) == ("done", "thesis/title.md")
        select(screen, "2")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TextDialog))
        await pilot.press("escape")  # cancelled: nothing written
        assert item(run, 2)["status"] == "open"
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TextDialog))
        app.screen.query_one(Input).value = "No abstract in a thesis"
        before = app.writes_done
        await pilot.press("enter")
        await after_write(pilot, before)
        assert (item(run, 2)["status"], item(run, 2)["na_reason"]) == (
            "not_applicable",
            "No abstract in a thesis",
        )
        rows = screen.query_one("#checklists", TaskTable).rows
        assert rows[0]["count"] == "13/27"
        # A refused change writes nothing and says why.
        before = app.writes_done
        await pilot.press("t")
        await wait_for(pilot, lambda: any("reopen it first" in n for n in notifications(app)))
        assert app.writes_done == before


async def test_make_task_and_in_progress(make_app: MakeApp, run: Invoke) -> None:
    app = make_app("compliance")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, ComplianceScreen)
        select(screen, "12")
        before = app.writes_done
        await pilot.press("t")
        await after_write(pilot, before)
        made = item(run, 12)
        assert made["status"] == "in_progress" and len(made["tasks"]) == 1
        assert any(f"Created {made['tasks'][0]}" in n for n in notifications(app))
        select(screen, "13")
        before = app.writes_done
        await pilot.press("p")
        await after_write(pilot, before)
        assert item(run, 13)["status"] == "in_progress"
        before = app.writes_done
        await pilot.press("o")
        await after_write(pilot, before)
        assert item(run, 13)["status"] == "open"
        before = app.writes_done
        await pilot.press("D")
        await after_write(pilot, before)
        assert item(run, 13)["in_dod"] is True
        before = app.writes_done
        await pilot.press("D")
        await after_write(pilot, before)
        assert item(run, 13)["in_dod"] is False


async def test_enter_on_an_item_opens_its_linked_task(make_app: MakeApp, run: Invoke) -> None:
    from pmtool.tui.screens.dialogs import TaskDetail

    app = make_app("compliance")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, ComplianceScreen)
        linked = item(run, 15)["tasks"]
        assert linked
        select(screen, "15")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskDetail))
        assert app.screen.key == linked[0]  # type: ignore[attr-defined]
