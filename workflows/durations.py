"""Durations written the way people write them: ``30m``, ``12h``, ``7d``, ``2w``, ``1d12h``
(and seconds, ``30s``, for tests and fast simulated clocks)."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)\s*([wdhms])")
_WHOLE = re.compile(r"^\s*(?:\d+\s*[wdhms]\s*)+$")
_UNITS = {
    "w": timedelta(weeks=1),
    "d": timedelta(days=1),
    "h": timedelta(hours=1),
    "m": timedelta(minutes=1),
    "s": timedelta(seconds=1),
}


def parse_duration(text: str) -> timedelta | None:
    """Parse a duration, or return None when ``text`` is not one."""
    value = text.strip().lower()
    if not _WHOLE.match(value):
        return None
    total = timedelta()
    for amount, unit in _PART.findall(value):
        total += int(amount) * _UNITS[unit]
    return total


def format_duration(value: timedelta) -> str:
    """The shortest spelling that :func:`parse_duration` reads back to ``value``."""
    seconds = int(value.total_seconds())
    parts = []
    for unit, size in (("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0m"
