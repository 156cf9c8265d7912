"""Keep secrets out of logs, errors, ``status``, the outbox and the audit table.

A channel URL carries its secret in different places by scheme: a password
(``mailtos://user:PASSWORD@host``), the host or path of a bot (``wecombot://KEY``,
``gotify://host/TOKEN``, ``json://host/hooks/TOKEN``), a query or header parameter
(``?key=…``, ``-X-Api-Key=…``). What counts as secret is decided by apprise's own parser where it
knows the scheme — every part of the URL that its privacy rendering (``url(privacy=True)``) does
not show — and by rules for what it leaves visible or cannot parse: every password, every
parameter that sets a header or names a key, token or password, and every path segment of a
webhook or of a scheme nobody knows. A password containing a raw ``@`` is masked whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from notifiers.plugins import parse_channel  # imports apprise when called: only what prints a channel URL pays

MASK = "***"
SECRET_PARAMS = frozenset(
    {
        "key",
        "token",
        "secret",
        "password",
        "pass",
        "pwd",
        "apikey",
        "api_key",
        "access_token",
        "webhook",
        "sign",
        "sslpassword",
        "user_key",
        "app_key",
    }
)
# webhooks put their token in the path; so does any scheme apprise does not know
PATH_SECRET_SCHEMES = frozenset({"json", "jsons", "xml", "xmls", "form", "forms", "http", "https"})
USERINFO = re.compile(r"(://[^:/@\s]+:)[^\s?]*@")  # greedy to the last @ before the query: a raw @ in a password


@lru_cache(maxsize=256)
def _privacy_rendering(url: str) -> str | None:
    """apprise's rendering of ``url`` with its secrets hidden, None when it cannot read it."""
    plugin: Any = parse_channel(url)
    if plugin is None:
        return None
    try:
        return str(plugin.url(privacy=True))
    except Exception:
        return None


def _parts(url: str) -> tuple[str, list[str], list[tuple[str, str]]]:
    """The scheme, the parts of the authority and path, and the query parameters of ``url``."""
    try:
        split = urlsplit(url)
    except ValueError:
        return "", [url], []
    pieces = [p for p in (split.username, split.password) if p]
    host = split.netloc.rsplit("@", 1)[-1]
    if host:
        pieces.append(host.split(":")[0])
    pieces.extend(segment for segment in split.path.split("/") if segment)
    return split.scheme.lower(), pieces, parse_qsl(split.query, keep_blank_values=False)


def secrets_of(url: str) -> list[str]:
    """The parts of ``url`` that must never be shown, longest first."""
    scheme, pieces, params = _parts(url)  # pieces: user, password, host, path segments
    found: list[str] = []
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    if password:
        found.append(password)
    shown = _privacy_rendering(url)
    if shown is not None:  # what apprise hides of the parts it parsed
        visible = unquote(shown)
        found.extend(piece for piece in pieces if unquote(piece) not in visible)
    if scheme in PATH_SECRET_SCHEMES or shown is None:  # webhooks, unknown schemes: the path is a token
        found.extend(segment for segment in urlsplit(url).path.split("/") if segment)
    for name, value in params:
        if value and (name.lower().lstrip("+-:") in SECRET_PARAMS or name.startswith(("-", "+"))):
            found.append(value)
    expanded = {s for s in found if len(s) >= 3} | {unquote(s) for s in found if len(s) >= 3}
    return sorted(expanded, key=len, reverse=True)


def redact_url(url: str) -> str:
    """``url`` with its secrets masked."""
    return redact_text(url, [url])


def redact_text(text: str, urls: Iterable[str]) -> str:
    """``text`` with every secret of ``urls`` masked, and any ``user:password@`` as well."""
    text = USERINFO.sub(rf"\1{MASK}@", text)
    for url in urls:
        for secret in secrets_of(url):
            text = text.replace(secret, MASK)
    return text


RAW_USERINFO = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@]+:(?P<password>[^?]*)@[^@/?#]*(?:[/?#]|$)")
RESERVED = re.compile(r"[@/#?:]|%(?![0-9A-Fa-f]{2})")


def password_needs_escaping(url: str) -> bool:
    """Whether the password of ``url`` holds a character a URL reserves, written raw (``@ / # ? :``
    or a ``%`` not starting an escape): then every parser reads another password and host."""
    match = RAW_USERINFO.match(url.split("?", 1)[0] + ("?" if "?" in url else ""))
    return bool(match and RESERVED.search(match.group("password")))
