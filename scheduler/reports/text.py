"""Text output shared by every listing and report: aligned tables that respect Chinese character
widths, and JSON."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from itertools import repeat
from operator import add, floordiv, sub
from typing import cast

WIDE_FROM = "\u10ff"  # no character before U+1100 (Hangul Jamo) is wide


def _default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def to_json(data: object) -> str:
    """JSON with Chinese kept readable and dates in ISO 8601."""
    import json  # only --json pays for it

    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)


# ASCII, CJK punctuation (U+3000–303E), the unified ideographs and the fullwidth forms: every
# character outside ASCII here is two columns wide and three bytes in UTF-8, so a text made of
# them alone is (bytes + characters) / 2 columns wide — counted in C, with no call per character.
_NOT_PLAIN = re.compile("[^\x00-\x7f\u3000-\u303e\u4e00-\u9fff\uff01-\uff60]")


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters count twice."""
    if text.isascii():
        return len(text)
    if _NOT_PLAIN.search(text) is None:
        return (len(text.encode()) + len(text)) // 2
    return _wide_width(text)


@lru_cache(maxsize=4096)
def _wide_width(text: str) -> int:  # titles and states repeat down a long table
    return sum(2 if ch > WIDE_FROM and unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _extra_columns(cells: Sequence[str]) -> Iterable[int]:
    """How many columns beyond its length each cell takes (one per wide character)."""
    if _NOT_PLAIN.search("".join(cells)) is None:  # bytes - characters = 2 × wide characters
        return map(floordiv, map(sub, map(len, map(str.encode, cells)), map(len, cells)), repeat(2))
    return map(sub, map(display_width, cells), map(len, cells))


def _padded(header: str, cells: Sequence[str]) -> tuple[int, list[str]]:
    """The column's width and its header and cells padded to it (``ljust`` counts characters,
    so a cell is padded to the width less its extra columns); a Chinese header alone does not
    make a column of ids take the slower path."""
    if "".join(cells).isascii():
        width = max(display_width(header), max(map(len, cells), default=0))
        body = list(map(str.ljust, cells, repeat(width)))
    else:
        extra = list(_extra_columns(cells))
        width = max(display_width(header), *map(add, map(len, cells), extra))
        body = list(map(str.ljust, cells, map(sub, repeat(width), extra)))
    return width, [header + " " * (width - display_width(header)), *body]


def _texts(column: Sequence[object]) -> Sequence[str]:
    """A column's cells as text, None as empty."""
    if set(map(type, column)) == {str}:
        return cast(Sequence[str], column)
    return ["" if cell is None else str(cell) for cell in column]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain aligned table, built column by column (a listing can run to thousands of rows)."""
    columns = map(_texts, zip(*rows, strict=True)) if rows else ([] for _ in headers)
    widths, padded = zip(*map(_padded, map(str, headers), columns), strict=True)
    lines = ["  ".join(line).rstrip() for line in zip(*padded, strict=True)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """``text`` safe for a terminal: control characters (ESC of a colour or hyperlink sequence,
    carriage returns that overwrite a line, bidi overrides) shown as escapes, not obeyed."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
