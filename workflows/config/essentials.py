"""The three settings a read-only command needs — where the store is, the language, the time
zone — read straight from the TOML file, without validating the whole config (the rules, a
province's roster). ``zhibu list`` starts in a fraction of the time that way; ``zhibu check``
and every command that changes something still validate everything.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_STORE_URL = "sqlite:///zhibu.db"
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_LOCALE = "zh"
DEFAULT_SOCKET = "/run/zhibu/zhibu.sock"  # systemd's RuntimeDirectory=zhibu
ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def expand_env(text: str, missing: Callable[[str], None]) -> str:
    """Replace ``${VAR}`` (or ``${VAR:-default}``) from the environment; ``missing`` hears of
    each variable neither set nor defaulted (it becomes empty)."""

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        found = os.environ.get(name, default)
        if found is None:
            missing(name)
            return ""
        return found

    return ENV_REFERENCE.sub(replace, text)


@dataclass(frozen=True)
class Essentials:
    """What a read-only command needs from the config file."""

    store_url: str
    locale: str
    timezone: str
    directory: Path
    socket: str = DEFAULT_SOCKET


def read_essentials(path: Path) -> Essentials | None:
    """The essentials of the config at ``path``; None when the file cannot be read or parsed,
    or a value is not what the schema allows (the caller then validates it all, which names
    the problem). Read once per version of the file in a process."""
    try:
        status = path.stat()
    except OSError:
        return None
    return _read_essentials(path, status.st_mtime_ns, status.st_size)


@lru_cache(maxsize=4)
def _read_essentials(path: Path, _mtime: int, _size: int) -> Essentials | None:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    org, store = raw.get("org", {}), raw.get("store", {})
    if not isinstance(org, dict) or not isinstance(store, dict):
        return None
    problems: list[str] = []
    values = [
        expand_env(value, problems.append) if isinstance(value, str) else None
        for value in (
            store.get("url", DEFAULT_STORE_URL),
            org.get("locale", DEFAULT_LOCALE),
            org.get("timezone", DEFAULT_TIMEZONE),
        )
    ]
    url, locale, timezone = values
    if problems or url is None or timezone is None or locale not in ("zh", "en"):
        return None
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    daemon = raw.get("daemon", {})
    socket = daemon.get("socket", DEFAULT_SOCKET) if isinstance(daemon, dict) else DEFAULT_SOCKET
    return Essentials(
        store_url=url,
        locale=locale,
        timezone=timezone,
        directory=path.resolve().parent,
        socket=socket if isinstance(socket, str) else DEFAULT_SOCKET,
    )
