"""A config problem with its key path and line (ConfigIssue), all of a file's problems at once
(ConfigError), and pydantic's errors turned into such problems."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from workflows.config.fields import schema_fields, suggestion
from workflows.config.locate import Path as KeyPath
from workflows.config.schema import Config
from workflows.errors import ZhibuError
from workflows.i18n import Bilingual, Lang, Message, t

_EXPECTED: dict[str, Bilingual] = {
    "string": Bilingual("字符串", "a string"),
    "int": Bilingual("整数", "an integer"),
    "bool": Bilingual("true 或 false", "true or false"),
    "date": Bilingual("日期（如 2026-01-01）", "a date such as 2026-01-01"),
    "list": Bilingual("列表 [...]", "a list [...]"),
    "table": Bilingual("表（table）", "a table"),
    "duration": Bilingual("时长（如 7d）", "a duration such as 7d"),
}


_TYPE_TO_EXPECTED = {
    "string_type": "string",
    "int_type": "int",
    "int_parsing": "int",
    "int_from_float": "int",
    "bool_type": "bool",
    "bool_parsing": "bool",
    "date_type": "date",
    "date_parsing": "date",
    "date_from_datetime_inexact": "date",
    "date_from_datetime_parsing": "date",
    "list_type": "list",
    "dict_type": "table",
    "model_type": "table",
    "model_attributes_type": "table",
    "dataclass_type": "table",
    "dataclass_exact_type": "table",
    "timedelta_type": "duration",
    "time_delta_type": "duration",
}


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a config file, located by key path and (when known) line."""

    path: KeyPath
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    line: int | None = None

    @property
    def dotted(self) -> str:
        """The key path as people write it: ``units[2].parent``."""
        text = ""
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text or "(top level)"

    def render(self, lang: Lang) -> str:
        """``line 12, units[2].parent: unknown unit 'zb9' — did you mean 'zb1'?``"""
        message = Message(self.key, self.params).render(lang)
        if self.params.get("suggestion"):
            message += t("config.did_you_mean", lang, suggestion=self.params["suggestion"])
        places = [t("config.at_line", lang, line=self.line)] if self.line is not None else []
        if self.path:
            places.append(self.dotted)
        separator = "，" if lang == "zh" else ", "
        return f"{separator.join(places)}: {message}" if places else message


class ConfigError(ZhibuError):
    """The config file cannot be used; exit 2, and nothing is written anywhere."""

    exit_code = 2

    def __init__(self, path: Path, issues: list[ConfigIssue]) -> None:
        super().__init__("config.invalid", path=path, count=len(issues))
        self.path = path
        self.issues = issues

    def message(self, lang: Lang) -> str:
        """The headline, then one line per issue."""
        lines = [t(self.key, lang, **self.params)]
        lines.extend(f"  {issue.render(lang)}" for issue in self.issues)
        return "\n".join(lines)


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type | None:
    """The schema (model or dataclass) that owns the key at ``loc`` (to suggest its valid keys)."""
    current: Any = model
    for part in loc:
        fields = schema_fields(current)
        if fields is None:
            return None
        if isinstance(part, int):
            continue
        info = fields.get(part)
        if info is None:
            # a dict key (a rule id): the value type is the dict's value model
            continue
        current = _unwrap(info.annotation)
    return current if schema_fields(current) is not None else None


def _unwrap(annotation: Any) -> Any:
    """Strip list[...], dict[str, ...] and Optional down to the schema inside, if any."""
    for arg in (*getattr(annotation, "__args__", ()), annotation):
        if schema_fields(arg) is not None:
            return arg
        inner = getattr(arg, "__args__", None)
        if inner:
            found = _unwrap(inner[-1])
            if schema_fields(found) is not None:
                return found
    return annotation


def _issue_from_pydantic(error: Any) -> ConfigIssue:
    loc = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "zhibu":
        params = {k: v for k, v in ctx.items() if k != "key"}
        return ConfigIssue(loc, ctx["key"], params)
    if kind == "missing":
        return ConfigIssue(loc, "config.missing")
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):  # a model's, a dataclass's
        owner = _model_at(Config, loc[:-1])
        choices = list(schema_fields(owner) or ())
        name = str(loc[-1])
        return ConfigIssue(loc, "config.unknown_key", {"key": name, "suggestion": suggestion(name, choices)})
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", ""))
        choices = re.findall(r"'([^']*)'", expected)
        given = error.get("input")
        hint = suggestion(given, choices) if isinstance(given, str) else None
        return ConfigIssue(loc, "config.one_of", {"choices": expected, "suggestion": hint})
    if kind in ("greater_than_equal", "greater_than"):
        return ConfigIssue(loc, "config.too_small", {"limit": ctx.get("ge", ctx.get("gt"))})
    if kind in ("less_than_equal", "less_than"):
        return ConfigIssue(loc, "config.too_large", {"limit": ctx.get("le", ctx.get("lt"))})
    expected_kind = _TYPE_TO_EXPECTED.get(kind)
    if expected_kind:
        params = {"expected": _EXPECTED[expected_kind], "actual": error.get("input")}
        return ConfigIssue(loc, "config.expected", params)
    return ConfigIssue(
        loc, "config.expected", {"expected": Bilingual(error["msg"], error["msg"]), "actual": error.get("input")}
    )
