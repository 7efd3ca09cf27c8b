"""Thesis milestone plans: the templates (``templates/thesis/*.toml``), their checks, and
the graph rules every plan obeys (no cycles, the critical path).

Pure functions over plain data, standard library only (``tomllib``): the write path uses
them when a thesis is added or a dependency is drawn, the read path for the critical path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pmtool.core.errors import InvalidInput, NotFound
from pmtool.core.words import APPROVAL_KINDS, approval_kind

if TYPE_CHECKING:
    from pathlib import Path

# Milestone ids with a meaning: the submission is due at the deadline (and moves with it),
# the defence follows the thesis's defence date.
SUBMISSION = "submission"
DEFENCE = "defence"
EARLIEST_WEEK = -52  # a year of preparation before the start is plenty
LATEST_AFTER_DEADLINE = 52  # and a year after the deadline for defence and reports


@dataclass(frozen=True)
class PlannedMilestone:
    code: str
    title: str
    week: int
    after: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    name: str
    description: str
    weeks: int
    milestones: tuple[PlannedMilestone, ...] = field(default_factory=tuple)


# tomllib, pathlib and the template folder are imported where a template is read: the
# read path (the overview) uses only the graph rules below.


def template_names() -> list[str]:
    from pmtool.resources import templates_dir

    return sorted(path.stem for path in (templates_dir() / "thesis").glob("*.toml"))


def template_path(name: str) -> Path:
    """A shipped template by name, or a .toml file given by path (a university's own)."""
    from pathlib import Path

    from pmtool.resources import templates_dir

    wanted = name.strip()
    if wanted.endswith(".toml") and Path(wanted).expanduser().is_file():
        return Path(wanted).expanduser()
    path = templates_dir() / "thesis" / f"{wanted.lower()}.toml"
    if not wanted or "/" in wanted or not path.is_file():
        raise NotFound(
            f"no thesis template {name!r}; templates: {', '.join(template_names())} "
            "(or the path of a .toml file)"
        )
    return path


def load_template(name: str) -> Plan:
    import tomllib

    path = template_path(name)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(f"thesis template {path.name} is not valid TOML: {error}") from error
    return parse_plan(data, path.stem)


def parse_plan(data: Mapping[str, Any], fallback_name: str) -> Plan:
    """A plan from a template's TOML data, checked (see :func:`check_plan`)."""
    where = f"thesis template {data.get('name', fallback_name)!r}"
    raw_milestones = data.get("milestone")
    if not isinstance(raw_milestones, list) or not raw_milestones:
        raise InvalidInput(f"{where} has no [[milestone]] entries")
    milestones = []
    for index, entry in enumerate(raw_milestones, start=1):
        if not isinstance(entry, dict):
            raise InvalidInput(f"{where}: milestone {index} is not a table")
        code, title, week = entry.get("id"), entry.get("title"), entry.get("week")
        if not isinstance(code, str) or not code.strip():
            raise InvalidInput(f"{where}: milestone {index} has no id")
        if not isinstance(title, str) or not title.strip():
            raise InvalidInput(f"{where}: milestone {code!r} has no title")
        if not isinstance(week, int) or isinstance(week, bool):
            raise InvalidInput(f"{where}: milestone {code!r} needs a whole number of weeks")
        after = entry.get("after", [])
        needs = entry.get("needs", [])
        if not isinstance(after, list) or not all(isinstance(a, str) for a in after):
            raise InvalidInput(f"{where}: milestone {code!r}: after must be a list of ids")
        if not isinstance(needs, list) or not all(isinstance(n, str) for n in needs):
            raise InvalidInput(f"{where}: milestone {code!r}: needs must be a list of kinds")
        milestones.append(
            PlannedMilestone(code.strip(), title.strip(), week, tuple(after), tuple(needs))
        )
    weeks = data.get("weeks", 26)
    if not isinstance(weeks, int) or isinstance(weeks, bool):
        raise InvalidInput(f"{where}: weeks must be a whole number")
    plan = Plan(
        name=str(data.get("name", fallback_name)),
        description=str(data.get("description", "")),
        weeks=weeks,
        milestones=tuple(milestones),
    )
    check_plan(plan)
    return plan


def check_plan(plan: Plan) -> None:
    """Unique ids, known dependencies, no cycles, dependencies due first, sane offsets,
    known approval kinds, and the submission due at the deadline."""
    where = f"thesis template {plan.name!r}"
    if not 1 <= plan.weeks <= 104:
        raise InvalidInput(f"{where}: weeks must be between 1 and 104, not {plan.weeks}")
    by_code: dict[str, PlannedMilestone] = {}
    for milestone in plan.milestones:
        if milestone.code in by_code:
            raise InvalidInput(f"{where}: the id {milestone.code!r} is used twice")
        if milestone.code.isdigit():
            raise InvalidInput(f"{where}: id {milestone.code!r} must not be a number")
        by_code[milestone.code] = milestone
        if not EARLIEST_WEEK <= milestone.week <= plan.weeks + LATEST_AFTER_DEADLINE:
            raise InvalidInput(
                f"{where}: milestone {milestone.code!r} at week {milestone.week} is outside "
                f"weeks {EARLIEST_WEEK}..{plan.weeks + LATEST_AFTER_DEADLINE}"
            )
        for need in milestone.needs:
            check_need(need, f"{where}: milestone {milestone.code!r}")
    for milestone in plan.milestones:
        for before in milestone.after:
            if before not in by_code:
                raise InvalidInput(
                    f"{where}: milestone {milestone.code!r} comes after unknown {before!r}"
                )
            if by_code[before].week > milestone.week:
                raise InvalidInput(
                    f"{where}: milestone {milestone.code!r} (week {milestone.week}) comes after "
                    f"{before!r}, which is due later (week {by_code[before].week})"
                )
    cycle = find_cycle({m.code: m.after for m in plan.milestones})
    if cycle:
        raise InvalidInput(f"{where}: the dependencies go round in a circle: {' -> '.join(cycle)}")
    if SUBMISSION in by_code and by_code[SUBMISSION].week != plan.weeks:
        raise InvalidInput(
            f"{where}: the milestone {SUBMISSION!r} must be at week {plan.weeks} "
            "(the processing time: it is due at the deadline)"
        )


def check_need(need: str, where: str) -> list[str]:
    """An approval need such as ``dua`` or ``ethics|exemption``: its kinds, checked."""
    words = [word.strip() for word in need.split("|")]
    kinds = [approval_kind(word) for word in words]
    unknown = [word for word, kind in zip(words, kinds, strict=True) if kind is None]
    if unknown:
        raise InvalidInput(
            f"{where}: unknown approval kind {unknown[0]!r}; kinds: "
            f"{', '.join(APPROVAL_KINDS)} (either of two: ethics|exemption)"
        )
    return [kind for kind in dict.fromkeys(kinds) if kind is not None]


def find_cycle(edges: Mapping[Any, Iterable[Any]]) -> list[Any]:
    """A cycle in a dependency graph (node -> the nodes it comes after), as a path that
    starts and ends with the same node, or [] when there is none."""
    state: dict[Any, int] = {}  # 1: on the current path, 2: finished
    path: list[Any] = []

    def visit(node: Any) -> list[Any]:
        state[node] = 1
        path.append(node)
        for before in edges.get(node, ()):
            if state.get(before) == 1:
                return [*path[path.index(before) :], before]
            if before not in state:
                found = visit(before)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return []

    for node in list(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


def ancestors(edges: Mapping[Any, Iterable[Any]], node: Any) -> set[Any]:
    """Every node that ``node`` comes after, directly or through others."""
    seen: set[Any] = set()
    waiting = list(edges.get(node, ()))
    while waiting:
        current = waiting.pop()
        if current not in seen:
            seen.add(current)
            waiting.extend(edges.get(current, ()))
    return seen


def critical_path(edges: Mapping[Any, Iterable[Any]], deadline_node: Any | None) -> set[Any]:
    """The milestones the submission waits for (and the submission itself): when one of
    them is late, the deadline is at risk."""
    if deadline_node is None:
        return set()
    return {deadline_node, *ancestors(edges, deadline_node)}
