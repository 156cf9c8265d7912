"""Durations written the way people write them: ``30m``, ``12h``, ``7d``, ``2w``, ``1d12h``."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)\s*([wdhm])")
_WHOLE = re.compile(r"^\s*(?:\d+\s*[wdhm]\s*)+$")
_UNITS = {"w": timedelta(weeks=1), "d": timedelta(days=1), "h": timedelta(hours=1)}


def parse_duration(text: str) -> timedelta | None:
    """Parse a duration, or return None when ``text`` is not one."""
    value = text.strip().lower()
    if not _WHOLE.match(value):
        return None
    total = timedelta()
    for amount, unit in _PART.findall(value):
        total += int(amount) * _UNITS.get(unit, timedelta(minutes=1))
    return total


def format_duration(value: timedelta) -> str:
    """The shortest spelling that :func:`parse_duration` reads back to ``value``."""
    minutes = int(value.total_seconds() // 60)
    parts = []
    for unit, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60), ("m", 1)):
        count, minutes = divmod(minutes, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0m"
