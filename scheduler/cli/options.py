"""Options and decorators that several commands share, each defined once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from scheduler.cli.context import Cli

F = TypeVar("F", bound=Callable[..., Any])

pass_cli = click.make_pass_decorator(Cli)
"""Hand the command the :class:`Cli` of the global options."""


def json_option(function: F) -> F:
    """Add ``--json`` to a listing command."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table")(function)


def now_option(function: F) -> F:
    """Add ``--now``: the time the command runs at (ISO 8601), on a simulation store."""
    return click.option("--now", "now_text", help="Pretend it is this time (ISO 8601)")(function)


def by_option(function: F) -> F:
    """Add ``--by``: the person the record is made on behalf of."""
    return click.option("--by", help="Record on behalf of this person (代录); the operator is always your login")(
        function
    )
