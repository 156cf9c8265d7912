"""Whatever a person typed, made harmless for the medium it is shown in.

A title, a note, a problem found or a unit's name reaches digests as text that may carry
markdown (``[点此](http://evil.example)``, ``**【紧急】**``), line breaks that fake a new line, or
control characters. Each medium gets its own treatment: the HTML part is autoescaped by jinja2;
the plain text and the subject get one line without control characters; IM markdown also gets
its syntax characters replaced by their full-width forms (shown the same to a reader, inert to
the renderer) and ``://`` broken, so only links zhibu wrote are links.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
BREAKS = re.compile(r"\s*[\r\n\t]+\s*")
MARKDOWN = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "*": "＊",
        "_": "＿",
        "`": "｀",
        "#": "＃",
        "<": "＜",
        ">": "＞",
        "|": "｜",
        "~": "～",
        "!": "！",
        "\\": "＼",
    }
)
KEEP = frozenset({"key", "command", "state", "name", "link"})  # zhibu's own words: keys people paste, commands


def free_text(text: str | None) -> str | None:
    """Text a person typed, as it is recorded: control characters (a carriage return that hides
    what precedes it, an escape sequence) removed; line breaks kept."""
    return CONTROL.sub("", text) if text is not None else None


def one_line(text: str) -> str:
    """``text`` as one line: breaks collapsed to a space, control characters removed."""
    return CONTROL.sub("", BREAKS.sub(" ", text))


def markdown_text(text: str) -> str:
    """``text`` inert in IM markdown: one line, syntax characters full-width, no bare links."""
    return one_line(text).translate(MARKDOWN).replace("://", "：//")


def escaped(value: Any, escape: Any) -> Any:
    """``value`` with every string in it passed through ``escape`` (dataclasses, lists, dicts
    walked; the fields in :data:`KEEP` left as zhibu wrote them)."""
    if isinstance(value, str):
        return escape(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: escaped(getattr(value, f.name), escape) for f in dataclasses.fields(value) if f.name not in KEEP
        }
        return dataclasses.replace(value, **changes)
    if isinstance(value, list | tuple):
        return type(value)(escaped(item, escape) for item in value)
    if isinstance(value, dict):
        return {key: escaped(item, escape) for key, item in value.items()}
    return value
