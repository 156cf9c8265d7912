"""Store URLs as the config writes them (no database layer needed to read them)."""

from __future__ import annotations

from pathlib import Path

SQLITE_PREFIX = "sqlite:///"


def resolve_url(url: str, base: Path) -> str:
    """Make a relative SQLite path relative to ``base`` (the config's folder)."""
    if url.startswith(SQLITE_PREFIX) and not url.startswith(SQLITE_PREFIX + "/") and ":memory:" not in url:
        rest = url[len(SQLITE_PREFIX) :]
        path, sep, query = rest.partition("?")
        if path and not path.startswith("file:"):
            return f"{SQLITE_PREFIX}{(base / path).resolve()}{sep}{query}"
    return url


def sqlite_file(url: str) -> Path | None:
    """The file of a plain ``sqlite:///path`` URL (resolved), or None for any other store."""
    if not url.startswith(SQLITE_PREFIX) or "?" in url or ":memory:" in url:
        return None
    path = url[len(SQLITE_PREFIX) :]
    return None if not path or path.startswith("file:") else Path(path)


def chosen_url(config_url: str, config_dir: Path, override: str | None = None) -> str:
    """The store URL from ``--db`` (relative to the working directory) or the config's (relative
    to the config file's folder)."""
    return resolve_url(override, Path.cwd()) if override else resolve_url(config_url, config_dir)


SIMULATE_ENV = "ZHIBU_SIMULATE"  # "1" when the store about to be created is a simulation store
