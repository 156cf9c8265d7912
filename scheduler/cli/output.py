"""Output shared by every listing: aligned tables that respect Chinese character widths, and --json."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import lru_cache
from itertools import repeat
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
    import json  # only --json pays for it

    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters count twice."""
    if text.isascii():
        return len(text)
    return _wide_width(text)


@lru_cache(maxsize=4096)
def _wide_width(text: str) -> int:  # titles and states repeat down a long table
    return sum(2 if ch > WIDE_FROM and unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _padded(header: str, cells: Sequence[str]) -> tuple[int, list[str]]:
    """The column's width and its header and cells padded to it; ``ljust`` counts characters,
    so cells with Chinese in them are padded by display width (a Chinese header alone does not
    make a column of ids take that slower path)."""
    if "".join(cells).isascii():
        width = max(display_width(header), max(map(len, cells), default=0))
        body = list(map(str.ljust, cells, repeat(width)))
    else:
        sizes = list(map(display_width, cells))
        width = max(display_width(header), *sizes)
        body = [cell + " " * (width - size) for cell, size in zip(cells, sizes, strict=True)]
    return width, [header + " " * (width - display_width(header)), *body]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain aligned table, built column by column (a listing can run to thousands of rows)."""
    cells = [["" if c is None else str(c) for c in row] for row in rows]
    columns = zip(*cells, strict=True) if cells else ([] for _ in headers)
    widths, padded = zip(*map(_padded, map(str, headers), columns), strict=True)
    lines = ["  ".join(line).rstrip() for line in zip(*padded, strict=True)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
