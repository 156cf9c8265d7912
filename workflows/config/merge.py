"""The built-in catalogue merged under the config's own rules, and error paths renamed back to
what the user wrote."""

from __future__ import annotations

import difflib
from typing import Any

from workflows.config.fields import suggestion
from workflows.config.issues import (
    ConfigIssue,
)
from workflows.config.locate import Path as KeyPath


def table_of(raw: dict[str, Any], name: str) -> dict[str, Any]:
    """The table ``name`` of the raw TOML, or an empty one when it is missing or not a table."""
    value = raw.get(name)
    return value if isinstance(value, dict) else {}


def merge_catalogue(raw: dict[str, Any], issues: list[ConfigIssue]) -> tuple[dict[str, str], set[str]]:
    """Replace ``raw["rules"]`` by the enabled built-in obligations overlaid with the config's own
    entries. Returns (catalogue id → the key the config used, ids the config wrote itself)."""
    from workflows.catalogue import builtin_aliases, builtin_rules

    catalogue, aliases = builtin_rules(), builtin_aliases()
    settings = table_of(raw, "catalogue")
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
    for key, entry in table_of(raw, "rules").items():
        ident = key if key in catalogue else aliases.get(key)
        if ident is not None and isinstance(entry, dict):
            builtin = catalogue[ident]
            misspelt = difflib.get_close_matches("every", [k for k in entry if isinstance(k, str)], n=1)
            if ident not in merged and "every" in builtin and "every" not in entry and not misspelt:
                # not enabled by [catalogue]: its cadence is not taken silently from the catalogue
                where = ("rules", key, "every")
                issues.append(ConfigIssue(where, "config.builtin_every", {"rule": key, "every": builtin["every"]}))
            merged[ident] = {**builtin, **entry}  # naming a built-in also enables it
            renames[ident] = key
        else:
            merged[key] = entry
            own.add(key)
    if merged or "rules" in raw:
        raw["rules"] = merged
    return renames, own


def renamed(issue: ConfigIssue, renames: dict[str, str]) -> ConfigIssue:
    """Point an issue about a built-in rule at the key the config used for it."""
    path = issue.path
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], str) and path[1] in renames:
        return ConfigIssue(("rules", renames[path[1]], *path[2:]), issue.key, issue.params, issue.line)
    return issue
