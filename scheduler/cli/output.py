"""Output shared by every listing: aligned tables that respect Chinese character widths, and --json."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
WIDE_FROM = "\u10ff"  # no character before U+1100 (Hangul Jamo) is wide


def json_option(function: F) -> F:
    """Add ``--json`` to a listing command."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table / 输出 JSON")(function)


def _default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def to_json(data: object) -> str:
    """JSON with Chinese kept readable and dates in ISO 8601."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters count twice."""
    if text.isascii():
        return len(text)
    return _wide_width(text)


@lru_cache(maxsize=4096)
def _wide_width(text: str) -> int:  # titles and states repeat down a long table
    return sum(2 if ch > WIDE_FROM and unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain aligned table."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    sizes = [[display_width(cell) for cell in row] for row in cells]
    widths = [max(column) for column in zip(*sizes, strict=True)]
    lines = []
    for index, (row, size) in enumerate(zip(cells, sizes, strict=True)):
        padded = [cell + " " * (width - used) for cell, width, used in zip(row, widths, size, strict=True)]
        lines.append("  ".join(padded).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
