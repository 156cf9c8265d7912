"""The docs stay true: the configuration reference is the schema's, every command has help and is
documented, the README stays short, and .ci/run runs exactly the README's test command."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import click

from scheduler.cli import COMMANDS, main, short_help
from tests.conftest import REPO
from workflows.config.reference import catalogue_markdown, reference_markdown

README = (REPO / "README.md").read_text(encoding="utf-8")
CONFIGURATION = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
COMMANDS_PAGE = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")
README_LINES = 300
TEST_COMMAND = "pip install -e '.[test]' && pytest"


def all_commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, f"zhibu {prefix}{name} is listed but cannot be loaded"
        found[prefix + name] = command
        if isinstance(command, click.Group):
            found.update(all_commands(command, prefix + name + " "))
    return found


def test_every_command_defined_is_reachable() -> None:
    """The lazy command table names every command the CLI modules define."""
    reachable = {id(command) for command in all_commands(main).values()}
    for path in sorted((REPO / "scheduler" / "cli").glob("[!_]*.py")):
        module = importlib.import_module(f"scheduler.cli.{path.stem}")
        for name, value in vars(module).items():
            defined_here = (
                isinstance(value, click.Command) and getattr(value.callback, "__module__", "") == module.__name__
            )
            if defined_here:
                assert id(value) in reachable, f"{module.__name__}.{name} is not in scheduler.cli.COMMANDS"


def test_configuration_reference_is_generated_from_the_schema() -> None:
    match = re.search(r"<!-- reference:start -->\n(.*)<!-- reference:end -->", CONFIGURATION, re.DOTALL)
    assert match, "docs/configuration.md lacks the reference markers"
    assert match.group(1) == reference_markdown(), "run: python -m workflows.config.reference docs/configuration.md"


def test_configuration_catalogue_is_generated_from_the_data() -> None:
    match = re.search(r"<!-- catalogue:start -->\n(.*)<!-- catalogue:end -->", CONFIGURATION, re.DOTALL)
    assert match, "docs/configuration.md lacks the catalogue markers"
    assert match.group(1) == catalogue_markdown(), "run: python -m workflows.config.reference docs/configuration.md"


def test_readme_is_short_and_links_every_page_of_the_docs() -> None:
    assert len(README.splitlines()) <= README_LINES
    for page in sorted((REPO / "docs").glob("*.md")):
        assert f"(docs/{page.name})" in README, f"README does not link docs/{page.name}"


def test_every_command_has_help_and_is_in_the_readme() -> None:
    commands = all_commands(main)
    assert {
        "init",
        "check",
        "db upgrade",
        "plan",
        "sync",
        "tick",
        "run",
        "list",
        "agenda",
        "show",
        "done",
        "undo",
        "waive",
    } <= set(commands)
    for name, command in commands.items():
        assert command.help, f"zhibu {name} has no help text"
        first = name.split(" ")[0] if " " not in name else name
        assert f"`{first}" in COMMANDS_PAGE, f"zhibu {name} is not in docs/commands.md"


def test_ci_runs_the_readme_test_command() -> None:
    assert TEST_COMMAND in README
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert TEST_COMMAND in ci
    for check in ("ruff check", "ruff format --check", "mypy"):
        assert check in ci


def test_help_lists_each_command_as_its_own_help_would() -> None:
    """`zhibu --help` lists the commands from the table's summaries; they read as click would
    abbreviate each command's own help, at any terminal width."""
    context = click.Context(main)
    for name, entry in COMMANDS.items():
        command = main.get_command(context, name)
        assert command is not None
        for limit in (30, 45, 80, 300):
            assert short_help(entry.summary, limit) == command.get_short_help_str(limit), name


def test_help_loads_no_command_module(tmp_path: Path) -> None:
    shown = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "scheduler.cli", "--lang", "en", "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert shown.returncode == 0, shown.stderr[-2000:]
    listed = [line.split()[0] for line in shown.stdout.split("Commands:")[1].splitlines() if line.strip()]
    assert listed == sorted(COMMANDS)
    imported = {line.split("|")[-1].strip() for line in shown.stderr.splitlines() if line.startswith("import time:")}
    assert "click" in imported
    light = {"scheduler.cli.context", "scheduler.cli.remote", "scheduler.cli.translated"}  # every command needs them
    assert not {name for name in imported if name.startswith("scheduler.cli.") and name not in light}
    assert "sqlalchemy" not in imported


def test_every_help_text_has_its_chinese_and_english_stays_english() -> None:
    """Help is written in English and translated from the catalogue, like every message."""
    from workflows.i18n import catalogue

    zh = catalogue("zh")
    texts = [main.help or ""]
    for command in all_commands(main).values():
        texts.append(command.help or "")
        texts.extend(p.help for p in command.params if isinstance(p, click.Option) and p.help)
    texts.extend(entry.summary for entry in COMMANDS.values())
    untranslated = sorted({text for text in texts if text and zh.gettext(text) == text})
    assert untranslated == []
    bilingual = [text for text in texts if re.search(r" / [\u4e00-\u9fff]|[.)] [\u4e00-\u9fff]+。$", text)]
    assert bilingual == [], "help in the code is English; its Chinese belongs in the catalogue"


def test_help_speaks_the_chosen_language(tmp_path: Path) -> None:
    def shown(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "scheduler.cli", *args], capture_output=True, text=True, check=False, cwd=tmp_path
        ).stdout

    assert "登记完成" in shown("done", "--help")
    assert "选项" in shown("done", "--help")
    english = shown("--lang", "en", "done", "--help")
    assert "Record that a task was done" in english
    assert "Options" in english
    assert "登记" not in english
