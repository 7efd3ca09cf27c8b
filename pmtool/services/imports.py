"""Imports: Taskwarrior's `task export` JSON, and CSV or spreadsheet rows under a column
map, turned into tasks; all or nothing, and never twice.

Planning reads and checks every record before anything is written (a bad record is an
InvalidInput naming it: ``task 3 (uuid 1f2e...)``, ``row 7``), so a dry run shows
exactly what ``--apply`` writes. Each imported task gets an ``import_record`` row with
its source and its id there (a Taskwarrior uuid, the mapped ``id`` column, or
``sha256:`` of the record's values), which the next import of the same file skips.
Standard library only; spreadsheets are read by :mod:`pmtool.exports.tables`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pmtool.core import clock, words
from pmtool.core.errors import InvalidInput, PmError
from pmtool.core.validation import check_points
from pmtool.services import resolve, tasks
from pmtool.storage.gateway import Gateway
from pmtool.storage.reader import Reader, Row

MAX_IMPORT_BYTES = 50 * 1024 * 1024  # a Taskwarrior export of 100,000 tasks is ~30 MB
MAX_IMPORT_RECORDS = 100_000
PLAN_FIELDS = (
    "action", "record", "source_id", "key", "title", "status", "points", "type", "priority",
    "labels", "due", "notes",
)  # fmt: skip
CSV_FIELDS = (
    "id", "title", "description", "points", "type", "priority", "assignee", "labels", "due",
    "sprint", "status",
)  # fmt: skip


@dataclass
class PlannedTask:
    """One record of the file and what the import does with it."""

    record: str  # "task 3", "row 7": how errors and the plan name it
    source_id: str
    spec: dict[str, Any]  # keywords for services.tasks.add_task
    action: str = "add"  # add | skip
    key: str | None = None  # the task it already became (skip)
    notes: list[str] = field(default_factory=list)

    def as_row(self) -> Row:
        return {
            "action": self.action,
            "record": self.record,
            "source_id": self.source_id,
            "key": self.key,
            "title": self.spec.get("title"),
            "status": self.spec.get("status"),
            "points": self.spec.get("points"),
            "type": self.spec.get("task_type", "task"),
            "priority": self.spec.get("priority", "medium"),
            "labels": list(self.spec.get("labels", ())),
            "due": self.spec["due"].isoformat() if self.spec.get("due") else None,
            "notes": "; ".join(self.notes) or None,
        }


@dataclass
class ImportPlan:
    source: str  # taskwarrior | csv
    project: Row
    tasks: list[PlannedTask] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (record, why), not imported
    ignored: Counter[str] = field(default_factory=Counter)  # field or column -> records

    @property
    def to_add(self) -> list[PlannedTask]:
        return [task for task in self.tasks if task.action == "add"]

    @property
    def already_imported(self) -> list[PlannedTask]:
        return [task for task in self.tasks if task.action == "skip"]


def check_file_size(path: Path) -> None:
    """Refuse a file too big to import before reading a byte of it."""
    size = path.stat().st_size
    if size > MAX_IMPORT_BYTES:
        raise InvalidInput(
            f"{path} is {size / 1024 / 1024:.0f} MB; imports take files up to "
            f"{MAX_IMPORT_BYTES // 1024 // 1024} MB: split it"
        )


# --- values -----------------------------------------------------------------------------------

_ISO_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"
)
_JIRA_DATE = re.compile(r"^\d{1,2}/[A-Za-z]{3}/\d{2}( \d{1,2}:\d{2} [AP]M)?$")
DATE_FORMATS_HELP = (
    "2026-12-01 (ISO, also with a time), 01.12.2026 (day.month.year), "
    "01/Dec/26 10:00 AM (Jira), 20261201T000000Z (Taskwarrior)"
)


def parse_import_date(text: str, date_format: str | None = None) -> date:
    """A date in one of the formats exports of other tools use (DATE_FORMATS_HELP), or
    ``date_format`` (strptime) when given. Timestamps with a zone become local dates."""
    value = text.strip()
    try:
        if date_format:
            return datetime.strptime(value, date_format).date()
        if re.fullmatch(r"\d{8}T\d{6}Z", value):  # Taskwarrior: UTC
            moment = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            return moment.astimezone().date()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
        if re.fullmatch(
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?", value
        ):
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return (moment.astimezone() if moment.tzinfo else moment).date()
        if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", value):
            return datetime.strptime(value, "%d.%m.%Y").date()
        if _JIRA_DATE.fullmatch(value):
            pattern = "%d/%b/%y %I:%M %p" if " " in value else "%d/%b/%y"
            return datetime.strptime(value, pattern).date()
    except ValueError:
        pass
    hint = f"the format {date_format}" if date_format else DATE_FORMATS_HELP
    raise InvalidInput(f"{text!r} is not a date in {hint}")


def whole_points(value: Any) -> int | None:
    """Story points from a cell: a whole number, empty for none; NaN and 2.5 refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"points must be a whole number (got {value})")
    if isinstance(value, float):
        if math.isnan(value):
            return None  # an empty spreadsheet cell
        if not value.is_integer():
            raise InvalidInput(f"points must be a whole number (got {value:g})")
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        raise InvalidInput(f"points must be a whole number (got {text!r})") from None
    if not math.isfinite(number) or not number.is_integer():
        raise InvalidInput(f"points must be a whole number (got {text!r})")
    return int(number)


TYPE_WORDS = {
    "story": "story", "user story": "story", "feature": "story", "new feature": "story",
    "improvement": "story", "epic": "story", "enhancement": "story",
    "bug": "bug", "defect": "bug",
    "task": "task", "sub-task": "task", "subtask": "task", "chore": "task",
    "spike": "spike", "research": "spike",
}  # fmt: skip
PRIORITY_WORDS = {
    "critical": "critical", "highest": "critical", "blocker": "critical", "urgent": "critical",
    "high": "high", "major": "high", "h": "high",
    "medium": "medium", "normal": "medium", "m": "medium",
    "low": "low", "lowest": "low", "minor": "low", "trivial": "low", "l": "low",
}  # fmt: skip
STATUS_WORDS = {
    "to_do": "todo", "open": "todo", "new": "todo", "selected_for_development": "todo",
    "in_review": "review", "code_review": "review",
    "closed": "done", "resolved": "done", "completed": "done",
}  # fmt: skip


def _word(value: str, table: Mapping[str, str], what: str, allowed: Sequence[str]) -> str:
    found = table.get(value.strip().lower())
    if found is None:
        raise InvalidInput(f"unknown {what} {value!r}; pmtool's are: {', '.join(allowed)}")
    return found


def _status(reader: Reader, project_id: int, value: str) -> str:
    wanted = resolve.normalise_status(value)
    names = [column["name"] for column in resolve.columns(reader, project_id)]
    if wanted not in names and STATUS_WORDS.get(wanted) in names:
        wanted = STATUS_WORDS[wanted]
    return str(resolve.column(reader, project_id, wanted)["name"])


def _done_status(reader: Reader, project_id: int) -> str:
    done = [column["name"] for column in resolve.columns(reader, project_id) if column["is_done"]]
    return done[0]


def _check_spec(reader: Reader, project: Row, spec: dict[str, Any]) -> None:
    """What add_task would refuse, found before anything is written (resolvers only)."""
    if spec.get("assignee"):
        spec["assignee"] = resolve.member(reader, spec["assignee"])["name"]
    if spec.get("sprint"):
        spec["sprint"] = resolve.sprint(reader, project["id"], spec["sprint"], for_new_work=True)[
            "name"
        ]
    tasks.check_labels(spec.get("labels", ()))
    check_points(spec.get("points"))


def _mark_known(reader: Reader, plan: ImportPlan) -> None:
    """Records imported before (same source and id) are skipped, naming their task."""
    known = {
        source_id: key
        for source_id, key in reader.tuples(
            "SELECT r.source_id, p.key || '-' || t.number FROM import_record r "
            "JOIN task t ON t.id = r.task_id JOIN project p ON p.id = t.project_id "
            "WHERE r.project_id = :p AND r.source = :s",
            {"p": plan.project["id"], "s": plan.source},
        )
    }
    for planned in plan.tasks:
        if planned.source_id in known:
            planned.action, planned.key = "skip", known[planned.source_id]
            planned.notes.append("imported before")


def _named(record: str, error: PmError, *, planning: bool = True) -> PmError:
    """The error with the record named. While planning, every refusal is about the file's
    content (an unknown member, a closed sprint): bad input, exit code 2."""
    kind = InvalidInput if planning else type(error)
    return kind(f"{record}: {error}")


# --- Taskwarrior ----------------------------------------------------------------------------

# Taskwarrior's own fields (task 2.6/3.x). Fields not here are UDAs.
TASKWARRIOR_FIELDS = frozenset(
    {
        "id", "uuid", "description", "status", "project", "tags", "priority", "due", "entry",
        "end", "modified", "start", "wait", "scheduled", "until", "recur", "mask", "imask",
        "parent", "depends", "annotations", "urgency", "rtype", "template", "last",
    }
)  # fmt: skip
# Fields carried over (or consulted); the others of TASKWARRIOR_FIELDS are reported as ignored.
_TASKWARRIOR_USED = frozenset(
    {"id", "uuid", "description", "status", "project", "tags", "priority", "due", "entry",
     "end", "modified", "start", "annotations", "urgency", "mask", "imask", "rtype", "template",
     "last", "parent"}
)  # fmt: skip


_DUPLICATE = "\x00duplicate key"  # a marker no JSON text can produce as a key


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object, marked when a key appears twice in it or in an object inside it, so
    the record that holds it can be named once the whole array is read."""
    seen: dict[str, Any] = {}
    for name, value in pairs:
        if name in seen and _DUPLICATE not in seen:
            seen[_DUPLICATE] = name
        seen[name] = value
        inner = value if isinstance(value, list) else [value]
        for item in inner:
            if isinstance(item, dict) and _DUPLICATE in item and _DUPLICATE not in seen:
                seen[_DUPLICATE] = item[_DUPLICATE]
    return seen


def read_taskwarrior(text: str) -> list[dict[str, Any]]:
    """The task objects of a `task export`: a JSON array, or one object per line."""
    stripped = text.lstrip()
    if not stripped:
        return []
    if stripped.startswith("["):
        try:
            found = json.loads(text, object_pairs_hook=_no_duplicate_keys)
        except json.JSONDecodeError as error:
            raise InvalidInput(
                f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
            ) from None
        if not isinstance(found, list):
            raise InvalidInput("expected a JSON array of tasks (task export)")
        records = found
    else:
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line, object_pairs_hook=_no_duplicate_keys))
            except json.JSONDecodeError as error:
                raise InvalidInput(
                    f"line {number}: not valid JSON ({error.msg} at column {error.colno})"
                ) from None
            if isinstance(records[-1], dict) and _DUPLICATE in records[-1]:
                raise InvalidInput(f"line {number}: duplicate key {records[-1][_DUPLICATE]!r}")
    if len(records) > MAX_IMPORT_RECORDS:
        raise InvalidInput(f"more than {MAX_IMPORT_RECORDS} tasks in one import; split the file")
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise InvalidInput(
                f"task {index}: expected a JSON object, got {json.dumps(record)[:40]}"
            )
        if _DUPLICATE in record:
            uuid = record.get("uuid")
            where = f"task {index} (uuid {uuid})" if isinstance(uuid, str) else f"task {index}"
            raise InvalidInput(f"{where}: duplicate key {record[_DUPLICATE]!r}")
    return records


def plan_taskwarrior(
    reader: Reader,
    project: Row,
    records: Iterable[Mapping[str, Any]],
    *,
    uda_labels: Sequence[str] = (),
    points_uda: str | None = None,
) -> ImportPlan:
    """What importing these Taskwarrior tasks would do (nothing is written)."""
    plan = ImportPlan("taskwarrior", project)
    first_status = resolve.columns(reader, project["id"])[0]["name"]
    seen: dict[str, str] = {}
    for index, record in enumerate(records, start=1):
        uuid = record.get("uuid")
        name = f"task {index}"
        try:
            if not isinstance(uuid, str) or not uuid.strip():
                raise InvalidInput("no uuid: import the output of `task export`")
            if uuid in seen:
                raise InvalidInput(f"the uuid appears twice (first as {seen[uuid]})")
            seen[uuid] = name
            status = record.get("status", "pending")
            if status == "deleted":
                plan.skipped.append((name, "deleted in Taskwarrior"))
                continue
            if status == "recurring":
                plan.skipped.append((name, "a recurrence template (its instances are imported)"))
                continue
            spec, notes = _taskwarrior_spec(reader, project, record, first_status, uda_labels,
                                            points_uda, plan)  # fmt: skip
            _check_spec(reader, project, spec)
        except PmError as error:
            where = f"{name} (uuid {uuid})" if isinstance(uuid, str) and uuid else name
            raise _named(where, error) from None
        plan.tasks.append(PlannedTask(name, uuid, spec, notes=notes))
    _mark_known(reader, plan)
    return plan


def _taskwarrior_spec(
    reader: Reader,
    project: Row,
    record: Mapping[str, Any],
    first_status: str,
    uda_labels: Sequence[str],
    points_uda: str | None,
    plan: ImportPlan,
) -> tuple[dict[str, Any], list[str]]:
    description = record.get("description")
    if not isinstance(description, str) or not description.strip():
        raise InvalidInput("no description (it becomes the title)")
    status = record.get("status", "pending")
    if status not in ("pending", "waiting", "completed"):
        raise InvalidInput(f"unknown status {status!r}")
    spec: dict[str, Any] = {"title": description.strip()[: words.MAX_TITLE_LENGTH]}
    notes = []
    if len(description.strip()) > words.MAX_TITLE_LENGTH:
        notes.append("title cut to 200 characters; the whole text is in the description")
    if status == "completed":
        spec["status"] = _done_status(reader, project["id"])
    elif "start" in record and status == "pending":
        columns = [column["name"] for column in resolve.columns(reader, project["id"])]
        spec["status"] = "in_progress" if "in_progress" in columns else first_status
    else:
        spec["status"] = first_status
    labels = [str(tag) for tag in record.get("tags", []) or []]
    if record.get("project"):
        labels.insert(0, f"project:{record['project']}")
    priority = record.get("priority")
    if priority:
        spec["priority"] = _word(str(priority), PRIORITY_WORDS, "priority", ("H", "M", "L"))
    if record.get("due"):
        spec["due"] = parse_import_date(str(record["due"]))
    for name, value in record.items():
        if name in _TASKWARRIOR_USED:
            continue
        if name == points_uda:
            spec["points"] = whole_points(value)
        elif name in uda_labels:
            labels.append(f"{name}:{value}")
        elif name in TASKWARRIOR_FIELDS:
            plan.ignored[name] += 1
        else:
            plan.ignored[f"UDA {name}"] += 1
    spec["labels"] = labels
    footer = [f"Imported from Taskwarrior (uuid {record['uuid']})"]
    for moment, word in (("entry", "entered"), ("end", "finished")):
        if record.get(moment):
            footer.append(f"{word} {parse_import_date(str(record[moment])).isoformat()}")
    lines = []
    if len(description.strip()) > words.MAX_TITLE_LENGTH:
        lines.append(description.strip())
    for annotation in record.get("annotations", []) or []:
        if isinstance(annotation, Mapping) and annotation.get("description"):
            when = annotation.get("entry")
            day = parse_import_date(str(when)).isoformat() + ": " if when else ""
            lines.append(f"- {day}{annotation['description']}")
    lines.append(", ".join(footer) + ".")
    spec["description"] = "\n".join(lines)
    return spec, notes


# --- CSV and spreadsheets -------------------------------------------------------------------


def parse_column_map(given: Sequence[str]) -> dict[str, str]:
    """``--map title=Summary,points=Story Points`` (repeatable) -> {field: column}."""
    mapping: dict[str, str] = {}
    for option in given:
        for part in option.split(","):
            if not part.strip():
                continue
            target, separator, column = part.partition("=")
            target = target.strip().lower()
            if not separator or not column.strip():
                raise InvalidInput(f"--map takes FIELD=COLUMN, not {part.strip()!r}")
            if target not in CSV_FIELDS:
                raise InvalidInput(
                    f"--map: unknown field {target!r}; fields: {', '.join(CSV_FIELDS)}"
                )
            if target in mapping:
                raise InvalidInput(f"--map names {target!r} twice")
            mapping[target] = column.strip()
    return mapping


def _columns_for(header: Sequence[str], mapping: Mapping[str, str]) -> dict[str, list[int]]:
    """field -> the indexes of its columns (labels may come from several, as in Jira)."""
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        positions.setdefault(name.strip(), []).append(index)
    chosen: dict[str, list[int]] = {}
    if mapping:
        lowered = {name.lower(): name for name in positions}
        for target, column in mapping.items():
            actual = column if column in positions else lowered.get(column.lower())
            if actual is None:
                raise InvalidInput(
                    f"--map {target}={column}: no column {column!r}; the columns are: "
                    + ", ".join(positions)
                )
            chosen[target] = positions[actual]
    else:
        for name, indexes in positions.items():
            target = name.lower()
            if target not in CSV_FIELDS:
                raise InvalidInput(
                    f"unknown column {name!r}: map the columns you want with --map FIELD=COLUMN "
                    f"(fields: {', '.join(CSV_FIELDS)}); the others are then ignored"
                )
            chosen[target] = indexes
    for target, indexes in chosen.items():
        if len(indexes) > 1 and target != "labels":
            raise InvalidInput(f"column {header[indexes[0]]!r} appears {len(indexes)} times")
    if "title" not in chosen:
        raise InvalidInput("no title column: map one with --map title=COLUMN")
    return chosen


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).strip()


def plan_rows(
    reader: Reader,
    project: Row,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    mapping: Mapping[str, str],
    *,
    date_format: str | None = None,
    first_row_number: int = 2,
) -> ImportPlan:
    """What importing these rows would do; ``header`` names the columns."""
    plan = ImportPlan("csv", project)
    chosen = _columns_for(header, mapping)
    used = {index for indexes in chosen.values() for index in indexes}
    ignored_columns = [name for index, name in enumerate(header) if index not in used]
    seen: dict[str, str] = {}
    for offset, row in enumerate(rows):
        name = f"row {first_row_number + offset}"
        cells = list(row) + [None] * (len(header) - len(row))
        if not any(_cell_text(cell) for cell in cells):
            continue  # an empty line, as spreadsheets leave at the end
        if len(plan.tasks) >= MAX_IMPORT_RECORDS:
            raise InvalidInput(f"more than {MAX_IMPORT_RECORDS} rows in one import; split the file")
        try:
            spec = _row_spec(reader, project, chosen, cells, date_format)
            _check_spec(reader, project, spec)
            source_id = _row_id(chosen, cells, spec)
            if source_id in seen:
                what = "id" if "id" in chosen else "content (give an id column: --map id=...)"
                raise InvalidInput(f"the same {what} as {seen[source_id]}")
            seen[source_id] = name
        except PmError as error:
            raise _named(name, error) from None
        plan.tasks.append(PlannedTask(name, source_id, spec))
    for column in ignored_columns:
        plan.ignored[f"column {column}"] = len(plan.tasks)
    _mark_known(reader, plan)
    return plan


def _row_spec(
    reader: Reader,
    project: Row,
    chosen: Mapping[str, list[int]],
    cells: Sequence[Any],
    date_format: str | None,
) -> dict[str, Any]:
    def text(target: str) -> str:
        return _cell_text(cells[chosen[target][0]]) if target in chosen else ""

    spec: dict[str, Any] = {"title": text("title")}
    if not spec["title"]:
        raise InvalidInput("the title is empty")
    if "points" in chosen:
        try:
            spec["points"] = whole_points(cells[chosen["points"][0]])
        except InvalidInput as error:
            raise InvalidInput(str(error)) from None
    if text("description"):
        spec["description"] = text("description")
    if text("type"):
        spec["task_type"] = _word(text("type"), TYPE_WORDS, "type", words.TASK_TYPES)
    if text("priority"):
        spec["priority"] = _word(text("priority"), PRIORITY_WORDS, "priority", words.PRIORITIES)
    if text("assignee"):
        spec["assignee"] = text("assignee")
    if text("sprint"):
        spec["sprint"] = text("sprint")
    if text("status"):
        spec["status"] = _status(reader, project["id"], text("status"))
    if text("due"):
        spec["due"] = parse_import_date(text("due"), date_format)
    labels: list[str] = []
    for index in chosen.get("labels", []):
        for label in re.split(r"[,;]", _cell_text(cells[index])):
            if label.strip() and label.strip() not in labels:
                labels.append(label.strip())
    spec["labels"] = labels
    return spec


def _row_id(chosen: Mapping[str, list[int]], cells: Sequence[Any], spec: Mapping[str, Any]) -> str:
    if "id" in chosen:
        value = _cell_text(cells[chosen["id"][0]])
        if not value:
            raise InvalidInput("the id is empty")
        return value
    content = json.dumps(
        {
            name: [_cell_text(cells[index]) for index in indexes]
            for name, indexes in sorted(chosen.items())
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    return "sha256:" + hashlib.sha256(content.encode("utf-8")).hexdigest()


# --- writing ----------------------------------------------------------------------------------


def apply_plan(gw: Gateway, plan: ImportPlan, *, force: bool = False) -> list[str]:
    """Add every planned task and remember where it came from, in the gateway's one
    transaction: all of them, or (on any refusal) none. Returns the new keys.
    ``force`` lets tasks into columns past their WIP limit, as `task add --force`."""
    project = resolve.project(gw.reader, plan.project["key"])
    now = clock.utcnow()
    keys = []
    for planned in plan.to_add:
        try:
            created = tasks.add_task(gw, project, force=force, **planned.spec)
        except PmError as error:
            raise _named(planned.record, error, planning=False) from None
        gw.insert(
            "import_record",
            {
                "project_id": project["id"],
                "source": plan.source,
                "source_id": planned.source_id,
                "task_id": created["id"],
                "imported_at": now,
            },
        )
        keys.append(created["key"])
    return keys
