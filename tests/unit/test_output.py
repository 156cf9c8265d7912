"""Tables line up in a terminal: Chinese characters take two columns."""

from __future__ import annotations

import unicodedata

from scheduler.reports.text import _NOT_PLAIN, display_width, table


def reference_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_every_plain_character_is_wide_and_three_bytes() -> None:
    plain = [chr(c) for c in range(0x80, 0x110000) if not _NOT_PLAIN.match(chr(c))]
    assert len(plain) > 20_000  # the ideographs are in
    assert all(unicodedata.east_asian_width(ch) in "WF" and len(ch.encode()) == 3 for ch in plain)


def test_display_width_agrees_with_unicode() -> None:
    samples = [
        "",
        "zb1/党费/2026-05/P19",
        "党委理论学习中心组学习",
        "【jgdw／中心组学习／2026-W48】",  # fullwidth slashes and brackets
        "党建工作专题研讨（党委/党组）",
        "〿",  # U+303F, the one narrow character of the CJK punctuation block
        "Zoë · 李—",  # Latin-1, a middle dot, an em dash: narrow
        "한국어 カタカナ",  # Hangul and katakana take the general path
    ]
    assert [display_width(s) for s in samples] == [reference_width(s) for s in samples]


def test_table_columns_start_at_the_same_terminal_column() -> None:
    rendered = table(
        ["ID", "任务编号", "名称"],
        [[7, "zb1/党费/2026-05", "缴纳党费"], [12345, "u1/x", None], [3, "Zoë · 李", "党委理论学习中心组学习"]],
    )
    lines = rendered.splitlines()
    assert len(lines) == 5
    assert set(lines[1]) <= {"-", " "}
    starts = {
        tuple(display_width(line[: line.index(cell)]) for cell in cells)
        for line, cells in zip(
            [lines[0], lines[2], lines[3], lines[4]],
            [("ID", "任务编号", "名称"), ("7", "zb1/", "缴纳"), ("12345", "u1/x"), ("3", "Zoë", "党委")],
            strict=True,
        )
    }
    assert {s[:2] for s in starts} == {(0, 7)}
    assert {s[2] for s in starts if len(s) == 3} == {7 + 16 + 2}
