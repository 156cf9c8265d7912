"""The built-in catalogue of obligations: data in the config's own schema (obligations.toml)."""

from __future__ import annotations

import copy
import tomllib
from functools import cache
from importlib.resources import files
from typing import Any


@cache
def _builtin() -> dict[str, dict[str, Any]]:
    text = files("workflows.catalogue").joinpath("obligations.toml").read_text(encoding="utf-8")
    rules: dict[str, dict[str, Any]] = tomllib.loads(text)["rules"]
    return rules


def builtin_rules() -> dict[str, dict[str, Any]]:
    """Every built-in obligation as raw config entries, by id (a fresh copy each call)."""
    return copy.deepcopy(_builtin())


def builtin_aliases() -> dict[str, str]:
    """Alias → id of the built-in obligations."""
    return {entry.get("alias", ident): ident for ident, entry in _builtin().items()}
