"""Find the line of a key path in TOML text, so errors can say "line 42".

``tomllib`` keeps no positions, so this scans the text for table headers and ``key =`` lines.
It understands what config files use (tables, arrays of tables, dotted and quoted keys) and
answers ``None`` rather than guessing when it cannot tell.
"""

from __future__ import annotations

import re

PathPart = str | int
Path = tuple[PathPart, ...]

_KEY = r'(?:[A-Za-z0-9_\-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_ARRAY_HEADER = re.compile(rf"^\s*\[\[\s*({_DOTTED})\s*\]\]")
_TABLE_HEADER = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]")
_ASSIGN = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART = re.compile(_KEY)


def _split(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") for part in _PART.findall(dotted))


def key_lines(text: str) -> dict[Path, int]:
    """Map every table and key path found in ``text`` to its 1-based line number."""
    lines: dict[Path, int] = {}
    table: Path = ()
    array_counts: dict[tuple[str, ...], int] = {}
    in_multiline: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        if match := _ARRAY_HEADER.match(line):
            name = _split(match.group(1))
            index = array_counts.get(name, 0)
            array_counts[name] = index + 1
            table = (*name, index)
            lines.setdefault(table, number)
            lines.setdefault(name, number)
        elif match := _TABLE_HEADER.match(line):
            table = _split(match.group(1))
            lines.setdefault(table, number)
        elif match := _ASSIGN.match(line):
            lines.setdefault((*table, *_split(match.group(1))), number)
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    in_multiline = quote
    return lines


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of ``path``, or of its closest enclosing table or key when it is absent."""
    for end in range(len(path), 0, -1):
        found = lines.get(path[:end])
        if found is not None:
            return found
    return None
