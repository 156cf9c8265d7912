"""Load and validate a config file, reporting every error at once with its key path and line."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from workflows.config.essentials import expand_env
from workflows.config.fields import suggestion
from workflows.config.issues import (
    ConfigError,
    ConfigIssue,
    _issue_from_pydantic,
)
from workflows.config.locate import Path as KeyPath
from workflows.config.locate import key_lines, line_of
from workflows.config.merge import merge_catalogue, renamed, table_of
from workflows.config.roster_files import roster_digest, roster_issues, roster_people
from workflows.config.schema import Config, PersonEntry
from workflows.config.toml_errors import toml_reason_zh
from workflows.i18n import Bilingual
from workflows.periods import MONTHS_IN, PERIOD_NAMES_ZH, PeriodKind
from workflows.vocabulary import ALLOWED_PARENTS, UNIT_KIND_NAMES, normalize_unit_kind

ChannelCheck = Callable[[str], str | None]


"""Asked about a channel URL: None when it can be used, else the URL as it may be shown (redacted)."""


@dataclass
class LoadedConfig:
    """A validated config with where it came from and a fingerprint of its content."""

    path: Path
    config: Config
    warnings: list[ConfigIssue]
    fingerprint: str
    channel_urls: dict[str, str] = field(default_factory=dict)
    roster_lines: tuple[int | None, ...] = ()  # the config's line of each ``[roster] files`` entry

    @property
    def directory(self) -> Path:
        """The folder holding the config: relative paths in it are relative to this."""
        return self.path.parent

    @cached_property
    def people_by_id(self) -> dict[str, PersonEntry]:
        """The people written in the config itself, by id: their own channels and quiet hours
        (roster files carry neither)."""
        return {person.id: person for person in self.config.people}

    def people(self) -> list[PersonEntry]:
        """The config's people, those of its roster files included (see :meth:`read_people`)."""
        return self.read_people()[0]

    def read_people(self) -> tuple[list[PersonEntry], list[ConfigIssue]]:
        """The config's people, those of its roster files included, and the warnings about
        them (two people of one name in one branch); every problem in the files raised as a
        :class:`ConfigError`.

        The files are read at each call, not kept: a tick reads the roster from the store, and
        a city's 30,000 people held as objects in every process would cost 60 MB. Only what
        writes the config's people into the store, and ``zhibu check``, reads them."""
        if not self.config.roster.files:
            return self.config.people, []
        people, issues, warnings = roster_issues(self.config, self.directory)
        if issues:
            raise ConfigError(self.path, [self._located(i) for i in issues])
        return [*self.config.people, *people], [self._located(w) for w in warnings]

    def each_person(self) -> Iterator[PersonEntry]:
        """The config's people, then its roster files' one at a time as their rows are read (what
        writes them into the store holds a batch, not a city's 30,000); every problem in the files
        raised as a :class:`ConfigError` after the last, so what was taken must then be dropped."""
        yield from self.config.people
        issues: list[ConfigIssue] = []
        yield from roster_people(self.config, self.directory, issues, [])
        if issues:
            raise ConfigError(self.path, [self._located(i) for i in issues])

    def _located(self, issue: ConfigIssue) -> ConfigIssue:
        """``issue`` (about ``roster.files[i]``) with the config's line of that entry."""
        return ConfigIssue(issue.path, issue.key, issue.params, self.roster_lines[int(issue.path[2])])


def _substitute_env(value: Any, path: KeyPath, issues: list[ConfigIssue]) -> Any:
    """Replace ``${VAR}`` (or ``${VAR:-default}``) in every string, so secrets stay out of files."""
    if isinstance(value, dict):
        return {k: _substitute_env(v, (*path, k), issues) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute_env(v, (*path, i), issues) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value
    return expand_env(value, lambda name: issues.append(ConfigIssue(path, "config.env_missing", {"var": name})))


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


def read_channel_urls(raw: dict[str, Any], base: Path) -> tuple[dict[str, str], list[ConfigIssue]]:
    """Each channel's URL, from ``url`` or from the file ``url_file`` names (relative to ``base``)."""
    urls: dict[str, str] = {}
    issues: list[ConfigIssue] = []
    channels = table_of(raw, "channels")
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
    channels = table_of(raw, "channels")
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


def parse_config(text: str, path: Path, *, check_channel: ChannelCheck | None = None) -> LoadedConfig:
    """Validate config ``text`` (read from ``path``); raise :class:`ConfigError` with every issue.
    ``check_channel`` is asked about every channel URL (the notifiers know which ones work)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        reason = str(error)
        match = re.search(r"line (\d+)", reason)
        line = int(match.group(1)) if match else None
        said = {"path": path, "reason": Bilingual(toml_reason_zh(reason), reason)}
        raise ConfigError(path, [ConfigIssue((), "config.toml", said, line)]) from None
    issues: list[ConfigIssue] = []
    raw = _substitute_env(raw, (), issues)
    renames, own_rules = merge_catalogue(raw, issues)
    config: Config | None = None
    try:
        config = Config.model_validate(raw)
    except ValidationError as error:
        issues.extend(_issue_from_pydantic(e) for e in error.errors())
    issues.extend(_cross_check(raw, path.parent, check_channel))
    if issues:
        lines = key_lines(text)
        issues = [renamed(issue, renames) for issue in issues]
        located = [ConfigIssue(i.path, i.key, i.params, line_of(lines, i.path)) for i in issues]
        located.sort(key=lambda issue: (issue.line or 0, issue.dotted))
        raise ConfigError(path, located)
    assert config is not None
    lines = key_lines(text)
    # serialized by pydantic straight to bytes (no dicts nor str in between), the roster files
    # by their bytes: their people are read only when needed (LoadedConfig.read_people)
    serialized = Config.__pydantic_serializer__.to_json(config)
    roster_lines = tuple(line_of(lines, ("roster", "files", i)) for i in range(len(config.roster.files)))
    fingerprint = hashlib.sha256(serialized + roster_digest(config, path, roster_lines)).hexdigest()
    warnings = [
        ConfigIssue(w.path, w.key, w.params, line_of(lines, w.path))
        for w in (renamed(w, renames) for w in _warnings(config, own_rules | set(renames)))
    ]
    channel_urls, _ = read_channel_urls(raw, path.parent)
    return LoadedConfig(path, config, warnings, fingerprint, channel_urls, roster_lines)


def load_config(path: Path, *, check_channel: ChannelCheck | None = None) -> LoadedConfig:
    """Read and validate the config file at ``path`` (``check_channel`` as for :func:`parse_config`)."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM, as Windows editors write, is fine
    except FileNotFoundError:
        raise ConfigError(path, [ConfigIssue((), "config.not_found", {"path": path})]) from None
    except UnicodeDecodeError:
        raise ConfigError(path, [ConfigIssue((), "config.encoding", {"path": path})]) from None
    except OSError as error:
        raise ConfigError(path, [ConfigIssue((), "config.env_file", {"path": path, "reason": error})]) from None
    return parse_config(text, path.resolve(), check_channel=check_channel)
