"""The config reference in Markdown, generated from the schema (docs/configuration.md embeds it verbatim,
and a test regenerates it to keep the two in step)."""

from __future__ import annotations

import types
import typing
from datetime import date, timedelta
from enum import Enum
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from workflows.config.fields import schema_fields
from workflows.config.rule_schema import LadderStep, StageEntry
from workflows.config.schema import Config
from workflows.durations import format_duration

_PLAIN = {str: "string", int: "integer", bool: "boolean", date: "date", timedelta: "duration"}


def _strip(annotation: Any) -> Any:
    while get_origin(annotation) is typing.Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def type_name(annotation: Any) -> str:
    """A readable name for a field's type: ``string``, ``list of role``, ``week | month``."""
    annotation = _strip(annotation)
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in get_args(annotation) if a is not type(None)]
        return " or ".join(type_name(a) for a in inner)
    if origin is list:
        return f"list of {type_name(get_args(annotation)[0])}"
    if origin is dict:
        return f"table of {type_name(get_args(annotation)[1])}"
    if origin is typing.Literal:
        return " \\| ".join(f'"{v}"' for v in get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return " \\| ".join(f'"{m.value}"' for m in annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "table"
    return _PLAIN.get(annotation, str(annotation))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return f'"{value.value}"'
    if isinstance(value, timedelta):
        return f'"{format_duration(value)}"'
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


def default_text(info: FieldInfo) -> str:
    """The default as TOML, or *required*."""
    if info.is_required():
        return "**required**"
    value = info.default_factory() if info.default_factory is not None else info.default  # type: ignore[call-arg]
    if value is None:
        return "—"
    if isinstance(value, BaseModel):
        return "(table)"
    return f"`{_toml_value(value)}`"


def _section(title: str, model: type[BaseModel]) -> list[str]:
    lines = [f"#### `{title}`", "", (model.__doc__ or "").strip().split("—", 1)[-1].strip(), ""]
    lines += ["| key | type | default | 说明 | meaning |", "|---|---|---|---|---|"]
    for name, info in (schema_fields(model) or {}).items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        zh = str(extra.get("zh", ""))
        lines.append(
            f"| `{name}` | {type_name(info.annotation)} | {default_text(info)} | {zh} | {info.description or ''} |"
        )
    lines.append("")
    return lines


def reference_markdown() -> str:
    """The whole reference: one table per section of the config file."""
    lines: list[str] = []
    for name, info in Config.model_fields.items():
        annotation = _strip(info.annotation)
        origin = get_origin(annotation)
        if origin is list:
            model, title = _strip(get_args(annotation)[0]), f"[[{name}]]"
        elif origin is dict:
            model, title = _strip(get_args(annotation)[1]), f"[{name}.ID]"
        else:
            model, title = annotation, f"[{name}]"
        lines += _section(title, model)
    lines += _section("escalate = [{ … }]  (in [notify] or a rule)", LadderStep)
    lines += _section("stages = [{ … }]  (in a rule)", StageEntry)
    return "\n".join(lines).rstrip() + "\n"


_CADENCE = {
    "week": "每周 weekly",
    "month": "每月 monthly",
    "quarter": "每季度 quarterly",
    "half": "每半年 half-yearly",
    "year": "每年 yearly",
}
_ANCHORS = {
    "spring_festival": "春节",
    "new_year_eve": "除夕",
    "qingming": "清明",
    "party_founding": "七一",
    "national_day": "国庆",
}


def catalogue_markdown() -> str:
    """The built-in obligations as a table: alias, cadence, scope, quota and source."""
    from workflows.catalogue import builtin_rules

    lines = [
        "| id | 简称 alias | 名称 | 周期 cadence | 对象 scope | 次数 quota | 依据 source |",
        "|---|---|---|---|---|---|---|",
    ]
    for ident, rule in builtin_rules().items():
        cadence = (
            _CADENCE[rule["every"]]
            if "every" in rule
            else "事件后 " + str(rule.get("within_days", 7)) + " 天内 within days of an event"
        )
        if "anchor" in rule:
            offset = rule.get("anchor_offset", 0)
            cadence += f"，{_ANCHORS[rule['anchor']]}{offset:+d} 天"
        elif "due_day" in rule:
            cadence += f"，{rule.get('due_month', '')}{'月' if 'due_month' in rule else ''}{rule['due_day']} 日"
        elif "due_weekday" in rule:
            cadence += f"，周{'一二三四五六日'[rule['due_weekday'] - 1]}"
        scope = "、".join(rule.get("unit_kinds", ["branch"]))
        if rule.get("per_contact"):
            scope += " × 联系领导"
        elif rule.get("per_person"):
            scope += " × 每名党员" + ("（流动）" if rule.get("person_mobile") else "")
        quota = f"≥{rule.get('min_per_period', 1)}"
        lines.append(
            f"| `{ident}` | {rule.get('alias', ident)} | {rule['title']} | {cadence} | {scope} | {quota} | {rule.get('source', '')} |"
        )
    return "\n".join(lines) + "\n"


def _replace_between(text: str, name: str, content: str) -> str:
    start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}{content}{end}{tail}"


def update_readme(path: str) -> bool:
    """Rewrite the generated sections (reference, catalogue) in ``path``; True when it changed."""
    from pathlib import Path

    file = Path(path)
    text = file.read_text(encoding="utf-8")
    updated = _replace_between(
        _replace_between(text, "reference", reference_markdown()), "catalogue", catalogue_markdown()
    )
    file.write_text(updated, encoding="utf-8")
    return updated != text


if __name__ == "__main__":
    import sys

    print("updated" if update_readme(sys.argv[1] if len(sys.argv) > 1 else "docs/configuration.md") else "unchanged")
