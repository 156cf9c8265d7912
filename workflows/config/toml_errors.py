"""What Python's TOML reader says about a broken config file, in Chinese (its English stays for
``--lang en``): the usual complaints by pattern, with the line and column kept."""

from __future__ import annotations

import re

TOML_REASONS = (  # what Python's TOML reader says, in Chinese (the English stays for --lang en)
    (r"^Invalid value", "值写法不对（字符串要加引号，日期写成 2026-03-01，列表用 [ ] 括起）"),
    (r"^Cannot declare \((.*)\) twice", "表 [{0}] 写了两次（同名的表只能出现一次）"),
    (r"^Cannot overwrite a value", "同一个键写了两次"),
    (r"^Unterminated string", "字符串缺少结尾的引号"),
    (r"^Unclosed inline table", "行内表 {{ }} 没有闭合"),
    (r"^Unclosed array", "列表 [ ] 没有闭合"),
    (r"^Expected '=' after a key", "键后面应该是 =（键名含空格或中文标点时要加引号）"),
    (r"^Expected newline or end of document after a statement", "一行只能写一个 键 = 值（值后面多了内容）"),
    (r"^Invalid statement", "无法识别的语句（应为 键 = 值 或 [表名]）"),
    (r"^Illegal character", "含有不允许的字符（字符串不能直接换行，请用三引号）"),
)


def toml_reason_zh(reason: str) -> str:
    """The TOML reader's complaint in Chinese, with where it was (line, column) kept."""
    where = re.search(r"\(at (?:line (\d+), column (\d+)|end of document)\)", reason)
    place = ""
    if where:
        place = f"（第 {where.group(1)} 行第 {where.group(2)} 列）" if where.group(1) else "（在文件末尾）"
    for pattern, text in TOML_REASONS:
        match = re.search(pattern, reason)
        if match:
            names = (
                ".".join(part.strip(" '\"") for part in g.split(",") if part.strip(" '\"")) for g in match.groups()
            )
            return text.format(*names) + place
    return reason
