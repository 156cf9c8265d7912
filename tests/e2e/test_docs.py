"""The README stays true: its reference is the schema's, every command has help and is documented,
and .ci/run runs exactly the README's test command."""

from __future__ import annotations

import importlib
import re

import click

from scheduler.cli import main
from tests.conftest import REPO
from workflows.config.reference import catalogue_markdown, reference_markdown

README = (REPO / "README.md").read_text(encoding="utf-8")
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


def test_readme_reference_is_generated_from_the_schema() -> None:
    match = re.search(r"<!-- reference:start -->\n(.*)<!-- reference:end -->", README, re.DOTALL)
    assert match, "README lacks the reference markers"
    assert match.group(1) == reference_markdown(), "run: zhibu check --reference, and paste it into README.md"


def test_readme_catalogue_is_generated_from_the_data() -> None:
    match = re.search(r"<!-- catalogue:start -->\n(.*)<!-- catalogue:end -->", README, re.DOTALL)
    assert match, "README lacks the catalogue markers"
    assert match.group(1) == catalogue_markdown(), "run: python -m workflows.config.reference README.md"


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
        assert f"`{first}" in README or f"/ `{first}`" in README, f"zhibu {name} is not in the README"


def test_ci_runs_the_readme_test_command() -> None:
    assert TEST_COMMAND in README
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert TEST_COMMAND in ci
    for check in ("ruff check", "ruff format --check", "mypy"):
        assert check in ci
