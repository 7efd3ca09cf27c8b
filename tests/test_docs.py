"""The documentation cannot drift from the code.

- docs/cli-reference.md is what ``python -m pmtool.cli.docgen`` generates now;
- every command and group has help, every leaf command an ``Example:`` block whose lines
  are valid pmtool invocations;
- every command of the fixed contract that exists is in the reference;
- every relative link in docs/*.md points at a file and heading that exist;
- every ``pmtool ...`` line in the docs' shell blocks parses against the click tree;
- docs/json-fields.md lists exactly the fields the commands print.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from pmtool.cli import cli
from pmtool.cli.docgen import (
    REGENERATE,
    anchor,
    commands_in,
    example_commands,
    help_blocks,
    help_text,
    main,
    render_reference,
    stale_commands,
    walk,
)

Invoke = Callable[..., Result]
ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
REFERENCE = DOCS / "cli-reference.md"

# The command names DESIGN.md fixes. The agile core ships now: a rename or a lost
# registration fails here. The others must be documented once they exist.
AGILE_CORE = (
    "init", "db path", "db upgrade", "db check", "db backup", "db restore", "demo",
    "project add", "project list", "project show",
    "member add", "member list",
    "task add", "task list", "task show", "task edit", "task move", "task rm",
    "sprint add", "sprint start", "sprint close", "sprint show", "sprint list",
    "sprint burndown", "velocity", "log", "undo",
)  # fmt: skip
LATER = (
    "tui", "board",
    "partner add", "partner list",
    "stakeholder add", "stakeholder list", "stakeholder grid", "stakeholder log",
    "stakeholder forget",
    "agreement add", "agreement list",
    "approval add", "approval submit", "approval decide", "approval list", "approval show",
    "compliance",
    "thesis add", "thesis list", "thesis show", "thesis overview", "thesis milestone",
    "thesis meeting",
    "git link", "git sync", "git branch", "git hooks install", "git commits",
    "export", "report sprint", "report thesis", "report approvals", "report status",
    "import taskwarrior", "import csv", "status",
)  # fmt: skip
CONTRACT = AGILE_CORE + LATER


def _tree() -> dict[str, click.Command]:
    return {info.path: info.command for info in walk(cli)}


def _resolve(path: str) -> click.Command | None:
    return _tree().get(f"pmtool {path}")


# --- the generated reference -------------------------------------------------------------


def test_cli_reference_is_up_to_date() -> None:
    stored = REFERENCE.read_text(encoding="utf-8") if REFERENCE.is_file() else ""
    problems = stale_commands(render_reference(), stored)
    assert not problems, (
        "docs/cli-reference.md is stale:\n  "
        + "\n  ".join(problems)
        + f"\nRun `{REGENERATE}` to regenerate it."
    )


def test_docgen_check_names_the_stale_command(tmp_path: Path) -> None:
    target = tmp_path / "cli-reference.md"
    runner = CliRunner()
    missing = runner.invoke(main, ["--check", "--output", str(target)])
    assert missing.exit_code == 1
    assert REGENERATE in missing.stderr

    written = runner.invoke(main, ["--output", str(target)])
    assert written.exit_code == 0, written.output
    assert target.read_text(encoding="utf-8") == render_reference()
    assert runner.invoke(main, ["--check", "--output", str(target)]).exit_code == 0

    text = target.read_text(encoding="utf-8")
    assert "\n## pmtool task add\n" in text
    target.write_text(text.replace("\n## pmtool task add\n", "\n## pmtool task add\n\nOld.\n"))
    stale = runner.invoke(main, ["--check", "--output", str(target)])
    assert stale.exit_code == 1
    assert "pmtool task add: differs" in stale.stderr
    assert "pmtool task list" not in stale.stderr
    assert f"Run `{REGENERATE}`" in stale.stderr


def test_reference_renders_help_options_and_examples() -> None:
    reference = render_reference()
    section = reference.split("## pmtool task add\n", 1)[1].split("\n## ", 1)[0]
    assert "Usage: pmtool task add [OPTIONS] TITLE" in section
    assert "```sh\npmtool task add " in section
    assert "| `--type` | story\\|bug\\|task\\|spike | `task` |" in section
    assert "| `TITLE` | TEXT | yes |" in section
    assert "[`pmtool task add`](#pmtool-task-add)" in reference


def test_docgen_does_not_import_textual() -> None:
    script = (
        "import sys; from pmtool.cli.docgen import render_reference; render_reference(); "
        "print(sorted(m for m in ('textual', 'sqlmodel') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert "textual" not in result.stdout, result.stdout


# --- help texts ----------------------------------------------------------------------------


def test_every_command_and_group_has_help() -> None:
    missing = [info.path for info in walk(cli) if not help_text(info.command)]
    assert not missing, f"commands without a docstring (it doubles as --help): {missing}"


def test_every_leaf_command_has_an_example_block() -> None:
    problems = []
    for info in walk(cli):
        if info.is_group:
            continue
        examples = [b for b in help_blocks(help_text(info.command)) if b.kind == "example"]
        if not examples:
            problems.append(f"{info.path}: no `Example:` block in its docstring")
        elif not all(block.preformatted for block in examples):
            problems.append(f"{info.path}: put a line `\\b` right above `Example:`")
        elif not all(
            line.startswith("pmtool ") or line.startswith("python -m pmtool")
            for block in examples
            for line in example_commands(block)
        ):
            problems.append(f"{info.path}: example lines must start with `pmtool `")
    assert not problems, "\n".join(problems)


def _invocation_error(args: list[str]) -> str | None:
    """Parse ``pmtool ARGS`` against the tree without running anything; None if it parses."""
    command: click.Command = cli
    path = ["pmtool"]
    index = 0
    while isinstance(command, click.Group):
        context = click.Context(command, info_name=path[-1])
        while index < len(args) and args[index].startswith("-"):
            token = args[index]
            if token in ("-h", "--help"):
                return None
            name, has_value, _ = token.partition("=")
            option = next(
                (
                    param
                    for param in command.params
                    if isinstance(param, click.Option)
                    and name in (*param.opts, *param.secondary_opts)
                ),
                None,
            )
            if option is None:
                return f"{' '.join(path)}: no option {token}"
            index += 1 if option.is_flag or has_value else 2
        if index >= len(args):
            return None
        found = command.get_command(context, args[index])
        if found is None:
            return f"{' '.join(path)}: no command {args[index]!r}"
        path.append(args[index])
        command = found
        index += 1
    rest = args[index:]
    if "--help" in rest or "-h" in rest:
        return None
    try:
        command.make_context(" ".join(path), rest)
    except click.ClickException as error:
        return f"{' '.join(path)} {shlex.join(rest)}: {error.format_message()}"
    return None


def test_help_examples_are_valid_invocations() -> None:
    problems = []
    for info in walk(cli):
        for block in help_blocks(help_text(info.command)):
            if block.kind != "example":
                continue
            for line in example_commands(block):
                problems += [
                    f"{info.path} example `{line}`: {error}" for error in _shell_line_errors(line)
                ]
    assert not problems, "\n".join(problems)


def test_contract_commands_that_exist_are_in_the_reference() -> None:
    documented = commands_in(REFERENCE.read_text(encoding="utf-8"))
    existing = [name for name in CONTRACT if _resolve(name) is not None]
    missing = [name for name in existing if f"pmtool {name}" not in documented]
    assert not missing, f"contract commands missing from docs/cli-reference.md: {missing}"


def test_agile_core_of_the_contract_exists() -> None:
    absent = [name for name in AGILE_CORE if _resolve(name) is None]
    assert not absent, f"contract commands no longer in the click tree: {absent}"


# --- Markdown pages ------------------------------------------------------------------------


def _pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


_FENCE = re.compile(r"^(```|~~~)(.*)$")
_LINK = re.compile(r'\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)')


def _prose_lines(text: str, *, keep_code: bool = False) -> list[str]:
    """The lines outside fenced code blocks, with inline code removed unless kept."""
    lines, fenced = [], False
    for line in text.splitlines():
        if _FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line if keep_code else re.sub(r"`[^`]*`", "", line))
    return lines


def _anchors(page: Path) -> set[str]:
    found: set[str] = set()
    for line in _prose_lines(page.read_text(encoding="utf-8"), keep_code=True):
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match.group(1)).replace("`", "")
        slug, number = anchor(heading), 1
        candidate = slug
        while candidate in found:
            candidate = f"{slug}-{number}"
            number += 1
        found.add(candidate)
    return found


def test_relative_links_point_at_existing_files_and_headings() -> None:
    pages = _pages()
    assert any(page.name == "index.md" for page in pages)
    problems = []
    checked = 0
    for page in pages:
        for line in _prose_lines(page.read_text(encoding="utf-8")):
            for match in _LINK.finditer(line):
                target = match.group(1)
                checked += 1
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                    continue  # http:, https:, mailto:
                path_part, _, fragment = target.partition("#")
                destination = (page.parent / path_part).resolve() if path_part else page
                if not destination.exists():
                    problems.append(f"{page.name}: {target} -> no such file")
                    continue
                if (
                    fragment
                    and destination.suffix == ".md"
                    and fragment not in _anchors(destination)
                ):
                    problems.append(f"{page.name}: {target} -> no heading #{fragment}")
    assert checked > 30, "the docs should link to each other"
    assert not problems, "\n".join(problems)


_SHELL_BLOCKS = {"sh", "bash", "shell", "console"}
_SHELL_PUNCTUATION = set("();<>|&")


def _shell_commands(page: Path) -> list[tuple[str, list[str]]]:
    """Command lines of the shell blocks, each with the output shown after it.

    In ``console`` blocks commands follow ``$ `` and the other lines are their output.
    """
    commands: list[tuple[str, list[str]]] = []
    language: str | None = None
    pending = ""
    for raw in page.read_text(encoding="utf-8").splitlines():
        fence = _FENCE.match(raw.strip())
        if fence:
            language = None if language is not None else (fence.group(2).strip() or "text")
            continue
        if language not in _SHELL_BLOCKS:
            continue
        line = raw.strip()
        if language == "console" and not pending:
            if not line.startswith("$ "):
                if commands:
                    commands[-1][1].append(line)
                continue
            line = line[2:]
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        if line and not line.startswith("#"):
            commands.append((line, []))
    return commands


def _shell_line_errors(line: str) -> list[str]:
    """Check every ``pmtool`` invocation in a shell line (pipes, ``&&``, ``$(...)``)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError as split_error:
        return [f"cannot split `{line}`: {split_error}"]
    segments: list[list[str]] = [[]]
    for token in tokens:
        if token and set(token) <= _SHELL_PUNCTUATION:
            segments.append([])
        else:
            segments[-1].append(token)
    errors: list[str] = []
    for segment in segments:
        words = list(segment)
        while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
            words.pop(0)  # VAR=value before the command
        if words and words[0] == "pmtool":
            problem = _invocation_error(words[1:])
            if problem:
                errors.append(problem)
    return errors


def test_pmtool_commands_in_the_docs_parse() -> None:
    """Commands parse; those shown failing with click's usage error really do not."""
    problems = []
    checked = 0
    for page in sorted(DOCS.glob("*.md")):
        for line, output in _shell_commands(page):
            if "pmtool" not in line:
                continue
            checked += 1
            errors = _shell_line_errors(line)
            if any(shown.startswith("Usage: ") for shown in output):
                if not errors:
                    problems.append(f"{page.name}: `{line}` is shown failing but parses")
            elif "exit 2" not in output:
                problems += [f"{page.name}: `{line}`: {error}" for error in errors]
    assert checked > 50, "the guides should show real pmtool commands"
    assert not problems, "\n".join(problems)


def test_the_command_checker_catches_mistakes() -> None:
    assert _shell_line_errors("pmtool task list --format json | jq .") == []
    assert _shell_line_errors('PMTOOL_DB=x.db pmtool -p PM task add "A b" --points 3') == []
    assert _shell_line_errors("pmtool task lsit") != []
    assert _shell_line_errors("pmtool task list --fromat json") != []
    assert _shell_line_errors("pmtool task add x --type epic") != []
    assert _shell_line_errors('key=$(pmtool task add "x" --points two)') != []


# --- JSON fields ---------------------------------------------------------------------------


def _documented_fields() -> dict[str, list[str]]:
    """docs/json-fields.md: section heading -> the field names of its first table, in order."""
    sections: dict[str, list[str]] = {}
    current: str | None = None
    in_table = False
    for line in (DOCS / "json-fields.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current, in_table = line[3:].strip(), False
            sections[current] = []
            continue
        if current is None:
            continue
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            field = re.fullmatch(r"`([a-z0-9_]+)`", cells[0])
            if field and (in_table or not sections[current]):
                in_table = True
                sections[current].append(field.group(1))
        elif in_table:
            current = None  # only the first table of a section
    return sections


# heading in docs/json-fields.md -> (command, section whose fields come first)
JSON_SECTIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "Task": (("task", "list"), None),
    "Task detail": (("task", "show", "PM-1"), "Task"),
    "Sprint": (("sprint", "list"), None),
    "Sprint detail": (("sprint", "show", "Sprint 1"), "Sprint"),
    "Burndown": (("sprint", "burndown", "Sprint 1"), None),
    "Velocity": (("velocity",), None),
    "Project": (("project", "list"), None),
    "Project detail": (("project", "show"), None),
    "Member": (("member", "list", "--include-personal"), None),
    "Log": (("log",), None),
    "Workflow": (("workflow", "show"), None),
    "Definition of done": (("dod", "show"), None),
    "Database check": (("db", "check"), None),
    "Export list": (("export", "--list"), None),
    "Forecast": (("forecast",), None),
}


@pytest.fixture
def finished_sprint(workspace: Invoke) -> Invoke:
    run = workspace
    assert run("sprint", "add", "Sprint 1", "--start", "today", "--length", "1w").exit_code == 0
    assert run("task", "add", "Cohort", "--points", "3", "--sprint", "Sprint 1").exit_code == 0
    assert run("task", "add", "Labels", "--points", "2", "--sprint", "Sprint 1").exit_code == 0
    assert run("dod", "add", "Reviewed").exit_code == 0
    assert run("sprint", "start", "Sprint 1").exit_code == 0
    assert run("task", "move", "PM-1", "done").exit_code == 0
    assert run("sprint", "close", "Sprint 1").exit_code == 0
    return run


def test_json_fields_doc_lists_exactly_the_printed_fields(finished_sprint: Invoke) -> None:
    documented = _documented_fields()
    assert set(JSON_SECTIONS) <= set(documented), "sections missing in docs/json-fields.md"
    problems = []
    for heading, (command, base) in JSON_SECTIONS.items():
        result = finished_sprint(*command, "--format", "json")
        assert result.exit_code == 0, (command, result.output)
        printed = json.loads(result.stdout)
        record = printed[0] if isinstance(printed, list) else printed
        assert record, f"{command} printed no rows to compare"
        expected = (documented[base] if base else []) + documented[heading]
        if list(record) != expected:
            problems.append(f"{heading}: prints {list(record)}, documented {expected}")
    assert not problems, "\n".join(problems)
