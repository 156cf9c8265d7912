"""Load and validate a config file, reporting every error at once with its key path and line."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from workflows.config.essentials import expand_env
from workflows.config.locate import Path as KeyPath
from workflows.config.locate import key_lines, line_of
from workflows.config.schema import Config, PersonEntry, schema_fields, suggestion
from workflows.i18n import Bilingual, Lang, Message, ZhibuError, t
from workflows.periods import MONTHS_IN, PERIOD_NAMES_ZH, PeriodKind
from workflows.vocabulary import ALLOWED_PARENTS, UNIT_KIND_NAMES, normalize_unit_kind

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

ChannelCheck = Callable[[str], str | None]
"""Asked about a channel URL: None when it can be used, else the URL as it may be shown (redacted)."""


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


@dataclass
class LoadedConfig:
    """A validated config with where it came from and a fingerprint of its content."""

    path: Path
    config: Config
    warnings: list[ConfigIssue]
    fingerprint: str
    channel_urls: dict[str, str] = field(default_factory=dict)

    @property
    def directory(self) -> Path:
        """The folder holding the config: relative paths in it are relative to this."""
        return self.path.parent

    @cached_property
    def people_by_id(self) -> dict[str, PersonEntry]:
        """The config's people (roster files included) by id."""
        return {person.id: person for person in self.config.people}


def _substitute_env(value: Any, path: KeyPath, issues: list[ConfigIssue]) -> Any:
    """Replace ``${VAR}`` (or ``${VAR:-default}``) in every string, so secrets stay out of files."""
    if isinstance(value, dict):
        return {k: _substitute_env(v, (*path, k), issues) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute_env(v, (*path, i), issues) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value
    return expand_env(value, lambda name: issues.append(ConfigIssue(path, "config.env_missing", {"var": name})))


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


def _entries(raw: dict[str, Any], name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    items = raw.get(name)
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def _cross_check(raw: dict[str, Any], base: Path, check_channel: ChannelCheck | None) -> list[ConfigIssue]:
    """Checks that span entries: ids, references, the unit tree, rule consistency."""
    issues: list[ConfigIssue] = []
    units: dict[str, tuple[int, dict[str, Any]]] = {}
    for index, unit in _entries(raw, "units"):
        ident = unit.get("id")
        if not isinstance(ident, str):
            continue
        if ident in units:
            first = f"units[{units[ident][0]}]"
            issues.append(ConfigIssue(("units", index, "id"), "config.duplicate_id", {"id": ident, "first": first}))
        else:
            units[ident] = (index, unit)
    unit_ids = list(units)

    def unknown_unit(path: KeyPath, ident: Any) -> None:
        if isinstance(ident, str) and ident not in units:
            issues.append(
                ConfigIssue(path, "config.unknown_unit", {"id": ident, "suggestion": suggestion(ident, unit_ids)})
            )

    for index, unit in units.values():
        parent = unit.get("parent")
        unknown_unit(("units", index, "parent"), parent)
        kind = normalize_unit_kind(str(unit.get("kind", "")))
        parent_unit = units[parent][1] if isinstance(parent, str) and parent in units else None
        parent_kind = normalize_unit_kind(str(parent_unit.get("kind", ""))) if parent_unit else None
        if kind and parent_kind and parent_kind not in ALLOWED_PARENTS[kind]:
            names = {
                "parent": parent,
                "parent_kind": Bilingual(*UNIT_KIND_NAMES[parent_kind]),
                "kind": Bilingual(*UNIT_KIND_NAMES[kind]),
            }
            issues.append(ConfigIssue(("units", index, "parent"), "config.bad_parent_kind", names))
    issues.extend(_cycles(units))

    people: dict[str, int] = {}
    for index, person in _entries(raw, "people"):
        ident = person.get("id")
        if isinstance(ident, str):
            if ident in people:
                first = f"people[{people[ident]}]"
                issues.append(
                    ConfigIssue(("people", index, "id"), "config.duplicate_id", {"id": ident, "first": first})
                )
            people.setdefault(ident, index)
        unknown_unit(("people", index, "unit"), person.get("unit"))

    issues.extend(_check_channels(raw, base, check_channel))

    rules = raw.get("rules")
    aliases: dict[str, str] = {}
    for rule_id, rule in rules.items() if isinstance(rules, dict) else []:
        if not isinstance(rule, dict):
            continue
        path: KeyPath = ("rules", rule_id)
        alias = rule.get("alias", rule_id)
        if isinstance(alias, str):
            if "/" in alias or not alias.strip():
                issues.append(ConfigIssue((*path, "alias"), "config.bad_id", {"value": alias}))
            elif alias in aliases:
                issues.append(
                    ConfigIssue((*path, "alias"), "config.duplicate_alias", {"alias": alias, "other": aliases[alias]})
                )
            aliases.setdefault(alias, rule_id)
        for index, ident in enumerate(rule.get("unit_ids") or []):
            unknown_unit((*path, "unit_ids", index), ident)
        for field_name in ("owner", "escalate_to"):
            refs = rule.get(field_name)
            for index, ref in enumerate([refs] if isinstance(refs, str) else refs or []):
                if not isinstance(ref, str):
                    continue
                ref = ref.strip()
                if ref.startswith("person:") and ref[7:] not in people:
                    issues.append(
                        ConfigIssue(
                            (*path, field_name, index),
                            "config.unknown_person",
                            {"id": ref[7:], "suggestion": suggestion(ref[7:], list(people))},
                        )
                    )
                if ref == "self" and not (rule.get("per_person") or rule.get("per_contact") or rule.get("on_events")):
                    issues.append(ConfigIssue((*path, field_name, index), "config.self_needs_per_person"))
        issues.extend(_check_due(path, rule))
    return issues


def _table(raw: dict[str, Any], name: str) -> dict[str, Any]:
    value = raw.get(name)
    return value if isinstance(value, dict) else {}


def read_channel_urls(raw: dict[str, Any], base: Path) -> tuple[dict[str, str], list[ConfigIssue]]:
    """Each channel's URL, from ``url`` or from the file ``url_file`` names (relative to ``base``)."""
    urls: dict[str, str] = {}
    issues: list[ConfigIssue] = []
    channels = _table(raw, "channels")
    for name, channel in channels.items():
        if not isinstance(channel, dict):
            continue
        if isinstance(channel.get("url"), str):
            urls[name] = channel["url"]
        elif isinstance(channel.get("url_file"), str):
            file = base / Path(channel["url_file"]).expanduser()
            try:
                urls[name] = file.read_text(encoding="utf-8").strip()
            except OSError as error:
                params = {"path": file, "reason": error.strerror or error}
                issues.append(ConfigIssue(("channels", name, "url_file"), "config.env_file", params))
    return urls, issues


def _check_channels(raw: dict[str, Any], base: Path, check_channel: ChannelCheck | None) -> list[ConfigIssue]:
    """Channel names used anywhere must exist; each channel has one URL that apprise reads."""
    issues: list[ConfigIssue] = []
    channels = _table(raw, "channels")
    names = list(channels)

    def known(path: KeyPath, name: Any) -> None:
        if isinstance(name, str) and name not in channels:
            issues.append(
                ConfigIssue(path, "config.unknown_channel", {"name": name, "suggestion": suggestion(name, names)})
            )

    notify = raw.get("notify")
    if isinstance(notify, dict):
        known(("notify", "email_channel"), notify.get("email_channel"))
    for index, unit in _entries(raw, "units"):
        known(("units", index, "channel"), unit.get("channel"))
    for index, person in _entries(raw, "people"):
        for position, name in enumerate(person.get("channels") or []):
            known(("people", index, "channels", position), name)
    urls, unreadable = read_channel_urls(raw, base)
    issues.extend(unreadable)
    for name, channel in channels.items():
        if not isinstance(channel, dict):
            continue
        has_url, has_file = channel.get("url") is not None, channel.get("url_file") is not None
        if has_url == has_file:
            issues.append(ConfigIssue(("channels", name), "config.channel_url"))
        elif name in urls and check_channel is not None and (shown := check_channel(urls[name])) is not None:
            where = ("channels", name, "url" if has_url else "url_file")
            issues.append(ConfigIssue(where, "config.bad_channel_url", {"url": shown}))
    return issues


def _check_due(path: KeyPath, rule: dict[str, Any]) -> list[ConfigIssue]:
    every = rule.get("every")
    if every is None and not rule.get("on_events"):
        return [ConfigIssue((*path, "every"), "config.missing")]
    if every not in set(PeriodKind):
        return []
    kind = PeriodKind(every)
    if rule.get("anchor") is not None and kind is not PeriodKind.YEAR:
        return [ConfigIssue((*path, "anchor"), "config.anchor_needs_year")]
    if kind is PeriodKind.WEEK:
        if rule.get("due_day") is not None or rule.get("due_month") is not None:
            return [ConfigIssue((*path, "due_day"), "config.due_day_week")]
        return []
    if rule.get("due_weekday") is not None:
        return [ConfigIssue((*path, "due_weekday"), "config.due_weekday_not_week")]
    due_month = rule.get("due_month")
    months = MONTHS_IN[kind]
    if isinstance(due_month, int) and not 1 <= due_month <= months:
        period = Bilingual(PERIOD_NAMES_ZH[kind], kind.value)
        return [ConfigIssue((*path, "due_month"), "config.due_month_range", {"months": months, "period": period})]
    return []


def _cycles(units: dict[str, tuple[int, dict[str, Any]]]) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    reported: set[str] = set()
    for start in units:
        chain: list[str] = []
        current: Any = start
        while isinstance(current, str) and current in units and current not in chain:
            chain.append(current)
            current = units[current][1].get("parent")
        if isinstance(current, str) and current in chain:
            cycle = chain[chain.index(current) :]
            if not reported.intersection(cycle):
                reported.update(cycle)
                index = units[cycle[0]][0]
                text = " → ".join([*cycle, cycle[0]])
                issues.append(ConfigIssue(("units", index, "parent"), "config.unit_cycle", {"cycle": text}))
    return issues


def _warnings(config: Config, written: set[str]) -> list[ConfigIssue]:
    """Rules the config wrote itself that apply to no unit (built-ins for absent kinds are fine)."""
    warnings = []
    kinds = {unit.id: unit.kind for unit in config.units}
    for rule_id, rule in config.rules.items():
        if not rule.enabled or rule_id not in written:
            continue
        scope = rule.unit_ids if rule.unit_ids is not None else [u for u, k in kinds.items() if k in rule.unit_kinds]
        if not scope:
            warnings.append(ConfigIssue(("rules", rule_id), "config.no_units_match"))
    return warnings


def _merge_catalogue(raw: dict[str, Any], issues: list[ConfigIssue]) -> tuple[dict[str, str], set[str]]:
    """Replace ``raw["rules"]`` by the enabled built-in obligations overlaid with the config's own
    entries. Returns (catalogue id → the key the config used, ids the config wrote itself)."""
    from workflows.catalogue import builtin_aliases, builtin_rules

    catalogue, aliases = builtin_rules(), builtin_aliases()
    settings = _table(raw, "catalogue")
    enable, disable = settings.get("enable", "none"), settings.get("disable", [])
    names = [*catalogue, *aliases]

    def resolve(where: KeyPath, name: Any) -> str | None:
        if not isinstance(name, str):
            return None
        ident = name if name in catalogue else aliases.get(name)
        if ident is None:
            issues.append(
                ConfigIssue(where, "config.unknown_obligation", {"name": name, "suggestion": suggestion(name, names)})
            )
        return ident

    left_out = {
        resolve(("catalogue", "disable", i), n) for i, n in enumerate(disable if isinstance(disable, list) else [])
    }
    if enable == "all":
        chosen = list(catalogue)
    elif isinstance(enable, list):
        chosen = [ident for i, n in enumerate(enable) if (ident := resolve(("catalogue", "enable", i), n))]
    else:
        chosen = []
    merged: dict[str, Any] = {ident: catalogue[ident] for ident in chosen if ident not in left_out}
    renames: dict[str, str] = {}
    own: set[str] = set()
    for key, entry in _table(raw, "rules").items():
        ident = key if key in catalogue else aliases.get(key)
        if ident is not None and isinstance(entry, dict):
            merged[ident] = {**catalogue[ident], **entry}  # naming a built-in also enables it
            renames[ident] = key
        else:
            merged[key] = entry
            own.add(key)
    if merged or "rules" in raw:
        raw["rules"] = merged
    return renames, own


def _renamed(issue: ConfigIssue, renames: dict[str, str]) -> ConfigIssue:
    """Point an issue about a built-in rule at the key the config used for it."""
    path = issue.path
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], str) and path[1] in renames:
        return ConfigIssue(("rules", renames[path[1]], *path[2:]), issue.key, issue.params, issue.line)
    return issue


@cache
def _person_adapter() -> TypeAdapter[PersonEntry]:
    return TypeAdapter(PersonEntry)


def _roster_issues(config: Config, base: Path) -> tuple[list[PersonEntry], list[ConfigIssue]]:
    """The people of the ``[roster] files``, or every problem found in them (by file and row)."""
    from workflows.roster_file import column_name, parse_roster, read_rows, unit_lookup

    units = unit_lookup((u.id, u.name) for u in config.units)
    people: list[PersonEntry] = []
    issues: list[ConfigIssue] = []
    own = {p.id for p in config.people}
    for index, name in enumerate(config.roster.files):
        where: KeyPath = ("roster", "files", index)
        file = base / name
        try:
            rows = read_rows(file)
        except (OSError, ValueError, KeyError) as error:
            reason = getattr(error, "strerror", None) or error
            issues.append(ConfigIssue(where, "config.env_file", {"path": file, "reason": reason}))
            continue
        read = parse_roster(rows, units, into=_person_adapter().validate_python)
        for problem in read.errors:
            params = {
                "file": name,
                "row": problem.row,
                "column": column_name(problem.column),
                "message": problem.message,
            }
            issues.append(ConfigIssue(where, "config.roster_row", params))
        if read.errors:
            continue
        for person in read.people:
            if person.id in own:
                issues.append(ConfigIssue(where, "config.roster_duplicate", {"file": name, "id": person.id}))
                continue
            own.add(person.id)
            people.append(person)
    return people, issues


def _with_roster_files(config: Config, path: Path, text: str) -> Config:
    """``config`` with the people of its roster files added; every problem in them is raised."""
    if not config.roster.files:
        return config
    people, issues = _roster_issues(config, path.parent)
    if issues:
        lines = key_lines(text)
        raise ConfigError(path, [ConfigIssue(i.path, i.key, i.params, line_of(lines, i.path)) for i in issues])
    return config.model_copy(update={"people": [*config.people, *people]})


def parse_config(text: str, path: Path, *, check_channel: ChannelCheck | None = None) -> LoadedConfig:
    """Validate config ``text`` (read from ``path``); raise :class:`ConfigError` with every issue.
    ``check_channel`` is asked about every channel URL (the notifiers know which ones work)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        reason = str(error)
        match = re.search(r"line (\d+)", reason)
        line = int(match.group(1)) if match else None
        raise ConfigError(path, [ConfigIssue((), "config.toml", {"path": path, "reason": reason}, line)]) from None
    issues: list[ConfigIssue] = []
    raw = _substitute_env(raw, (), issues)
    renames, own_rules = _merge_catalogue(raw, issues)
    config: Config | None = None
    try:
        config = Config.model_validate(raw)
    except ValidationError as error:
        issues.extend(_issue_from_pydantic(e) for e in error.errors())
    issues.extend(_cross_check(raw, path.parent, check_channel))
    if issues:
        lines = key_lines(text)
        issues = [_renamed(issue, renames) for issue in issues]
        located = [ConfigIssue(i.path, i.key, i.params, line_of(lines, i.path)) for i in issues]
        located.sort(key=lambda issue: (issue.line or 0, issue.dotted))
        raise ConfigError(path, located)
    assert config is not None
    config = _with_roster_files(config, path, text)
    # serialized by pydantic straight to bytes: a city's 30,000 people as Python dicts and a JSON
    # str would be 60 MB of short-lived objects, and the heap they leave behind is not given back
    fingerprint = hashlib.sha256(Config.__pydantic_serializer__.to_json(config)).hexdigest()
    lines = key_lines(text)
    warnings = [
        ConfigIssue(w.path, w.key, w.params, line_of(lines, w.path))
        for w in (_renamed(w, renames) for w in _warnings(config, own_rules | set(renames)))
    ]
    channel_urls, _ = read_channel_urls(raw, path.parent)
    return LoadedConfig(path=path, config=config, warnings=warnings, fingerprint=fingerprint, channel_urls=channel_urls)


def load_config(path: Path, *, check_channel: ChannelCheck | None = None) -> LoadedConfig:
    """Read and validate the config file at ``path`` (``check_channel`` as for :func:`parse_config`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, [ConfigIssue((), "config.not_found", {"path": path})]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, [ConfigIssue((), "config.env_file", {"path": path, "reason": error})]) from None
    return parse_config(text, path.resolve(), check_channel=check_channel)
